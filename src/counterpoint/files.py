"""Writing outputs: safe names inside the output folder, and every file of a build written
at once, atomically (a failure or Ctrl-C leaves the old files as they were).
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import os
import secrets
import stat
import unicodedata
from pathlib import Path

from counterpoint.errors import BuildError, display_path


def safe_stem(name: str) -> str:
    """An output file name part that cannot leave its folder: no separators, no '..'."""
    cleaned = "".join("-" if c in "/\\" or ord(c) < 32 or c == "\x7f" else c for c in name)
    cleaned = cleaned.strip()
    return cleaned if cleaned.strip(".") else "brief"


def visible_name(name: str) -> tuple[str, str]:
    """A file name without invisible characters (bidi controls, zero-width and other format
    characters, controls), and a warning naming what was removed ('' when nothing was):
    `inv\u202eexe.pdf.yaml` must not give a file that displays as `invfdp.exe.html`."""
    removed = [c for c in name if unicodedata.category(c) in ("Cf", "Cc", "Zl", "Zp")]
    if not removed:
        return name, ""
    kept = "".join(c for c in name if c not in removed)
    codes = ", ".join(dict.fromkeys(f"U+{ord(c):04X}" for c in removed))
    return kept, (
        f"the brief's file name {name!a} has invisible or bidi control characters "
        f"({codes}); its outputs are named {kept!r} instead"
    )


def inside(folder: Path, name: str) -> Path:
    """folder/name, refusing any name that would land outside `folder`."""
    if name in ("", ".", "..") or "/" in name or os.sep in name or "\0" in name:
        raise BuildError(f"{name!r}: refusing to write outside {display_path(folder)}")
    return folder / name


def source_date() -> datetime.date | None:
    """The date given by SOURCE_DATE_EPOCH (reproducible builds), if set."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    try:
        day = datetime.datetime.fromtimestamp(int(value), datetime.UTC).date()
    except (ValueError, OverflowError, OSError):
        raise BuildError(
            f"SOURCE_DATE_EPOCH={value!r} is not a number of seconds since 1970"
        ) from None
    return day


def write_atomic(path: Path, data: bytes, root: Path | None = None) -> None:
    """Write a file so that readers see the old file or the whole new one, never a part."""
    write_all([(path, data)], root)


def write_all(files: list[tuple[Path, bytes]], root: Path | None = None) -> None:
    """Write several files all or nothing, as far as a file system allows.

    Each file is first written in full to a temporary file in its own folder; only when
    every one is on disk are they renamed over the old files. An error or Ctrl-C before
    that leaves every old file as it was and removes the temporary files.

    Nothing is written through a symbolic link: every file must be inside `root` (the
    output folder, which is yours and may itself be a link; default: each file's own
    folder), each folder between `root` and a file is opened without following a link
    (O_NOFOLLOW), and a link where a file goes is refused. Files are created and renamed
    relative to their folder's descriptor, so a link planted meanwhile is not followed
    either.
    """
    staged: list[tuple[int, str, Path]] = []  # (folder descriptor, temporary name, path)
    folders: dict[Path, int] = {}
    made: list[Path] = []  # folders made for these files, removed again on a failure
    current = files[0][0] if files else Path()
    try:
        for current, data in files:
            base = root if root is not None else current.parent
            fd = _folder(base, current.parent, folders, made)
            staged.append((fd, _stage(fd, current, data), current))
        for fd, tmp, current in staged:
            os.replace(tmp, current.name, src_dir_fd=fd, dst_dir_fd=fd)
        staged.clear()
        made.clear()
    except OSError as exc:
        raise BuildError(f"{display_path(current)}: cannot write: {exc.strerror or exc}") from None
    finally:
        for fd, tmp, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp, dir_fd=fd)
        for fd in folders.values():
            os.close(fd)
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                os.rmdir(folder)


_DIRECTORY = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _folder(root: Path, folder: Path, opened: dict[Path, int], made: list[Path]) -> int:
    """A descriptor of `folder`, made if missing; every part below `root` is opened
    without following a link (BuildError for a link, or a folder outside `root`)."""
    if folder in opened:
        return opened[folder]
    try:
        parts = folder.relative_to(root).parts
    except ValueError:
        parts = ("..",)
    if ".." in parts:
        raise BuildError(f"{display_path(folder)}: refusing to write outside {display_path(root)}")
    root.mkdir(parents=True, exist_ok=True)  # the output folder itself is yours to choose
    fd = os.open(root, _DIRECTORY)
    where = root
    try:
        for part in parts:
            where = where / part
            with contextlib.suppress(FileExistsError):
                os.mkdir(part, dir_fd=fd)
                made.append(where)
            try:
                inner = os.open(part, _DIRECTORY | _NOFOLLOW, dir_fd=fd)
            except OSError:
                if _is_link(fd, part):
                    raise BuildError(
                        f"{display_path(where)}: refusing to write through a symbolic link"
                    ) from None
                raise
            os.close(fd)
            fd = inner
    except BaseException:
        os.close(fd)
        raise
    opened[folder] = fd
    return fd


def _mode(folder: int, name: str) -> int:
    """The type and mode of `name` in the open `folder`, without following a link (0: none)."""
    try:
        return os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode
    except OSError:
        return 0


def _is_link(folder: int, name: str) -> bool:
    return stat.S_ISLNK(_mode(folder, name))


def _stage(folder: int, path: Path, data: bytes) -> str:
    """Write `data` to a new temporary file beside `path` (in the open `folder`)."""
    mode = _mode(folder, path.name)
    if stat.S_ISLNK(mode):
        raise BuildError(f"{display_path(path)}: refusing to write through a symbolic link")
    if stat.S_ISDIR(mode):  # found before any file is renamed into place
        raise OSError(errno.EISDIR, os.strerror(errno.EISDIR))
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    while True:
        tmp = f".{path.name}.{secrets.token_hex(4)}.tmp"
        try:  # 0666 less the umask, as for any new file
            fd = os.open(tmp, flags, 0o666, dir_fd=folder)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp, dir_fd=folder)
        raise
    return tmp
