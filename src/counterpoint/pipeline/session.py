"""A session: what the builds of one process share (the warm Pandoc, the compiled
templates, the PDF layout worker), owned by one object and stopped by its close().

build() makes one for itself when none is passed, and closes it when it returns. The
command line makes one for the whole command (adopting the Pandoc cli/launch.py started
before the pipeline was imported), and the live preview one for its lifetime, so that
their builds share a warm Pandoc and compiled templates. Builds may run in several
threads at once with one session: each part takes a lock where it is shared.

    from counterpoint import build
    from counterpoint.pipeline.session import Session

    with Session() as session:
        for path in ("a.yaml", "b.yaml"):
            build(path, session=session)

Within `session.active()`, build() calls in that thread that pass no session use that one
(a script or a test suite that builds many briefs need not pass it to each call):

    with Session() as session, session.active():
        build("a.yaml")
        build("b.yaml")
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from collections.abc import Iterator, Sequence
from types import TracebackType

from counterpoint.cite.server import Citations, Server
from counterpoint.process.worker import Worker
from counterpoint.publish import pdfworker
from counterpoint.render.engine import Renderers


class Session:
    """The Pandoc citation server, the renderer cache and the PDF layout worker of a
    process's builds. Nothing runs until a build needs it; close() stops every child
    process it started. Usable from several threads; a closed session refuses builds."""

    def __init__(self, server: Server | None = None) -> None:
        """`server`: a Pandoc citation server started earlier (cite.server.start_early),
        which this session adopts rather than starting a second one."""
        self.citations = Citations(server)
        """The warm Pandoc that formats citations (cite/server.py)."""
        self.renderers = Renderers()
        """The compiled templates, per brief, set and language (render/engine.py)."""
        self._lock = threading.Lock()
        self._worker: Worker | None = None
        self._worker_busy = False
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    def start(self) -> Session:
        """Start the citation server now, so that it warms up while a brief is read."""
        self._check()
        self.citations.start()
        return self

    @classmethod
    def current(cls) -> Session | None:
        """The session made active in this thread (`active()`), unless it has been closed:
        the one build() uses when it is given none."""
        session = _active.get()
        return None if session is None or session.closed else session

    @contextlib.contextmanager
    def active(self) -> Iterator[Session]:
        """Within this block, in this thread, citations are formatted by this session's
        server, templates rendered with its renderers, and build() calls given no session
        use this one."""
        self._check()
        token = _active.set(self)
        try:
            with self.citations.active(), self.renderers.active():
                yield self
        finally:
            _active.reset(token)

    def forget_templates(self) -> None:
        """Drop the compiled templates, so the next build reads every template again (the
        preview, before each rebuild: a template may have been edited)."""
        self.renderers.clear()

    @contextlib.contextmanager
    def layout_worker(
        self, formats: Sequence[str], memory_limit: int | None
    ) -> Iterator[Worker | None]:
        """A process that lays out this build's PDFs (publish/pdfworker.py), or None when
        the build lays them out itself. The session keeps its worker from one build to
        the next; a build that runs while another uses it gets a worker of its own."""
        self._check()
        if not pdfworker.wanted(formats, memory_limit):
            yield None
            return
        with self._lock:
            busy = self._worker_busy  # another thread's build is laying out with it
            if not busy:
                if self._worker is None or self._worker.pid is None:  # (stopped: interrupted)
                    self._worker = pdfworker.layout_worker().start()
                worker = self._worker
                self._worker_busy = True
        if busy:  # a worker of this build's own
            with pdfworker.layout_worker().start() as own:
                yield own
            return
        try:
            yield worker
        finally:
            with self._lock:
                self._worker_busy = False

    def close(self, wait: bool = True) -> None:
        """Stop every child process the session started (the citation server, the layout
        worker); the command line, which exits next, does not `wait` for Pandoc to end."""
        with self._lock:
            self._closed = True
            worker, self._worker = self._worker, None
        self.citations.close(wait)
        if worker is not None:
            worker.close()
        self.renderers.clear()

    def _check(self) -> None:
        if self._closed:
            raise RuntimeError("this session is closed")

    def __enter__(self) -> Session:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


_active: contextvars.ContextVar[Session | None] = contextvars.ContextVar(
    "counterpoint_session", default=None
)
"""The session of the block running in this thread (Session.active)."""
