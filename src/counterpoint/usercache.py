"""counterpoint's folder in the user's cache (a shared leaf): compiled templates, formatted
citations and converted .bib files, each keyed by content.

Every entry is written by `write` and read back by `read`, which return the bytes only
when the entry's HMAC-SHA256 checks out under a per-user key (`key`, 32 random bytes,
mode 0600, made on first use). So an entry that is truncated, damaged, swapped with another
entry or written by anyone without the key is a miss: the work is done again and the entry
rewritten. Nothing is ever unpickled. A cache that cannot be written (a full disk, a
read-only folder) is skipped with one warning (`problems`), and the build goes on.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import stat
import tempfile
from pathlib import Path
from typing import Any

MAGIC = b"counterpoint-cache-1\n"
MAX_ENTRY_BYTES = 256 * 1024 * 1024
"""A larger file is no entry of ours (the largest, a converted 5 MB .bib, is ~20 MB)."""
_KEY_BYTES = 32

_keys: dict[str, bytes | None] = {}  # each cache folder's key (None: not usable)
_problems: list[str] = []  # said once a process and cache folder (see problems())
_warned: set[str] = set()


def user_cache_dir(*parts: str) -> str:
    """$XDG_CACHE_HOME/counterpoint (or ~/.cache/counterpoint), joined with `parts`."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "counterpoint", *parts)


def problems() -> list[str]:
    """The warning about a cache that could not be used, once a process; then []."""
    said, _problems[:] = list(_problems), []
    return said


def _skip(path: str | Path, exc: OSError | str) -> None:
    """Note that the cache cannot be written: one warning a process, whatever the cause."""
    if user_cache_dir() in _warned:
        return
    _warned.add(user_cache_dir())
    from counterpoint.errors import display_path

    why = exc if isinstance(exc, str) else (exc.strerror or str(exc))
    _problems.append(
        f"the cache folder {display_path(user_cache_dir())} cannot be used ({why}: "
        f"{display_path(path)}); building without it"
    )


def _folder_key() -> bytes | None:
    """The per-user key, made on first use; None when it cannot be trusted or made."""
    path = user_cache_dir("key")
    if path in _keys:
        return _keys[path]
    _keys[path] = None
    try:
        os.makedirs(user_cache_dir(), mode=0o700, exist_ok=True)
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except FileNotFoundError:
            fd = _new_key(path)
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(f.fileno())
            data = f.read(_KEY_BYTES + 1)
    except OSError as exc:
        _skip(path, exc)
        return None
    ours = st.st_uid == os.geteuid() if hasattr(os, "geteuid") else True
    if not stat.S_ISREG(st.st_mode) or not ours or st.st_mode & 0o077 or len(data) != _KEY_BYTES:
        _skip(path, "its key is not a private file of yours; remove it to make a new one")
        return None
    _keys[path] = data
    return data


def _new_key(path: str) -> int:
    """Write a new key (0600) and open it; another process may make it at the same time."""
    fd, tmp = tempfile.mkstemp(prefix=".key.", dir=os.path.dirname(path))
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_bytes(_KEY_BYTES))
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)  # never replaces a key another process made meanwhile
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    return os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)


def user_key() -> bytes | None:
    """The user's key (made on first use), for what else counterpoint signs (pipeline/cache.py's
    build records); None when the cache folder cannot be used."""
    return _folder_key()


def _mac(key: bytes, path: Path, data: bytes) -> bytes:
    """The entry's tag: its folder and name are signed too, so no entry passes for another."""
    label = f"{path.parent.name}/{path.name}".encode("utf-8", "surrogateescape")
    return hmac.new(key, label + b"\0" + data, hashlib.sha256).digest()


def read(path: str | Path) -> bytes | None:
    """An entry's bytes, or None: missing, unreadable, not a regular file, or not written
    by `write` with this user's key (damaged, truncated, forged)."""
    path = Path(path)
    key = _folder_key()
    if key is None:
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:  # checked before Python's file object, which refuses a folder with a traceback
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_ENTRY_BYTES:
            return None
        with os.fdopen(fd, "rb", closefd=False) as f:
            blob = f.read(st.st_size + 1)  # (a larger size reserves that much memory)
    except OSError:
        return None
    finally:
        os.close(fd)
    head = len(MAGIC) + hashlib.sha256().digest_size
    if len(blob) < head or not blob.startswith(MAGIC):
        return None
    data = blob[head:]
    if not hmac.compare_digest(blob[len(MAGIC) : head], _mac(key, path, data)):
        return None
    return data


def write(path: str | Path, data: bytes) -> None:
    """Store an entry atomically (a temporary file renamed over the old entry); a cache
    that cannot be written is skipped with one warning a process."""
    path = Path(path)
    key = _folder_key()
    if key is None:
        return
    root = os.path.realpath(user_cache_dir())
    if not os.path.realpath(path.parent).startswith(root + os.sep):
        # a folder in the cache that is a link out of it (planted by another user who can
        # write the cache): entries are never written through it
        _skip(path.parent, "a symbolic link that leads out of the cache folder")
        return
    tmp = ""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            f.write(MAGIC + _mac(key, path, data) + data)
        try:
            os.replace(tmp, path)  # a link at `path` is replaced, never followed
        except IsADirectoryError:  # an empty folder in an entry's place: no entry, replaced
            os.rmdir(path)
            os.replace(tmp, path)
        tmp = ""
    except OSError as exc:
        _skip(path, exc)
    finally:
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def read_json(path: str | Path) -> Any:
    """An entry holding JSON, or None (a miss) when it is not a valid one."""
    data = read(path)
    if data is None:
        return None
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        return None


def write_json(path: str | Path, value: Any) -> None:
    """Store `value` as JSON (see write)."""
    write(path, json.dumps(value, ensure_ascii=False).encode("utf-8"))
