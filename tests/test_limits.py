"""Memory: running out is one line, and PDF layout has a ceiling (issue 12, items 5 and 9)."""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys

import pytest
from click.testing import CliRunner

from counterpoint import build
from counterpoint.cli.main import main
from counterpoint.pipeline import shelf

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
    import weasyprint  # noqa: F401  (so layout forks from this process, not a PDF worker's)

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


def test_every_limit_is_in_the_security_page() -> None:
    """process/limits.py holds every limit; docs/security.md must name each one, with its value."""
    from counterpoint.process import limits

    page = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    names = [n for n in vars(limits) if n.isupper()]
    assert len(names) >= 18
    missing = [n for n in names if f"`limits.{n}`" not in page]
    assert missing == []
