"""Memory: running out is one line, and PDF layout has a ceiling (issue 12, items 5 and 9)."""

from __future__ import annotations

import os
import re
import resource
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from counterpoint import build
from counterpoint.cli.main import main
from counterpoint.errors import BuildError
from counterpoint.pipeline import shelf
from counterpoint.publish.pdf import PdfResult, _in_child

from .conftest import ROOT


def test_running_out_of_memory_is_one_line(write_brief, tmp_path, monkeypatch) -> None:
    """A MemoryError anywhere in a build: one line naming the brief, exit 1, no traceback."""

    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.chdir(tmp_path)
    write_brief()
    monkeypatch.setattr(shelf, "build", exhausted)
    result = CliRunner().invoke(main, ["build", "brief.yaml", "-f", "html"])
    assert (result.exit_code, result.output) == (
        1,
        "brief.yaml: ran out of memory; no partial files were written\n1 of 1 brief(s) failed\n",
    )
    monkeypatch.setattr(sys.modules["counterpoint.pipeline.builder"], "find_briefs", exhausted)
    result = CliRunner().invoke(main, ["build", "brief.yaml", "-f", "html"])
    assert (result.exit_code, result.output) == (
        1,
        "counterpoint: ran out of memory; no partial files were written\n",
    )


# -- PDF layout's memory ceiling (item 9) -------------------------------------------------
OVER = (
    r"out/brief-runaway\.pdf: PDF layout (went over|crashed \(SIG[A-Z]+\), probably at) the "
    r"memory limit of 150 MiB; raise it with --memory-limit \(or COUNTERPOINT_MEMORY_LIMIT\) "
    r"if the document is meant to be this large"
)


@pytest.mark.pdf
@pytest.mark.slow
def test_pdf_layout_over_the_memory_limit_is_one_line(write_brief, tmp_path, monkeypatch) -> None:
    """A 6,000-row table grows layout by hundreds of MiB (40,000 rows: 2.3 GB, 240 s); a
    150 MiB ceiling stops it in a few seconds, where the ordinary brief fits.

    The command runs in a process of its own: the ceiling is on how far layout grows the
    address space of the process it starts from, and a long test session has room to spare.
    """
    monkeypatch.chdir(tmp_path)
    write_brief()
    runaway = tmp_path / "templates" / "runaway"
    (runaway / "sections").mkdir(parents=True)
    (runaway / "manifest.yaml").write_text("name: runaway\nparent: analyst\naudience: runaway\n")
    (runaway / "sections" / "summary.html").write_text(
        '<section id="summary"><h2>Bottom line</h2>{{ brief.summary | md }}\n<table>'
        "{% for i in range(6000) %}<tr><td>{{ i }}</td></tr>{% endfor %}</table></section>\n"
    )
    limits = resource.getrlimit(resource.RLIMIT_AS)
    assert build("brief.yaml", formats=["pdf"], memory_limit=400)[0].notes == 3  # room to spare
    assert resource.getrlimit(resource.RLIMIT_AS) == limits  # set in a child process only

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COUNTERPOINT_MEMORY_LIMIT": "150"}
    args = [sys.executable, "-m", "counterpoint", "build", "brief.yaml", "-f", "pdf"]
    done = subprocess.run(
        [*args, "-a", "runaway"], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert re.fullmatch(OVER + "\n1 of 1 brief\\(s\\) failed\n", done.stderr), done.stderr
    assert done.stdout == ""
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [".counterpoint", "brief.pdf"]


def test_the_layout_process_reports_each_way_it_can_end(tmp_path, capfd) -> None:
    """pdf._in_child without WeasyPrint: a result, an error, a real allocation over the
    limit, a crash, and what the child printed."""
    target = tmp_path / "x.pdf"
    done = PdfResult(2, 1, ["a warning"], b"%PDF")

    def fine() -> PdfResult:
        os.write(2, b"printed by a library\n")
        return done

    assert _in_child(fine, 100, target) == done
    assert capfd.readouterr().err == "printed by a library\n"

    def refused() -> PdfResult:
        raise BuildError("x.pdf: footnote 3 was lost")

    with pytest.raises(BuildError, match=r"^x\.pdf: footnote 3 was lost$"):
        _in_child(refused, 100, target)

    def greedy() -> PdfResult:
        os.write(2, b"Exception ignored in: <generator>\n")
        bytearray(2 * 1024**3)  # a fresh mapping, however much the parent has spare
        return done

    with pytest.raises(BuildError, match="PDF layout went over the memory limit of 100 MiB"):
        _in_child(greedy, 100, target)

    def crash() -> PdfResult:
        os.kill(os.getpid(), signal.SIGSEGV)
        return done

    with pytest.raises(BuildError, match=r"crashed \(SIGSEGV\), probably at the memory limit"):
        _in_child(crash, 100, target)
    assert capfd.readouterr().err == ""  # a failure is its one message, nothing else


def test_the_time_limit_stops_the_layout_process(tmp_path) -> None:
    from counterpoint.process.timelimit import time_limit

    started = time.perf_counter()
    with pytest.raises(BuildError, match=r"stopped after 0\.5 s"), time_limit(0.5, "x.yaml"):
        _in_child(lambda: time.sleep(30), 100, tmp_path / "x.pdf")  # type: ignore[arg-type,return-value]
    assert time.perf_counter() - started < 20  # generous: the child sleeps 30 s


def test_every_limit_is_in_the_security_page() -> None:
    """process/limits.py holds every limit; docs/security.md must name each one, with its value."""
    from counterpoint.process import limits

    page = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    names = [n for n in vars(limits) if n.isupper()]
    assert len(names) >= 18
    missing = [n for n in names if f"`limits.{n}`" not in page]
    assert missing == []
