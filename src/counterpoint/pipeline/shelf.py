"""Shelves: many briefs in one invocation, spread over worker processes.

Each worker imports WeasyPrint once (when PDFs are asked for) and builds whole briefs, so
a brief's validation is shared by all its editions, and each edition's audit by all its formats.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from counterpoint.errors import CounterpointError
from counterpoint.pipeline.builder import FormatsFailed, Output, build, up_to_date
from counterpoint.pipeline.naming import collisions
from counterpoint.pipeline.session import Session

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


def _build_in_worker(path: Path, options: dict[str, Any], seconds: float | None) -> BriefResult:
    return _build_one(path, {**options, "session": _worker_session()}, seconds)


def _build_one(path: Path, options: dict[str, Any], seconds: float | None) -> BriefResult:
    from counterpoint.errors import display_path, link_loop
    from counterpoint.process.stopping import building
    from counterpoint.process.timelimit import time_limit

    try:
        with building(), time_limit(seconds, display_path(path)):  # in a worker's main thread
            return BriefResult(path, build(path, **options))
    except FormatsFailed as exc:  # the brief's other outputs were written
        return BriefResult(path, exc.outputs, error=str(exc), failed=exc.paths)
    except CounterpointError as exc:
        return BriefResult(path, error=str(exc))
    except RuntimeError as exc:  # a link loop in the brief's folder or a set
        loop = link_loop(exc)
        if loop is None:
            raise
        return BriefResult(path, error=str(loop))
    except MemoryError:  # what the build held is freed by now: the next brief can go on
        return BriefResult(path, error=f"{display_path(path)}: {OUT_OF_MEMORY}")


def build_shelf(
    paths: Sequence[Path], jobs: int = 0, time_limit: float | None = None, **options: Any
) -> Iterator[BriefResult]:
    """Build every brief in `paths` with build()'s options, yielding each as it finishes.

    jobs=0 uses every core; with one job or one brief everything runs in this process.
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
    if jobs <= 1 or len(paths) <= 1:
        with contextlib.ExitStack() as stack:
            if session is None:
                session = stack.enter_context(Session())
            if len(paths) > 1:  # import WeasyPrint once here, not in a worker for every brief
                _warm(options.get("formats", ("html", "pdf")), session)
            for path in paths:
                yield _build_one(path, {**options, "session": session}, time_limit)
        return
    from concurrent.futures import ProcessPoolExecutor, as_completed  # 7 ms; shelves only

    from counterpoint.process import stopping

    if session is not None:  # each worker runs its own; this one would only take a core
        session.citations.close()

    formats = options.get("formats", ("html", "pdf"))
    with ProcessPoolExecutor(
        max_workers=min(jobs, len(paths)), initializer=_start_worker, initargs=(tuple(formats),)
    ) as pool:
        futures = [pool.submit(_build_in_worker, p, options, time_limit) for p in paths]
        stopping.workers.update(getattr(pool, "_processes", None) or ())  # (process/stopping.py)
        try:
            for future in as_completed(futures):
                yield future.result()
        except BaseException:
            for f in futures:
                f.cancel()
            raise
