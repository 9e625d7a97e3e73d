"""The warm citation server (cite/server.py): what it formats is what `pandoc --citeproc`
writes for the same input, byte for byte in the blocks counterpoint reads; when it cannot
serve, builds still work and errors are the command line's own."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from counterpoint import BuildError, build
from counterpoint.brief import csl
from counterpoint.cite import server as citeserver
from counterpoint.cite.server import Citations
from counterpoint.pipeline.session import Session
from counterpoint.process import pandoc

from .conftest import need
from .oracle import command_line, csl_json, records_of

CORPUS = Path(__file__).parent / "citations" / "corpus.yaml"
ITEMS = csl_json(records_of(CORPUS))
KEYS = [str(item["id"]) for item in ITEMS]

TEXT = "\n\n".join(
    [
        f"[@{{{KEYS[0]}}}, 12]",
        f"[@{{{KEYS[0]}}}, pp. 14-15]",  # ibid with a locator
        f"[see @{{{KEYS[1]}}}, chap. 2; @{{{KEYS[2]}}}]",
        f"@{{{KEYS[3]}}} [para. 4]",  # narrative
        f"[-@{{{KEYS[4]}}}, sec. 3]",
        f"[@{{{KEYS[1]}}}]",  # subsequent
        *(f"[@{{{k}}}]" for k in KEYS[5:]),
    ]
).encode("utf-8")
REFS = json.dumps(ITEMS, ensure_ascii=False).encode("utf-8")


@pytest.fixture(scope="module")
def warm() -> Iterator[Citations]:
    """One server for the module's tests that only send it requests."""
    mine = Citations()
    yield mine
    mine.close()


@pytest.fixture(autouse=True)
def citations(warm: Citations) -> Iterator[Citations]:
    """Each test's jobs are formatted by the module's server (`own`: by one of its own)."""
    with warm.active():
        yield warm


@pytest.fixture
def own() -> Iterator[Citations]:
    """A server of the test's own, which it leaves stopped: for a test that stops its server
    or names another Pandoc, whose Citations then remember that no server can run."""
    mine = Citations()
    with mine.active():  # (inside `citations`, which is autouse: set up first)
        yield mine
    mine.close()


def _command_line(style: bytes, lang: str, link: bool) -> tuple[list, list[str]]:
    """The oracle: one `pandoc` run with the same options, input from files."""
    return command_line(TEXT, REFS, style, lang, link)


@pytest.mark.parametrize(
    ("name", "lang", "link"),
    [
        ("chicago-notes-bibliography", "en-US", False),
        ("apa", "en-US", True),
        ("chicago-notes-bibliography", "ru-RU", False),
        ("oscola", "en-GB", False),
    ],
)
def test_the_server_formats_as_the_command_line_does(name: str, lang: str, link: bool) -> None:
    style = csl.find(name, []).xml
    job = citeserver.Job(TEXT, REFS, style, lang, link, "test")
    assert job.server is not None  # the server, not the fallback, did this
    ran = job.result()
    blocks, warnings = _command_line(style, lang, link)
    assert json.loads(ran.stdout)["blocks"] == blocks
    assert ran.warnings == warnings


def test_answers_read_in_any_order_go_to_their_requests() -> None:
    style = csl.default().xml
    first = citeserver.Job(b"[@{%s}]\n" % KEYS[0].encode(), REFS, style, "en-US", False, "a")
    second = citeserver.Job(b"[@{%s}]\n" % KEYS[1].encode(), REFS, style, "de-DE", False, "b")
    later, earlier = second.result(), first.result()
    assert b"Oxford" in earlier.stdout and KEYS[0] not in later.stdout.decode()
    assert first.server is second.server  # one warm process served both


def _fake_pandoc(tmp_path: Path, lua: str) -> str:
    """A Pandoc whose `pandoc lua` does `lua` (a shell command); every other run is real."""
    script = tmp_path / "pandoc"
    log = tmp_path / "runs.log"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$1" >> "{log}"\n'
        f'if [ "$1" = lua ]; then {lua}; fi\n'
        f'exec "{pandoc.binary()}" "$@"\n',
        encoding="utf-8",
    )
    script.chmod(0o755)
    return str(script)


def _use_pandoc(monkeypatch: pytest.MonkeyPatch, binary: str) -> None:
    monkeypatch.setenv(pandoc.ENVIRONMENT, binary)
    pandoc.binary.cache_clear()
    pandoc.identity.cache_clear()


@pytest.fixture
def restore_binary(own: Citations) -> Iterator[None]:
    """After a test that names another Pandoc: the real one again (torn down before
    `monkeypatch` restores the environment, so the caches are only cleared here)."""
    yield
    own.close()
    pandoc.binary.cache_clear()
    pandoc.identity.cache_clear()


def test_a_pandoc_without_lua_still_formats_every_citation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, restore_binary: None, own: Citations
) -> None:
    style = csl.default().xml
    blocks, warnings = _command_line(style, "en-US", False)
    fake = _fake_pandoc(tmp_path, 'echo "Unknown option lua" >&2; exit 2')
    _use_pandoc(monkeypatch, fake)
    for _ in range(2):
        job = citeserver.Job(TEXT, REFS, style, "en-US", False, "test")
        ran = job.result()
        assert job.citations is own and job.server is None  # own's, and it could not serve
        assert json.loads(ran.stdout)["blocks"] == blocks
        assert ran.warnings == warnings
    runs = (tmp_path / "runs.log").read_text().split()
    assert runs.count("lua") == 1  # tried once; the second request went straight to pandoc


def test_a_server_that_hangs_is_stopped_at_the_time_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, restore_binary: None
) -> None:
    _use_pandoc(monkeypatch, _fake_pandoc(tmp_path, "exec sleep 60"))
    monkeypatch.setattr(citeserver, "PANDOC_TIMEOUT", 1.0)
    job = citeserver.Job(TEXT, REFS, csl.default().xml, "en-US", False, "style 'x'")
    server = job.server
    assert server is not None
    started = time.monotonic()
    with pytest.raises(BuildError) as caught:
        job.result()
    assert str(caught.value) == "style 'x': Pandoc took over 1 s; stopped"
    assert time.monotonic() - started < 10
    assert server.process.poll() is not None  # killed, not left behind


def test_a_style_pandoc_rejects_gives_the_command_lines_message() -> None:
    broken = (
        b'<style xmlns="http://purl.org/net/xbiblio/csl" class="note" version="1.0">'
        b"<citation><layout><text variable='title'></layout></citation></style>"
    )
    job = citeserver.Job(TEXT, REFS, broken, "en-US", False, "style 'broken'")
    with pytest.raises(pandoc.PandocError) as served:
        job.result()
    with pytest.raises(pandoc.PandocError) as direct:
        _command_line(broken, "en-US", False)
    assert str(served.value).removeprefix("style 'broken'") == str(direct.value).removeprefix(
        "oracle"
    )
    assert "Pandoc failed" in str(served.value)
    # the server is still there for the next request, and formats it as the command line does
    style = csl.default().xml
    again = citeserver.Job(TEXT, REFS, style, "en-US", False, "x")
    assert again.server is not None and again.server is job.server
    ran = again.result()
    assert (json.loads(ran.stdout)["blocks"], ran.warnings) == _command_line(style, "en-US", False)


def _child_formats(queue: multiprocessing.Queue) -> None:
    job = citeserver.Job(TEXT, REFS, csl.default().xml, "en-US", False, "child")
    blocks = json.loads(job.result().stdout)["blocks"]
    queue.put((job.server is not None and job.server.pid == os.getpid(), blocks))


def test_a_forked_process_runs_its_own_server(citations: Citations) -> None:
    citations.start()
    parent = citations.running
    assert parent is not None
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_child_formats, args=(queue,))
    child.start()
    own, blocks = queue.get(timeout=60)
    child.join(60)
    assert own, "the child used its parent's server"
    mine = citeserver.Job(TEXT, REFS, csl.default().xml, "en-US", False, "parent")
    assert mine.server is parent and json.loads(mine.result().stdout)["blocks"] == blocks


def _processes_with(marker: str) -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if marker.encode() in (proc / "environ").read_bytes():
                found.append((proc / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except OSError:
            continue
    return found


def test_the_command_line_leaves_no_pandoc_running(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    need(Path("/proc").is_dir(), "/proc (Linux), to list processes")
    marker = f"counterpoint-test-{os.getpid()}-{time.monotonic_ns()}"
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / marker)}
    command = Path(sys.executable).with_name("counterpoint")
    for extra in ([], ["--force"]):  # with the citations formatted, then from the cache
        done = subprocess.run(
            [str(command), "build", str(write_brief()), "-f", "html", "-o", str(tmp_path / "o"),
             *extra],
            env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "wrote" in done.stdout
    deadline = time.monotonic() + 5
    while _processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _processes_with(marker) == []


def test_builds_in_one_process_share_one_server(
    write_brief: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # no notes cached yet
    path = write_brief()
    with Session() as session:
        build(path, tmp_path / "a", formats=["html"], force=True, session=session)
        first = session.citations.running
        assert first is not None and first.read == 1
        text = path.read_text(encoding="utf-8").replace("para. 6]", "para. 7]")
        path.write_text(text, encoding="utf-8")  # new citations: formatted again
        (html,) = build(path, tmp_path / "b", formats=["html"], force=True, session=session)
        assert "para. 7" in html.path.read_text(encoding="utf-8")
        assert session.citations.running is first and first.read == 2
    assert not first.alive()  # closing the session stopped it


PIECES = [
    "p. 4", "pp. 4-7", "chap. 2", "sec. 3", "para. 5", "n. 12", "vol. 2", "§ 3", "art. 3",
    "ff.", "Mr.", "e.g.", "i.e.", "cf.", "etc.", "see", "and", "--", "---", "...", "1--2",
    '"quoted"', "'single'", "*emph*", "**strong**", "`code`", "$x$", "~sub~", "^sup^",
    "https://example.org/a?b=c", "<b>raw</b>", "\\*", "&", "[x](http://x.org)", "Ibid.",
    "с. 45", "第3章", "ص. 7", "l'État", "{Alps}", "2", "14-15", ",", ";", ":",
]  # fmt: skip


# each example is one Pandoc run of the command line and one request to the server, their
# cost nearly all in starting the run: fewer examples of more citations each try as many
# pieces around keys as 25 of one to four did, in longer documents
@settings(max_examples=12, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from(PIECES), max_size=3).map(" ".join),
            st.sampled_from(KEYS),
            st.lists(st.sampled_from(PIECES), max_size=3).map(" ".join),
            st.booleans(),
        ),
        min_size=1,
        max_size=10,
    ),
    st.sampled_from(["chicago-notes-bibliography", "apa", "oscola"]),
    st.sampled_from(["en-US", "ru-RU", "de-DE", "fr-FR", "ar", "zh-CN"]),
)
def test_any_citation_text_reads_as_on_the_command_line(
    citations: list[tuple[str, str, str, bool]], name: str, lang: str
) -> None:
    """Whatever a writer puts around a key (locators, abbreviations, quotes, dashes, markup,
    other scripts), in any style and locale, the server's document is the command line's."""
    paragraphs = []
    for prefix, key, suffix, narrative in citations:
        if narrative:
            paragraphs.append(f"@{{{key}}} [{suffix}]" if suffix else f"@{{{key}}}")
        else:
            paragraphs.append(f"[{prefix} @{{{key}}}, {suffix}]")
    text = ("\n\n".join(paragraphs) + "\n").encode("utf-8")
    style = csl.find(name, []).xml
    link = name == "apa"
    ran = citeserver.Job(text, REFS, style, lang, link, "fuzz").result()
    blocks, warnings = command_line(text, REFS, style, lang, link)
    assert json.loads(ran.stdout)["blocks"] == blocks, text
    assert ran.warnings == warnings
