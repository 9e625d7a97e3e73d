"""The build's time limit: stop a brief's work after so many seconds (SIGALRM).

A template that loops forever, or a pathological input, is stopped with one line naming
the brief (`--time-limit`, limits.TIME_LIMIT).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from counterpoint.errors import BuildError


# -- the time limit ----------------------------------------------------------------------
class _Overtime(BaseException):
    """Raised by the alarm; a BaseException so that no `except Exception` swallows it."""


@contextmanager
def time_limit(seconds: float | None, what: str) -> Iterator[None]:
    """Stop the work inside after `seconds` with a BuildError naming `what`; 0/None: no limit.

    In the main thread it uses SIGALRM. In another thread (the preview's rebuilds) a timer
    thread raises the same exception in the working thread (PyThreadState_SetAsyncExc).
    Either way the exception arrives between two Python bytecodes: a template that loops
    is stopped, and a wait for Pandoc, which blocks a quarter of a second at a time
    (pandoc.SLICE), stops Pandoc and gives way within that quarter second.
    """
    if not seconds or seconds <= 0:
        yield
        return
    on_main = threading.current_thread() is threading.main_thread()
    limit = _alarm if on_main and hasattr(signal, "setitimer") else _timer
    try:
        with limit(float(seconds)):
            yield
    except _Overtime:
        raise BuildError(overtime(seconds, what)) from None


def overtime(seconds: float | None, what: str) -> str:
    """The one line that says `what` was stopped at the time limit of `seconds`."""
    return (
        f"{what}: stopped after {seconds or 0:g} s, the build time limit "
        "(use --time-limit to allow longer)"
    )


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def alarm(signum: int, frame: Any) -> None:
        raise _Overtime

    previous = signal.signal(signal.SIGALRM, alarm)
    # re-fire every 0.5 s in case a library swallows the first one
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.5)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _timer(seconds: float) -> Iterator[None]:
    """The time limit for a thread other than the main one."""
    import ctypes

    target = ctypes.c_ulong(threading.get_ident())
    lock = threading.Lock()
    state = {"on": True, "fired": False}
    stop = threading.Event()

    def fire() -> None:
        if stop.wait(seconds):
            return
        while True:
            with lock:
                if not state["on"]:
                    return
                state["fired"] = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(target, ctypes.py_object(_Overtime))
            if stop.wait(0.5):  # again, in case something swallowed it
                return

    def end() -> None:
        with lock:
            if state["on"]:
                state["on"] = False
                stop.set()
                if state["fired"]:  # raised, or still pending: never let it out later
                    ctypes.pythonapi.PyThreadState_SetAsyncExc(target, None)

    watcher = threading.Thread(target=fire, name="time-limit", daemon=True)
    watcher.start()
    try:
        try:
            yield
        finally:
            end()
    except _Overtime:
        end()  # (if it arrived inside the first end())
        raise
