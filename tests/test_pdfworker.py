"""The PDF worker (publish/pdfworker.py): WeasyPrint imported on another core while the page
is made, with the same PDF, the same errors and the same limits as a layout forked by the
build itself (issue 13, speed)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from counterpoint import BuildError, build
from counterpoint.process.jobs import Job, Limits, run
from counterpoint.process.worker import Worker
from counterpoint.publish import pdfworker
from counterpoint.publish.pdf import LostNotes, TooLong

from .conftest import MINIMAL, ROOT


@pytest.fixture
def always_worker(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Make every build use a worker, even though this test process imported WeasyPrint;
    the list holds each worker's process id."""
    started: list[int] = []
    make = pdfworker.layout_worker

    def layout_worker() -> Worker:
        worker = make()
        start = worker.start

        def recorded() -> Worker:
            start()
            started.append(worker.pid or 0)
            return worker

        worker.start = recorded  # type: ignore[method-assign]
        return worker

    monkeypatch.setattr(pdfworker, "wanted", lambda formats, limit: "pdf" in formats and limit)
    monkeypatch.setattr(pdfworker, "layout_worker", layout_worker)
    return started


def _gone(pid: int) -> bool:
    """No process of the worker's group is left (the worker and its layout child)."""
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.own_session
def test_the_worker_makes_the_same_pdf_as_the_build_itself(
    write_brief, tmp_path: Path, always_worker
) -> None:
    brief = write_brief()
    by_worker = build(brief, tmp_path / "w", ["pdf"], force=True)[0]
    assert len(always_worker) == 1 and _gone(always_worker[0])  # closed with the build
    in_process = build(brief, tmp_path / "p", ["pdf"], force=True, memory_limit=0)[0]
    assert (by_worker.pages, by_worker.notes) == (in_process.pages, in_process.notes) == (2, 3)
    assert by_worker.path.read_bytes() == in_process.path.read_bytes()


@pytest.mark.own_session
def test_the_worker_gives_the_builds_own_overflow_advice(
    write_brief, tmp_path: Path, always_worker
) -> None:
    long_summary = " ".join(["The border question has many sides worth weighing."] * 180)
    text = MINIMAL.replace(
        "summary: It is settled [@petrova-2025, para. 2].", f"summary: {long_summary}"
    )
    with pytest.raises(BuildError) as info:
        build(write_brief(text), tmp_path / "o", ["pdf"], audience="executive")
    assert str(info.value).endswith(
        "brief-executive.pdf: the executive edition is 3 pages, over its 2-page limit; shorten "
        "the bottom line (summary) (1440 words), the view theses (6 words)"
    )
    assert len(always_worker) == 1
    assert not (tmp_path / "o" / "brief-executive.pdf").exists()


def test_a_pdf_build_leaves_weasyprint_to_the_worker(write_brief, tmp_path: Path) -> None:
    """In a process of its own, the build never imports WeasyPrint itself: the worker did,
    meanwhile, and no worker is left behind."""
    brief = write_brief()
    code = (
        "import sys; from counterpoint import build; "
        f"o = build({str(brief)!r}, {str(tmp_path / 'o')!r}, ['pdf'])[0]; "
        "print(o.pages, o.notes, 'weasyprint' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert (done.stdout, done.stderr) == ("2 3 False\n", "")
    assert (tmp_path / "o" / "brief.pdf").read_bytes().startswith(b"%PDF-")


@dataclass(frozen=True)
class _Refused(Job[None]):
    """A layout that ends in one of the PDF's own errors."""

    error: str

    @property
    def what(self) -> str:
        return "x.pdf"

    def run(self) -> None:
        if self.error == "lost":
            raise LostNotes("x.pdf: footnote 2 lost", ["footnote 2 lost"], ["PDF fallback: a"])
        raise TooLong(3, "x.pdf: 3 pages, over the limit of 2")


def test_the_pdfs_own_errors_cross_from_the_layout_process_whole() -> None:
    """The writer lays a PDF out again with endnotes when notes are lost (their problems and
    the ladder's steps), and gives its own advice for a PDF too long (its pages)."""
    limits = Limits(memory=200)
    with pytest.raises(LostNotes) as lost:
        run(_Refused("lost"), limits)
    assert (str(lost.value), lost.value.problems, lost.value.steps) == (
        "x.pdf: footnote 2 lost", ["footnote 2 lost"], ["PDF fallback: a"]
    )  # fmt: skip
    with pdfworker.layout_worker() as worker, pytest.raises(TooLong) as long:
        worker.run(_Refused("long"), limits)
    assert (long.value.pages, str(long.value)) == (3, "x.pdf: 3 pages, over the limit of 2")
