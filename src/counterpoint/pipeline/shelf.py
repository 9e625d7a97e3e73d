"""Shelves: many briefs in one invocation, spread over worker processes.

Each worker (process/worker.py) imports WeasyPrint once (when PDFs are asked for) and
builds whole briefs, each a BriefJob under the build's time limit (process/jobs.py), so a
brief's validation is shared by all its editions, and each edition's audit by all its
formats.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from counterpoint.errors import CounterpointError, display_path, link_loop
from counterpoint.pipeline.builder import FormatsFailed, Output, build, up_to_date
from counterpoint.pipeline.naming import collisions
from counterpoint.pipeline.session import Session
from counterpoint.process.jobs import Job, Limits, Outcome, attempt

OUT_OF_MEMORY = "ran out of memory; no partial files were written"


@dataclass
class BriefResult:
    """What became of one brief: its outputs, or the error that stopped it."""

    path: Path
    outputs: list[Output] = field(default_factory=list)
    error: str = ""
    failed: list[Path] = field(default_factory=list)
    """Outputs not written while the brief's others were (a PDF over its page limit)."""


def default_jobs() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def _warm(formats: Sequence[str], session: Session) -> None:
    """Pay WeasyPrint's import once per worker, before the first brief, while the
    session's Pandoc warms up."""
    session.start()
    if "pdf" in formats:
        from counterpoint.publish.pdf import import_weasyprint

        import_weasyprint()


def _start_worker(formats: Sequence[str]) -> None:
    """A worker process's start: SIGTERM and SIGHUP stop it and its children, then warm up."""
    from counterpoint.process.stopping import install_in_worker

    install_in_worker()
    _warm(formats, _worker_session())


@functools.cache
def _worker_session() -> Session:
    """A worker process's session, for all its briefs (its children end with it)."""
    return Session()


@dataclass(frozen=True)
class BriefJob(Job[BriefResult]):
    """One brief of a shelf, built with build()'s options, in a worker (whose session it
    uses) or in this process (`options["session"]`)."""

    label: ClassVar[str] = "build"

    path: Path
    options: dict[str, Any]

    @property
    def what(self) -> str:
        return display_path(self.path)

    def run(self) -> BriefResult:
        from counterpoint.process.stopping import building

        options = {**self.options, "session": self.options.get("session") or _worker_session()}
        try:
            with building():  # (a worker's SIGTERM handler asks)
                return BriefResult(self.path, build(self.path, **options))
        except FormatsFailed as exc:  # the brief's other outputs were written
            return BriefResult(self.path, exc.outputs, error=str(exc), failed=exc.paths)
        except RuntimeError as exc:  # a link loop in the brief's folder or a set
            loop = link_loop(exc)
            if loop is None:
                raise
            raise loop from None
        except MemoryError:  # what the build held is freed by now: the next brief can go on
            return BriefResult(self.path, error=f"{self.what}: {OUT_OF_MEMORY}")


def _result(job: BriefJob, outcome: Outcome[BriefResult]) -> BriefResult:
    """How one brief ended: its outputs, or its one line (its own error, the time limit's,
    or a bug's)."""
    try:
        return outcome.result()
    except CounterpointError as exc:
        return BriefResult(job.path, error=str(exc))


def build_shelf(
    paths: Sequence[Path], jobs: int = 0, time_limit: float | None = None, **options: Any
) -> Iterator[BriefResult]:
    """Build every brief in `paths` with build()'s options, yielding each as it finishes.

    jobs=0 uses every core; with one job or one brief (or no fork) everything runs in this
    process.
    Each brief may take `time_limit` seconds. Outputs are byte-identical to a serial build.
    Briefs built in this process share `options["session"]`, or a session of their own.
    """
    jobs = jobs or default_jobs()
    session = options.pop("session", None)
    clashing = collisions(paths, **options)  # before anything is written
    for path in paths:
        if path in clashing:
            yield BriefResult(path, error=clashing[path])
    paths = [p for p in paths if p not in clashing]
    todo = []
    for path in paths:  # up-to-date briefs need no worker (a no-op rebuild stays cheap)
        cached = up_to_date(path, **options)
        if cached is None:
            todo.append(path)
        else:
            yield BriefResult(path, cached)
    paths = todo
    limits = Limits(seconds=time_limit)  # (in a worker's main thread, or in this one)
    if jobs <= 1 or len(paths) <= 1 or not hasattr(os, "fork"):  # (workers are forked)
        with contextlib.ExitStack() as stack:
            if session is None:
                session = stack.enter_context(Session())
            if len(paths) > 1:  # import WeasyPrint once here, not in a worker for every brief
                _warm(options.get("formats", ("html", "pdf")), session)
            for path in paths:
                job = BriefJob(path, {**options, "session": session})
                yield _result(job, attempt(job, limits))
        return
    if session is not None:  # each worker runs its own; this one would only take a core
        session.citations.close()
    briefs = [BriefJob(p, options) for p in paths]
    yield from _in_workers(briefs, min(jobs, len(paths)), limits)


def _in_workers(todo: list[BriefJob], count: int, limits: Limits) -> Iterator[BriefResult]:
    """Build each brief in one of `count` workers, yielding each as it finishes."""
    import select

    from counterpoint.process import stopping
    from counterpoint.process.worker import Worker

    formats = tuple(todo[0].options.get("formats", ("html", "pdf")))
    warm = functools.partial(_start_worker, formats)
    workers = [Worker(warm, "shelf", own_group=False) for _ in range(count)]
    busy: dict[Worker, BriefJob] = {}
    todo = list(todo)
    try:
        for worker in workers:
            worker.start()
            stopping.workers.add(worker.pid or 0)  # (process/stopping.py)
            if todo:
                busy[worker] = todo.pop(0)
                worker.submit(busy[worker], limits)
        while busy:
            ready, _, _ = select.select(list(busy), [], [])
            for worker in ready:
                job = busy.pop(worker)
                yield _result(job, worker.outcome())
                if todo:
                    busy[worker] = todo.pop(0)
                    worker.submit(busy[worker], limits)
    finally:
        for worker in workers:
            stopping.workers.discard(worker.pid or 0)
            worker.close()  # it ends at the end of its input (at Ctrl-C, by itself)
