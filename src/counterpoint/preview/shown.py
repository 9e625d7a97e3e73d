"""What the preview's threads share: its settings, the state the page shows, the files
built last; the HTTP server (server.py) and the PDF builds (pdf.py) read and update it."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from counterpoint.errors import CounterpointError


@dataclass
class State:
    """What the page shows; sent to it as JSON on every change (Server-Sent Events)."""

    seq: int = 0
    """Bumped on every change of this state."""
    version: int = 0
    """Rebuilds tried (each save is one)."""
    page: int | None = None
    """The version of the last good rendering, None before the first."""
    name: str = ""
    errors: list[str] = field(default_factory=list)
    """The last rebuild's problems, one `file:line:col: ...` line each (as the CLI prints)."""
    findings: list[str] = field(default_factory=list)
    """Audit findings and build warnings of the last good rendering (as the CLI prints)."""
    marks: list[dict[str, str]] = field(default_factory=list)
    """Altered quotations (CP401) to mark in the page: their first words and the finding."""
    pdf: str = "off"
    """off (--no-pdf), waiting, building, ready or failed."""
    pdf_version: int | None = None
    """The version the served PDF was built from."""
    pdf_errors: list[str] = field(default_factory=list)

    def public(self) -> dict[str, Any]:
        return {
            "seq": self.seq, "version": self.version, "page": self.page, "name": self.name,
            "errors": self.errors, "findings": self.findings, "marks": self.marks,
            "pdf": self.pdf,
            "pdfVersion": self.pdf_version, "pdfErrors": self.pdf_errors,
        }  # fmt: skip


class Shown:
    """A preview's settings and what it shows, under one lock (`changed`, a Condition
    notified on every change of `state`)."""

    def __init__(
        self,
        brief: str | Path,
        audience: str | None,
        port: int,
        pdf: bool,
        templates: str | Path | None,
        log: Callable[[str], None] | None,
        time_limit: float | None,
        memory_limit: int | None,
    ):
        if audience == "all":
            raise CounterpointError("preview shows one edition: name an audience, not 'all'")
        self.brief = Path(brief)
        self.audience = audience
        self.templates = Path(templates) if templates else None
        self.port = port
        self.time_limit = time_limit  # each rebuild's, as for `counterpoint build`
        self.memory_limit = memory_limit  # the PDF layout's (the PDF worker's builds)
        self.log = log or (lambda line: None)
        self.state = State(pdf="waiting" if pdf else "off", name=self._default_name())
        self.changed = threading.Condition()
        self.page_html = b""
        self.pdf_data = b""
        self.docx_data = b""  # the Word edition, built with the PDF
        self._pdf = pdf
        self._stop = threading.Event()
        self._tmp = Path(tempfile.mkdtemp(prefix="counterpoint-preview-"))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def hosts(self) -> set[str]:
        return {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}

    def wait_for(self, predicate: Callable[[State], bool], timeout: float = 30) -> State:
        """Wait until predicate(state) holds; TimeoutError after `timeout` seconds."""
        with self.changed:
            if not self.changed.wait_for(lambda: predicate(self.state), timeout):
                raise TimeoutError(f"preview state did not change as expected: {self.state}")
            return copy_state(self.state)

    def _update(self, **changes: Any) -> None:
        with self.changed:
            for key, value in changes.items():
                setattr(self.state, key, value)
            self.state.seq += 1
            self.changed.notify_all()

    def _default_name(self) -> str:
        stem = self.brief.stem
        return stem if self.audience in (None, "analyst") else f"{stem}-{self.audience}"


def copy_state(state: State) -> State:
    """A copy with lists of its own, to read outside the lock."""
    fields: dict[str, Any] = {
        k: list(v) if isinstance(v, list) else v for k, v in vars(state).items()
    }
    return State(**fields)
