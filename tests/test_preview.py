"""`counterpoint preview`: saves show in the open page (real Chromium), located errors over
the last good rendering, the PDF in the background, a server that answers only its own
Host and names, and a clean stop on Ctrl-C."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from counterpoint.brief.validate import validate
from counterpoint.errors import InvalidInput
from counterpoint.preview.app import Preview

from .conftest import MINIMAL

EDITED = MINIMAL.replace("summary: It is settled", "summary: Freshly edited and settled")


@pytest.fixture
def start(write_brief: Callable[..., Path]) -> Iterator[Callable[..., Preview]]:
    """start(**options) writes the minimal brief and previews it; stopped afterwards."""
    started: list[Preview] = []

    def make(brief: Path | None = None, **options: object) -> Preview:
        options.setdefault("pdf", False)
        preview = Preview(brief or write_brief(), **options).start()  # type: ignore[arg-type]
        started.append(preview)
        return preview

    yield make
    for preview in started:
        preview.stop()


def save(path: Path, text: str) -> None:
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def get(preview: Preview, path: str, host: str | None = None) -> http.client.HTTPResponse:
    """A request sent as written (no normalising of the path), with the Host given."""
    conn = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=10)
    conn.putrequest("GET", path, skip_host=True)
    conn.putheader("Host", host or f"127.0.0.1:{preview.port}")
    conn.endheaders()
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


@pytest.mark.browser
def test_a_saved_brief_shows_in_the_open_page_without_a_reload(browser, start, tmp_path) -> None:
    preview = start()
    page = browser.new_page(viewport={"width": 900, "height": 300})
    page.goto(preview.url)
    page.wait_for_function("() => window.counterpointPreview !== undefined")
    assert "Freshly edited" not in page.inner_text("body")
    page.evaluate("() => { window.before = 'kept'; window.scrollTo(0, 250); }")
    assert page.evaluate("() => window.scrollY") == 250

    save(tmp_path / "brief.yaml", EDITED)
    page.wait_for_function(
        "() => document.body.textContent.includes('Freshly edited')", timeout=20_000
    )
    assert page.evaluate("() => window.before") == "kept"  # the same document: no navigation
    assert page.evaluate("() => window.scrollY") == 250
    assert page.locator("h1").first.inner_text() == "Test brief"
    page.close()


@pytest.mark.browser
def test_a_template_edit_shows(browser, start, write_brief, tmp_path) -> None:
    mine = tmp_path / "templates" / "mine"
    mine.mkdir(parents=True)
    (mine / "manifest.yaml").write_text(
        "name: mine\ndescription: test set\nparent: analyst\naudience: mine\n", encoding="utf-8"
    )
    template = mine / "brief.html"
    wrap = '{{% extends "!base/brief.html" %}}{{% block body %}}<p id="stamp">{}</p>'
    template.write_text(wrap.format("stamp one") + "{{ super() }}{% endblock %}")
    preview = start(write_brief(), audience="mine")
    page = browser.new_page()
    page.goto(preview.url)
    assert page.locator("#stamp").inner_text() == "stamp one"
    page.evaluate("() => { window.before = 'kept'; }")

    template.write_text(wrap.format("stamp two") + "{{ super() }}{% endblock %}")
    page.wait_for_function(
        "() => document.querySelector('#stamp').textContent === 'stamp two'", timeout=20_000
    )
    assert page.evaluate("() => window.before") == "kept"
    page.close()


@pytest.mark.browser
def test_broken_yaml_shows_the_located_message_and_a_fix_removes_it(
    browser, start, tmp_path
) -> None:
    preview = start()
    brief = tmp_path / "brief.yaml"
    page = browser.new_page()
    page.goto(preview.url)
    overlay = page.locator(".overlay")
    assert overlay.is_hidden()

    save(brief, MINIMAL.replace("question: Is it settled?", "question: [Is it settled?"))
    with pytest.raises(InvalidInput) as error:
        validate(brief)
    expected = str(error.value)  # exactly what the command line prints
    assert ":" in expected.split(" ")[0]  # file:line:col
    overlay.wait_for(state="visible", timeout=20_000)
    assert page.locator("pre.cp-errors").text_content() == expected
    assert page.locator("h1").first.inner_text() == "Test brief"  # the last good one, under it

    save(brief, EDITED)
    overlay.wait_for(state="hidden", timeout=20_000)
    assert "Freshly edited" in page.inner_text("body")
    page.close()


@pytest.mark.browser
def test_the_page_keeps_its_policy_and_runs_only_the_preview_script(browser, start) -> None:
    preview = start()
    page = browser.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security" in m.text else 0)
    response = page.goto(preview.url)
    header = response.headers["content-security-policy"]
    meta = page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
    assert header == meta
    nonce = page.locator("script").evaluate("s => s.nonce")  # the attribute is hidden
    built = preview.page_html.decode("utf-8")  # the page as built, before the server adds to it
    policy = built.split('http-equiv="Content-Security-Policy" content="')[1].split('"')[0]
    policy = policy.replace("&#x27;", "'")
    assert header == f"{policy}; script-src 'nonce-{nonce}'; connect-src 'self'"
    page.wait_for_function("() => window.counterpointPreview !== undefined")
    # a script without the nonce is refused
    page.evaluate("() => { const s = document.createElement('script');"
                  " s.textContent = 'window.injected = 1'; document.body.append(s); }")  # fmt: skip
    assert page.evaluate("() => window.injected") is None
    assert violations  # the refusal was reported
    assert get(preview, "/").getheader("Content-Security-Policy") != header  # a new nonce
    page.close()


def test_a_foreign_host_is_refused(start) -> None:
    preview = start()
    assert get(preview, "/").status == 200
    assert get(preview, "/", f"localhost:{preview.port}").status == 200
    for host in ("evil.example", f"evil.example:{preview.port}", "127.0.0.1", "localhost:1"):
        assert get(preview, "/", host).status == 403, host
        assert get(preview, "/brief.html", host).status == 403, host
        assert get(preview, "/events", host).status == 403, host


def test_only_the_outputs_are_served(start) -> None:
    preview = start()
    assert get(preview, "/brief.html").status == 200
    for path in (
        "/../etc/passwd", "/%2e%2e/etc/passwd", "/%2e%2e%2fetc%2fpasswd", "/etc/passwd",
        "//etc/passwd", "/brief.yaml", "/sources.yaml", "/./brief.html", "/brief.html/",
        "/%62rief.yaml", "/..%2fbrief.yaml", "/brief.pdf",  # --no-pdf here
    ):  # fmt: skip
        assert get(preview, path).status == 404, path


@pytest.mark.pdf
@pytest.mark.slow
def test_the_pdf_is_rebuilt_after_a_change_and_served(start, tmp_path) -> None:
    lines: list[str] = []
    preview = start(pdf=True, log=lines.append)
    first = preview.wait_for(lambda s: s.pdf == "ready", 120)
    assert get(preview, "/brief.pdf").status == 200

    save(tmp_path / "brief.yaml", EDITED)
    edited = preview.wait_for(lambda s: (s.page or 0) > (first.page or 0))
    # a second save while that PDF is being built: its build is cancelled, the newest wins
    seen = preview.wait_for(lambda s: s.pdf == "building" or s.pdf_version == edited.page, 120)
    save(tmp_path / "brief.yaml", EDITED.replace("Freshly", "Newly"))
    newest = preview.wait_for(lambda s: (s.page or 0) > (edited.page or 0))
    done = preview.wait_for(lambda s: s.pdf == "ready" and s.pdf_version == s.page, 120)
    assert done.pdf_version == newest.page
    built = sum(line.startswith("updated brief.pdf") for line in lines)
    assert built == (2 if seen.pdf == "building" else 3)  # the stale one was never served

    conn = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=10)
    conn.request("GET", "/brief.pdf")
    response = conn.getresponse()
    data = response.read()
    assert response.status == 200
    assert response.getheader("Content-Type") == "application/pdf"
    assert response.getheader("ETag") == f'"{newest.page}"'
    assert data.startswith(b"%PDF")

    conn.request("GET", "/brief.docx")  # the Word edition, built with the PDF
    response = conn.getresponse()
    word = response.read()
    assert response.status == 200 and word.startswith(b"PK")
    assert response.getheader("Content-Disposition") == "attachment; filename*=UTF-8''brief.docx"
    assert b"Newly" in __import__("zipfile").ZipFile(__import__("io").BytesIO(word)).read(
        "word/document.xml"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def descendants(pid: int) -> set[int]:
    """Every process below `pid` (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie runs nothing


def left_behind(seen: set[int], brief: Path) -> list[int]:
    """Processes still running that were seen below the command, or that name its brief
    (a PDF worker and its layout process carry the brief's path in their arguments)."""
    left = [p for p in seen if _running(p)]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                arguments = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if str(brief).encode() in arguments and _running(int(entry.name)):
                left.append(int(entry.name))
    return left


@pytest.mark.slow
def test_ctrl_c_stops_the_command_and_everything_it_started(write_brief) -> None:
    brief = write_brief()
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "counterpoint", "preview", str(brief), "--no-open",
         "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        while line and "previewing" not in line:
            line = process.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in line
        deadline = time.monotonic() + 30
        while not descendants(process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        workers = descendants(process.pid)
        assert workers  # the PDF workers are running

        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=10)
        assert code in (0, 130)
        assert "stopping" in process.stdout.read()
        deadline = time.monotonic() + 5
        while left_behind(workers, brief) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not left_behind(workers, brief)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_preview_has_help_with_an_example() -> None:
    from click.testing import CliRunner

    from counterpoint.cli.main import main

    result = CliRunner().invoke(main, ["preview", "--help"])
    assert result.exit_code == 0
    assert "counterpoint preview briefs/russian-far-east.yaml" in result.output
    for option in ("--audience", "--port", "--no-open", "--no-pdf"):
        assert option in result.output
