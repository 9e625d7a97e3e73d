"""The citation server's answers are matched to requests by id (cite/server.py): answers
read out of order go to their own requests, and a server that sends a line no request is
waiting for, or speaks another protocol, is not trusted: the requests run as the command
line's own `pandoc`, with the same notes and warnings."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from counterpoint.brief import csl
from counterpoint.cite.server import Citations, Job
from counterpoint.process import pandoc

from .oracle import command_line, csl_json, records_of

CORPUS = Path(__file__).parent / "citations" / "corpus.yaml"
ITEMS = csl_json(records_of(CORPUS))
KEYS = [str(item["id"]) for item in ITEMS]
REFS = json.dumps(ITEMS, ensure_ascii=False).encode("utf-8")
# the first request has a warning (a key with no record), the second none: an answer given
# to the wrong request shows in the warnings a build prints
MISSING = f"[@{{{KEYS[0]}}}, 12]\n\n[@no-such-record]\n".encode()
CLEAN = f"[@{{{KEYS[1]}}}, chap. 2]\n\n[@{{{KEYS[2]}}}]\n".encode()

# A citation server standing between counterpoint and the real one: it passes the real
# server's lines on, changed as MODE says. Run as `proxy.py PANDOC MODE lua SCRIPT ...`.
PROXY = r"""
import json, subprocess, sys

real, mode, args = sys.argv[1], sys.argv[2], sys.argv[3:]
server = subprocess.Popen([real, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE)

def send(line):
    sys.stdout.buffer.write(line)
    sys.stdout.buffer.flush()

ready = server.stdout.readline()
if mode == "unnumbered":  # the first line of a script that matched answers by order
    ready = b'{"ready":true}\n'
elif mode == "newer":
    ready = b'{"protocol":3,"ready":true}\n'
send(ready)
pending = []
for request in sys.stdin.buffer:
    server.stdin.write(request)
    server.stdin.flush()
    answer = server.stdout.readline()  # the request is done: its output file is written
    number = json.loads(request)["id"]
    stray = {"ok": True, "warnings": ["a stray answer"], "log": []}
    if mode == "wrong id":
        send(json.dumps({**stray, "id": number + 1000}).encode() + b"\n")
    elif mode == "no id":
        send(json.dumps(stray).encode() + b"\n")
    elif mode == "garbled":
        send(b'{"id": %d, "ok": tr\n' % number)
    if mode == "reversed":  # answers two by two, the second request's first
        pending.append(answer)
        if len(pending) == 2:
            send(pending[1] + pending[0])
            pending = []
    else:
        send(answer)
"""


def _expected(text: bytes, style: bytes, lang: str) -> tuple[list, list[str]]:
    """The oracle: one `pandoc` run of the command line, input from files."""
    return command_line(text, REFS, style, lang)


@pytest.fixture
def citations() -> Iterator[Citations]:
    mine = Citations()
    yield mine
    mine.close()
    pandoc.binary.cache_clear()  # the real Pandoc again, once monkeypatch has restored it
    pandoc.identity.cache_clear()


def _serve_through_proxy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str) -> Path:
    """From now on Pandoc is one whose `pandoc lua` is the proxy (COUNTERPOINT_PANDOC);
    every other run is the real Pandoc's, and each run's arguments go to the log returned."""
    real = pandoc.binary()
    proxy = tmp_path / "proxy.py"
    proxy.write_text(PROXY, encoding="utf-8")
    log = tmp_path / "runs.log"
    fake = tmp_path / "pandoc"
    fake.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> "{log}"\n'
        f'if [ "$1" = lua ]; then exec "{sys.executable}" "{proxy}" "{real}" "{mode}" "$@"; fi\n'
        f'exec "{real}" "$@"\n',
        encoding="utf-8",
    )
    fake.chmod(0o755)
    monkeypatch.setenv(pandoc.ENVIRONMENT, str(fake))
    pandoc.binary.cache_clear()
    pandoc.identity.cache_clear()
    return log


def _runs(log: Path) -> tuple[int, int]:
    """How many servers started, and how many requests ran as a `pandoc` of their own."""
    lines = log.read_text(encoding="utf-8").splitlines()
    servers = sum(line.startswith("lua ") for line in lines)
    return servers, sum("--citeproc" in line for line in lines)


def test_answers_read_out_of_order_go_to_their_own_requests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, citations: Citations
) -> None:
    style = csl.default().xml
    expected = [
        _expected(MISSING, style, "en-US"),
        _expected(CLEAN, style, "de-DE"),
    ]
    assert expected[0][1] and not expected[1][1]  # the two requests' warnings differ
    log = _serve_through_proxy(tmp_path, monkeypatch, "reversed")
    first = Job(MISSING, REFS, style, "en-US", False, "first", citations)
    second = Job(CLEAN, REFS, style, "de-DE", False, "second", citations)
    got = [first.result(), second.result()]  # the second request's answer is read first
    assert [(json.loads(ran.stdout)["blocks"], ran.warnings) for ran in got] == expected
    assert first.server is not None and first.server is second.server
    assert _runs(log) == (1, 0)  # the server answered both: no request ran on its own


@pytest.mark.parametrize("mode", ["wrong id", "no id", "garbled"])
def test_a_line_no_request_is_waiting_for_is_not_taken_as_an_answer(
    mode: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, citations: Citations
) -> None:
    style = csl.default().xml
    expected = [
        _expected(MISSING, style, "en-US"),
        _expected(CLEAN, style, "en-US"),
    ]
    log = _serve_through_proxy(tmp_path, monkeypatch, mode)
    first = Job(MISSING, REFS, style, "en-US", False, "first", citations)
    second = Job(CLEAN, REFS, style, "en-US", False, "second", citations)  # sent, waiting
    server = first.server
    assert server is not None and second.server is server
    got = [first.result(), second.result()]
    assert [(json.loads(ran.stdout)["blocks"], ran.warnings) for ran in got] == expected
    assert server.process.poll() is not None  # stopped
    # a server that broke its protocol is not started again: the next request runs on its own
    third = Job(MISSING, REFS, style, "en-US", False, "third", citations)
    assert third.server is None
    ran = third.result()
    assert (json.loads(ran.stdout)["blocks"], ran.warnings) == expected[0]
    assert _runs(log) == (1, 3)


@pytest.mark.parametrize("mode", ["unnumbered", "newer"])
def test_a_server_of_another_protocol_leaves_each_request_to_pandoc(
    mode: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, citations: Citations
) -> None:
    style = csl.default().xml
    expected = _expected(MISSING, style, "en-US")
    log = _serve_through_proxy(tmp_path, monkeypatch, mode)
    for _ in range(2):
        ran = Job(MISSING, REFS, style, "en-US", False, "test", citations).result()
        assert (json.loads(ran.stdout)["blocks"], ran.warnings) == expected
    assert _runs(log) == (1, 2)  # one server tried, once; both requests ran on their own


def test_requests_from_several_threads_each_get_their_own_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, citations: Citations
) -> None:
    """The live preview builds from several threads with one server: requests sent and read
    in any interleaving, answered two by two in reverse, each get their own."""
    style = csl.default().xml
    texts = [MISSING, CLEAN] * 3
    expected = {text: _expected(text, style, "en-US") for text in set(texts)}
    log = _serve_through_proxy(tmp_path, monkeypatch, "reversed")

    def format_one(text: bytes) -> tuple[list, list[str]]:
        ran = Job(text, REFS, style, "en-US", False, "thread", citations).result()
        return json.loads(ran.stdout)["blocks"], ran.warnings

    with ThreadPoolExecutor(max_workers=len(texts)) as pool:
        got = list(pool.map(format_one, texts))
    assert got == [expected[text] for text in texts]
    assert _runs(log) == (1, 0)
