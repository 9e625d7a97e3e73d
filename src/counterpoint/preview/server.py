"""The preview's HTTP server and page: 127.0.0.1 only, its own Host only, an allow-list of paths,
the built page's Content-Security-Policy with a nonce for the preview's script."""

from __future__ import annotations

import contextlib
import html
import json
import re
import secrets
import socket
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from counterpoint.preview.shown import Shown, copy_state

ASSETS = Path(__file__).parent / "preview_assets"

DEFAULT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
    "media-src data:; base-uri 'none'; form-action 'none'"
)
"""The policy of the page shown before the brief has ever built (the built page's own)."""

_CSP_META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', re.I)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# -- the page -------------------------------------------------------------------------------
def page(preview: Shown, nonce: str) -> tuple[bytes, str]:
    """The preview page: the last good rendering, its policy allowing our script by
    nonce and the event stream, and the script right after the policy."""
    with preview.changed:
        data, state = preview.page_html, copy_state(preview.state)
    if data:
        text = data.decode("utf-8")
    else:
        text = (ASSETS / "waiting.html").read_text(encoding="utf-8")
        text = text.replace("$policy", DEFAULT_POLICY)
        text = text.replace("$title", html.escape(f"{preview.brief.name} (preview)"))
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


def built_page(preview: Shown) -> tuple[bytes, str, int | None]:
    """The built HTML as it is, with its own policy (for the page's script to swap in)."""
    with preview.changed:
        data, version = preview.page_html, preview.state.page
    meta = _CSP_META.search(data.decode("utf-8")) if data else None
    return data, html.unescape(meta[1]) if meta else DEFAULT_POLICY, version


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


# -- the server -----------------------------------------------------------------------------
class _Server(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins every request thread
    block_on_close = True

    def __init__(self, address: tuple[str, int], preview: Shown):
        self.preview = preview
        self.connections: set[socket.socket] = set()
        self.lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host's name up (socket.getfqdn): not needed
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "127.0.0.1", self.server_address[1]

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that resets or drops its connection is no error to print; any other
        failure of a request is a bug, printed as socketserver does."""
        import sys

        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)

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
            data, policy = page(preview, nonce)
            return self._send(200, data, "text/html; charset=utf-8", policy, body=body)
        if path == "/events":
            return self._events(preview) if body else self._send(200, b"", "text/event-stream")
        try:
            wanted = unquote(path, errors="strict")
        except UnicodeDecodeError:  # `/%ff`: no name of ours
            return self._send(400, b"bad request\n", "text/plain", body=body)
        if wanted == f"/{name}.html":
            data, policy, version = built_page(preview)
            if data:
                extra = {"X-Preview-Version": str(version)}
                return self._send(200, data, "text/html; charset=utf-8", policy, extra, body)
        downloads = {  # built in the background, a stale one never served
            f"/{name}.pdf": ("pdf_data", "application/pdf", "inline", "the PDF"),
            f"/{name}.docx": ("docx_data", DOCX, "attachment", "the Word edition"),
        }
        if wanted in downloads and preview.state.pdf != "off":
            attribute, kind, disposition, what = downloads[wanted]
            with preview.changed:
                data, version = getattr(preview, attribute), preview.state.pdf_version
            if data:
                extra = {
                    "ETag": f'"{version}"',
                    "Content-Disposition": f"{disposition}; filename*=UTF-8''{path[1:]}",
                }
                return self._send(200, data, kind, None, extra, body)
            return self._send(503, f"{what} is being built\n".encode(), "text/plain", body=body)
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

    def _events(self, preview: Shown) -> None:
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
