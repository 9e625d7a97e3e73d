"""A Pandoc kept running to format citations, warm before the first request (a leaf module).

Most of a short `pandoc --citeproc` run is start-up that is the same for every document:
Pandoc's locale data, its sorting tables. `pandoc server` would keep that work, but the
pinned PyPI binary cannot run it (it is built without GHC's threaded runtime). So
counterpoint runs `pandoc lua citeserver.lua`: the script formats a sample of its own as
soon as it starts, on another core while Python imports the pipeline and reads the brief,
and then formats each request exactly as the command line would (citeserver.lua says
how; tests/test_citeserver.py compares the two). One server serves a session's builds:
a shelf worker's briefs, `--audience all`, the live preview's rebuilds.

Each request carries an id (a counter per server) and the script echoes it in its answer,
so answers are matched to requests by id, in whatever order they are read. The script's
first line says it is warm and which version of these JSON lines it speaks (PROTOCOL).

If the server cannot run (a Pandoc without `pandoc lua`, a platform without `select` on
pipes) or fails on a request, the request runs as its own `pandoc` process instead
(pandoc.Background), so results and error messages are always the command line's. A
server that speaks another protocol, or sends a line that is not an answer to a request
waiting for one (not JSON, no id, an id no request has), is stopped and not started again
for its session: every request waiting for it, and every later one, runs on its own.

The server belongs to a `Citations`, which a session owns (pipeline/session.py): nothing
here is kept in module state. A build activates its session's Citations for its thread
(Citations.active), and each Job it makes uses that server.

The server runs under the same memory ceiling as every Pandoc (pandoc.command). A request
that takes it over ends the process: the request runs on its own, to give its one-line
error, and the next request starts a new server. Every file a request names (its text,
references, style, output) is one the request wrote into a private folder of its own."""

from __future__ import annotations

import contextlib
import contextvars
import json
import os
import subprocess
import threading
import time
from pathlib import Path

from counterpoint.errors import BuildError
from counterpoint.process import pandoc
from counterpoint.process.limits import PANDOC_TIMEOUT

TYPE_CHECKING = False  # typing is imported after the server has started
if TYPE_CHECKING:
    import tempfile
    from collections.abc import Iterator
    from typing import Any

SCRIPT = Path(__file__).with_name("citeserver.lua")
PROTOCOL = 2
"""The version of the JSON lines citeserver.lua and this module exchange (its first line
names it): 2, requests and answers with ids; 1 (unnumbered) matched them by order."""


class Server:
    """One `pandoc lua citeserver.lua` process and the answers it has sent so far."""

    def __init__(self) -> None:
        self.pid = os.getpid()  # a forked child must not use its parent's pipes
        self.limit = pandoc.memory_limit()
        argv, env = pandoc.command(["lua", str(SCRIPT), pandoc.binary()])
        self.process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # warnings come back in the answers
            env=env,
        )
        self.sent = 0  # the last request's id
        self.ready = False  # it has said it is warm, in our protocol: a Pandoc that can serve
        self.broken = False  # it said something out of protocol: none of its answers is taken
        self.waiting: set[int] = set()  # the ids of the requests not answered yet
        self.answered: dict[int, dict[str, Any]] = {}  # answers read, not yet taken, by id
        self.read = 0  # answers read
        self.buffer = b""
        self.writing = threading.Lock()  # the preview builds from more than one thread
        self.reading = threading.Lock()

    def submit(self, request: dict[str, Any]) -> int:
        """Queue a request (short: file names only, so the pipe never fills); its id."""
        assert self.process.stdin is not None
        with self.writing:
            self.sent += 1
            number = self.sent
            self.waiting.add(number)  # before it is sent: its answer is known when it comes
            line = json.dumps({**request, "id": number}).encode() + b"\n"
            self.process.stdin.write(line)
            self.process.stdin.flush()
            return number

    def answer(self, number: int, timeout: float) -> dict[str, Any] | None:
        """The answer to request `number` (`warnings` and `log` lists when `ok`), or None if
        the server has died or broken its protocol. Past `timeout` seconds the server is
        stopped (the next request starts another) and TimeoutError is raised."""
        with self.reading:
            try:
                return self._answer(number, timeout)
            except BaseException:  # the build's time limit, Ctrl-C: the request is abandoned
                self.stop()
                raise

    def _answer(self, number: int, timeout: float) -> dict[str, Any] | None:
        import select

        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()  # read unbuffered, so select sees every byte
        deadline = time.monotonic() + timeout
        while number not in self.answered:
            if self.broken:
                return None
            if b"\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\n", 1)
                self._take(line)
                continue
            left = deadline - time.monotonic()
            # in slices, so that a time limit raised in this thread arrives in time
            if not select.select([fd], [], [], min(max(left, 0), pandoc.SLICE))[0]:
                if left > pandoc.SLICE:
                    continue
                self.stop()
                raise TimeoutError
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                self.stop()
                return None
            self.buffer += chunk
        return self.answered.pop(number)

    def _take(self, line: bytes) -> None:
        """Read one line: the greeting first, then answers, each kept under its id. Any
        other line breaks the protocol: the server is stopped and no answer is taken."""
        try:
            got = json.loads(line)
        except ValueError:  # (UnicodeDecodeError included)
            got = None
        if not self.ready:
            if _greets(got):
                self.ready = True
                return
        elif isinstance(got, dict) and _answers(got) and got["id"] in self.waiting:
            self.waiting.discard(got["id"])
            self.answered[got["id"]] = got
            self.read += 1
            return
        self.broken = True
        self.answered.clear()
        self.waiting.clear()
        self.stop()

    def alive(self) -> bool:
        return self.process.poll() is None

    def could_serve(self) -> bool:
        """Whether this server got warm and kept to its protocol (it may have died since,
        at its memory ceiling), rather than being a Pandoc that cannot run `pandoc lua`, or
        a script that speaks another protocol."""
        if self.broken:
            return False
        if not self.ready and self.process.poll() is not None and self.process.stdout:
            self.buffer += self.process.stdout.read()  # it has ended: what it wrote is all
            try:
                self.ready = _greets(json.loads(self.buffer.split(b"\n", 1)[0]))
            except ValueError:
                self.ready = False
        return self.ready

    def stop(self, wait: bool = True) -> None:
        if self.pid == os.getpid() and self.process.poll() is None:
            self.process.kill()
            if wait:  # 10 ms, while Pandoc gives its memory back
                self.process.wait()


def _greets(got: object) -> bool:
    """Whether a first line is the script's, warm, in this module's protocol."""
    if not isinstance(got, dict) or set(got) != {"ready", "protocol"}:
        return False
    return got["ready"] is True and type(got["protocol"]) is int and got["protocol"] == PROTOCOL


def _answers(got: dict[str, Any]) -> bool:
    """Whether a line has the shape of an answer: an id, and `ok` with the warnings as
    text and as log entries, or not `ok` with an error."""
    if type(got.get("id")) is not int:
        return False
    if got.get("ok") is False:
        return isinstance(got.get("error"), str)
    warnings, log = got.get("warnings"), got.get("log")
    return (
        got.get("ok") is True
        and isinstance(warnings, list)
        and all(isinstance(warning, str) for warning in warnings)
        and isinstance(log, list)
        and all(isinstance(entry, dict) for entry in log)
    )


def start_early() -> Server | None:
    """A server started now, for a Citations made later to adopt (cli/launch.py starts
    one before the pipeline is imported); None where none can run."""
    if os.name != "posix":
        return None
    try:
        return Server()
    except (OSError, BuildError):
        return None


class Citations:
    """The one server a session's builds share (pipeline/session.py owns this): started
    when first needed, started again after it has died or stopped, never after a server
    that could not get warm. Safe across threads; close() stops the server."""

    def __init__(self, server: Server | None = None) -> None:
        """`server`: one started earlier (start_early), adopted as this one's."""
        self._server = server
        self._lock = threading.Lock()
        self.unavailable = False
        """A server started and died before its first answer: this Pandoc cannot serve."""

    @property
    def running(self) -> Server | None:
        """The server as it is, without starting one: alive, and this process's."""
        with self._lock:
            server = self._server
        if server is not None and server.pid == os.getpid() and server.alive():
            return server
        return None

    def server(self) -> Server | None:
        """The server to send a request to, started if need be; None where none can run."""
        with self._lock:
            if self.unavailable or os.name != "posix":
                return None
            server = self._server
            if server is not None and server.broken and server.pid == os.getpid():
                self.unavailable = True  # it broke its protocol: it would again
                return None
            if server is not None and server.pid == os.getpid() and server.alive():
                if server.limit == pandoc.memory_limit():
                    return server
                server.stop()  # --pandoc-memory-limit, given after the server started
            # (else a parent's after a fork, one stopped after a timeout, or blown)
            try:
                self._server = Server()
            except (OSError, BuildError):
                self._server = None
            return self._server

    def start(self) -> None:
        """Start the server now, so that it is warm when the first citations come."""
        self.server()

    def close(self, wait: bool = True) -> None:
        """Stop the server (a later request starts another); the command line, which
        exits next, does not `wait` for it to end."""
        with self._lock:
            server, self._server = self._server, None
        if server is not None:
            server.stop(wait)

    @contextlib.contextmanager
    def active(self) -> Iterator[Citations]:
        """Within this block, in this thread, Job formats with this server."""
        token = _current.set(self)
        try:
            yield self
        finally:
            _current.reset(token)


_current: contextvars.ContextVar[Citations | None] = contextvars.ContextVar(
    "counterpoint_citations", default=None
)
"""The Citations of the build running in this thread (Citations.active): a Job made outside
one runs as a Pandoc of its own."""


def options(lang: str, link: bool) -> list[str]:
    """The command line's options for a run (the server does the same; see the script)."""
    return [
        "-f", "markdown", "-t", "json", "--citeproc",
        "-M", f"lang={lang}",
        "-M", f"link-citations={'true' if link else 'false'}",
    ]  # fmt: skip


class Job:
    """Citations being formatted: by the server, or else by a Pandoc run of their own."""

    def __init__(
        self,
        text: bytes,
        refs: bytes,
        style: bytes,
        lang: str,
        link: bool,
        what: str,
        citations: Citations | None = None,
    ):
        """`style` is the CSL document itself (csl.Style.xml): Pandoc reads a copy in the
        request's own folder, never a style from where a brief or set points. `citations`:
        whose server formats it (default: the active one, Citations.active; with none, a
        run of its own)."""
        self.what = what
        self.citations = citations or _current.get()
        self.files = [("refs.json", refs), ("text.md", text), ("style.csl", style)]
        self.args = [*options(lang, link), "--bibliography", "{refs.json}"]
        self.args += ["--csl", "{style.csl}", "{text.md}"]
        self.server = self.citations.server() if self.citations is not None else None
        self.number = 0
        self.background: pandoc.Background | None = None
        self.folder: tempfile.TemporaryDirectory[str] | None = None
        if self.server is not None:  # (a run of its own writes its files itself)
            import tempfile  # not before the server starts: the command's first 40 ms

            self.folder = tempfile.TemporaryDirectory(prefix="counterpoint-citeproc-")
            folder = Path(self.folder.name)
            self.out = folder / "out.json"
            for name, data in self.files:
                (folder / name).write_bytes(data)
            request = {
                "text": str(folder / "text.md"),
                "refs": str(folder / "refs.json"),
                "csl": str(folder / "style.csl"),
                "lang": lang,
                "link": link,
                "out": str(self.out),
            }
            try:
                self.number = self.server.submit(request)
            except OSError:  # the server has died (a Pandoc without `pandoc lua`, say)
                self._server_died()
        if self.server is None:
            self.background = pandoc.Background(self.args, self.files, what)

    def _server_died(self) -> None:
        if self.server is not None and not self.server.could_serve() and self.citations:
            # it never got warm, or broke the protocol: this Pandoc cannot serve
            self.citations.unavailable = True
        self.server = None

    def result(self) -> pandoc.Result:
        """Wait for the formatted document (Pandoc's JSON) and Pandoc's warnings."""
        try:
            if self.server is not None:
                try:
                    answer = self.server.answer(self.number, PANDOC_TIMEOUT)
                except TimeoutError:
                    raise pandoc.OverLimit(
                        self.what, f"Pandoc took over {PANDOC_TIMEOUT:.0f} s; stopped"
                    ) from None
                if answer is None:
                    self._server_died()
                elif answer["ok"]:
                    log = answer["log"]
                    return pandoc.Result(self.out.read_bytes(), answer["warnings"], log)
                # on an error, a run of its own gives the command line's exact message
            if self.background is None:
                self.background = pandoc.Background(self.args, self.files, self.what)
            return self.background.result()
        finally:
            if self.folder is not None:
                self.folder.cleanup()
