"""Isolated work: one job run in a child process under the build's limits, its outcome mapped
to a result or one error in one place (docs/processes.md).

A job is a frozen dataclass of typed fields with a `run()` method (`Job`); `run(job,
limits)` forks a child that limits its own address space (`Limits.memory`, RLIMIT_AS) and
runs it, while this process waits at most `Limits.seconds`. What comes back is an `Outcome`:

- ok: the job's value;
- too long: the time limit's one line (the same as `--time-limit`'s);
- out of memory: one line naming the limit, also for a library that aborts or a crash;
- error: the CounterpointError the job raised, carried back with its message;
- bug: any other exception, as an InternalError (one line; the traceback in `details`).

A Worker (process/worker.py) is a process started ahead of its jobs, which warms up
(imports WeasyPrint) while the caller does something else, then runs each job this way.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, Literal, NoReturn, TypeVar

from counterpoint.errors import BuildError, CounterpointError
from counterpoint.process.timelimit import overtime, time_limit

T = TypeVar("T")

Kind = Literal["ok", "too_long", "out_of_memory", "error", "bug", "interrupted"]


class Job(Generic[T]):
    """Work for a child process. Subclass it as a frozen dataclass of typed fields (so it
    can be sent to a Worker) and give it `run()`; `what` names it in messages (a file)."""

    label: ClassVar[str] = "work"
    """What messages call the work ('PDF layout')."""

    @property
    def what(self) -> str:
        raise NotImplementedError

    def run(self) -> T:
        raise NotImplementedError


@dataclass(frozen=True)
class Limits:
    """The limits a job's child runs under: seconds of wall time (None: none but the
    caller's own), MiB its address space may grow by (None or 0: none, and no child)."""

    seconds: float | None = None
    memory: int | None = None


class InternalError(CounterpointError):
    """A bug in a job (an exception no stage raises on purpose): one line for the user,
    the child's traceback in `details` for a log, and after that line wherever it is shown
    when COUNTERPOINT_DEBUG is set (for the bug report)."""

    def __init__(self, message: str, details: str = ""):
        super().__init__(message)
        self.details = details

    def __str__(self) -> str:
        line = str(self.args[0])
        if self.details and os.environ.get("COUNTERPOINT_DEBUG"):
            return f"{line}\n{self.details.rstrip()}"
        return line

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.args[0], self.details)


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """How a job ended; `result()` is the one place it becomes a value or an exception."""

    kind: Kind
    value: T | None = None
    error: CounterpointError | None = None
    """The job's own error (kind "error") or the one line that says what stopped it."""
    printed: str = ""
    """What the child wrote to stderr, passed on when it ended by itself."""

    def result(self) -> T:
        if self.printed:
            sys.stderr.write(self.printed)
        if self.kind == "ok":
            return self.value  # type: ignore[return-value]
        if self.kind == "interrupted":
            raise KeyboardInterrupt
        assert self.error is not None
        raise self.error


def run(job: Job[T], limits: Limits) -> T:
    """`job.run()` in a child process under `limits`, or in this one when there is no
    memory limit (or no fork): its value, or the one error its outcome stands for."""
    return attempt(job, limits).result()


def attempt(job: Job[T], limits: Limits) -> Outcome[T]:
    """How `job` ends under `limits` (run's work, without raising)."""
    if limits.memory and hasattr(os, "fork"):
        return _fork(job, limits)
    try:
        with time_limit(limits.seconds, job.what):
            return execute(job)
    except BuildError as exc:  # the time limit's (execute keeps the job's own)
        return Outcome("too_long", error=exc)


def execute(job: Job[T]) -> Outcome[T]:
    """Run `job` in this process; its errors become outcomes (not MemoryError, Ctrl-C)."""
    try:
        return Outcome("ok", job.run())
    except CounterpointError as exc:
        return Outcome("error", error=_portable(exc))
    except MemoryError:
        raise
    except Exception as exc:
        import traceback

        said = f": {exc}" if str(exc) else ""
        return Outcome(
            "bug",
            error=InternalError(
                f"{job.what}: {job.label} failed: internal error ({type(exc).__name__}{said}); "
                "please report it (COUNTERPOINT_DEBUG=1 shows its traceback)",
                traceback.format_exc(),
            ),
        )


def _portable(exc: CounterpointError) -> CounterpointError:
    """The error as it can cross to another process: itself, or a BuildError with its
    message if it does not survive pickling."""
    try:
        copy = pickle.loads(pickle.dumps(exc))
    except Exception:
        return BuildError(str(exc))
    return exc if type(copy) is type(exc) and str(copy) == str(exc) else BuildError(str(exc))


_OVER_LIMIT = 3
"""Exit status of a child that ran out of its address space (MemoryError)."""

_OUT_OF_MEMORY = ("Error creating thread", "failed to allocate", "Cannot allocate memory")
"""What libraries print when an allocation fails under the limit, before they abort."""

_SLICE = 0.25
"""Seconds a wait blocks at a time (a time limit in another thread arrives between two)."""


def _fork(job: Job[T], limits: Limits) -> Outcome[T]:
    """Run `job` in a forked child whose address space may grow by `limits.memory` MiB.

    The child inherits everything (WeasyPrint imported, the HTML made) and sends back its
    outcome; this process only waits, at most `limits.seconds`. Ctrl-C and the caller's
    own time limit interrupt the wait, and the child is killed. What the child prints to
    stderr is passed on, unless it ran out of memory: then the one message says it all.
    """
    with tempfile.TemporaryFile() as stderr:
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(reader)
            _child(job, limits.memory or 0, writer, stderr.fileno())  # never returns
        os.close(writer)
        waited = False
        try:
            payload = _read(reader, limits.seconds)
            if payload is None:  # over the time limit: the child is killed below
                return Outcome("too_long", error=BuildError(overtime(limits.seconds, job.what)))
            _, status = os.waitpid(pid, 0)
            waited = True
        finally:
            if not waited:  # interrupted (Ctrl-C, the time limit): stop the child too
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
        stderr.seek(0)
        printed = stderr.read().decode("utf-8", "replace")
    return _ended(job, limits.memory or 0, os.waitstatus_to_exitcode(status), payload, printed)


def _read(fd: int, seconds: float | None) -> bytes | None:
    """All a child writes to `fd` until it closes it; None if that takes over `seconds`."""
    deadline = time.monotonic() + seconds if seconds and seconds > 0 else None
    chunks: list[bytes] = []
    with open(fd, "rb", buffering=0) as pipe:
        while True:
            wait = _SLICE if deadline is None else min(_SLICE, deadline - time.monotonic())
            if wait <= 0:
                return None
            if select.select([pipe], [], [], wait)[0]:
                chunk = pipe.read(1 << 20)
                if not chunk:
                    return b"".join(chunks)
                chunks.append(chunk)


def _ended(job: Job[T], memory: int, code: int, payload: bytes, printed: str) -> Outcome[T]:
    """The outcome of a child that exited with `code`, having sent `payload`."""
    if code == 0:
        outcome: Outcome[T] = pickle.loads(payload)
        return Outcome(outcome.kind, outcome.value, outcome.error, printed)
    if code == 130:
        return Outcome("interrupted")
    over = (
        f"the memory limit of {memory:,} MiB; raise it with --memory-limit "
        "(or COUNTERPOINT_MEMORY_LIMIT) if the document is meant to be this large"
    )
    # a library that cannot allocate may abort (GLib, when it cannot start a thread)
    if code == _OVER_LIMIT or (code < 0 and any(s in printed for s in _OUT_OF_MEMORY)):
        return Outcome(
            "out_of_memory", error=BuildError(f"{job.what}: {job.label} went over {over}")
        )
    if code < 0:
        name = signal.Signals(-code).name
        message = f"{job.what}: {job.label} crashed ({name}), probably at {over}"
        return Outcome("out_of_memory", error=BuildError(message))
    message = f"{job.what}: {job.label} stopped with exit status {code}"
    return Outcome("bug", error=InternalError(message, printed))


def _child(job: Job[Any], memory: int, writer: int, stderr: int) -> NoReturn:
    """The job's process: limit it, run the job, send the outcome, and leave at once
    (os._exit: no cleanup of what it shares with its parent, no flush of its buffers)."""
    import faulthandler

    status = 1
    try:
        os.dup2(stderr, 2)
        close_inherited(writer)
        faulthandler.disable()  # a crash is reported by the parent, in one line
        limit_address_space(memory)
        data = pickle.dumps(execute(job), protocol=pickle.HIGHEST_PROTOCOL)
        with open(writer, "wb") as pipe:
            pipe.write(data)
        status = 0
    except MemoryError:
        status = _OVER_LIMIT
    except KeyboardInterrupt:
        status = 130
    finally:
        os._exit(status)


def close_inherited(*keep: int) -> None:
    """In a forked child: close every file descriptor but stdin, stdout, stderr and `keep`.

    A fork copies all of its parent's descriptors, the write ends of pipes feeding other
    processes among them (a Pandoc reading its input, another worker's jobs); held open in
    a child that lives on, such a pipe never ends, and the process it feeds waits forever.
    """
    low = 3
    for fd in sorted(k for k in keep if k >= 3):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, max(low, os.sysconf("SC_OPEN_MAX")))


def limit_address_space(mib: int) -> None:
    """Let this process's address space grow by `mib` MiB at most (never loosening a
    limit already set). Only ever called in a child process: RLIMIT_AS is process-wide."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    ceiling = _address_space() + mib * 1024 * 1024
    for current in (soft, hard):
        if current != resource.RLIM_INFINITY:
            ceiling = min(ceiling, current)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))


def _address_space() -> int:
    """This process's address space in bytes (0 where /proc cannot tell)."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")
