"""SIGTERM and SIGHUP end a command as Ctrl-C does: at once, with every child process.

Ctrl-C reaches every process of the terminal's foreground group: the build, its shelf
workers, its Pandoc processes and its PDF worker, which then end together. SIGTERM (a
service manager, `kill`, a CI timeout) and SIGHUP (a closed terminal) reach one process
only, and by default end it at once, without its clean-up, leaving its children running.
So the command line handles both: the process ends every process below it (found in
/proc: the PDF worker has a process group of its own, so a group is not enough), then
stops like Ctrl-C, removing any temporary file, with one line and exit status 128 + the
signal's number. Shelf workers are sent SIGTERM and do the same for their own children.
"""

from __future__ import annotations

import contextlib
import os
import signal
from typing import Any

SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


class Terminated(KeyboardInterrupt):
    """Raised by SIGTERM or SIGHUP; a KeyboardInterrupt, so every clean-up for Ctrl-C runs."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (children, their children...), from /proc; [] without it."""
    children: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        with contextlib.suppress(IndexError, ValueError):
            children.setdefault(int(fields[1]), []).append(int(entry))
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.append(child)
                todo.append(child)
    return found


workers: set[int] = set()
"""This process's shelf workers (pipeline/shelf.py): they are sent SIGTERM, to remove their
temporary files and end their own children; every other process below is killed."""


def pass_on() -> None:
    """End every process below this one: SIGTERM to shelf workers, SIGKILL to the rest
    (Pandoc, the PDF worker and its layout process, which keep nothing to clean up)."""
    for pid in descendants(os.getpid()):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM if pid in workers else signal.SIGKILL)


def _stop(signum: int, frame: Any) -> None:
    pass_on()
    raise Terminated(signum)


def install() -> None:
    """Make SIGTERM and SIGHUP stop this process like Ctrl-C, and its children with it
    (from the main thread; the command line's, never a library's)."""
    for signum in SIGNALS:
        signal.signal(signum, _stop)


_worker = {"busy": False}  # a shelf worker is building a brief (signals are per process)


def install_in_worker() -> None:
    """In a shelf worker: pass the signal on, then stop the brief being built (its
    temporary files are removed), or end at once when it builds none."""

    def stop(signum: int, frame: Any) -> None:
        workers.clear()  # (a copy of its parent's)
        pass_on()
        if _worker["busy"]:
            raise Terminated(signum)
        os._exit(128 + signum)

    for signum in SIGNALS:
        signal.signal(signum, stop)


@contextlib.contextmanager
def building() -> Any:
    """Mark a shelf worker busy (see install_in_worker)."""
    _worker["busy"] = True
    try:
        yield
    finally:
        _worker["busy"] = False
