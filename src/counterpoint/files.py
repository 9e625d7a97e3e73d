"""Writing outputs: safe names inside the output folder, and every file of a build written
at once, atomically (a failure or Ctrl-C leaves the old files as they were).
"""

from __future__ import annotations

import contextlib
import datetime
import os
import tempfile
from pathlib import Path

from .errors import BuildError, display_path
from .model import Date


def safe_stem(name: str) -> str:
    """An output file name part that cannot leave its folder: no separators, no '..'."""
    cleaned = "".join("-" if c in "/\\" or ord(c) < 32 or c == "\x7f" else c for c in name)
    cleaned = cleaned.strip()
    return cleaned if cleaned.strip(".") else "brief"


def inside(folder: Path, name: str) -> Path:
    """folder/name, refusing any name that would land outside `folder`."""
    if name in ("", ".", "..") or "/" in name or os.sep in name or "\0" in name:
        raise BuildError(f"{name!r}: refusing to write outside {display_path(folder)}")
    return folder / name


def source_date() -> Date | None:
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
    return Date(day.year, day.month, day.day)


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old file or the whole new one, never a part."""
    write_all([(path, data)])


def write_all(files: list[tuple[Path, bytes]]) -> None:
    """Write several files all or nothing, as far as a file system allows.

    Each file is first written in full to a temporary file in its own folder; only when
    every one is on disk are they renamed over the old files. An error or Ctrl-C before
    that leaves every old file as it was and removes the temporary files. Existing
    symbolic links are refused: output never writes through a link.
    """
    staged: list[tuple[str, Path]] = []
    current = files[0][0] if files else Path()
    try:
        for current, data in files:
            staged.append((_stage(current, data), current))
        for tmp, current in staged:
            os.replace(tmp, current)
    except OSError as exc:
        _discard(staged)
        raise BuildError(f"{display_path(current)}: cannot write: {exc.strerror or exc}") from None
    except BaseException:
        _discard(staged)
        raise


def _stage(path: Path, data: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink():
        raise BuildError(f"{display_path(path)}: refusing to write through a symbolic link")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return tmp


def _discard(staged: list[tuple[str, Path]]) -> None:
    for tmp, _ in staged:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _umask() -> int:
    """The process umask (mkstemp makes 0600 files; outputs get the usual 0666 & ~umask)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)  # not thread-safe, hence the /proc route first
    os.umask(mask)
    return mask
