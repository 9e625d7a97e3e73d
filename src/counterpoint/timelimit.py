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

from .errors import BuildError


# -- the time limit ----------------------------------------------------------------------
class _Overtime(BaseException):
    """Raised by the alarm; a BaseException so that no `except Exception` swallows it."""


@contextmanager
def time_limit(seconds: float | None, what: str) -> Iterator[None]:
    """Stop the work inside after `seconds` with a BuildError naming `what`.

    Works in the main thread only (it uses SIGALRM); elsewhere, or with 0/None, no limit.
    """
    usable = (
        seconds
        and seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def alarm(signum: int, frame: Any) -> None:
        raise _Overtime

    previous = signal.signal(signal.SIGALRM, alarm)
    # re-fire every 0.5 s in case a library swallows the first one
    signal.setitimer(signal.ITIMER_REAL, float(seconds), 0.5)  # type: ignore[arg-type]
    try:
        yield
    except _Overtime:
        signal.setitimer(signal.ITIMER_REAL, 0)
        raise BuildError(
            f"{what}: stopped after {seconds:g} s, the build time limit "
            "(use --time-limit to allow longer)"
        ) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
