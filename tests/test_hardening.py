"""Hardening (docs/security.md): input limits, safe output paths, all-or-nothing writes,
reproducible bytes, bounded resources, remote fetches only when asked, no tracebacks."""

from __future__ import annotations

import dataclasses
import http.server
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pypdf
import pytest
import yaml
from click.testing import CliRunner

from counterpoint import (
    BuildError,
    CounterpointError,
    InvalidInput,
    build,
    files,
    validate,
)
from counterpoint.brief import load as load_module
from counterpoint.brief.load import Source, load
from counterpoint.cli.main import main
from counterpoint.files import inside, safe_stem, write_all, write_atomic
from counterpoint.pipeline.naming import output_path
from counterpoint.process import limits
from counterpoint.process.limits import MAX_FILE_BYTES
from counterpoint.publish import fetch

from .conftest import MINIMAL, SOURCES
from .pages import CSP, unsanitized, untouched

ROOT = Path(__file__).parent.parent


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InvalidInput) as info:
        load(path)
    return [str(p).replace(str(path.parent) + "/", "") for p in info.value.problems]


@pytest.fixture
def no_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if a YAML tree is built (limits must refuse before any work)."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("yaml.compose was called")

    monkeypatch.setattr(load_module.yaml, "compose", refuse)


# -- YAML input ---------------------------------------------------------------------------
def test_oversized_file_is_refused_before_reading(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "brief.yaml"
    path.write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    monkeypatch.setattr(load_module.yaml, "parse", None)  # never reached
    assert problems_of(path) == [
        "brief.yaml: file is 5,242,881 bytes; the limit is 5,242,880 bytes"
    ]


def test_billion_laughs_stops_at_the_first_alias(tmp_path: Path, no_parse) -> None:
    """Twenty levels of nine aliases each would expand to 9**20 values."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 21):
        lines.append(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]")
    path = tmp_path / "laughs.yaml"
    path.write_text("\n".join(lines) + "\n")
    assert problems_of(path) == [  # no_parse: refused before anything is expanded
        "laughs.yaml:1:5: this value is repeated through a YAML alias (*l0); "
        "anchors and aliases are not allowed, write the value out"
    ]


def test_deep_nesting_is_refused_before_libyaml_recurses(tmp_path: Path, no_parse) -> None:
    """2.5 million brackets: composing would overflow the C stack (a segfault)."""
    path = tmp_path / "deep.yaml"
    path.write_text("a: " + "[" * 2_500_000)
    assert problems_of(path) == ["deep.yaml:1:103: values are nested more than 100 deep; refusing"]


def test_too_many_values_are_refused_before_the_tree_is_built(tmp_path: Path, no_parse) -> None:
    path = tmp_path / "many.yaml"
    path.write_text("[" + "1," * 250_000 + "1]")
    assert problems_of(path) == [
        "many.yaml:1:400000: the file has more than 200,000 YAML values; refusing"
    ]


def test_only_regular_files_are_read(tmp_path: Path) -> None:
    fifo = tmp_path / "brief.yaml"
    os.mkfifo(fifo)  # reading would block forever
    assert problems_of(fifo) == ["brief.yaml: is not a regular file, expected a YAML file"]
    with pytest.raises(InvalidInput) as info:
        load("/dev/zero")
    assert str(info.value) == "/dev/zero: is not a regular file, expected a YAML file"


def test_tags_on_keys_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "keys.yaml"
    path.write_text("!!python/name:os.system : x\n? [a, b]\n: y\n")
    assert problems_of(path) == [
        "keys.yaml:1:1: unsupported YAML tag 'tag:yaml.org,2002:python/name:os.system'; "
        "use plain values",
        "keys.yaml:2:3: a key must be a plain word",
    ]


def test_bom_crlf_and_lone_cr_are_accepted(write_brief) -> None:
    path = write_brief()
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r"))
    assert validate(path).title == "Test brief"


def test_source_locations_match_a_line_count() -> None:
    text = "a\n\nbcd\ne\n"
    source = Source(Path("x.yaml"), text)
    for index in range(len(text) + 1):
        line = text.count("\n", 0, index) + 1
        col = index - (text.rfind("\n", 0, index) + 1) + 1
        where = source.location(index)
        assert (where.line, where.col) == (line, col), index


# -- output paths -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "stem"),
    [("x", "x"), ("../../etc/x", "..-..-etc-x"), ("/etc/passwd", "-etc-passwd"), ("..", "brief"),
     (".", "brief"), ("a\nb", "a-b"), ("", "brief"), ("report 2026", "report 2026")],
)  # fmt: skip
def test_output_names_cannot_leave_their_folder(name: str, stem: str) -> None:
    assert safe_stem(name) == stem


def test_output_path_stays_in_out(write_brief, tmp_path: Path) -> None:
    brief = validate(write_brief())
    out = tmp_path / "out"
    for path in ("../../etc/x.yaml", "/etc/cron.d/x.yaml", "briefs/x.yaml"):
        hostile = dataclasses.replace(brief, path=Path(path))
        assert output_path(hostile, out, "pdf", "analyst") == out / "x.pdf"
    assert output_path(brief, out, "html", "../../evil") == out / "brief-..-..-evil.html"
    with pytest.raises(BuildError):
        inside(out, "..")


def test_symlinked_output_is_not_followed(write_brief, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (out / "brief.html").symlink_to(victim)
    with pytest.raises(BuildError) as info:
        build(write_brief(), out, formats=["html"])
    assert str(info.value).endswith("out/brief.html: refusing to write through a symbolic link")
    assert victim.read_text() == "keep me"
    assert sorted(p.name for p in out.iterdir()) == ["brief.html"]


def test_outputs_get_ordinary_permissions(write_brief, tmp_path: Path) -> None:
    (page,) = build(write_brief(), tmp_path / "out", formats=["html"])
    umask = os.umask(0o022)
    os.umask(umask)
    assert page.path.stat().st_mode & 0o777 == 0o666 & ~umask


# -- all or nothing -----------------------------------------------------------------------
def old_outputs(out: Path) -> dict[str, bytes]:
    out.mkdir(parents=True, exist_ok=True)
    old = {"brief.html": b"old html", "brief.pdf": b"%PDF old"}
    for name, data in old.items():
        (out / name).write_bytes(data)
    return old


def contents(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in out.iterdir()}


@pytest.mark.pdf
def test_interrupt_while_writing_keeps_old_files(write_brief, tmp_path, monkeypatch) -> None:
    out = tmp_path / "out"
    old = old_outputs(out)
    calls = []

    def interrupt(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:  # the HTML is staged, the PDF half-way
            raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        build(write_brief(), out, formats=["html", "pdf"])
    assert contents(out) == old  # no temporary file left, nothing replaced


@pytest.mark.pdf
def test_failed_pdf_keeps_the_old_pdf_and_writes_the_html(
    write_brief, tmp_path, monkeypatch
) -> None:
    """Formats are independent (issue 24): the PDF that failed is not replaced, and the
    same edition's HTML is written all the same; the build still reports the failure."""
    import weasyprint

    out = tmp_path / "out"
    old = old_outputs(out)

    def explode(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("layout exploded")

    monkeypatch.setattr(weasyprint.HTML, "render", explode)
    with pytest.raises(BuildError) as info:
        build(write_brief(), out, formats=["html", "pdf"])
    assert str(info.value).endswith(
        "out/brief.pdf: WeasyPrint failed: RuntimeError: layout exploded"
    )
    written = contents(out)
    assert written["brief.pdf"] == old["brief.pdf"]
    assert written["brief.html"].startswith(b"<!DOCTYPE html>")


def test_write_all_replaces_every_file(tmp_path: Path) -> None:
    write_all([(tmp_path / "a", b"1"), (tmp_path / "sub" / "b", b"2")])
    write_atomic(tmp_path / "a", b"3")
    assert (tmp_path / "a").read_bytes() == b"3" and (tmp_path / "sub" / "b").read_bytes() == b"2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "sub"]


def long_brief(tmp_path: Path, notes: int) -> Path:
    args = "\n".join(
        f"      - Claim {i} about the river trade and the treaty line, restated at some length "
        f"so that lines wrap [@petrova-2025, para. {i}; @lin-2024, p. {i}]."
        for i in range(notes // 2)
    )
    text = MINIMAL.split("views:")[0] + (
        "views:\n  - id: a\n    label: A\n    thesis: T [@lin-2024].\n    arguments:\n"
        + args
        + "\n  - id: b\n    label: B\n    thesis: T [@petrova-2025].\n    arguments:\n"
        + args
        + "\n"
    )
    (tmp_path / "sources.yaml").write_text(SOURCES)
    path = tmp_path / "brief.yaml"
    path.write_text(text)
    return path


def _handles_sigterm(pid: int) -> bool:
    """Whether the process has set its SIGTERM handler (/proc's SigCgt mask): the command
    line does, after its imports and before it builds."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    mask = next(
        (line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:")), "0"
    )
    return bool(int(mask, 16) >> (signal.SIGTERM - 1) & 1)


def wait_for_layout(proc: subprocess.Popen[bytes], seconds: float = 6) -> None:
    """Wait until the command has set its signal handlers (on a loaded machine its imports
    alone can take seconds), then until the build has forked its PDF layout process (a
    child running the same command line as the build), or at most `seconds` more (the
    1,000-note layout takes 13 s, so the build is still in it then, whichever process lays
    it out)."""
    pid = proc.pid
    own = Path(f"/proc/{pid}/cmdline").read_bytes()
    ready = time.monotonic() + 120
    while not _handles_sigterm(pid) and proc.poll() is None and time.monotonic() < ready:
        time.sleep(0.02)
    assert _handles_sigterm(pid), "the command never set its signal handlers"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            children = []
        for child in children:
            try:
                if Path(f"/proc/{child}/cmdline").read_bytes() == own:
                    time.sleep(0.5)  # well into the layout
                    return
            except OSError:
                continue
        time.sleep(0.05)


@pytest.mark.pdf
def test_ctrl_c_mid_pdf_exits_130_and_keeps_old_files(tmp_path: Path) -> None:
    """A real process, a real SIGINT while WeasyPrint lays out a 1,000-note PDF (13 s)."""
    brief = long_brief(tmp_path, 1000)
    out = tmp_path / "out"
    old = old_outputs(out)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    args = [sys.executable, "-m", "counterpoint", "build", str(brief), "--out", str(out)]
    # a process started in the background of a shell (`make test &`) inherits SIGINT ignored,
    # and Python then leaves it ignored: give the build the default a terminal would
    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    wait_for_layout(proc)
    assert proc.poll() is None, "the build finished before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, (stdout, stderr)
    assert stderr.decode() == "interrupted; no partial files were written\n"
    assert stdout == b""
    assert contents(out) == old


def test_cli_keyboard_interrupt_is_one_line(write_brief, tmp_path, monkeypatch) -> None:
    def interrupt(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "fsync", interrupt)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(write_brief()), "-f", "html", "-o", str(out)])
    assert result.exit_code == 130
    assert result.output == "interrupted; no partial files were written\n"
    assert list(out.iterdir()) == []


def test_cli_shows_no_traceback_for_a_bad_template_set(tmp_path: Path) -> None:
    sets = tmp_path / "sets" / "broken"
    sets.mkdir(parents=True)
    (sets / "manifest.yaml").write_text("name: broken\nparnet: base\n")
    result = CliRunner().invoke(main, ["templates", "list", "-t", str(tmp_path / "sets")])
    assert result.exit_code == 0  # the broken set is reported and skipped; the rest listed
    assert "Traceback" not in result.output
    assert result.output.endswith(
        "manifest.yaml:2:1: parnet: unknown key (did you mean 'parent'?)\n"
    )
    assert "warning: template set in " in result.output and "analyst" in result.output


# -- reproducible -------------------------------------------------------------------------
@pytest.mark.pdf
def test_same_inputs_give_the_same_bytes(write_brief, tmp_path, monkeypatch) -> None:
    """No `date:` in the brief: SOURCE_DATE_EPOCH dates the paper and its PDF metadata."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14
    brief = write_brief(MINIMAL.replace("date: 2026-11-22\n", ""))
    first = build(brief, tmp_path / "one", formats=["html", "pdf"])
    second = build(brief, tmp_path / "two", formats=["html", "pdf"])
    for a, b in zip(first, second, strict=True):
        assert a.path.read_bytes() == b.path.read_bytes(), a.path.name
    html = first[0].path.read_text(encoding="utf-8")
    assert '<time datetime="2023-11-14">November 14, 2023</time>' in html
    meta = pypdf.PdfReader(first[1].path).metadata
    assert meta["/CreationDate"] == meta["/ModDate"] == "D:20231114"


def test_bad_source_date_epoch_is_a_clean_error(write_brief, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(BuildError) as info:
        build(write_brief(), tmp_path, formats=["html"])
    assert str(info.value) == "SOURCE_DATE_EPOCH='yesterday' is not a number of seconds since 1970"


# -- resource bounds (docs/security.md lists the limits and what they cost) ----------------
HEAD = MINIMAL.split("views:")[0]
TWO_VIEWS = "views:" + MINIMAL.split("views:")[1]


def _views(count: int) -> str:
    return "views:\n" + "".join(
        f"  - id: v{i}\n    label: V{i}\n    thesis: T{i} [@lin-2024].\n"
        f"    arguments:\n      - A{i} [@petrova-2025].\n"
        for i in range(count)
    )


def test_a_thousand_views_are_refused(write_brief) -> None:
    """Over the limit of 100 views by ten times (a count written with a thousands
    separator); exactly 100 views is a valid brief, so the limit is where it says."""
    with pytest.raises(InvalidInput) as info:
        validate(write_brief(HEAD + _views(1_000)))
    assert [str(p).rsplit("/", 1)[-1] for p in info.value.problems] == [
        "brief.yaml:8:3: views: 1,000 views is over the limit of 100; a brief compares a few views"
    ]
    assert len(validate(write_brief(HEAD + _views(100))).views) == 100


def test_one_megabyte_paragraph_builds(write_brief, tmp_path: Path) -> None:
    paragraph = ("The river trade grew again. " * 40_000)[:1_000_000]
    text = HEAD.replace("summary: It is settled", f"background: {paragraph}\nsummary: It is")
    (page,) = build(write_brief(text + TWO_VIEWS), tmp_path, formats=["html"])
    assert page.notes == 3 and page.path.stat().st_size > 1_000_000


@pytest.mark.slow
@pytest.mark.pdf
def test_three_thousand_citations_of_one_source(write_brief, tmp_path: Path) -> None:
    """2,998 citations of one source and the brief's 3 others: 3,001 notes, one over the
    PDF's limit of 3,000, so the refusal is tested at its edge (it comes before layout,
    which takes minutes for so many notes), while the same build writes the page with
    every note (formats are independent)."""
    cites = " ".join(f"[@lin-2024, p. {i}]" for i in range(2_998))
    text = HEAD + f'implications: "Memory persists {cites}"\n' + TWO_VIEWS
    with pytest.raises(BuildError) as info:
        build(write_brief(text), tmp_path, formats=["html", "pdf"])
    assert str(info.value).endswith(
        "brief.pdf: the brief has 3,001 notes; a PDF is limited to 3,000 (layout takes about "
        "12 ms and 150 KB a note); build --format html, or split the brief"
    )
    page = (tmp_path / "brief.html").read_text(encoding="utf-8")
    assert page.count('<li id="fn-') == 3_001  # the last one, the 2,998th citation:
    assert (
        '<li id="fn-3001" value="3001">Institute for Border Studies, <em>Migration and '
        "Memory in the Amur Basin</em>, 2997. " in page
    )
    assert not (tmp_path / "brief.pdf").exists()


def test_bracket_soup_is_linear_for_citations(write_brief) -> None:
    """`[[[[...` used to scan to the end of the field for every bracket. 50,000 brackets
    keep the check meaningful: a scan to the end written in Python would take n²/2, about
    1.25e9 steps (minutes), while the linear parse takes well under a second."""
    soup = "[" * 50_000
    started = time.perf_counter()
    brief = validate(write_brief(HEAD.replace("summary: It", f"background: '{soup}'\nsummary: It")
                                 + TWO_VIEWS))  # fmt: skip
    assert brief.background is not None and len(brief.background.source) == 50_000
    assert time.perf_counter() - started < 20


# -- remote fetches, only with --allow-remote ------------------------------------------------
class _Server(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []
    png = (ROOT / "tests" / "hostile" / "briefs" / "assets" / "dot.png").read_bytes()

    def do_GET(self) -> None:
        _Server.seen.append(self.path)
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(self.png)))
        self.end_headers()
        self.wfile.write(self.png)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Server)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _Server.seen = []
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.pdf
def test_remote_images_load_only_with_allow_remote(write_brief, tmp_path, server) -> None:
    text = MINIMAL.replace(
        "summary: It is settled", f"background: '![dot]({server}/dot.png)'\nsummary: It is settled"
    )
    brief = write_brief(text)
    html, pdf = build(brief, tmp_path / "off", formats=["html", "pdf"])
    refused = f"refused to load {server}/dot.png: remote fetches are off (use --allow-remote)"
    assert html.warnings == [refused] and pdf.warnings == [refused]
    assert _Server.seen == []
    html, pdf = build(brief, tmp_path / "on", formats=["html", "pdf"], allow_remote=True)
    assert html.warnings == [] and pdf.warnings == []
    assert _Server.seen == ["/dot.png"]
    page = html.path.read_text(encoding="utf-8")
    assert f'<img src="{server}/dot.png" alt="dot">' in page
    assert "img-src data: http: https:;" in page


@pytest.mark.pdf
def test_redirect_to_a_local_file_is_not_followed(write_brief, tmp_path, server) -> None:
    text = MINIMAL.replace(
        "summary: It is settled", f"background: '![x]({server}/redirect)'\nsummary: It is settled"
    )
    (pdf,) = build(write_brief(text), tmp_path, formats=["pdf"], allow_remote=True)
    assert _Server.seen == ["/redirect"]
    assert len(pdf.warnings) == 1 and pdf.warnings[0].startswith(
        f"Failed to load image at '{server}/redirect'"
    )
    assert b"root:x:0:0" not in pdf.path.read_bytes()


@pytest.mark.pdf
@pytest.mark.own_session
def test_oversized_project_file_is_not_loaded(write_brief, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(fetch, "MAX_FETCH_BYTES", 10)
    (tmp_path / "big.png").write_bytes(_Server.png)
    text = MINIMAL.replace("summary: It is settled", "background: '![x](big.png)'\nsummary: It is")
    (pdf,) = build(write_brief(text), tmp_path / "out", formats=["pdf"])
    assert pdf.warnings == [
        f"refused to load {(tmp_path / 'big.png').as_uri()}: file of 70 bytes is over the "
        "10-byte limit"
    ]


def test_counterpoint_error_is_the_only_user_error(monkeypatch) -> None:
    """A CounterpointError out of any command is its message and exit 1; any other exception
    is a bug and keeps its traceback."""

    def raising(error: Exception):
        def callback(**params: object) -> None:
            raise error

        return callback

    command = main.commands["schema"]
    monkeypatch.setattr(command, "callback", raising(BuildError("brief.yaml: it failed")))
    result = CliRunner().invoke(main, ["schema", "brief"])
    assert (result.exit_code, result.output) == (1, "brief.yaml: it failed\n")
    monkeypatch.setattr(command, "callback", raising(CounterpointError("sets: broken")))
    assert CliRunner().invoke(main, ["schema", "brief"]).output == "sets: broken\n"
    monkeypatch.setattr(command, "callback", raising(ValueError("a bug")))
    result = CliRunner().invoke(main, ["schema", "brief"])
    assert isinstance(result.exception, ValueError) and result.output == ""


def test_yaml_is_parsed_by_libyaml() -> None:
    assert yaml.__with_libyaml__, "libyaml keeps parsing fast and marks precise"


# -- the page policy, piece by piece (sanitize.sanitize_html) -----------------------------------
def _sanitize(html: str, medium: str = "web", remote: bool = False) -> tuple[str, list[str]]:
    from counterpoint.publish.sanitize import Page, sanitize_html

    project = ROOT / "tests" / "hostile" / "briefs"
    policy = fetch.FetchPolicy(roots=[project], allow_remote=remote)
    return sanitize_html(html, Page(policy.check, project, remote, limits.MAX_DATA_URL), medium)


def _page(head: str, body: str, html: str = "<html>") -> str:
    """The page sanitize_html writes for a document with this <head> and <body> content."""
    return f"<!DOCTYPE html>\n{html}<head>{CSP}{head}</head><body>{body}</body></html>\n"


def test_policy_goes_first_in_head() -> None:
    """The page is written from the parsed tree, so the charset and the policy are the first
    elements of <head> whatever came before; a template's own utf-8 declaration goes."""
    head = '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
    assert _sanitize(head + "<title>") == (
        _page("\n\n<title></title>", "", '<html lang="en">'),
        [],
    )
    # before <head>: <style> opens the head, and the policy still comes first
    assert _sanitize("<!DOCTYPE html><style>p{}</style><head>")[0] == _page(
        "<style>p{}</style>", ""
    )
    assert _sanitize("<p>no head")[0] == _page("", "<p>no head</p>")
    # comments before <head> would push the charset past a browser's pre-scan: they go
    assert _sanitize("<html><!-- x --><head>")[0] == _page("", "")


@pytest.mark.parametrize(
    ("html", "head", "body", "warning"),
    [
        ('<a href="java&#9;script:alert(1)">x</a>', "", "<a>x</a>",
         "removed a javascript: URL: pages never run scripts"),
        ('<a href=" JAVASCRIPT:alert(1)">x</a>', "", "<a>x</a>",
         "removed a javascript: URL: pages never run scripts"),
        # the first <script> opens the head; the unclosed one holds the rest ("c")
        ("<script>a</script><p>b</p><script src=x />c", "", "<p>b</p>",
         "removed a <script> element: pages never run scripts"),
        ("<p>a</p><script>never closed", "", "<p>a</p>",
         "removed a <script> element: pages never run scripts"),
        # what is left around a removed element is text, escaped: it can never become a tag
        ("<<script>x</script>img src=x onerror=alert(1)>", "",
         "&lt;img src=x onerror=alert(1)&gt;",
         "removed a <script> element: pages never run scripts"),
        ("<<meta http-equiv=refresh>script>alert(1)</script>", "", "&lt;script&gt;alert(1)",
         "removed a <meta http-equiv=refresh>: pages never redirect"),
        ('<img srcset="a.png 1x, b.png 2x" alt=a>', "", '<img alt="a">',
         "removed a srcset attribute: the page uses src only"),
        ('<img src="//evil.example/x.png" alt=a>', "", '<img alt="a">',
         "refused to load //evil.example/x.png: file: URLs naming another host are not allowed"),
        ("<svg><image href='http://evil.example/x.svg'/></svg>", "", "<svg><image></image></svg>",
         "refused to load http://evil.example/x.svg: remote fetches are off "
         "(use --allow-remote)"),
        ('<link rel="stylesheet" href="assets/dot.png">', '<link rel="stylesheet">', "",
         "refused to load assets/dot.png: only images can be embedded"),
        # <img> ends the SVG: a browser puts it after <svg>, as an HTML image
        ("<svg><style><img src=x onerror=alert(1)></style></svg>", "",
         "<svg><style></style></svg><img>",
         "refused to load x: only images can be embedded"),
        ('<p onclick="x()" ONMOUSEOVER="y()">p</p>', "", "<p>p</p>",
         "removed an onclick= attribute: pages never run scripts"),
        # a browser that runs scripts ends <noscript> inside the title (its text is not markup)
        ("<noscript><p title='</noscript><img src=x onerror=alert(1)>'></noscript>", "",
         "<img>'&gt;",
         "removed a <noscript> element: a browser reads its content as markup or as text, "
         "depending on its settings"),
        ("<template><img src=#x onerror=alert(1)></template>",
         '<template><img src="#x"></template>', "",
         "removed an onerror= attribute: pages never run scripts"),
        ('<meta charset="iso-2022-jp"><p>x', "", "<p>x</p>",
         "removed a <meta> declaring the charset iso-2022-jp: every page is UTF-8, declared first"),
        ('<meta http-equiv=Content-Type content="text/html; charset=Shift_JIS">', "", "",
         "removed a <meta> declaring the charset shift_jis: every page is UTF-8, declared first"),
        # a browser of 2025 keeps <xmp> in <select>, its content text; WeasyPrint's parser
        # (and older browsers) drop the tag and read a <script> there (found by test_fuzz)
        ("<select><xmp><script></xmp></select>", "", "<select></select>",
         "removed an <xmp> element holding '<': a parser that does not take its content as "
         "text (inside <select>, an older one) reads markup there"),
        ("<select><iframe><img src=x onerror=alert(1)></iframe></select>", "", "<select></select>",
         "removed an <iframe> element holding '<': a parser that does not take its content as "
         "text (inside <select>, an older one) reads markup there"),
        ("<select><noembed></select><img src=x onerror=alert(1)></noembed>", "",
         "<select></select>",
         "removed a <noembed> element holding '<': a parser that does not take its content as "
         "text (inside <select>, an older one) reads markup there"),
    ],
)  # fmt: skip
def test_page_removals(html: str, head: str, body: str, warning: str) -> None:
    page, warnings = _sanitize(html)
    assert page == _page(head, body)
    assert warnings[0] == warning


def test_a_less_than_sign_in_css_is_written_as_css_escapes_it() -> None:
    """In <style> a "<" is CSS text (a comment, a string) to a browser of today, but markup to
    a parser that drops the <style> tag inside <select>; "\\3c " is the same character to CSS."""
    css = '/* <body> */ p::after { content: "<" }'
    page, warnings = _sanitize(f"<select><style>{css}</style></select><p>x")
    assert page == _page("", '<select><style>/* \\3c body> */ p::after { content: "\\3c " }'
                             "</style></select><p>x</p>")  # fmt: skip
    assert warnings == []


def test_utf8_declarations_go_silently() -> None:
    content_type = '<meta http-equiv="content-type" content="text/html; charset=utf-8">'
    for meta in ('<meta charset="UTF-8">', "<meta charset=utf8>", content_type):
        assert _sanitize(meta + "<p>x") == (_page("", "<p>x</p>"), [])


# Pages whose active content the page check must find (they were once the cases its quick
# path had to send on to the full scan)
ACTIVE_PAGES = [
    '<a href="java&#x73;cript:alert(1)">x</a>',
    '<a href="javascript:alert(1)">x</a>',
    '<a HREF=" javascript:alert(1)">x</a>',
    '<button formaction="javascript:alert(1)">x</button>',
    '<p ONCLICK="x()">p</p>',
    '<p style="background: url(assets/dot.png)">p</p>',
    '<p style="background: u&#114;l(x.png)">p</p>',
    '<svg><style>@import "x.css";</style></svg>',
    '<svg><style></style><image href="x.png"/></svg>',
    '<style>@import "http://evil.example/x.css";</style>',
    '<style>p { background: url("x.png") }</style>',
    '<img src="x.png">',
    '<img src=" #x">',
    '<img srcset="a.png 1x">',
    '<svg><use href="http://evil.example/x.svg#a"></use></svg>',
    '<svg><image xlink:href="x.png"/></svg>',
    '<svg><feImage xlink:href="x.png"/></svg>',
    '<link rel="stylesheet" href="x.css">',
    '<meta http-equiv="refresh" content="0; url=http://evil.example/">',
    '<base href="http://evil.example/">',
    '<video poster="x.png"></video>',
    '<html manifest="x.appcache">',
    '<object data="x.swf"></object>',
    "<script>alert(1)</script>",
    "<noscript></noscript>",
    '<meta charset="utf-8">',
    "<template><p onclick=x()></p></template>",
    "<template><template><p onclick=x()></p></template></template>",
]


@pytest.mark.parametrize("html", ACTIVE_PAGES)
def test_page_check_acts_on_active_pages(html: str) -> None:
    page, warnings = _sanitize(html)
    assert warnings or page != untouched(html)
    # what it wrote, parsed and checked again: nothing left to change
    assert _sanitize(unsanitized(page))[0] == untouched(unsanitized(page))


def test_a_page_with_nothing_active_is_written_as_parsed() -> None:
    """(The other side of the test above: its comparison can tell a page left alone.)"""
    html = '<p class="x">a <em>b</em></p><table><td>c</table>'
    assert _sanitize(html) == (untouched(html), [])


def test_built_pages_are_written_as_parsed_and_need_no_second_pass(tmp_path: Path) -> None:
    """The built-in editions of the flagship: charset and policy first, and the page as
    written passes the check unchanged (what a browser builds from it is what was checked)."""
    out = build(ROOT / "briefs" / "russian-far-east.yaml", tmp_path, ["html", "print-html"], "all")
    assert len(out) == 8  # four editions, each as a page and as the print HTML
    for o in out:
        assert o.warnings == [], o.path.name
        page = o.path.read_text(encoding="utf-8")
        head = f'<!DOCTYPE html>\n<html lang="en" dir="ltr"><head>{CSP}'
        assert page.startswith(head), o.path.name
        medium = "print" if o.format == "print-html" else "web"
        again = _sanitize(unsanitized(page), medium)
        assert again == (untouched(unsanitized(page)), []) and again[0] == page, o.path.name


@pytest.mark.parametrize("raw", ["style", "xmp", "noembed"])
def test_page_that_changes_when_parsed_again_is_cleaned_again(raw: str) -> None:
    """Mutation XSS: written out and parsed again, the nested <form> is dropped, so <mglyph>
    becomes MathML, its <style> (or <xmp>...) markup, and the text inside it an <img> with a
    handler. The "<" in that text is escaped (CSS) or the element removed in the first
    pass, and sanitize_html parses what it writes and cleans it again until nothing changes."""
    from selectolax.lexbor import LexborHTMLParser

    payload = f"<form><math><mtext></form><form><mglyph><{raw}></math><img src onerror=x>"
    first = LexborHTMLParser(payload, scripting=True).html or ""
    again = LexborHTMLParser(first, scripting=True)
    assert any("onerror" in n.attributes for n in again.root.traverse()), "the page mutates"
    page, _ = _sanitize(payload)
    for parsed in (LexborHTMLParser(page, scripting=True), LexborHTMLParser(page)):
        assert not any("onerror" in n.attributes for n in parsed.root.traverse()), page


def test_page_that_never_settles_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """No page known today needs a second pass (the test above settles in one); a page that
    a browser read differently every time it was parsed is refused. Here the parser adds a
    handler to every page it reads back."""
    import selectolax.lexbor

    class Mutating(selectolax.lexbor.LexborHTMLParser):
        def __init__(self, html: str, **options: bool) -> None:
            super().__init__(html.replace("</body>", "<p onclick=x()></p></body>"), **options)

    monkeypatch.setattr(selectolax.lexbor, "LexborHTMLParser", Mutating)
    with pytest.raises(BuildError) as info:
        _sanitize("<p>x</p>")
    assert str(info.value) == (
        "template: the page it writes reads differently each time it is parsed (markup built "
        "to change when read again); refusing (see docs/security.md)"
    )


RULE = (
    "pages hold no control characters but tab, line feed, form feed and carriage return "
    "(see docs/security.md)"
)


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("<p>a</p>\n<scr\x1b(Bipt>", "template: control character U+001B (ESCAPE) at line 2, "
         f"column 5 of the page it writes, in '<p>a</p>\\n<scr\\x1b(Bipt>'; {RULE}"),
        ("<b\x00 onclick=x()>", "template: control character U+0000 (NUL) at line 1, column 3 "
         f"of the page it writes, in '<b\\x00 onclick=x()>'; {RULE}"),
        ("<p title=\x85'x onclick=y'>", "template: control character U+0085 at line 1, column "
         f"10 of the page it writes, in \"<p title=\\x85'x onclick=y'>\"; {RULE}"),
        ("<p>&#27;(B</p>", "template: a character reference in the page it writes makes "
         f"control character U+001B (ESCAPE); {RULE}"),
    ],
)  # fmt: skip
def test_control_characters_are_refused(html: str, error: str) -> None:
    with pytest.raises(BuildError) as info:
        _sanitize(html)
    assert str(info.value) == error


def test_white_space_controls_are_kept() -> None:
    page, warnings = _sanitize("<p>a\tb\fc\r\nd</p>")
    assert page == _page("", "<p>a\tb\fc\nd</p>") and warnings == []


def test_charset_is_declared_within_the_prescan() -> None:
    with pytest.raises(BuildError) as info:
        _sanitize(f'<html data-x="{"x" * 1000}"><p>x')
    assert str(info.value) == (
        "template: the page's <html> and <head> start tags are too long: a page declares its "
        "charset in its first 1,024 bytes; shorten their attributes"
    )


EVIL_PNG = "refused to load http://evil.example/x.png: remote fetches are off (use --allow-remote)"


@pytest.mark.parametrize(
    ("html", "warnings"),
    [
        # "ſ" matches "s" case-insensitively in Python, but not in a browser
        ("<style></\u017ftyle>*{background:url(http://evil.example/x.png)}</style>", [EVIL_PNG]),
        # faked nesting: the browser is still inside <svg>, where <style> is markup
        ("<svg></math><style>*{background:url&#40;http://evil.example/x.png)}</style></svg>",
         [EVIL_PNG]),
        # here </svg> does end the SVG, so the <style> is HTML, its text CSS as written, and
        # "&#64;import" no @import (html.parser's scan reported it)
        ("<svg><title></svg></title><style>&#64;import 'http://evil.example/x.png';</style>", []),
        ("<svg><desc><style>&#64;import 'http://evil.example/x.png';</style></desc></svg>", []),
        ("<svg><style>&#64;import 'http://evil.example/x.png';</style></svg>", [EVIL_PNG]),
        ("<style>*{background:url(http://evil.example/x.png)}", [EVIL_PNG]),  # never closed
        ("<style/>*{background:url(http://evil.example/x.png)}", [EVIL_PNG]),
        ("<math><mi><style><!-- *{background:url(http://evil.example/x.png)} --></style>",
         [EVIL_PNG]),
        ('<style>@import"http://evil.example/x.png";</style>', [EVIL_PNG]),
        ("<style>*{background:\\75rl(http://evil.example/x.png)}</style>", [EVIL_PNG]),
        ('<style>*{background:image-set("http://evil.example/x.png" 1x)}</style>', [EVIL_PNG]),
        ('<svg><rect fill="url(http://evil.example/x.png)"/></svg>', [EVIL_PNG]),
        ('<link rel="preload" as="image" imagesrcset="http://evil.example/x.png 1x">',
         ["removed an imagesrcset attribute: the page uses src only"]),
        ('<svg><a><set attributeName="href" to="javascript:alert(1)"/></a></svg>',
         ["removed a javascript: URL: pages never run scripts"]),
    ],
)  # fmt: skip
def test_page_reports_what_a_browser_would_load(html: str, warnings: list[str]) -> None:
    """Cases from an adversarial review of the html.parser scan, read as a browser reads them."""
    assert _sanitize(html)[1] == warnings


def test_print_html_keeps_urls_but_reports_them() -> None:
    page, warnings = _sanitize('<img src="http://evil.example/x.png">', medium="print")
    assert page == _page("", '<img src="http://evil.example/x.png">')
    assert warnings == [
        "refused to load http://evil.example/x.png: remote fetches are off (use --allow-remote)"
    ]


def test_remote_images_stay_with_allow_remote() -> None:
    page, warnings = _sanitize('<img src="https://example.org/x.png">', remote=True)
    assert '<body><img src="https://example.org/x.png"></body>' in page and warnings == []
    assert "img-src data: http: https:;" in page


def test_template_that_is_not_utf8(write_brief, tmp_path: Path) -> None:
    sets = tmp_path / "sets" / "latin"
    sets.mkdir(parents=True)
    (sets / "manifest.yaml").write_text("name: latin\nparent: base\n")
    (sets / "brief.html").write_bytes(b"caf\xe9\n")
    with pytest.raises(BuildError) as info:
        build(write_brief(), tmp_path / "out", ["html"], "latin", templates=tmp_path / "sets")
    assert str(info.value) == f"template: {sets / 'brief.html'} is not UTF-8; save it as UTF-8"


def test_control_characters_from_a_template_set(write_brief, tmp_path: Path) -> None:
    """A control character written in a template or stylesheet is refused at its line and
    column; one a template computes, in the page it renders."""
    sets = tmp_path / "sets" / "ctl"
    sets.mkdir(parents=True)
    (sets / "manifest.yaml").write_text("name: ctl\nparent: base\ncss: [ctl.css]\n")
    (sets / "ctl.css").write_text("p {}\np { color: red\x1b }\n")
    with pytest.raises(BuildError) as info:
        build(write_brief(), tmp_path / "out", ["html"], "ctl", templates=tmp_path / "sets")
    assert str(info.value) == (
        f"{sets / 'ctl.css'}:2:15: control character U+001B (ESCAPE) in a template; {RULE}"
    )
    (sets / "ctl.css").write_text("p {}\n")
    (sets / "brief.html").write_text('{% extends "!base/brief.html" %}\n'
                                     '{% block head %}<meta name="x" content="{{ "\\x1b" }}">'
                                     "{% endblock %}\n")  # fmt: skip
    second = write_brief(name="second.yaml")  # a new brief: new template environments
    with pytest.raises(BuildError) as info:
        build(second, tmp_path / "out", ["html"], "ctl", templates=tmp_path / "sets")
    assert re.fullmatch(
        r"template: control character U\+001B \(ESCAPE\) at line \d+, column 25 of the page it "
        rf"writes, in '.*<meta name=\"x\" content=\"\\x1b\">.*'; {re.escape(RULE)}",
        str(info.value),
    ), str(info.value)


def test_unwritable_output_is_a_clean_error(write_brief, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "brief.html").mkdir(parents=True)  # a folder where the page should go
    with pytest.raises(BuildError) as info:
        build(write_brief(), out, formats=["html"])
    assert str(info.value) == f"{out / 'brief.html'}: cannot write: Is a directory"
    assert sorted(p.name for p in out.iterdir()) == ["brief.html"]
