"""A worker: a process started ahead of its jobs, which warms up (imports WeasyPrint) while
its starter goes on, then runs each job it is sent as process/jobs.py runs one.

Jobs and outcomes cross as pickles framed by their length, over two pipes. A worker is
forked (the build's PDF worker: it starts with everything its starter imported) or, from a
process with threads (the preview), started afresh with `python -c` (`spawn=True`).
Either way it leads a process group of its own, so `close()` stops it and any job under way
(docs/processes.md).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import struct
import subprocess
import sys
from collections.abc import Callable
from typing import Any, BinaryIO, NoReturn, TypeVar, cast

from counterpoint.errors import BuildError
from counterpoint.process.jobs import Job, Limits, Outcome, attempt, close_inherited

T = TypeVar("T")

_SIZE = struct.Struct("!Q")

_SPAWNED = "from counterpoint.process.worker import spawned; spawned()"


def _send(pipe: BinaryIO, value: Any) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    pipe.write(_SIZE.pack(len(data)) + data)
    pipe.flush()


def _receive(pipe: BinaryIO) -> Any:
    head = pipe.read(_SIZE.size)
    if len(head) < _SIZE.size:
        raise EOFError
    return pickle.loads(pipe.read(_SIZE.unpack(head)[0]))


class Worker:
    """A process that runs jobs, each under its limits, exactly as `jobs.run` would.

    `start()` starts it and it calls `warm()` at once; `run(job, limits)` waits for one job;
    `close()` (or the end of a `with`) kills it and any job under way, and may be called
    more than once; a closed worker can be started again. `kill()` stops it from another
    thread than the one waiting in `run()`, which then raises RuntimeError.

    With spawn=True it is a new Python process (`warm` is then sent to it by reference: a
    module's function), for a starter with threads, which must not fork. It ignores Ctrl-C
    unless spawned (a spawned worker has a session of its own: the terminal's Ctrl-C never
    reaches it).
    """

    def __init__(
        self, warm: Callable[[], object], name: str, spawn: bool = False, own_group: bool = True
    ) -> None:
        self.warm = warm
        self.name = name
        """What messages call it ('PDF layout': 'the PDF layout worker is closed')."""
        self.spawn = spawn
        self.own_group = own_group
        """False: it stays in its starter's process group, so the terminal's Ctrl-C reaches
        it too, and close() lets it end by itself (a shelf worker, which removes its
        temporary files first); it is forked then, never spawned."""
        self.pid: int | None = None
        self._jobs: BinaryIO | None = None
        self._results: BinaryIO | None = None
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> Worker:
        """Start the worker (if not running); it warms up at once."""
        if self.pid is not None:
            return self
        if self.spawn:
            self._process = subprocess.Popen(
                [sys.executable, "-c", _SPAWNED],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=True,
            )  # fmt: skip
            self.pid = self._process.pid
            self._jobs = cast(BinaryIO, self._process.stdin)
            self._results = cast(BinaryIO, self._process.stdout)
            assert self._jobs is not None
            _send(self._jobs, self.warm)
            return self
        jobs_read, jobs_write = os.pipe()
        results_read, results_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            close_inherited(jobs_read, results_write)  # other workers' pipes, Pandoc's
            _serve(self.warm, jobs_read, results_write, self.own_group)  # never returns
        os.close(jobs_read)
        os.close(results_write)
        if self.own_group:
            with contextlib.suppress(OSError):  # the child does the same; whichever runs first
                os.setpgid(pid, pid)
        self.pid = pid
        self._jobs = open(jobs_write, "wb")  # noqa: SIM115 - closed by close()
        self._results = open(results_read, "rb")  # noqa: SIM115 - closed by close()
        return self

    def run(self, job: Job[T], limits: Limits) -> T:
        """`jobs.run(job, limits)`, in the worker: the job's value or its one error."""
        self.submit(job, limits)
        outcome: Outcome[T] = self.outcome()
        return outcome.result()

    def submit(self, job: Job[Any], limits: Limits) -> None:
        """Send the worker a job; `outcome()` waits for how it ended."""
        self._talk(lambda jobs, results: _send(jobs, (job, limits)))

    def outcome(self) -> Outcome[Any]:
        """How the job sent last ended (`Outcome.result()` makes it a value or an error)."""
        outcome: Outcome[Any] = self._talk(lambda jobs, results: _receive(results))
        return outcome

    def fileno(self) -> int:
        """Readable when an outcome is there (for select)."""
        if self._results is None:
            raise RuntimeError(f"the {self.name} worker is closed")
        return self._results.fileno()

    def _talk(self, step: Callable[[BinaryIO, BinaryIO], Any]) -> Any:
        jobs, results = self._jobs, self._results
        if self.pid is None or jobs is None or results is None:
            raise RuntimeError(f"the {self.name} worker is closed")
        done = False
        try:
            said = step(jobs, results)
            done = True
        except (EOFError, OSError, ValueError):  # it ended, or kill() ended it
            raise RuntimeError(f"the {self.name} worker stopped unexpectedly") from None
        finally:
            if not done:  # interrupted (Ctrl-C, the time limit): stop the job too
                self.close()
        return said

    def kill(self) -> None:
        """Kill the worker and its job, leaving the rest to the thread in `run()`."""
        if self.pid is not None:
            with contextlib.suppress(OSError):
                os.killpg(self.pid, signal.SIGKILL)

    def close(self) -> None:
        """Stop the worker and whatever job it is running."""
        if self.pid is None:
            return
        pid, self.pid = self.pid, None
        for pipe in (self._jobs, self._results):
            with contextlib.suppress(OSError, ValueError):
                if pipe is not None:
                    pipe.close()
        self._jobs = self._results = None
        if self.own_group:
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        # (else it ends by itself: at the end of its input, or at the Ctrl-C or SIGTERM that
        # stops its starter too, once it has removed its temporary files)
        process, self._process = self._process, None
        if process is not None:
            process.wait()
        else:
            with contextlib.suppress(OSError):
                os.waitpid(pid, 0)

    def __enter__(self) -> Worker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


def _serve(warm: Callable[[], object], jobs: int, results: int, own_group: bool) -> NoReturn:
    """A forked worker's life: warm up, then run each job until its starter closes the
    pipe. It leaves with os._exit: nothing it shares with its starter is flushed."""
    status = 0
    try:
        if own_group:
            with contextlib.suppress(OSError):
                os.setpgid(0, 0)
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # its starter stops it (close())
        warm()
        with open(jobs, "rb") as source, open(results, "wb") as sink:
            _loop(source, sink)
    except BaseException:  # its starter reports a worker that stopped
        status = 1
    finally:
        os._exit(status)


def spawned() -> None:
    """A spawned worker's life (`python -c`): its jobs on stdin, its outcomes on the
    original stdout (what libraries print goes to stderr). Ends at the end of its input."""
    sink = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    source = sys.stdin.buffer
    warm = _receive(source)
    warm()
    _loop(source, sink)


def _loop(source: BinaryIO, sink: BinaryIO) -> None:
    while True:
        try:
            job, limits = _receive(source)
        except EOFError:
            return
        try:
            outcome = attempt(job, limits)
        except MemoryError:  # what the job held is freed by now: the next one can go on
            outcome = Outcome("out_of_memory", error=BuildError(f"{job.what}: ran out of memory"))
        _send(sink, outcome)
