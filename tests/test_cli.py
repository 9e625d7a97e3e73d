"""The command line: exact messages, exit codes, help on everything."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from counterpoint.cli.main import main

from .conftest import MINIMAL


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_build_reports_one_line_per_output(write_brief, tmp_path: Path) -> None:
    brief = write_brief()
    result = CliRunner().invoke(
        main, ["build", str(brief), "--out", str(tmp_path / "o"), "--format", "html,print-html"]
    )
    assert result.exit_code == 0
    lines = result.stdout.splitlines()  # audit findings are warnings on stderr
    assert len(lines) == 2
    assert re.fullmatch(r"wrote .*/o/brief\.html \(3 notes, \d+\.\d\d s\)", lines[0])
    assert re.fullmatch(r"wrote .*/o/brief\.print\.html \(3 notes, \d+\.\d\d s\)", lines[1])
    assert 'class="footnote"' in (tmp_path / "o" / "brief.print.html").read_text()


def test_invalid_brief_exits_1_with_located_message(write_brief) -> None:
    brief = write_brief(MINIMAL.replace("summary:", "sumary:"))
    code, out = run("validate", str(brief))
    assert code == 1
    assert "Traceback" not in out
    lines = out.splitlines()
    assert lines[-2].endswith("brief.yaml:6:1: sumary: unknown key (did you mean 'summary'?)")
    assert lines[-1] == "1 of 1 brief(s) invalid"


def test_usage_errors_exit_2(write_brief) -> None:
    code, out = run("build", str(write_brief()), "--format", "odt")
    assert code == 2
    assert (
        "Invalid value for '--format' / '-f': 'odt' is not one of html, pdf, print-html, docx"
        in out
    )
    code, out = run("build", "no-such-brief.yaml")
    assert code == 2
    assert "'no-such-brief.yaml' does not exist" in out


def test_validate_ok_line(sample: Path) -> None:
    code, out = run("validate", str(sample))
    assert code == 0
    assert out == (
        f"ok {sample} (2 views, 16 citations, 4 sources, "
        "style chicago-notes-bibliography, the default for 'en')\n"
    )


def test_every_command_has_help_with_examples() -> None:
    for name, command in main.commands.items():
        code, _ = run(name, "--help")
        assert code == 0, name
        assert command.help and "Example" in command.help, name
    code, out = run("--help")
    assert code == 0
    listed = out.split("Commands:\n", 1)[1]
    assert [line.split()[0] for line in listed.splitlines()] == sorted(main.commands)


def test_second_build_reports_up_to_date_and_force_rebuilds(write_brief, tmp_path: Path) -> None:
    brief = write_brief()
    args = ["build", str(brief), "--out", str(tmp_path / "o"), "--format", "html", "--jobs", "2"]
    assert run(*args)[0] == 0
    code, out = run(*args)
    assert code == 0
    assert re.search(r"^up to date .*/o/brief\.html \(3 notes\)$", out, re.M)
    code, out = run(*args, "--force")
    assert re.search(r"^wrote .*/o/brief\.html \(3 notes, \d+\.\d\d s\)$", out, re.M)


def test_console_script_flushes_and_keeps_exit_codes(write_brief, tmp_path: Path) -> None:
    """`counterpoint` (cli.run) leaves without interpreter teardown; nothing may be lost."""
    import subprocess
    import sys

    def script(*args: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "counterpoint", *args]  # __main__ calls cli.run
        return subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path)

    brief = write_brief()
    done = script("build", str(brief), "--out", "o", "--format", "html")
    assert done.returncode == 0
    assert re.fullmatch(r"wrote o/brief\.html \(3 notes, \d+\.\d\d s\)\n", done.stdout)
    assert (tmp_path / "o" / "brief.html").read_text().endswith("</body></html>\n")
    bad = write_brief(MINIMAL.replace("summary:", "sumary:"), name="bad.yaml")
    failed = script("validate", str(bad))
    assert failed.returncode == 1
    assert failed.stderr.splitlines()[-1] == "1 of 1 brief(s) invalid"
    usage = script("build", "--format", "odt", str(brief))
    assert (
        usage.returncode == 2 and "'odt' is not one of html, pdf, print-html, docx" in usage.stderr
    )
    assert script("--version").stdout == "counterpoint, version 0.1.0\n"


def test_importing_the_library_changes_nothing_global(tmp_path: Path, sample: Path) -> None:
    """Importing counterpoint and validating a brief leaves the garbage collector, `re` and
    the user's cache folder as they were (the command line's hard exit is cli.run's alone)."""
    code = (
        "import gc, re, sys\n"
        "re_before = dict(vars(re))\n"
        "import counterpoint\n"
        "from counterpoint import validate\n"
        f"validate({str(sample)!r})\n"
        "assert gc.isenabled() and gc.get_freeze_count() == 0, 'gc'\n"
        "assert vars(re) == re_before, 're'\n"
        "print('ok')\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.stdout == "ok\n", result.stderr
    assert not (tmp_path / "cache").exists()  # nothing written to the user's cache


def test_the_api_names_stay_the_functions_once_the_pipeline_is_loaded() -> None:
    """The package imports its API lazily (so the command line starts Pandoc first); loading
    the pipeline's modules must not change what `counterpoint.build` and `validate` are."""
    code = (
        "import sys\n"
        "import counterpoint\n"
        "assert 'counterpoint.pipeline.builder' not in sys.modules, 'imported eagerly'\n"
        "from counterpoint.pipeline.shelf import build_shelf\n"
        "import counterpoint.brief.validate\n"
        "from counterpoint import build, validate, BuildError, Output\n"
        "assert callable(build) and build.__module__ == 'counterpoint.pipeline.builder', build\n"
        "assert callable(validate) and validate.__module__ == 'counterpoint.brief.validate'\n"
        "assert counterpoint.build is build and counterpoint.validate is validate\n"
        "from counterpoint import Session\n"
        "assert Session.__module__ == 'counterpoint.pipeline.session'\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout == "ok\n", result.stderr


def test_summary_lines_count_in_the_singular_too() -> None:
    from pathlib import Path

    from counterpoint.publish.output import Output

    one = Output(Path("out/x.pdf"), "pdf", "executive", 1, 0.5, pages=1)
    assert one.summary() == "wrote out/x.pdf (1 page, 1 note, 0.50 s)"
    two = Output(Path("out/x.html"), "html", "analyst", 2, 0.25, in_text=True)
    assert two.summary() == "wrote out/x.html (2 citations, 0.25 s)"


def test_validate_says_source_records_are_records_and_checks_them(tmp_path: Path) -> None:
    seeds = Path(__file__).parent.parent / "seeds"
    result = CliRunner().invoke(main, ["validate", str(seeds)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == len(list(seeds.glob("*.yaml")))
    assert all(
        line.startswith(f"ok {seeds}/")
        and line.endswith(
            "(source records, not a brief: 1 record; a brief cites them through `bibliography:`)"
        )
        for line in lines
    )
    (tmp_path / "bad.yaml").write_text("id: q\ntype: magazine\ntitle: X\n")
    bad = CliRunner().invoke(main, ["validate", str(tmp_path / "bad.yaml")])
    assert bad.exit_code == 1
    assert bad.stderr.splitlines()[0].endswith(
        "bad.yaml:2:7: type: 'magazine' is not a CSL type (did you mean 'article-magazine'?); "
        "expected a CSL type such as article-newspaper, article-magazine, report, book, "
        "webpage (see docs/format.md)"
    )


def test_an_unknown_audience_lists_the_audiences(write_brief, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["build", str(write_brief()), "--audience", "executiv", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "--audience: no audience named 'executiv' (did you mean 'executive'?); the audiences "
        "are analyst, compare, executive, public, or all"
    )


def test_build_help_and_the_base_set_name_every_audience() -> None:
    help_text = " ".join(CliRunner().invoke(main, ["build", "--help"]).output.split())
    assert "analyst, compare, executive, public" in help_text
    result = CliRunner().invoke(main, ["templates", "list"])
    assert "build with analyst, compare, executive or public" in result.output
