"""A process that imports WeasyPrint while the build makes the page.

Importing WeasyPrint takes about half a second, as long as everything else a PDF build
does before layout (reading, checking, formatting the notes, rendering the page). So when
a build will write a PDF and WeasyPrint is not imported yet, it forks this worker first:
the worker imports WeasyPrint on another core, then lays out each PDF it is sent in a
memory-limited child of its own (pdf._in_child), exactly as the build would have. The
worker is in a process group of its own, so closing or interrupting the build stops it
and any layout under way.

A process that has imported WeasyPrint already (a shelf's workers, the preview server)
forks its layout children directly and needs no worker.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import pickle
import signal
import struct
import sys
from collections.abc import Sequence
from typing import Any, BinaryIO, NoReturn

from counterpoint.errors import BuildError

_SIZE = struct.Struct("!Q")


def _send(pipe: BinaryIO, value: Any) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    pipe.write(_SIZE.pack(len(data)) + data)
    pipe.flush()


def _receive(pipe: BinaryIO) -> Any:
    head = pipe.read(_SIZE.size)
    if len(head) < _SIZE.size:
        raise EOFError
    return pickle.loads(pipe.read(_SIZE.unpack(head)[0]))


class LayoutWorker:
    """The worker process; `lay_out` sends it one PDF's layout and waits for the result."""

    def __init__(self, memory_limit: int) -> None:
        jobs_read, jobs_write = os.pipe()
        results_read, results_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(jobs_write)
            os.close(results_read)
            _serve(jobs_read, results_write, memory_limit)  # never returns
        os.close(jobs_read)
        os.close(results_write)
        with contextlib.suppress(OSError):  # the child does the same; whichever runs first
            os.setpgid(pid, pid)
        self.pid: int | None = pid
        self.jobs = open(jobs_write, "wb")  # noqa: SIM115 - closed by close()
        self.results = open(results_read, "rb")  # noqa: SIM115 - closed by close()

    def lay_out(self, job: tuple[Any, ...]) -> Any:
        """pdf._lay_out(*job) in a memory-limited child of the worker; the result, or the
        same BuildError the build would raise."""
        from counterpoint.publish.pdf import outcome

        if self.pid is None:
            raise RuntimeError("the PDF layout worker is closed")
        done = False
        try:
            _send(self.jobs, job)
            kind, value, printed = _receive(self.results)
            done = True
        except EOFError:
            raise RuntimeError("the PDF layout worker stopped unexpectedly") from None
        finally:
            if not done:  # interrupted (Ctrl-C, the time limit): stop the layout too
                self.close()
        sys.stderr.write(printed)
        return outcome(kind, value)

    def close(self) -> None:
        """Stop the worker and whatever layout it is running."""
        if self.pid is None:
            return
        pid, self.pid = self.pid, None
        for pipe in (self.jobs, self.results):
            with contextlib.suppress(OSError):
                pipe.close()
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.waitpid(pid, 0)

    def __enter__(self) -> LayoutWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def start(formats: Sequence[str], memory_limit: int | None) -> LayoutWorker | None:
    """A worker, when this build will lay out a PDF in a child and WeasyPrint is not yet
    imported here (else None: the build forks its layout child directly)."""
    if "pdf" not in formats or not memory_limit or not hasattr(os, "fork"):
        return None
    if "weasyprint" in sys.modules:
        return None
    return LayoutWorker(memory_limit)


def _serve(jobs: int, results: int, memory_limit: int) -> NoReturn:
    """The worker's life: import WeasyPrint, then lay out each job until the build closes
    the pipe. It leaves with os._exit: nothing it shares with the build is flushed."""
    status = 0
    try:
        with contextlib.suppress(OSError):
            os.setpgid(0, 0)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the build stops it (close())
        from counterpoint.publish.pdf import (
            LostNotes,
            TooLong,
            _in_child,
            _lay_out,
            import_weasyprint,
        )

        import_weasyprint()
        with open(jobs, "rb") as source, open(results, "wb") as sink:
            while True:
                try:
                    job = _receive(source)
                except EOFError:
                    break
                printed = io.StringIO()
                with contextlib.redirect_stderr(printed):
                    try:
                        result = _in_child(functools.partial(_lay_out, *job), memory_limit, job[1])
                        outcome: tuple[str, Any] = ("ok", result)
                    except TooLong as exc:
                        outcome = ("too_long", (exc.pages, str(exc)))
                    except LostNotes as exc:
                        outcome = ("lost", (str(exc), exc.problems, exc.steps))
                    except BuildError as exc:
                        outcome = ("error", str(exc))
                    except KeyboardInterrupt:
                        outcome = ("keyboard", None)
                    except Exception:  # a bug: its traceback goes to the build
                        import traceback

                        outcome = ("bug", traceback.format_exc())
                _send(sink, (*outcome, printed.getvalue()))
    except BaseException:  # the build reports a worker that stopped
        status = 1
    finally:
        os._exit(status)
