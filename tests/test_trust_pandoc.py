"""What reaches Pandoc (issue 23, items 1, 2 and 8): styles cannot make it fetch or read,
every Pandoc runs under a memory ceiling, and what it cannot read is located in the user's
own file.

The hostile styles are in tests/hostile/styles, the bibliographies in tests/hostile/bib;
docs/security.md ("Pandoc") explains the policy each case checks. A local HTTP server
stands where an attacker's would, and must never be asked for anything.
"""

from __future__ import annotations

import http.server
import os
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from click.testing import CliRunner

from counterpoint import build
from counterpoint.brief import csl
from counterpoint.cite import server as citeserver
from counterpoint.cite.server import Citations
from counterpoint.cli.main import main
from counterpoint.errors import BuildError
from counterpoint.process import pandoc
from counterpoint.process.timelimit import time_limit

from .conftest import MINIMAL

HOSTILE = Path(__file__).parent / "hostile"
STYLES = HOSTILE / "styles"
BIB = HOSTILE / "bib"
SECRET = "SECRET-FROM-THE-SERVER"

REFUSED = (
    "is refused: name another style by its id among the installed styles "
    "(http://www.zotero.org/styles/ID) or as a .csl file beside the brief or in the template "
    "set (styles are never fetched, nor read from anywhere else)"
)
OVER = (
    "Pandoc went over its memory limit of {} MiB; stopped (raise it with "
    "--pandoc-memory-limit or COUNTERPOINT_PANDOC_MEMORY_LIMIT if this is meant)"
)


class _Attacker(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Attacker.seen.append(self.path)
        body = f'<?xml version="1.0"?><style>{SECRET}</style>'.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def port() -> Iterator[int]:
    """A server on 127.0.0.1 that serves anything asked of it, and counts what is asked."""
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Attacker)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _Attacker.seen = []
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def project(
    tmp_path: Path, port: int, write_brief: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> Callable[[str], Path]:
    """The hostile styles beside a brief (the attacker's port written in); the brief names
    one of them. Runs in that folder, so messages show the paths a user there would see."""
    for style in STYLES.glob("*.csl"):
        text = style.read_text(encoding="utf-8").replace("PORT", str(port))
        (tmp_path / style.name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    def brief(style: str) -> Path:
        return write_brief(MINIMAL + f"csl: {style}\n")

    return brief


def _validate(path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["validate", str(path.name)])
    return result.exit_code, result.output


# -- item 1: a style cannot make Pandoc fetch or read ------------------------------------
LINKED = {
    "parent-http.csl": "parent-http.csl:6:5: csl: the style's independent-parent link "
    "'http://127.0.0.1:{port}/parent.csl' " + REFUSED,
    "parent-http-layout.csl": "parent-http-layout.csl:6:5: csl: the style's independent-parent "
    "link 'http://127.0.0.1:{port}/parent.csl' " + REFUSED,
    "parent-https-styles.csl": "parent-https-styles.csl:6:5: csl: the style's independent-parent "
    "link 'https://127.0.0.1:{port}/styles/apa' " + REFUSED,
    "template-http.csl": "template-http.csl:6:5: csl: the style's template link "
    "'http://127.0.0.1:{port}/template.csl' " + REFUSED,
    "parent-prefixed.csl": "parent-prefixed.csl:5:3: csl: the style's independent-parent link "
    "'http://127.0.0.1:{port}/prefixed.csl' " + REFUSED,
    "parent-file-url.csl": "parent-file-url.csl:6:5: csl: the style's independent-parent link "
    "'file:///etc/passwd' " + REFUSED,
    "parent-absolute.csl": "parent-absolute.csl:6:5: csl: the style's independent-parent link "
    "'/etc/passwd' " + REFUSED,
    "parent-dev-zero.csl": "parent-dev-zero.csl:6:5: csl: the style's independent-parent link "
    "'/dev/zero' " + REFUSED,
    "parent-escape.csl": "parent-escape.csl:6:5: csl: the style's independent-parent link "
    "'../../../../../../etc/hosts.csl' " + REFUSED,
    "parent-missing.csl": "parent-missing.csl:6:5: csl: the style's independent-parent link "
    "names style 'no-such-style', which is not installed (a dependent style's parent must be "
    "one of the official independent styles)",
    "parent-self.csl": "parent-self.csl:6:5: csl: a parent style must be independent, and this "
    "one has an independent-parent link of its own",
    "parent-chain.csl": "parent-local.csl:6:5: csl: a parent style must be independent, and "
    "this one has an independent-parent link of its own",
    "doctype-file.csl": "doctype-file.csl:2:1: csl: a DOCTYPE is refused in a CSL style (its "
    "entities could read files, fetch or expand without end)",
    "billion-laughs.csl": "billion-laughs.csl:2:1: csl: a DOCTYPE is refused in a CSL style "
    "(its entities could read files, fetch or expand without end)",
    "not-xml.csl": "not-xml.csl:3:23: csl: not well-formed XML: mismatched tag",
}


BUILDS = {"base.csl", "parent-local.csl", "parent-installed.csl"}


def test_every_hostile_style_is_tried() -> None:
    tried = {*LINKED, *BUILDS, "macro-loop.csl"}
    assert sorted(p.name for p in STYLES.glob("*.csl")) == sorted(tried)


@pytest.mark.parametrize("style", sorted(LINKED))
def test_a_style_that_points_elsewhere_is_one_located_error(
    style: str, project: Callable[[str], Path], port: int
) -> None:
    """Each is refused at its link (or DOCTYPE) before Pandoc runs: one line, exit 1,
    nothing fetched, nothing read quoted. Before, Pandoc fetched the URL (twice a build)
    and printed what it got, or read /etc/passwd, or read /dev/zero until it was stopped."""
    brief = project(style)
    assert _validate(brief) == (1, LINKED[style].format(port=port) + "\n1 of 1 brief(s) invalid\n")
    with pytest.raises(Exception) as caught:
        build(brief, Path("out"), formats=["html"])
    assert str(caught.value) == LINKED[style].format(port=port)
    assert _Attacker.seen == []
    assert SECRET not in str(caught.value) and "root:" not in str(caught.value)


def test_a_set_style_that_points_elsewhere_is_located_in_the_set(
    project: Callable[[str], Path], tmp_path: Path, port: int
) -> None:
    sets = tmp_path / "sets"
    (sets / "house").mkdir(parents=True)
    (sets / "house" / "manifest.yaml").write_text(
        "name: house\nparent: analyst\naudience: house\ncsl: house.csl\n", encoding="utf-8"
    )
    shutil.copy(tmp_path / "parent-http-layout.csl", sets / "house" / "house.csl")
    brief = project("parent-http-layout.csl").with_name("plain.yaml")
    brief.write_text(MINIMAL, encoding="utf-8")
    result = CliRunner().invoke(main, ["build", brief.name, "-f", "html", "-a", "house",
                                       "-t", "sets"])  # fmt: skip
    line = LINKED["parent-http-layout.csl"].format(port=port)
    assert (result.exit_code, result.output) == (
        1,
        "sets/house/" + line.replace("parent-http-layout.csl", "house.csl", 1)
        + "\n1 of 1 brief(s) failed\n",
    )  # fmt: skip
    assert _Attacker.seen == []


def test_a_parent_is_an_installed_style_by_id_or_a_csl_file_beside_the_brief(
    project: Callable[[str], Path], tmp_path: Path
) -> None:
    """What is allowed still works: Pandoc gets the parent's rules, with no link left."""
    local = csl.find("parent-local.csl", [tmp_path])
    assert (local.path, local.in_text, local.default_locale) == (tmp_path / "base.csl", True,
                                                                 "en-GB")  # fmt: skip
    assert local.xml == (tmp_path / "base.csl").read_bytes()
    edited = (tmp_path / "base.csl").read_text().replace("base: ", "edited: ")
    (tmp_path / "base.csl").write_text(edited)  # a long-lived process (the preview) sees it
    assert b"edited: " in csl.find("parent-local.csl", [tmp_path]).xml
    (tmp_path / "base.csl").write_text(edited.replace("edited: ", "base: "))
    (html,) = build(project("parent-local.csl"), Path("out"), formats=["html"])
    assert "(base: Rivers, Treaties and Trade on a Long Border)" in html.path.read_text()
    installed = csl.find("parent-installed.csl", [tmp_path])
    assert installed.xml == csl.find("apa", []).xml and installed.title == "Hostile"
    # a template link to an installed style is allowed, and not handed to Pandoc
    template = (
        (tmp_path / "template-http.csl")
        .read_text()
        .replace("http://127.0.0.1", "http://www.zotero.org/styles/apa#")
    )
    (tmp_path / "ok-template.csl").write_text(
        template.replace(template[template.index("http://www") : template.index('" rel')],
                         "http://www.zotero.org/styles/apa"),
        encoding="utf-8",
    )  # fmt: skip
    kept = csl.find("ok-template.csl", [tmp_path])
    assert b"<link" not in kept.xml and b'<text variable="title"' in kept.xml
    (tmp_path / "gone.csl").write_text(
        (tmp_path / "ok-template.csl").read_text().replace("styles/apa", "styles/gone")
    )
    with pytest.raises(csl.StyleError) as caught:
        csl.find("gone.csl", [tmp_path])
    assert str(caught.value) == (
        "the style's template link names style 'gone', which is not installed (remove the "
        "link, which counterpoint does not use, or name one that is)"
    )
    assert _Attacker.seen == []


def test_a_style_file_must_be_a_regular_file_inside_the_folder(
    project: Callable[[str], Path], tmp_path: Path
) -> None:
    """Links out of the folder, FIFOs and devices are refused, at the brief's `csl:`; a
    parent that is a link out of the folder, at the style's link."""
    outside = tmp_path.parent / f"{tmp_path.name}-outside.csl"
    shutil.copy(STYLES / "base.csl", outside)
    (tmp_path / "away.csl").symlink_to(outside)
    os.mkfifo(tmp_path / "fifo.csl")
    (tmp_path / "zero.csl").symlink_to("/dev/zero")
    (tmp_path / "big.csl").write_bytes(b" " * (2 * 1024 * 1024 + 1))
    at = "brief.yaml:18:6: csl: "
    inside = "name a .csl file inside the brief's folder or the template set"
    expected = {
        "away.csl": f"{at}'away.csl' is a link that leads outside its folder; {inside}",
        "zero.csl": f"{at}'zero.csl' is a link that leads outside its folder; {inside}",
        "fifo.csl": f"{at}'fifo.csl' is not a regular file, so not a CSL style",
        "big.csl": f"{at}'big.csl' is over 2,097,152 bytes",
        "/etc/passwd.csl": f"{at}'/etc/passwd.csl': {inside}",
        "file:///etc/x.csl": f"{at}'file:///etc/x.csl': {inside}",
    }
    for name, line in expected.items():
        assert _validate(project(name)) == (1, line + "\n1 of 1 brief(s) invalid\n"), name
    (tmp_path / "parent-away.csl").write_text(
        (tmp_path / "parent-local.csl").read_text().replace("base.csl", "away.csl")
    )
    assert _validate(project("parent-away.csl")) == (
        1,
        f"parent-away.csl:6:5: csl: the style's independent-parent link 'away.csl' {REFUSED}"
        "\n1 of 1 brief(s) invalid\n",
    )


def test_a_locale_is_a_language_tag_never_a_file(
    write_brief: Callable[..., Path], port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pandoc takes the locale from the ones built into it: no locale file is read."""
    monkeypatch.chdir(write_brief().parent)
    for locale in (f"http://127.0.0.1:{port}/locales-en-US.xml", "../../etc/passwd"):
        code, output = _validate(write_brief(MINIMAL + f"locale: '{locale}'\n"))
        assert code == 1 and output.startswith("brief.yaml:18:9: locale: "), output
        assert "BCP 47" in output
    assert _Attacker.seen == []


def test_pandoc_is_handed_only_files_of_its_own_run(tmp_path: Path) -> None:
    """A style or bibliography given as a path or URL is refused before Pandoc starts."""
    for args in (
        ["--csl", "http://127.0.0.1:1/x.csl", "{text.md}"],
        ["--csl=/etc/passwd", "{text.md}"],
        ["--bibliography", "/etc/passwd", "{text.md}"],
        ["--csl", "{style.csl}", "/etc/passwd"],
    ):
        with pytest.raises(BuildError, match="refusing to hand Pandoc"):
            pandoc.Background(["-f", "markdown", *args], [("text.md", b"x")], "test")


# -- item 2: a memory ceiling on every Pandoc ----------------------------------------------
@pytest.fixture
def citations() -> Iterator[Citations]:
    """A server for the test's jobs (Citations.active), stopped after it."""
    mine = Citations()
    with mine.active():
        yield mine
    mine.close()


@pytest.fixture
def ceiling(monkeypatch: pytest.MonkeyPatch, citations: Citations) -> Callable[[int], None]:
    """Set the Pandoc ceiling for one test (restored after, the server with it)."""

    def set_to(mib: int) -> None:
        monkeypatch.setenv(pandoc.MEMORY_ENVIRONMENT, str(mib))

    return set_to


def test_the_long_lived_pandoc_runs_under_the_ceiling(
    ceiling: Callable[[int], None], citations: Citations
) -> None:
    ceiling(300)
    citations.start()
    server = citations.running
    assert server is not None
    pid = server.process.pid
    for _ in range(500):  # the shell sets the limit, then becomes Pandoc
        if Path(f"/proc/{pid}/exe").resolve() == Path(pandoc.binary()).resolve():
            break
        time.sleep(0.01)
    limits = Path(f"/proc/{pid}/limits").read_text()
    space = next(line for line in limits.splitlines() if line.startswith("Max address space"))
    assert space.split()[3:5] == [str((300 + 75 + 512) << 20)] * 2
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    assert b"GHCRTS=-M300m -K75m -xr375m" in environ


def test_a_style_whose_macro_calls_itself_stops_at_the_ceiling(
    project: Callable[[str], Path], ceiling: Callable[[int], None]
) -> None:
    """A 311-byte style took 3 GB in 15 s and kept growing; now one line names the style,
    and the warm server that blew up is replaced for the next brief."""
    ceiling(1024)
    started = time.monotonic()
    result = CliRunner().invoke(main, ["build", project("macro-loop.csl").name, "-f", "html",
                                       "--pandoc-memory-limit", "200"])  # fmt: skip
    assert (result.exit_code, result.output) == (
        1,
        "macro-loop.csl: " + OVER.format(200) + "\n1 of 1 brief(s) failed\n",
    )
    assert time.monotonic() - started < 60
    (html,) = build(project("base.csl"), Path("out"), formats=["html"])
    assert "(base: " in html.path.read_text()


def test_the_server_recovers_after_a_request_over_the_ceiling(
    ceiling: Callable[[int], None],
) -> None:
    ceiling(200)
    loop = (STYLES / "macro-loop.csl").read_bytes()
    text, refs = b"[@a]\n", b'[{"id": "a", "type": "book", "title": "T"}]'
    job = citeserver.Job(text, refs, loop, "en-US", False, "macro-loop.csl")
    blown = job.server
    assert blown is not None
    with pytest.raises(pandoc.OverLimit) as caught:
        job.result()
    assert str(caught.value) == "macro-loop.csl: " + OVER.format(200)
    assert not blown.alive()
    after = citeserver.Job(text, refs, csl.default().xml, "en-US", False, "chicago")
    assert after.server is not None and after.server is not blown
    assert b"T" in after.result().stdout


def test_the_build_time_limit_stops_pandoc_too(ceiling: Callable[[int], None]) -> None:
    """A build stopped by --time-limit leaves no Pandoc working on (the server or a run of
    its own). The ceiling is high enough that the style cannot blow it within the limit."""
    ceiling(4096)
    loop = (STYLES / "macro-loop.csl").read_bytes()
    text, refs = b"[@a]\n", b'[{"id": "a", "type": "book", "title": "T"}]'
    job = citeserver.Job(text, refs, loop, "en-US", False, "macro-loop.csl")
    assert job.server is not None
    with pytest.raises(BuildError, match=r"^x\.yaml: stopped after 1 s"), time_limit(1, "x.yaml"):
        job.result()
    assert job.server.process.returncode == -signal.SIGKILL  # stopped, not blown up
    files = [("refs.json", refs), ("text.md", text), ("style.csl", loop)]
    args = [*citeserver.options("en-US", False), "--bibliography", "{refs.json}"]
    run = pandoc.Background([*args, "--csl", "{style.csl}", "{text.md}"], files, "x")
    with pytest.raises(BuildError, match=r"^x\.yaml: stopped after 1 s"), time_limit(1, "x.yaml"):
        run.result()
    assert run.process.poll() is not None


def test_the_time_limit_of_a_rebuild_thread_stops_pandoc_too(
    ceiling: Callable[[int], None], citations: Citations
) -> None:
    """The preview rebuilds in a thread of its own, where the time limit arrives only
    between two Python steps: a wait for Pandoc is one step at a time, so it arrives.
    The ceiling is high enough that the style cannot blow it within the 1 s limit (at 1,024
    MiB an idle machine's Pandoc reached it in about 1 s, racing the limit)."""
    ceiling(4096)
    loop = (STYLES / "macro-loop.csl").read_bytes()
    text, refs = b"[@a]\n", b'[{"id": "a", "type": "book", "title": "T"}]'
    seen: dict[str, object] = {}

    def rebuild() -> None:  # (a thread of its own: the session is given, not active)
        job = citeserver.Job(text, refs, loop, "en-US", False, "macro-loop.csl", citations)
        seen["server"] = job.server
        try:
            with time_limit(1, "x.yaml"):
                job.result()
        except BuildError as exc:
            seen["error"] = str(exc)

    thread = threading.Thread(target=rebuild)
    thread.start()
    thread.join(120)
    assert str(seen["error"]).startswith("x.yaml: stopped after 1 s, the build time limit")
    server = seen["server"]
    assert isinstance(server, citeserver.Server)
    assert server.process.returncode == -signal.SIGKILL  # stopped, not blown up


def _bib_brief(write_brief: Callable[..., Path], bib: str) -> Path:
    return write_brief(MINIMAL.replace("[sources.yaml]", f"[sources.yaml, {bib}]"))


def test_nested_strings_in_a_bib_stop_at_the_ceiling_under_validate(
    write_brief: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    ceiling: Callable[[int], None],
) -> None:  # fmt: skip
    """758 bytes of @string definitions, each twice the one before, took 3 GB in 6 s."""
    ceiling(200)
    monkeypatch.chdir(tmp_path)
    shutil.copy(BIB / "nested-strings.bib", tmp_path)
    code, output = _validate(_bib_brief(write_brief, "nested-strings.bib"))
    assert (code, output) == (
        1, "nested-strings.bib: " + OVER.format(200) + "\n1 of 1 brief(s) invalid\n"
    )  # fmt: skip


@pytest.mark.parametrize("bib", ["crossref-loop.bib", "xdata-loop.bib"])
def test_entries_that_inherit_in_a_loop_stop_at_the_ceiling(
    bib: str, write_brief: Callable[..., Path], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, ceiling: Callable[[int], None],
) -> None:  # fmt: skip
    """Two entries that crossref (or xdata) each other: Pandoc's reading never ends."""
    ceiling(100)
    monkeypatch.chdir(tmp_path)
    shutil.copy(BIB / bib, tmp_path)
    assert _validate(_bib_brief(write_brief, bib)) == (
        1, f"{bib}: " + OVER.format(100) + "\n1 of 1 brief(s) invalid\n"
    )  # fmt: skip


def test_a_large_bib_stops_at_the_ceiling_naming_the_file(
    write_brief: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    ceiling: Callable[[int], None],
) -> None:  # fmt: skip
    """4.9 MB, 80,000 short entries: Pandoc's reading peaked at 2.9 GB for 33 s. Under a
    ceiling it stops, naming the file, not a line of it. A quarter of that file (20,000
    entries, 1.2 MB, about 700 MB to read) is seven times over a ceiling of 100 MiB, under
    which the same brief with five of its entries validates: the size stopped it."""
    ceiling(100)
    monkeypatch.chdir(tmp_path)
    entry = "@book{{k{0:06d}, author = {{S{0}, G}}, title = {{T{0}}}, year = 1}}\n"
    (tmp_path / "big.bib").write_text("".join(map(entry.format, range(5))), "utf-8")
    brief = _bib_brief(write_brief, "big.bib")
    assert _validate(brief)[0] == 0
    (tmp_path / "big.bib").write_text("".join(map(entry.format, range(20_000))), "utf-8")
    assert (tmp_path / "big.bib").stat().st_size > 1_200_000
    code, output = _validate(brief)
    assert (code, output) == (1, "big.bib: " + OVER.format(100) + "\n1 of 1 brief(s) invalid\n")


# -- item 8: what Pandoc cannot read, located in the user's file -------------------------
def test_a_bib_entry_left_open_is_located_at_the_entry(
    write_brief: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pandoc reads on into the blank lines it adds: it said line 3 of a one-line file."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(BIB / "unclosed.bib", tmp_path)
    assert _validate(_bib_brief(write_brief, "unclosed.bib")) == (
        1,
        "unclosed.bib:1:1: BibTeX syntax error: unexpected end of input (an entry or a brace "
        "is left open)\n1 of 1 brief(s) invalid\n",
    )


def test_a_bib_problem_found_after_conversion_is_located_at_its_entry(
    write_brief: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A control character Pandoc passes on was reported at a line of its JSON (line 17,
    say, of a two-line file)."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(BIB / "control-character.bib", tmp_path)
    assert _validate(_bib_brief(write_brief, "control-character.bib")) == (
        1,
        "control-character.bib:2:7: control character U+0007 is not allowed in text; remove "
        "it\n1 of 1 brief(s) invalid\n",
    )
    shutil.copy(BIB / "one-line.bib", tmp_path)  # the entry after another on its line
    assert _validate(_bib_brief(write_brief, "one-line.bib")) == (
        1,
        "one-line.bib:1:50: control character U+0007 is not allowed in text; remove it"
        "\n1 of 1 brief(s) invalid\n",
    )


def test_a_record_pandoc_cannot_read_is_located_at_the_record(
    write_brief: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not at a temporary refs.json: the record's own file, line and column."""
    monkeypatch.chdir(tmp_path)
    for name in ("year-too-large.yaml", "not-a-string.yaml", "month-too-large.yaml"):
        shutil.copy(BIB / name, tmp_path)

    def build_citing(bib: str, key: str) -> tuple[int, str]:
        text = MINIMAL.replace("[sources.yaml]", f"[sources.yaml, {bib}]")
        brief = write_brief(text.replace("[@lin-2024, p. 4]", f"[@lin-2024, p. 4; @{key}]"))
        result = CliRunner().invoke(main, ["build", brief.name, "-f", "html"])
        return result.exit_code, result.output

    assert build_citing("not-a-string.yaml", "volume") == (
        1,
        "not-a-string.yaml:6:5: Pandoc's citeproc cannot read this record: expected String or "
        "Number, but encountered Object\n1 of 1 brief(s) failed\n",
    )
    assert _validate(
        write_brief(MINIMAL.replace("[sources.yaml]", "[sources.yaml, month-too-large.yaml]"))
    ) == (
        1,
        "month-too-large.yaml:5:26: references[0].issued.date-parts: is not a real date"
        "\n1 of 1 brief(s) invalid\n",
    )  # was a traceback (OverflowError)
    code, output = build_citing("year-too-large.yaml", "huge")
    lines = output.splitlines()
    assert code == 1 and len(lines) == 2, output
    assert lines[0].startswith("year-too-large.yaml:") and "refs.json" not in output


def test_the_word_edition_s_pandoc_runs_under_the_ceiling(
    write_brief: Callable[..., Path],
    ceiling: Callable[[int], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The docx writer is a Pandoc run too: past the ceiling it is one line, exit 1, not a
    process that grows until the machine runs out."""
    path = write_brief()
    monkeypatch.chdir(path.parent)
    ceiling(1024)
    build(path, Path("out"), formats=["html"])  # the notes are cached: only the docx runs
    result = CliRunner().invoke(
        main, ["build", path.name, "-f", "docx", "--pandoc-memory-limit", "30"]
    )
    assert (result.exit_code, result.output) == (
        1,
        "brief (analyst): docx: " + OVER.format(30) + "\n1 of 1 brief(s) failed\n",
    )
