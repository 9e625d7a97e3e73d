"""Stage 5, publish: write HTML files and lay out PDFs with WeasyPrint, checking every footnote.

WeasyPrint is imported here only, and only when a PDF is asked for.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .errors import BuildError, display_path
from .resolve import Note

MAX_DATA_URL = 2 * 1024 * 1024
"""data: URLs larger than this are refused."""


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old file or the whole new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink():
        raise BuildError(f"{display_path(path)}: refusing to write through a symbolic link")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@dataclass
class FetchPolicy:
    """What the PDF renderer may load: files under `roots`, small data: URLs, remote if allowed."""

    roots: list[Path]
    allow_remote: bool = False
    refused: list[str] = field(default_factory=list)

    def check(self, url: str) -> str | None:
        """None if the URL may be fetched, else the reason it may not."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            if len(url) > MAX_DATA_URL:
                return f"data: URL of {len(url):,} bytes is over the {MAX_DATA_URL:,}-byte limit"
            return None
        if scheme in ("http", "https"):
            return None if self.allow_remote else "remote fetches are off (use --allow-remote)"
        if scheme == "file":
            path = Path(unquote(parts.path)).resolve()
            if any(path == r or r in path.parents for r in self.roots):
                return None
            return "file is outside the brief's folder, its assets/ and the templates"
        return f"{scheme or 'relative'}: URLs are not allowed"


def _fetcher(policy: FetchPolicy) -> Any:
    from weasyprint.urls import URLFetcher

    class SafeFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            reason = policy.check(url)
            if reason is not None:
                shown = url if len(url) < 120 else url[:117] + "..."
                policy.refused.append(f"refused to load {shown}: {reason}")
                raise ValueError(reason)
            return super().fetch(url, headers)

    return SafeFetcher(timeout=10, allowed_protocols=["file", "data", "http", "https"])


@dataclass
class PdfResult:
    pages: int
    notes: int
    warnings: list[str]


@contextmanager
def _quiet_weasyprint() -> Iterator[list[str]]:
    """Collect WeasyPrint's warnings instead of letting them print."""
    messages: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.WARNING:
                messages.append(record.getMessage())

    logger = logging.getLogger("weasyprint")
    handler = Collect()
    old_level, old_propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        yield messages
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        logger.propagate = old_propagate


def check_footnotes(pages_anchors: list[set[str]], notes: list[Note]) -> list[str]:
    """Every note body must be laid out on the page of its call or the next one.

    `pages_anchors` holds, for each page, the element ids WeasyPrint placed on it.
    Returns one message per lost or misplaced note.
    """
    page_of: dict[str, int] = {}
    for i, anchors in enumerate(pages_anchors, start=1):
        for a in anchors:
            page_of.setdefault(a, i)
    problems = []
    for note in notes:
        call, body = page_of.get(note.call_id), page_of.get(note.id)
        if body is None:
            problems.append(
                f"footnote {note.number} ({_plain(note)}) was lost in PDF layout"
                + (f"; its call is on page {call}" if call else "")
            )
        elif call is None:
            problems.append(f"footnote {note.number}: its call is missing from the PDF")
        elif not call <= body <= call + 1:
            problems.append(
                f"footnote {note.number} is on page {body}, far from its call on page {call}"
            )
    return problems


def _plain(note: Note) -> str:
    import re

    text = re.sub(r"<[^>]+>", "", str(note.body))
    return text if len(text) <= 60 else text[:57] + "..."


def write_pdf(
    html: str,
    target: Path,
    notes: list[Note],
    base: Path,
    policy: FetchPolicy,
    identifier: str = "",
    variant: str | None = None,
    max_pages: int | None = None,
    too_long: Callable[[int], str] | None = None,
) -> PdfResult:
    """Lay out print HTML, verify the footnotes, and write the PDF atomically."""
    import weasyprint

    with _quiet_weasyprint() as messages:
        document = weasyprint.HTML(
            string=html, base_url=str(base) + os.sep, url_fetcher=_fetcher(policy)
        ).render()
        if max_pages and len(document.pages) > max_pages:
            pages = len(document.pages)
            advice = (
                too_long(pages) if too_long else f"{pages} pages, over the limit of {max_pages}"
            )
            raise BuildError(f"{display_path(target)}: {advice}")
        lost = check_footnotes([set(p.anchors) for p in document.pages], notes)
        if lost:
            raise BuildError(
                f"{display_path(target)}: "
                + "; ".join(lost[:5])
                + (f"; and {len(lost) - 5} more" if len(lost) > 5 else "")
            )
        options: dict[str, Any] = {
            "pdf_identifier": hashlib.md5(identifier.encode()).hexdigest().encode()
            if identifier
            else False,
        }
        if variant:
            options["pdf_variant"] = variant
        data = document.write_pdf(**options)
    write_atomic(target, data)
    warnings = list(
        dict.fromkeys(policy.refused + [m for m in messages if "Failed to load" not in m])
    )
    return PdfResult(len(document.pages), len(notes), warnings)
