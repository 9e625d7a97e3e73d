"""The preview's HTTP server: 127.0.0.1 only, its own Host only, an allow-list of paths,
the built page's Content-Security-Policy with a nonce for the preview's script."""

from __future__ import annotations

import contextlib
import json
import secrets
import socket
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

if TYPE_CHECKING:
    from counterpoint.preview.app import Preview


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
            data, policy = preview.page(nonce)
            return self._send(200, data, "text/html; charset=utf-8", policy, body=body)
        if path == "/events":
            return self._events(preview) if body else self._send(200, b"", "text/event-stream")
        try:
            wanted = unquote(path, errors="strict")
        except UnicodeDecodeError:  # `/%ff`: no name of ours
            return self._send(400, b"bad request\n", "text/plain", body=body)
        if wanted == f"/{name}.html":
            data, policy, version = preview.built_page()
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
