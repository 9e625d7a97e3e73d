"""PDF layout, in whichever process runs it: WeasyPrint's render of the print page, the
check after it, the fallback ladder's layouts again with rules that keep notes by their
calls, and the PDF's bytes, the same from the same inputs (PDF/UA and PDF/A included).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from counterpoint.cite.resolve import Note
from counterpoint.errors import BuildError, display_path
from counterpoint.process.jobs import Job
from counterpoint.publish.csslocate import Sheets, culprit, element_name
from counterpoint.publish.fetch import FetchPolicy, _fetcher, _short
from counterpoint.publish.pdfcheck import dropped_strings, layout_problems
from counterpoint.publish.weasyfix import footnote_fixes, physical_floats


class LostNotes(BuildError):
    """Footnotes that no layout kept on their calls' pages (`problems`, one a note, without
    the file name); the caller may lay the edition out again with endnotes."""

    def __init__(self, message: str, problems: list[str], steps: list[str]):
        super().__init__(message)
        self.problems = problems
        self.steps = steps
        """The warnings of the ladder's steps taken before it gave up."""

    def __reduce__(self) -> tuple[Any, ...]:  # (crosses from the layout's process)
        return type(self), (str(self), self.problems, self.steps)


FALLBACK_WARNING = "PDF fallback:"
"""What every warning about a fallback of the PDF's layout starts with (bench/stress.py
counts them)."""

_RETRIES = (
    (
        "with footnote-policy: line and orphans and widows of 1 on text with note calls, "
        "and no note over a line placed before it",
        ".footnote { footnote-policy: line !important }\n"
        "p, li, td, th, dd, dt, blockquote, figcaption { orphans: 1 !important; "
        "widows: 1 !important }",
    ),
)
"""The fallback ladder's layouts before the last step (publish/writers.py: the edition's notes as
endnotes): a description, and a user stylesheet whose !important rules win over the set's."""


class TooLong(BuildError):
    """The laid-out PDF has more pages than its edition allows."""

    def __init__(self, pages: int, message: str):
        super().__init__(message)
        self.pages = pages

    def __reduce__(self) -> tuple[Any, ...]:  # (crosses from the layout's process)
        return type(self), (self.pages, str(self))


@dataclass
class PdfResult:
    pages: int
    notes: int
    warnings: list[str]
    data: bytes = field(default=b"", repr=False)
    """The PDF itself, when write_pdf was asked not to write it (write=False)."""


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


def _listed(problems: list[str]) -> str:
    return "; ".join(problems[:5]) + (
        f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
    )


def _check_length(
    document: Any,
    target: Path,
    max_pages: int | None,
    uncounted: str | None,
) -> None:
    """Raise TooLong when the laid-out document is over its edition's page limit."""
    pages = len(document.pages)
    if uncounted:  # the pages from the one the anchor is on do not count
        pages = next((i for i, p in enumerate(document.pages) if uncounted in p.anchors), pages)
    if max_pages and pages > max_pages:
        # (the caller may give the edition's own advice: write_pdf)
        raise TooLong(
            pages, f"{display_path(target)}: {pages} pages, over the limit of {max_pages}"
        )


def _weasyprint(
    target: Path,
    step: Callable[[], Any],
    what: str = "WeasyPrint",
    advice: str = "",
    sheets: Sheets | None = None,
) -> Any:
    """Run a WeasyPrint step; its failure on a hostile page is a BuildError, not a traceback,
    naming the element it was laying out and the set's CSS lines that hold the value it
    failed on (`sheets`)."""
    try:
        return step()
    except MemoryError:
        raise
    except Exception as exc:
        said = _short(str(exc))
        box = culprit(exc)
        where = f" while laying out {element_name(box)}" if box is not None else ""
        value = exc.args[0] if exc.args and isinstance(exc.args[0], str) else ""
        rules = sheets.mentioning(value) if sheets and len(value) > 2 else []
        raise BuildError(
            f"{display_path(target)}: {what} failed: {type(exc).__name__}"
            + (f": {said}" if said else "")
            + where
            + (f"; the set's CSS with {value!r}: {', '.join(rules[:3])}" if rules else "")
            + (f"; {advice}" if advice else "")
        ) from None


def import_weasyprint() -> Any:
    """WeasyPrint, imported on first use (about 0.5 s)."""
    import weasyprint

    return weasyprint


@dataclass(frozen=True)
class LayoutJob(Job[PdfResult]):
    """One PDF's layout (write_pdf's work), as a child process runs it (process/jobs.py)."""

    label: ClassVar[str] = "PDF layout"

    html: str
    target: Path
    notes: list[Note]
    base: Path
    """The folder relative addresses in the page are read from."""
    policy: FetchPolicy
    identifier: str = ""
    variant: str | None = None
    max_pages: int | None = None
    uncounted: str | None = None
    """The anchor from whose page on pages do not count against `max_pages`."""
    stylesheets: dict[str, str] | None = None

    @property
    def what(self) -> str:
        return display_path(self.target)

    def run(self) -> PdfResult:
        return lay_out(self)


def lay_out(job: LayoutJob) -> PdfResult:
    """The PDF's bytes, its page count and warnings (write_pdf's work, in whichever process)."""
    html, target, notes, policy = job.html, job.target, job.notes, job.policy
    identifier, max_pages, uncounted = job.identifier, job.max_pages, job.uncounted
    weasyprint = import_weasyprint()
    sheets = Sheets.of(html, job.stylesheets or {})
    html = physical_floats(html)  # WeasyPrint 70 fails on some logical floats (publish/weasyfix.py)
    with _quiet_weasyprint() as messages:
        parsed = _weasyprint(  # its parser fails on some markup browsers read (weasyprint.md)
            target,
            lambda: weasyprint.HTML(
                string=html, base_url=str(job.base) + os.sep, url_fetcher=_fetcher(policy)
            ),
            "WeasyPrint's HTML parser",
            "docs/weasyprint.md lists markup it cannot read",
        )
        with footnote_fixes():  # WeasyPrint 70 loses footnotes without them (publish/weasyfix.py)
            document = _weasyprint(target, parsed.render, sheets=sheets)
            _check_length(document, target, max_pages, uncounted)
            placing, hidden = layout_problems(document, notes)
            fallbacks = []
            for how, css in _RETRIES if placing and not hidden else ():
                # the fallback ladder: the same page with rules that keep notes by their calls
                sheet = weasyprint.CSS(string=css)
                render = functools.partial(parsed.render, stylesheets=[sheet])
                with footnote_fixes(covering=True):  # (and fix 3: publish/weasyfix.py)
                    retry = _weasyprint(target, render, sheets=sheets)
                _check_length(retry, target, max_pages, uncounted)
                fallbacks.append(f"{FALLBACK_WARNING} {_listed(placing)}; laid out again {how}")
                document = retry
                placing, hidden = layout_problems(document, notes)
                if not placing:
                    break
        no_ops = dropped_strings(document, sheets)
        lost = hidden + placing
        if lost:
            message = f"{display_path(target)}: {_listed(lost)}"
            if placing and not hidden:
                raise LostNotes(
                    message, placing, fallbacks
                )  # publish/writers.py lays them out as endnotes
            raise BuildError(message)
        options: dict[str, Any] = {
            "pdf_identifier": hashlib.md5(identifier.encode()).hexdigest().encode()
            if identifier
            else False,
        }
        if job.variant:
            options["pdf_variant"] = job.variant
        # A variant's XMP packet may carry a random document id (uuid4); this document's
        # metadata writes one derived from the identifier instead, so that the same inputs
        # give the same bytes. Only this document's object changes, not WeasyPrint.
        document.metadata.__class__ = stable_metadata(type(document.metadata), identifier)
        data = _weasyprint(target, lambda: document.write_pdf(**options))
    warnings = list(
        dict.fromkeys(
            policy.refused
            + [_short(sheets.message(m), 300) for m in messages if "RefusedFetch" not in m]
            + no_ops
            + fallbacks
        )
    )
    return PdfResult(len(document.pages), len(notes), warnings, data)


def stable_metadata(base: Any, identifier: str) -> type:
    """A subclass of WeasyPrint's DocumentMetadata whose XMP document id is a UUID derived
    from the PDF's identifier, not a random one."""
    import uuid

    stable = f"xmp.did:{uuid.uuid5(uuid.NAMESPACE_URL, f'counterpoint:{identifier}')}"

    def generate_rdf_metadata(self: Any, *args: Any) -> bytes:
        xml: bytes = base.generate_rdf_metadata(self, *args)
        return re.sub(rb"xmp\.did:[0-9a-f-]{36}", stable.encode(), xml)

    return type("StableMetadata", (base,), {"generate_rdf_metadata": generate_rdf_metadata})
