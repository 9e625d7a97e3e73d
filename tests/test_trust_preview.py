"""The preview under hostile requests and runaway edits: bad requests are a 400 and print
nothing, a reset connection prints nothing, and a rebuild has the build's time limit in
the watcher's thread too (issue 23, items 6 and 9)."""

from __future__ import annotations

import socket
import struct
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from counterpoint.preview.app import Preview

from .conftest import ROOT

FOREVER = (ROOT / "tests/hostile/templates/forever/brief.html").read_text()


@pytest.fixture
def start(write_brief: Callable[..., Path]) -> Iterator[Callable[..., Preview]]:
    started: list[Preview] = []

    def make(brief: Path | None = None, **options: object) -> Preview:
        options.setdefault("pdf", False)
        preview = Preview(brief or write_brief(), **options).start()  # type: ignore[arg-type]
        started.append(preview)
        return preview

    yield make
    for preview in started:
        preview.stop()


def raw(preview: Preview, request: bytes) -> bytes:
    """Send bytes as they are; the whole answer."""
    with socket.create_connection(("127.0.0.1", preview.port), timeout=10) as conn:
        conn.sendall(request)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_a_path_that_is_not_utf8_is_a_400_and_prints_nothing(start, capfd) -> None:
    preview = start()
    capfd.readouterr()
    host = f"Host: 127.0.0.1:{preview.port}".encode()
    for path in (b"/%ff", b"/%C0%AF.pdf", b"/%ed%a0%80"):
        answer = raw(preview, b"GET " + path + b" HTTP/1.0\r\n" + host + b"\r\n\r\n")
        assert answer.startswith(b"HTTP/1.0 400 "), answer[:80]
    assert raw(preview, b"GET / HTTP/1.0\r\n" + host + b"\r\n\r\n").startswith(b"HTTP/1.0 200 ")
    assert capfd.readouterr() == ("", "")


def test_a_reset_connection_prints_nothing(start, capfd) -> None:
    preview = start()
    capfd.readouterr()
    for partial in (b"", b"GET / HT", b"GET / HTTP/1.0\r\nHost: 127"):
        conn = socket.create_connection(("127.0.0.1", preview.port), timeout=10)
        conn.sendall(partial)
        # close with a reset (RST), not a goodbye (FIN)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()
    host = f"Host: 127.0.0.1:{preview.port}".encode()
    assert raw(preview, b"GET / HTTP/1.0\r\n" + host + b"\r\n\r\n").startswith(b"HTTP/1.0 200 ")
    preview.stop()  # every request thread has ended: whatever they print is printed
    assert capfd.readouterr() == ("", "")


def test_a_runaway_template_edit_is_stopped_in_the_watcher_thread(start, tmp_path: Path) -> None:
    """The edit is rebuilt in the watcher's thread, where SIGALRM cannot reach: the build's
    time limit stops it there too, the overlay shows the command line's error, and the
    server goes on."""
    sets = tmp_path / "templates" / "mine"
    sets.mkdir(parents=True)
    (sets / "manifest.yaml").write_text("name: mine\nparent: analyst\naudience: mine\n")
    preview = start(audience="mine")
    good = preview.state.page
    assert good is not None and preview.state.errors == []

    preview.time_limit = 1  # (a loaded machine's first build may take longer)
    (sets / "brief.html").write_text(FOREVER)
    state = preview.wait_for(lambda s: bool(s.errors), timeout=60)
    assert state.errors == [
        f"{tmp_path / 'brief.yaml'}: stopped after 1 s, the build time limit "
        "(use --time-limit to allow longer)"
    ]
    assert state.page == good  # the last good rendering stays
    host = f"Host: 127.0.0.1:{preview.port}".encode()
    assert raw(preview, b"GET / HTTP/1.0\r\n" + host + b"\r\n\r\n").startswith(b"HTTP/1.0 200 ")

    preview.time_limit = 600
    (sets / "brief.html").unlink()  # fixed: the next save builds again
    state = preview.wait_for(lambda s: not s.errors and s.page != good, timeout=60)
    assert state.errors == []


@pytest.mark.pdf
def test_a_runaway_print_template_is_stopped_in_the_pdf_worker(start, tmp_path: Path) -> None:
    """A loop only the PDF meets (the print medium) stops at the time limit too."""
    sets = tmp_path / "templates" / "mine"
    sets.mkdir(parents=True)
    (sets / "manifest.yaml").write_text("name: mine\nparent: analyst\naudience: mine\n")
    loop = FOREVER.strip()
    body = '{% if medium == "print" %}' + loop + "{% endif %}{{ super() }}"
    (sets / "brief.html").write_text(
        '{% extends "!base/brief.html" %}\n{% block body %}' + body + "{% endblock %}\n"
    )
    # 2 s: the first HTML build fits in it on a loaded machine; the loop burns all of it
    preview = start(audience="mine", time_limit=2, pdf=True)
    assert preview.state.errors == []
    state = preview.wait_for(lambda s: s.pdf == "failed", timeout=90)
    assert state.pdf_errors == [
        f"{tmp_path / 'brief.yaml'}: stopped after 2 s, the build time limit "
        "(use --time-limit to allow longer)"
    ]


@pytest.mark.slow
def test_a_hang_up_stops_the_preview_and_everything_it_started(write_brief) -> None:
    """SIGHUP (the terminal closed) stops the preview as Ctrl-C does."""
    import signal
    import subprocess
    import sys
    import time

    from .test_preview import descendants, free_port, left_behind

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
        deadline = time.monotonic() + 30
        while not descendants(process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        workers = descendants(process.pid)
        assert workers
        process.send_signal(signal.SIGHUP)
        assert process.wait(timeout=10) == 0
        assert "stopping" in process.stdout.read()
        deadline = time.monotonic() + 5
        while left_behind(workers, brief) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not left_behind(workers, brief)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
