"""Live preview: a local server that rebuilds a brief's HTML edition on every save and
updates the open page in place, with the PDF rebuilt in the background (docs/preview.md)."""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import secrets
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from .build import build
from .errors import CounterpointError, InvalidInput, display_path
from .templates import find, search_roots
from .validate import validate

ASSETS = Path(__file__).parent / "preview_assets"

DEFAULT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
    "media-src data:; base-uri 'none'; form-action 'none'"
)
"""The policy of the page shown before the brief has ever built (the built page's own)."""

_CSP_META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', re.I)

DEBOUNCE_MS, STEP_MS = 300, 30
"""watchfiles groups the events of one save (an editor may write, rename and touch) until
STEP_MS pass without another, DEBOUNCE_MS at most."""


@dataclass
class State:
    """What the page shows; sent to it as JSON on every change (Server-Sent Events)."""

    seq: int = 0
    """Bumped on every change of this state."""
    version: int = 0
    """Rebuilds tried (each save is one)."""
    page: int | None = None
    """The version of the last good rendering, None before the first."""
    name: str = ""
    errors: list[str] = field(default_factory=list)
    """The last rebuild's problems, one `file:line:col: ...` line each (as the CLI prints)."""
    findings: list[str] = field(default_factory=list)
    """Audit findings and build warnings of the last good rendering (as the CLI prints)."""
    pdf: str = "off"
    """off (--no-pdf), waiting, building, ready or failed."""
    pdf_version: int | None = None
    """The version the served PDF was built from."""
    pdf_errors: list[str] = field(default_factory=list)

    def public(self) -> dict[str, Any]:
        return {
            "seq": self.seq, "version": self.version, "page": self.page, "name": self.name,
            "errors": self.errors, "findings": self.findings, "pdf": self.pdf,
            "pdfVersion": self.pdf_version, "pdfErrors": self.pdf_errors,
        }  # fmt: skip


class Preview:
    """A brief's live preview: start() builds it once, serves it on 127.0.0.1 and watches
    its files; stop() ends the server, the watcher and the PDF workers.

    Tests and tools wait on `changed` (a Condition notified on every state change), or
    call wait_for(predicate) with a timeout, instead of sleeping.
    """

    def __init__(
        self,
        brief: str | Path,
        audience: str | None = None,
        port: int = 0,
        pdf: bool = True,
        templates: str | Path | None = None,
        log: Callable[[str], None] | None = None,
    ):
        if audience == "all":
            raise CounterpointError("preview shows one edition: name an audience, not 'all'")
        self.brief = Path(brief)
        self.audience = audience
        self.templates = Path(templates) if templates else None
        self.port = port
        self.log = log or (lambda line: None)
        self.state = State(pdf="waiting" if pdf else "off", name=self._default_name())
        self.changed = threading.Condition()
        self.page_html = b""
        self.pdf_data = b""
        self._pdf = pdf
        self._stop = threading.Event()
        self._watching = threading.Event()
        self._threads: list[threading.Thread] = []
        self._tmp = Path(tempfile.mkdtemp(prefix="counterpoint-preview-"))
        self._server: _Server | None = None
        self._workers: _PdfWorkers | None = None
        self._watched: tuple[tuple[Path, ...], tuple[Path, ...]] = ((), ())

    # -- the life of a preview --------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> Preview:
        """Listen, build once, and watch; returns when a save would be seen."""
        try:
            self._server = _Server(("127.0.0.1", self.port), self)
        except OSError as exc:
            raise CounterpointError(
                f"cannot listen on 127.0.0.1:{self.port}: {exc.strerror or exc}"
            ) from None
        self.port = self._server.server_address[1]
        if self._pdf:
            self._workers = _PdfWorkers(self)
            self._thread(self._workers.run, "preview-pdf")
        self.rebuild()
        self._thread(self._server.serve_forever, "preview-server")
        self._thread(self._watch, "preview-watch")
        if not self._watching.wait(30):
            raise CounterpointError("could not start watching the brief's files")
        return self

    def stop(self) -> None:
        """End everything started: watcher, PDF workers, server and its connections."""
        if self._stop.is_set():
            return
        self._stop.set()
        with self.changed:
            self.changed.notify_all()  # open event streams end
        if self._workers:
            self._workers.stop()
        if self._server:
            self._server.shutdown()
            self._server.close_connections()
            self._server.server_close()  # joins the request threads
        for t in self._threads:
            t.join(10)
        shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> Preview:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait_for(self, predicate: Callable[[State], bool], timeout: float = 30) -> State:
        """Wait until predicate(state) holds; TimeoutError after `timeout` seconds."""
        with self.changed:
            if not self.changed.wait_for(lambda: predicate(self.state), timeout):
                raise TimeoutError(f"preview state did not change as expected: {self.state}")
            return dataclass_copy(self.state)

    def _thread(self, target: Callable[[], None], name: str) -> None:
        t = threading.Thread(target=target, name=name, daemon=True)
        t.start()
        self._threads.append(t)

    def _update(self, **changes: Any) -> None:
        with self.changed:
            for key, value in changes.items():
                setattr(self.state, key, value)
            self.state.seq += 1
            self.changed.notify_all()

    # -- rebuilding -----------------------------------------------------------------------
    def rebuild(self) -> None:
        """Build the HTML edition now, in this process (imports, compiled templates and
        formatted citations stay warm), and start the PDF's build if that succeeded."""
        with self.changed:
            version = self.state.version + 1
            self.state.version = version
        forget_templates()
        started = time.perf_counter()
        try:
            outputs = build(
                self.brief, out_dir=self._tmp / "html", formats=["html"],
                audience=self.audience, templates=self.templates, force=True,
            )  # fmt: skip
        except CounterpointError as exc:  # InvalidInput (located), BuildError (templates, ...)
            self._update(errors=str(exc).splitlines())
            self.log(str(exc))
            return
        except MemoryError:
            self._update(errors=[f"{display_path(self.brief)}: ran out of memory"])
            return
        html_output = outputs[0]
        data = html_output.path.read_bytes()
        findings = [f"warning: {line}" for line in html_output.finding_lines()]
        findings += [f"warning: {html_output.path.name}: {w}" for w in html_output.warnings]
        name = html_output.path.name.removesuffix(".html")
        with self.changed:
            self.page_html = data
        self._update(page=version, name=name, errors=[], findings=findings)
        for line in findings:
            self.log(line)
        seconds = time.perf_counter() - started
        self.log(f"updated {name}.html ({html_output.notes} notes, {seconds:.2f} s)")
        if self._workers:
            self._workers.want(version)

    def _default_name(self) -> str:
        stem = self.brief.stem
        return stem if self.audience in (None, "analyst") else f"{stem}-{self.audience}"

    # -- watching -------------------------------------------------------------------------
    def watched(self) -> tuple[tuple[Path, ...], tuple[Path, ...]]:
        """(folders, files): the brief's folder, its bibliography, the folders of its
        template set chain and the folders sets are searched in. Folders are watched with
        everything inside them, files by their folder (an editor may replace the file)."""
        folders = [self.brief.resolve().parent]
        files: list[Path] = []
        roots = search_roots(self.templates, self.brief)
        folders += [r for r in roots if r.is_dir()]
        try:
            brief = validate(self.brief)
        except CounterpointError:
            return self._watched if self._watched[0] else (tuple(folders), ())
        for p in brief.bibliography:
            (folders if p.is_dir() else files).append(p.resolve())
        name = self.audience or str(brief.extra.get("audience") or "analyst")
        with contextlib.suppress(CounterpointError):
            folders += [s.folder.resolve() for s in find(name, roots).chain]
        folders = _outermost(folders)
        files = [f for f in dict.fromkeys(files) if not any(f.is_relative_to(d) for d in folders)]
        return tuple(folders), tuple(files)

    def _watch(self) -> None:
        import watchfiles

        while not self._stop.is_set():
            self._watched = folders, files = self.watched()
            tree = _outermost([*folders, *(f.parent for f in files)])
            tree = [p for p in tree if p.exists()]
            wanted = _Filter(folders, files, self._tmp)
            first = True
            for changes in watchfiles.watch(
                *tree, watch_filter=wanted, debounce=DEBOUNCE_MS, step=STEP_MS,
                stop_event=self._stop, rust_timeout=200, yield_on_timeout=True,
                raise_interrupt=False,
            ):  # fmt: skip
                if first and self._watching.is_set():  # watching anew: catch up on a save
                    self.rebuild()  # made while the watch was being set up
                first = False
                self._watching.set()
                if not changes:
                    continue
                self.log("changed: " + ", ".join(sorted({display_path(p) for _, p in changes})))
                self.rebuild()
                if self.watched() != (folders, files):
                    break  # a new bibliography or template set: watch those instead

    # -- serving --------------------------------------------------------------------------
    def hosts(self) -> set[str]:
        return {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}

    def page(self, nonce: str) -> tuple[bytes, str]:
        """The preview page: the last good rendering, its policy allowing our script by
        nonce and the event stream, and the script right after the policy."""
        with self.changed:
            data, state = self.page_html, dataclass_copy(self.state)
        if data:
            text = data.decode("utf-8")
        else:
            text = (ASSETS / "waiting.html").read_text(encoding="utf-8")
            text = text.replace("$policy", DEFAULT_POLICY)
            text = text.replace("$title", html.escape(f"{self.brief.name} (preview)"))
        head_end = text.find("</head>")
        meta = _CSP_META.search(text, 0, head_end if head_end >= 0 else len(text))
        policy = html.unescape(meta[1]) if meta else DEFAULT_POLICY
        served = with_nonce(policy, nonce)
        config = _json({"version": state.page, "state": state.public()})
        code = f"const CONFIG = {config};\nconst UI = {_json(_asset('preview.html'))};\n"
        code += f"const CSS = {_json(_asset('preview.css'))};\n"
        script = f'<script nonce="{nonce}">{code}{_asset("preview.js")}</script>'
        new_meta = f'<meta http-equiv="Content-Security-Policy" content="{html.escape(served)}">'
        if meta:
            text = text[: meta.start()] + new_meta + script + text[meta.end() :]
        else:
            at = text.find("<head>") + len("<head>")
            text = text[:at] + new_meta + script + text[at:]
        return text.encode("utf-8"), served

    def built_page(self) -> tuple[bytes, str, int | None]:
        """The built HTML as it is, with its own policy (for the page's script to swap in)."""
        with self.changed:
            data, version = self.page_html, self.state.page
        meta = _CSP_META.search(data.decode("utf-8")) if data else None
        return data, html.unescape(meta[1]) if meta else DEFAULT_POLICY, version


def forget_templates() -> None:
    """Drop the compiled Jinja environments render.py keeps per brief (auto_reload is off
    there, for builds): a long-lived process must see an edited template."""
    from . import render

    render._renderers.clear()


def dataclass_copy(state: State) -> State:
    """A copy with lists of its own, to read outside the lock."""
    fields: dict[str, Any] = {
        k: list(v) if isinstance(v, list) else v for k, v in vars(state).items()
    }
    return State(**fields)


def with_nonce(policy: str, nonce: str) -> str:
    """`policy` with the preview's script allowed by nonce and its event stream by 'self';
    every other directive is kept as it is."""
    directives: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives.setdefault(words[0].lower(), words[1:])
    for name, source in (("script-src", f"'nonce-{nonce}'"), ("connect-src", "'self'")):
        sources = [s for s in directives.get(name, []) if s != "'none'"]
        directives[name] = [*sources, source]
    return "; ".join(" ".join([name, *sources]) for name, sources in directives.items())


def _asset(name: str) -> str:
    text = (ASSETS / name).read_text(encoding="utf-8")
    if name.endswith(".js") and re.search(r"<(/|!--|script)", text, re.I):
        raise ValueError(f"{name} would end or change the <script> it is put in")
    return text


def _json(value: object) -> str:
    """JSON for inside a <script>: no '<' (so no '</script>' or '<!--' in a message)."""
    return json.dumps(value).replace("<", "\\u003c")


def _outermost(paths: list[Path]) -> list[Path]:
    """The paths not inside another one of them, in order, without repeats."""
    unique = list(dict.fromkeys(p.resolve() for p in paths))
    return [p for p in unique if not any(p != q and p.is_relative_to(q) for q in unique)]


class _Filter:
    """watchfiles filter: changes in the watched folders and to the watched files, but not
    the preview's own output, nor editors' and tools' litter, nor a build's output folder
    (one that holds the build cache, `.counterpoint/`): `counterpoint build` beside the
    brief rebuilds nothing."""

    def __init__(self, folders: tuple[Path, ...], files: tuple[Path, ...], ignore: Path):
        from watchfiles import DefaultFilter

        self.default = DefaultFilter()
        self.folders, self.files, self.ignore = folders, set(files), ignore.resolve()

    def __call__(self, change: Any, path: str) -> bool:
        p = Path(path)
        if p.is_relative_to(self.ignore) or not self.default(change, path):
            return False
        if p in self.files:
            return True
        for folder in self.folders:
            if p.is_relative_to(folder):
                inside = p.parent.relative_to(folder).parts
                return not any(
                    (folder.joinpath(*inside[: i + 1]) / ".counterpoint").is_dir()
                    for i in range(len(inside))
                )
        return False


# -- the server -----------------------------------------------------------------------------
class _Server(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins every request thread
    block_on_close = True

    def __init__(self, address: tuple[str, int], preview: Preview):
        self.preview = preview
        self.connections: set[socket.socket] = set()
        self.lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host's name up (socket.getfqdn): not needed
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "127.0.0.1", self.server_address[1]

    def close_connections(self) -> None:
        """Wake every request thread still reading or writing (an idle browser socket)."""
        with self.lock:
            for conn in self.connections:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    """GET and HEAD of an allow-list of names; the Host must be this server's."""

    server: _Server
    protocol_version = "HTTP/1.0"
    timeout = 30
    server_version = "counterpoint-preview"
    sys_version = ""

    def setup(self) -> None:
        super().setup()
        with self.server.lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.lock:
            self.server.connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the terminal shows rebuilds, not requests

    def do_HEAD(self) -> None:
        self.do_GET(body=False)

    def do_GET(self, body: bool = True) -> None:
        preview = self.server.preview
        hosts = self.headers.get_all("Host") or []
        if len(hosts) != 1 or hosts[0] not in preview.hosts():
            return self._send(403, b"forbidden: unknown Host\n", "text/plain", body=body)
        path = self.path.split("?", 1)[0]
        name = preview.state.name
        if path == "/":
            nonce = secrets.token_urlsafe(18)
            data, policy = preview.page(nonce)
            return self._send(200, data, "text/html; charset=utf-8", policy, body=body)
        if path == "/events":
            return self._events(preview) if body else self._send(200, b"", "text/event-stream")
        wanted = unquote(path, errors="strict")
        if wanted == f"/{name}.html":
            data, policy, version = preview.built_page()
            if data:
                extra = {"X-Preview-Version": str(version)}
                return self._send(200, data, "text/html; charset=utf-8", policy, extra, body)
        if wanted == f"/{name}.pdf" and preview.state.pdf != "off":
            with preview.changed:
                data, version = preview.pdf_data, preview.state.pdf_version
            if data:
                extra = {
                    "ETag": f'"{version}"',
                    "Content-Disposition": f"inline; filename*=UTF-8''{path[1:]}",
                }
                return self._send(200, data, "application/pdf", None, extra, body)
            return self._send(503, b"the PDF is being built\n", "text/plain", body=body)
        return self._send(404, b"not found\n", "text/plain", body=body)

    def _headers(self, status: int, kind: str, policy: str | None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        if policy:
            self.send_header("Content-Security-Policy", policy)

    def _send(
        self,
        status: int,
        data: bytes,
        kind: str,
        policy: str | None = None,
        extra: dict[str, str] | None = None,
        body: bool = True,
    ) -> None:
        self._headers(status, kind, policy)
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            with contextlib.suppress(OSError):
                self.wfile.write(data)

    def _events(self, preview: Preview) -> None:
        """The state as JSON whenever it changes, a comment every 15 s to keep it open."""
        self._headers(200, "text/event-stream", None)
        self.end_headers()
        seen = -1

        def news() -> bool:
            return preview.state.seq != seen or preview._stop.is_set()

        with contextlib.suppress(OSError):
            while not preview._stop.is_set():
                with preview.changed:
                    preview.changed.wait_for(news, 15)
                    state = preview.state.public()
                if preview._stop.is_set():
                    break
                if state["seq"] == seen:
                    self.wfile.write(b": still here\n\n")
                    continue
                seen = state["seq"]
                self.wfile.write(f"event: state\ndata: {json.dumps(state)}\n\n".encode())


# -- the PDF, in the background -------------------------------------------------------------
_WORKER = "from counterpoint.preview import pdf_worker; pdf_worker()"


class _PdfWorkers:
    """Builds the PDF in worker processes, warm (WeasyPrint imported) and each in its own
    process group. The newest version wins: a build made stale by a newer save is killed
    with its layout process, and a new worker takes the newer version. One worker is kept
    between builds; a spare warming up beside a build would take a core from it."""

    def __init__(self, preview: Preview):
        self.preview = preview
        self.args = json.dumps({
            "brief": str(preview.brief), "audience": preview.audience,
            "templates": str(preview.templates) if preview.templates else None,
            "out": str(preview._tmp / "pdf"),
        })  # fmt: skip
        self.lock = threading.Condition()
        self.wanted = 0
        self.started = 0
        self.busy: subprocess.Popen[str] | None = None
        self.busy_version = 0
        self.spare: subprocess.Popen[str] | None = self._spawn()
        self.stopping = False

    def _spawn(self) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-c", _WORKER, self.args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8",
            bufsize=1, start_new_session=True,
        )  # fmt: skip

    def want(self, version: int) -> None:
        """A new good version: build its PDF, cancelling an older build under way."""
        with self.lock:
            self.wanted = version
            if self.busy is not None and self.busy_version < version:
                _kill(self.busy, close=False)  # its thread reads the end of its output
                if self.spare is None:
                    self.spare = self._spawn()
            self.lock.notify_all()

    def stop(self) -> None:
        with self.lock:
            self.stopping = True
            if self.busy is not None:
                _kill(self.busy, close=False)
            if self.spare is not None:
                _kill(self.spare)
            self.lock.notify_all()

    def run(self) -> None:
        preview = self.preview
        while True:
            with self.lock:
                self.lock.wait_for(lambda: self.stopping or self.wanted > self.started)
                if self.stopping:
                    return
                version = self.started = self.wanted
                worker = self.spare if self.spare is not None else self._spawn()
                self.busy, self.busy_version = worker, version
                self.spare = None
            preview._update(pdf="building")
            try:
                assert worker.stdin is not None and worker.stdout is not None
                worker.stdin.write(json.dumps({"version": version}) + "\n")
                worker.stdin.flush()
                line = worker.stdout.readline()
            except (OSError, ValueError):
                line = ""
            with self.lock:
                self.busy = None
                stale = self.stopping or self.wanted != version
                if not line or stale:  # killed (cancelled, stopping), or it died
                    _kill(worker)
                elif self.spare is None:
                    self.spare = worker
                else:
                    _close(worker)
            if stale:
                continue
            if not line:
                preview._update(pdf="failed", pdf_errors=["the PDF worker stopped unexpectedly"])
                continue
            reply = json.loads(line)
            if reply.get("error"):
                preview.log(reply["error"])
                preview._update(pdf="failed", pdf_errors=reply["error"].splitlines())
                continue
            data = Path(reply["path"]).read_bytes()
            with preview.changed:
                preview.pdf_data = data
            preview._update(pdf="ready", pdf_version=version, pdf_errors=[])
            facts = f"{reply.get('pages')} pages, {reply['seconds']:.2f} s"
            preview.log(f"updated {preview.state.name}.pdf ({facts})")


def _kill(worker: subprocess.Popen[str], close: bool = True) -> None:
    """End a worker and its layout process (its whole process group) and reap it; its
    pipes are closed unless another thread may be reading them (it then sees their end)."""
    if worker.returncode is None:  # not reaped: its process group is still its own
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    if close:
        with contextlib.suppress(OSError, ValueError):
            for stream in (worker.stdin, worker.stdout):
                if stream is not None:
                    stream.close()


def _close(worker: subprocess.Popen[str]) -> None:
    """Let an idle worker end by itself (end of its input), killing it if it lingers."""
    with contextlib.suppress(OSError, ValueError):
        if worker.stdin is not None:
            worker.stdin.close()
    try:
        worker.wait(5)
    except subprocess.TimeoutExpired:
        _kill(worker)


def pdf_worker() -> None:
    """A PDF worker process: one JSON job a line on stdin, one JSON reply a line on the
    original stdout (what libraries print goes to stderr). Ends at the end of its input."""
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    args = json.loads(sys.argv[1])
    import weasyprint  # noqa: F401  warm: every job then only builds

    for line in sys.stdin:
        job = json.loads(line)
        started = time.perf_counter()
        reply: dict[str, Any] = {"version": job["version"]}
        try:
            outputs = build(
                args["brief"], out_dir=args["out"], formats=["pdf"], audience=args["audience"],
                templates=args["templates"], force=True,
            )  # fmt: skip
            reply.update(path=str(outputs[0].path), pages=outputs[0].pages)
        except InvalidInput as exc:
            reply["error"] = str(exc)
        except CounterpointError as exc:  # the footnote check, the page limit, layout
            reply["error"] = str(exc)
        except MemoryError:
            reply["error"] = f"{display_path(args['brief'])}: ran out of memory"
        except Exception:  # a bug: its traceback, in the page as in a terminal
            import traceback

            reply["error"] = traceback.format_exc()
        reply["seconds"] = time.perf_counter() - started
        replies.write(json.dumps(reply) + "\n")


# -- the command ----------------------------------------------------------------------------
def serve(
    brief: str | Path,
    audience: str | None = None,
    port: int = 0,
    open_browser: bool = True,
    pdf: bool = True,
    echo: Callable[[str], None] = print,
) -> None:
    """`counterpoint preview`: serve until Ctrl-C (SIGINT) or SIGTERM, then stop cleanly."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    # Ctrl-C even when started with SIGINT ignored (a background job of a script)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    previous_term = signal.signal(signal.SIGTERM, interrupt)
    preview = Preview(brief, audience=audience, port=port, pdf=pdf, log=echo)
    try:
        preview.start()
        echo(f"previewing {display_path(brief)} at {preview.url} (Ctrl-C to stop)")
        if open_browser:
            import webbrowser

            webbrowser.open(preview.url)
        while not preview._stop.wait(1):
            pass
    except KeyboardInterrupt:
        echo("stopping")
    finally:
        preview.stop()
        signal.signal(signal.SIGINT, previous)
        signal.signal(signal.SIGTERM, previous_term)
