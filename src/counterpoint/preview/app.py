"""Live preview: a local server that rebuilds a brief's HTML edition on every save and
updates the open page in place, with the PDF rebuilt in the background (docs/preview.md)."""

from __future__ import annotations

import contextlib
import re
import shutil
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from counterpoint.brief.validate import validate
from counterpoint.errors import CounterpointError, display_path, link_loop
from counterpoint.pipeline.builder import build
from counterpoint.pipeline.session import Session
from counterpoint.preview.pdf import _PdfWorkers
from counterpoint.preview.server import _Server
from counterpoint.preview.shown import Shown
from counterpoint.process.limits import MEMORY_LIMIT, TIME_LIMIT
from counterpoint.process.timelimit import time_limit
from counterpoint.render.templates import find, search_roots

DEBOUNCE_MS, STEP_MS = 300, 30
"""watchfiles groups the events of one save (an editor may write, rename and touch) until
STEP_MS pass without another, DEBOUNCE_MS at most."""


class Preview(Shown):
    """A brief's live preview: start() builds it once, serves it on 127.0.0.1 and watches
    its files; stop() ends the server, the watcher and the PDF workers.

    Tests and tools wait on `changed` (a Condition notified on every state change), or
    call wait_for(predicate) with a timeout (preview/shown.py), instead of sleeping.
    """

    def __init__(
        self,
        brief: str | Path,
        audience: str | None = None,
        port: int = 0,
        pdf: bool = True,
        templates: str | Path | None = None,
        log: Callable[[str], None] | None = None,
        time_limit: float | None = TIME_LIMIT,
        memory_limit: int | None = MEMORY_LIMIT,
        session: Session | None = None,
    ):
        """`session`: the builds' (pipeline/session.py); without one, the preview makes
        its own for its lifetime and stop() closes it."""
        super().__init__(brief, audience, port, pdf, templates, log, time_limit, memory_limit)
        self._watching = threading.Event()
        self._threads: list[threading.Thread] = []
        self._server: _Server | None = None
        self._workers: _PdfWorkers | None = None
        self._watched: tuple[tuple[Path, ...], tuple[Path, ...]] = ((), ())
        self._own_session = session is None
        self.session = session or Session()
        """What the rebuilds share: a warm Pandoc, compiled templates."""

    # -- the life of a preview --------------------------------------------------------
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
        if self._own_session:
            self.session.close()
        shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> Preview:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _thread(self, target: Callable[[], None], name: str) -> None:
        t = threading.Thread(target=target, name=name, daemon=True)
        t.start()
        self._threads.append(t)

    # -- rebuilding -----------------------------------------------------------------------
    def rebuild(self) -> None:
        """Build the HTML edition now, in this process (imports, compiled templates and
        formatted citations stay warm), and start the PDF's build if that succeeded."""
        with self.changed:
            version = self.state.version + 1
            self.state.version = version
        self.session.forget_templates()  # auto_reload is off: an edited template is read
        started = time.perf_counter()
        try:  # the build's time limit, also in the watcher's thread (process/timelimit.py)
            with time_limit(self.time_limit, display_path(self.brief)):
                outputs = build(
                    self.brief, out_dir=self._tmp / "html", formats=["html"],
                    audience=self.audience, templates=self.templates, force=True,
                    session=self.session,
                )  # fmt: skip
        except (CounterpointError, RuntimeError) as exc:  # InvalidInput (located), BuildError
            said = exc if isinstance(exc, CounterpointError) else link_loop(exc)
            if said is None:  # a RuntimeError that is no link loop: a bug
                raise
            self._update(errors=str(said).splitlines())
            self.log(str(said))
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
        marks = [
            {"text": m[1].removesuffix(" …"), "note": f"{f.code} {f.name}: {f.message}"}
            for f in html_output.findings
            if f.code == "CP401" and (m := re.match(r'quotation "(.*?)" differs', f.message))
        ]  # altered quotations, marked at their place in the page (docs/quotes.md)
        self._update(page=version, name=name, errors=[], findings=findings, marks=marks)
        for line in findings:
            self.log(line)
        seconds = time.perf_counter() - started
        self.log(f"updated {name}.html ({html_output.notes} notes, {seconds:.2f} s)")
        if self._workers:
            self._workers.want(version)

    # -- watching -------------------------------------------------------------------------
    def watched(self) -> tuple[tuple[Path, ...], tuple[Path, ...]]:
        """(folders, files): the brief's folder, its bibliography, the folders of its
        template set chain and the folders sets are searched in. Folders are watched with
        everything inside them, files by their folder (an editor may replace the file)."""
        folders = [self.brief.resolve().parent]
        files: list[Path] = []
        roots = search_roots(self.templates, self.brief)
        folders += [r for r in roots if r.is_dir()]
        try:  # (read again here, under the same time limit as a rebuild)
            with time_limit(self.time_limit, display_path(self.brief)):
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


# -- the command ----------------------------------------------------------------------------
def serve(
    brief: str | Path,
    audience: str | None = None,
    port: int = 0,
    open_browser: bool = True,
    pdf: bool = True,
    echo: Callable[[str], None] = print,
    time_limit: float | None = TIME_LIMIT,
    memory_limit: int | None = MEMORY_LIMIT,
    session: Session | None = None,
) -> None:
    """`counterpoint preview`: serve until Ctrl-C (SIGINT), SIGTERM or SIGHUP, then stop
    cleanly."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    # Ctrl-C even when started with SIGINT ignored (a background job of a script)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    previous_term = signal.signal(signal.SIGTERM, interrupt)
    hangup = getattr(signal, "SIGHUP", None)  # a closed terminal
    previous_hup = signal.signal(hangup, interrupt) if hangup is not None else None
    preview = Preview(
        brief, audience=audience, port=port, pdf=pdf, log=echo,
        time_limit=time_limit, memory_limit=memory_limit, session=session,
    )  # fmt: skip
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
        if hangup is not None:
            signal.signal(hangup, previous_hup)
