"""Memory: running out is one line, and PDF layout has a ceiling (issue 12, items 5 and 9)."""

from __future__ import annotations

import sys

from click.testing import CliRunner

from counterpoint import shelf
from counterpoint.cli import main


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
    monkeypatch.setattr(sys.modules["counterpoint.build"], "find_briefs", exhausted)
    result = CliRunner().invoke(main, ["build", "brief.yaml", "-f", "html"])
    assert (result.exit_code, result.output) == (
        1,
        "counterpoint: ran out of memory; no partial files were written\n",
    )
