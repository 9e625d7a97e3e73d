"""The preview's PDF, rebuilt in the background by a warm worker process after each
change; a newer save kills a stale build (the newest change wins)."""

from __future__ import annotations

import functools
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from counterpoint.errors import CounterpointError, display_path
from counterpoint.pipeline.builder import build
from counterpoint.pipeline.session import Session
from counterpoint.preview.shown import Shown
from counterpoint.process.jobs import InternalError, Job, Limits
from counterpoint.process.worker import Worker


@dataclass(frozen=True)
class Built:
    """A preview PDF build's files: the PDF, its page count, and the Word edition."""

    path: Path
    pages: int | None
    docx: Path


@dataclass(frozen=True)
class PdfJob(Job[Built]):
    """Build the preview's PDF and Word editions, as `counterpoint build` would."""

    label: ClassVar[str] = "preview PDF"

    brief: Path
    audience: str | None
    templates: Path | None
    out: Path
    memory_limit: int | None

    @property
    def what(self) -> str:
        return display_path(self.brief)

    def run(self) -> Built:
        outputs = build(
            self.brief, out_dir=self.out, formats=["pdf", "docx"], audience=self.audience,
            templates=self.templates, force=True, memory_limit=self.memory_limit,
            session=_session(),
        )  # fmt: skip
        return Built(outputs[0].path, outputs[0].pages, outputs[1].path)


@functools.cache
def _session() -> Session:
    """The worker's builds share a warm Pandoc (it ends with the worker's process group)."""
    return Session().start()


def warm() -> None:
    """What a preview PDF worker does first: import WeasyPrint and start its session's
    Pandoc (every build then only builds)."""
    import weasyprint  # noqa: F401

    _session()


# -- the PDF, in the background -------------------------------------------------------------
class _PdfWorkers:
    """Builds the PDF in spawned workers (process/worker.py), warm (WeasyPrint imported)
    and each in its own process group. The newest version wins: a build made stale by a
    newer save is killed with its layout process, and a new worker takes the newer version.
    One worker is kept between builds; a spare warming up beside a build would take a core
    from it. Each build runs under `counterpoint build`'s limits (process/jobs.py)."""

    def __init__(self, preview: Shown):
        self.preview = preview
        self.job = PdfJob(
            preview.brief, preview.audience, preview.templates, preview._tmp / "pdf",
            preview.memory_limit,
        )  # fmt: skip
        self.limits = Limits(seconds=preview.time_limit)  # (the layout: memory_limit)
        self.lock = threading.Condition()
        self.wanted = 0
        self.started = 0
        self.busy: Worker | None = None
        self.busy_version = 0
        self.spare: Worker | None = self._spawn()
        self.stopping = False

    def _spawn(self) -> Worker:
        # spawned, not forked: the preview has threads
        return Worker(warm, "PDF", spawn=True).start()

    def want(self, version: int) -> None:
        """A new good version: build its PDF, cancelling an older build under way."""
        with self.lock:
            self.wanted = version
            if self.busy is not None and self.busy_version < version:
                self.busy.kill()  # its thread sees it end, and closes it
                if self.spare is None:
                    self.spare = self._spawn()
            self.lock.notify_all()

    def stop(self) -> None:
        with self.lock:
            self.stopping = True
            if self.busy is not None:
                self.busy.kill()
            if self.spare is not None:
                self.spare.close()
            self.lock.notify_all()

    def run(self) -> None:
        preview = self.preview
        while True:
            with self.lock:
                self.lock.wait_for(lambda: self.stopping or self.wanted > self.started)
                if self.stopping:
                    return
                version = self.started = self.wanted
                worker = self.spare if self.spare is not None else self._spawn()
                self.busy, self.busy_version = worker, version
                self.spare = None
            preview._update(pdf="building")
            started = time.perf_counter()
            built: Built | None = None
            failed: CounterpointError | RuntimeError | None = None
            try:
                built = worker.run(self.job, self.limits)
            except (CounterpointError, RuntimeError) as exc:  # RuntimeError: it stopped
                failed = exc
            with self.lock:
                self.busy = None
                stale = self.stopping or self.wanted != version
                if stale or worker.pid is None:  # killed (cancelled, stopping), or it died
                    worker.close()
                elif self.spare is None:
                    self.spare = worker
                else:
                    worker.close()
            if stale:
                continue
            if failed is not None:
                if isinstance(failed, InternalError):  # a bug: its traceback for the log
                    preview.log(failed.details)
                if isinstance(failed, CounterpointError):
                    preview.log(str(failed))
                preview._update(pdf="failed", pdf_errors=str(failed).splitlines())
                continue
            assert built is not None
            data = built.path.read_bytes()
            docx = built.docx.read_bytes()
            with preview.changed:
                preview.pdf_data, preview.docx_data = data, docx
            preview._update(pdf="ready", pdf_version=version, pdf_errors=[])
            facts = f"{built.pages} pages, {time.perf_counter() - started:.2f} s"
            preview.log(f"updated {preview.state.name}.pdf ({facts})")
