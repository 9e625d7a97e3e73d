"""Live preview: a local server that rebuilds a brief's HTML edition on every save and
updates the open page in place, with the PDF rebuilt in the background (docs/preview.md)."""

from __future__ import annotations

import contextlib
import html
import json
import re
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from counterpoint.brief.validate import validate
from counterpoint.errors import CounterpointError, display_path, link_loop
from counterpoint.pipeline.builder import build
from counterpoint.pipeline.session import Session
from counterpoint.preview.pdf import _PdfWorkers
from counterpoint.preview.server import _Server
from counterpoint.process.limits import MEMORY_LIMIT, TIME_LIMIT
from counterpoint.process.timelimit import time_limit
from counterpoint.render.templates import find, search_roots

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
    marks: list[dict[str, str]] = field(default_factory=list)
    """Altered quotations (CP401) to mark in the page: their first words and the finding."""
    pdf: str = "off"
    """off (--no-pdf), waiting, building, ready or failed."""
    pdf_version: int | None = None
    """The version the served PDF was built from."""
    pdf_errors: list[str] = field(default_factory=list)

    def public(self) -> dict[str, Any]:
        return {
            "seq": self.seq, "version": self.version, "page": self.page, "name": self.name,
            "errors": self.errors, "findings": self.findings, "marks": self.marks,
            "pdf": self.pdf,
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
        time_limit: float | None = TIME_LIMIT,
        memory_limit: int | None = MEMORY_LIMIT,
        session: Session | None = None,
    ):
        """`session`: the builds' (pipeline/session.py); without one, the preview makes
        its own for its lifetime and stop() closes it."""
        if audience == "all":
            raise CounterpointError("preview shows one edition: name an audience, not 'all'")
        self.brief = Path(brief)
        self.audience = audience
        self.templates = Path(templates) if templates else None
        self.port = port
        self.time_limit = time_limit  # each rebuild's, as for `counterpoint build`
        self.memory_limit = memory_limit  # the PDF layout's (the PDF worker's builds)
        self.log = log or (lambda line: None)
        self.state = State(pdf="waiting" if pdf else "off", name=self._default_name())
        self.changed = threading.Condition()
        self.page_html = b""
        self.pdf_data = b""
        self.docx_data = b""  # the Word edition, built with the PDF
        self._pdf = pdf
        self._stop = threading.Event()
        self._watching = threading.Event()
        self._threads: list[threading.Thread] = []
        self._tmp = Path(tempfile.mkdtemp(prefix="counterpoint-preview-"))
        self._server: _Server | None = None
        self._workers: _PdfWorkers | None = None
        self._watched: tuple[tuple[Path, ...], tuple[Path, ...]] = ((), ())
        self._own_session = session is None
        self.session = session or Session()
        """What the rebuilds share: a warm Pandoc, compiled templates."""

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
        if self._own_session:
            self.session.close()
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
