"""The PDF worker: a process that imports WeasyPrint while the build makes the page.

Importing WeasyPrint takes about half a second, as long as everything else a PDF build
does before layout (reading, checking, formatting the notes, rendering the page). So when
a build will write a PDF and WeasyPrint is not imported yet, it starts this worker first
(a process/jobs.Worker): the worker imports WeasyPrint on another core, then runs each
layout it is sent (publish/pdflayout.LayoutJob) in a memory-limited child of its own,
exactly as the build would have. The worker is in a process group of its own, so closing
or interrupting the build stops it and any layout under way (docs/processes.md).

A process that has imported WeasyPrint already (a shelf's workers, the preview's PDF
worker) forks its layout children directly and needs no worker.

Its owner (pipeline/session.py) asks `wanted()`, calls `layout_worker().start()` and, when
done, `close()`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from counterpoint.process.worker import Worker
from counterpoint.publish.pdflayout import import_weasyprint

NAME = "PDF layout"


def layout_worker() -> Worker:
    """A PDF worker, not started: `start()` forks it and it imports WeasyPrint at once;
    `run(LayoutJob, Limits)` lays out one PDF; `close()` stops it."""
    return Worker(import_weasyprint, NAME)


def wanted(formats: Sequence[str], memory_limit: int | None) -> bool:
    """Whether a build of `formats` here would gain from a worker: it lays out a PDF in a
    child (a memory limit, and fork) and WeasyPrint is not yet imported in this process."""
    return (
        "pdf" in formats
        and bool(memory_limit)
        and hasattr(os, "fork")
        and "weasyprint" not in sys.modules
    )
