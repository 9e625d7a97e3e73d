"""The PDF: one edition's print page laid out in a memory-limited child process (or a PDF
worker started ahead), checked, and written atomically.

The layout itself is publish/pdflayout.py, the check after it publish/pdfcheck.py, and the
child process process/jobs.py (docs/processes.md).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from counterpoint.cite.resolve import Note
from counterpoint.errors import BuildError, display_path
from counterpoint.files import write_atomic
from counterpoint.process import jobs
from counterpoint.process.limits import MAX_PDF_NOTES
from counterpoint.process.worker import Worker
from counterpoint.publish.fetch import FetchPolicy
from counterpoint.publish.pdflayout import (
    FALLBACK_WARNING,
    LayoutJob,
    LostNotes,
    PdfResult,
    TooLong,
    import_weasyprint,
)

__all__ = [
    "FALLBACK_WARNING",
    "LayoutJob",
    "LostNotes",
    "PdfResult",
    "TooLong",
    "import_weasyprint",
    "write_pdf",
]


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
    write: bool = True,
    memory_limit: int | None = None,
    worker: Worker | None = None,
    uncounted: str | None = None,
    stylesheets: dict[str, str] | None = None,
) -> PdfResult:
    """Lay out print HTML, verify the footnotes, and write the PDF atomically.

    `stylesheets` maps the name of each of the set's stylesheets in the page to its file
    (as messages show it): WeasyPrint's CSS messages and failures then name the file, line
    and rule (publish/csslocate.py).

    `max_pages` counts the pages before the one holding the anchor `uncounted`, if given
    (a reference list added after the paper).

    With write=False nothing is written and the PDF is returned in `PdfResult.data`, for
    callers that publish several files at once (write_all). With a `memory_limit` (MiB),
    layout runs in a child process whose address space may grow by that much, so the
    caller's own limits never change; going over is a BuildError. A `worker` started
    earlier (publish/pdfworker.py) does the layout, under the same memory limit.
    """
    if len(notes) > MAX_PDF_NOTES:
        raise BuildError(
            f"{display_path(target)}: the brief has {len(notes):,} notes; a PDF is limited to "
            f"{MAX_PDF_NOTES:,} (layout takes about 12 ms and 150 KB a note); "
            "build --format html, or split the brief"
        )
    job = LayoutJob(
        html, target, notes, base, policy, identifier, variant, max_pages, uncounted, stylesheets
    )
    limits = jobs.Limits(memory=memory_limit)
    try:
        if worker is not None:  # WeasyPrint was imported meanwhile, in the worker (pdfworker)
            result = worker.run(job, limits)
        else:
            if memory_limit:  # before the fork: every layout process starts with it imported
                import_weasyprint()
            result = jobs.run(job, limits)
    except TooLong as exc:  # the edition's own advice, made here (it holds a function)
        if too_long is None:
            raise
        raise TooLong(exc.pages, f"{display_path(target)}: {too_long(exc.pages)}") from None
    if write:
        write_atomic(target, result.data)
        result.data = b""
    return result
