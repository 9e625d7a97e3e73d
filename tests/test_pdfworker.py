"""The PDF layout worker (publish/pdfworker.py): WeasyPrint imported on another core while the page
is made, with the same PDF, the same errors and the same limits as a layout forked by the
build itself (issue 13, speed)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from counterpoint import BuildError, build
from counterpoint.publish import pdf, pdfworker

from .conftest import MINIMAL, ROOT


@pytest.fixture
def always_worker(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Make every build use a worker, even though this test process imported WeasyPrint;
    the list holds each worker's process id."""
    started: list[int] = []

    def start(formats: object, memory_limit: int | None) -> pdfworker.LayoutWorker:
        worker = pdfworker.LayoutWorker(memory_limit or 2048)
        started.append(worker.pid or 0)
        return worker

    monkeypatch.setattr(pdfworker, "start", start)
    return started


def _gone(pid: int) -> bool:
    """No process of the worker's group is left (the worker and its layout child)."""
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_the_worker_makes_the_same_pdf_as_the_build_itself(
    write_brief, tmp_path: Path, always_worker
) -> None:
    brief = write_brief()
    by_worker = build(brief, tmp_path / "w", ["pdf"], force=True)[0]
    assert len(always_worker) == 1 and _gone(always_worker[0])  # closed with the build
    in_process = build(brief, tmp_path / "p", ["pdf"], force=True, memory_limit=0)[0]
    assert (by_worker.pages, by_worker.notes) == (in_process.pages, in_process.notes) == (2, 3)
    assert by_worker.path.read_bytes() == in_process.path.read_bytes()


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


def test_the_time_limit_stops_the_worker_and_its_layout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from counterpoint.process.timelimit import time_limit

    monkeypatch.setattr(pdf, "_lay_out", lambda *job: time.sleep(30))  # copied by the fork
    worker = pdfworker.LayoutWorker(200)
    pid = worker.pid
    assert pid is not None
    started = time.perf_counter()
    with pytest.raises(BuildError, match=r"stopped after 0\.5 s"), time_limit(0.5, "x.yaml"):
        worker.lay_out(("<p>x</p>", tmp_path / "x.pdf"))
    assert time.perf_counter() - started < 20  # generous: the layout sleeps 30 s
    deadline = time.monotonic() + 5
    while not _gone(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(pid)
    with pytest.raises(RuntimeError, match="closed"):
        worker.lay_out(("<p>x</p>", tmp_path / "x.pdf"))


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
