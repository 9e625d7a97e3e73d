"""The preview's PDF, rebuilt in the background by a warm worker process after each
change; a newer save kills a stale build (the newest change wins)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from counterpoint.errors import CounterpointError, InvalidInput, display_path
from counterpoint.pipeline.builder import build
from counterpoint.pipeline.session import Session
from counterpoint.process.timelimit import time_limit

if TYPE_CHECKING:
    from counterpoint.preview.shown import Shown


# -- the PDF, in the background -------------------------------------------------------------
_WORKER = "from counterpoint.preview.pdf import pdf_worker; pdf_worker()"


class _PdfWorkers:
    """Builds the PDF in worker processes, warm (WeasyPrint imported) and each in its own
    process group. The newest version wins: a build made stale by a newer save is killed
    with its layout process, and a new worker takes the newer version. One worker is kept
    between builds; a spare warming up beside a build would take a core from it."""

    def __init__(self, preview: Shown):
        self.preview = preview
        self.args = json.dumps({
            "brief": str(preview.brief), "audience": preview.audience,
            "templates": str(preview.templates) if preview.templates else None,
            "out": str(preview._tmp / "pdf"),
            "time_limit": preview.time_limit, "memory_limit": preview.memory_limit,
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
            docx = Path(reply["docx"]).read_bytes() if reply.get("docx") else b""
            with preview.changed:
                preview.pdf_data, preview.docx_data = data, docx
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

    session = Session()  # the worker's builds share a warm Pandoc, stopped at the end
    for line in sys.stdin:
        job = json.loads(line)
        started = time.perf_counter()
        reply: dict[str, Any] = {"version": job["version"]}
        try:  # the limits of `counterpoint build` (this is the worker's main thread)
            with time_limit(args.get("time_limit"), display_path(args["brief"])):
                outputs = build(
                    args["brief"], out_dir=args["out"], formats=["pdf", "docx"],
                    audience=args["audience"], templates=args["templates"], force=True,
                    memory_limit=args.get("memory_limit"), session=session,
                )  # fmt: skip
            reply.update(path=str(outputs[0].path), pages=outputs[0].pages)
            reply.update(docx=str(outputs[1].path))  # the Word edition, for download
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
    session.close()
