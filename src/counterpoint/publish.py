"""Stage 5, publish: write HTML files and lay out PDFs with WeasyPrint, checking every footnote.

WeasyPrint is imported here only, and only when a PDF is asked for.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import logging
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import unquote, urlsplit

from .errors import BuildError, display_path
from .limits import MAX_DATA_URL, MAX_FETCH_BYTES, MAX_PDF_NOTES
from .model import Date
from .resolve import Note


def safe_stem(name: str) -> str:
    """An output file name part that cannot leave its folder: no separators, no '..'."""
    cleaned = "".join("-" if c in "/\\" or ord(c) < 32 or c == "\x7f" else c for c in name)
    cleaned = cleaned.strip()
    return cleaned if cleaned.strip(".") else "brief"


def inside(folder: Path, name: str) -> Path:
    """folder/name, refusing any name that would land outside `folder`."""
    if name in ("", ".", "..") or "/" in name or os.sep in name or "\0" in name:
        raise BuildError(f"{name!r}: refusing to write outside {display_path(folder)}")
    return folder / name


def source_date() -> Date | None:
    """The date given by SOURCE_DATE_EPOCH (reproducible builds), if set."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    try:
        day = datetime.datetime.fromtimestamp(int(value), datetime.UTC).date()
    except (ValueError, OverflowError, OSError):
        raise BuildError(
            f"SOURCE_DATE_EPOCH={value!r} is not a number of seconds since 1970"
        ) from None
    return Date(day.year, day.month, day.day)


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old file or the whole new one, never a part."""
    write_all([(path, data)])


def write_all(files: list[tuple[Path, bytes]]) -> None:
    """Write several files all or nothing, as far as a file system allows.

    Each file is first written in full to a temporary file in its own folder; only when
    every one is on disk are they renamed over the old files. An error or Ctrl-C before
    that leaves every old file as it was and removes the temporary files. Existing
    symbolic links are refused: output never writes through a link.
    """
    staged: list[tuple[str, Path]] = []
    current = files[0][0] if files else Path()
    try:
        for current, data in files:
            staged.append((_stage(current, data), current))
        for tmp, current in staged:
            os.replace(tmp, current)
    except OSError as exc:
        _discard(staged)
        raise BuildError(f"{display_path(current)}: cannot write: {exc.strerror or exc}") from None
    except BaseException:
        _discard(staged)
        raise


def _stage(path: Path, data: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink():
        raise BuildError(f"{display_path(path)}: refusing to write through a symbolic link")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return tmp


def _discard(staged: list[tuple[str, Path]]) -> None:
    for tmp, _ in staged:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _umask() -> int:
    """The process umask (mkstemp makes 0600 files; outputs get the usual 0666 & ~umask)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)  # not thread-safe, hence the /proc route first
    os.umask(mask)
    return mask


@dataclass
class FetchPolicy:
    """What a page may load: project files, small data: URLs, and remote URLs if allowed.

    Project files are those under `roots` (the brief's folder, the template set folders
    and ./assets), after following symbolic links; they must be regular files of at most
    MAX_FETCH_BYTES. The PDF loads everything through this policy (images, stylesheets,
    @import, fonts, attachments, SVG references), and harden.harden_html applies it to
    the HTML page. `refused` collects the PDF's refusals, one warning each.
    """

    roots: list[Path]
    allow_remote: bool = False
    refused: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.roots = [Path(r).resolve() for r in self.roots]

    def check(self, url: str) -> str | None:
        """None if the URL may be fetched, else the reason it may not."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            if len(url) > MAX_DATA_URL:
                return f"data: URL of {len(url):,} bytes is over the {MAX_DATA_URL:,}-byte limit"
            return None
        if scheme in ("http", "https"):
            return None if self.allow_remote else "remote fetches are off (use --allow-remote)"
        if scheme == "file":
            return self._check_file(parts.netloc, unquote(parts.path))
        return f"{scheme or 'relative'}: URLs are not allowed"

    def _check_file(self, host: str, name: str) -> str | None:
        if host not in ("", "localhost"):
            return "file: URLs naming another host are not allowed"
        try:
            path = Path(name).resolve()
        except (OSError, ValueError):
            return "not a usable file path"
        root = next((r for r in self.roots if path == r or r in path.parents), None)
        if root is None:
            return "outside the brief's project (its folder, the template set and ./assets)"
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            # .env, .git/config, .ssh: a template could otherwise attach them to the PDF
            return "a hidden file or folder (its name starts with '.')"
        try:
            info = path.stat()
        except OSError:
            return None  # missing: WeasyPrint reports it
        if not stat.S_ISREG(info.st_mode):
            return "not a regular file"
        if info.st_size > MAX_FETCH_BYTES:
            return f"file of {info.st_size:,} bytes is over the {MAX_FETCH_BYTES:,}-byte limit"
        return None


class RefusedFetch(ValueError):
    """A URL the policy refused; already in `FetchPolicy.refused`, so WeasyPrint's log line
    about it ("Failed to load ... RefusedFetch: ...") is dropped."""


def _fetcher(policy: FetchPolicy) -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SafeFetcher(URLFetcher):  # type: ignore[misc]
        """Every load WeasyPrint makes, redirects included, passes through `policy`."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            reason = policy.check(url)
            if reason is not None:
                policy.refused.append(f"refused to load {_short(url)}: {reason}")
                raise RefusedFetch(reason)
            response = super().fetch(url, headers)
            try:
                body = response.read(MAX_FETCH_BYTES + 1)
            finally:
                response.close()
            if len(body) > MAX_FETCH_BYTES:
                limit = f"larger than the {MAX_FETCH_BYTES:,}-byte limit"
                policy.refused.append(f"refused to load {_short(url)}: {limit}")
                raise RefusedFetch(limit)
            return URLFetcherResponse(response.url, body, response.headers, response.status)

    return SafeFetcher(timeout=10, allowed_protocols=["file", "data", "http", "https"])


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass
class PdfResult:
    pages: int
    notes: int
    warnings: list[str]
    data: bytes = field(default=b"", repr=False)
    """The PDF itself, when write_pdf was asked not to write it (write=False)."""


@contextmanager
def _quiet_weasyprint() -> Iterator[list[str]]:
    """Collect WeasyPrint's warnings instead of letting them print."""
    messages: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.WARNING:
                messages.append(record.getMessage())

    logger = logging.getLogger("weasyprint")
    handler = Collect()
    old_level, old_propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        yield messages
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        logger.propagate = old_propagate


def check_footnotes(pages_anchors: list[set[str]], notes: list[Note]) -> list[str]:
    """Every note body must be laid out on the page of its call or the next one.

    `pages_anchors` holds, for each page, the element ids WeasyPrint placed on it.
    Returns one message per lost or misplaced note.
    """
    page_of: dict[str, int] = {}
    for i, anchors in enumerate(pages_anchors, start=1):
        for a in anchors:
            page_of.setdefault(a, i)
    problems = []
    for note in notes:
        call, body = page_of.get(note.call_id), page_of.get(note.id)
        if body is None:
            problems.append(
                f"footnote {note.number} ({_plain(note)}) was lost in PDF layout"
                + (f"; its call is on page {call}" if call else "")
            )
        elif call is None:
            problems.append(f"footnote {note.number}: its call is missing from the PDF")
        elif not call <= body <= call + 1:
            problems.append(
                f"footnote {note.number} is on page {body}, far from its call on page {call}"
            )
    return problems


def _plain(note: Note) -> str:
    import re

    text = re.sub(r"<[^>]+>", "", str(note.body))
    return text if len(text) <= 60 else text[:57] + "..."


def _weasyprint(target: Path, step: Callable[[], Any]) -> Any:
    """Run a WeasyPrint step; its failure on a hostile page is a BuildError, not a traceback."""
    try:
        return step()
    except MemoryError:
        raise
    except Exception as exc:
        raise BuildError(
            f"{display_path(target)}: WeasyPrint failed: {type(exc).__name__}: {_short(str(exc))}"
        ) from None


def import_weasyprint() -> Any:
    """WeasyPrint, imported on first use (about 0.5 s), its regular expressions cached."""
    import sys

    if "weasyprint" not in sys.modules:
        from .regexcache import cached_regexes

        with cached_regexes():
            import weasyprint  # noqa: F401
    return sys.modules["weasyprint"]


def write_pdf(
    html: str,
    target: Path,
    notes: list[Note],
    base: Path,
    policy: FetchPolicy,
    identifier: str = "",
    variant: str | None = None,
    max_pages: int | None = None,
    too_long: Callable[[int], str] | None = None,
    write: bool = True,
    memory_limit: int | None = None,
) -> PdfResult:
    """Lay out print HTML, verify the footnotes, and write the PDF atomically.

    With write=False nothing is written and the PDF is returned in `PdfResult.data`, for
    callers that publish several files at once (write_all). With a `memory_limit` (MiB),
    layout runs in a child process whose address space may grow by that much, so the
    caller's own limits never change; going over is a BuildError.
    """
    if len(notes) > MAX_PDF_NOTES:
        raise BuildError(
            f"{display_path(target)}: the brief has {len(notes):,} notes; a PDF is limited to "
            f"{MAX_PDF_NOTES:,} (layout takes about 12 ms and 150 KB a note); "
            "build --format html, or split the brief"
        )
    import_weasyprint()  # before the fork: every layout process starts with it imported

    def lay_out() -> PdfResult:
        return _lay_out(html, target, notes, base, policy, identifier, variant, max_pages, too_long)

    if memory_limit and hasattr(os, "fork"):
        result = _in_child(lay_out, memory_limit, target)
    else:
        result = lay_out()
    if write:
        write_atomic(target, result.data)
        result.data = b""
    return result


def _lay_out(
    html: str,
    target: Path,
    notes: list[Note],
    base: Path,
    policy: FetchPolicy,
    identifier: str,
    variant: str | None,
    max_pages: int | None,
    too_long: Callable[[int], str] | None,
) -> PdfResult:
    """The PDF's bytes, its page count and warnings (write_pdf's work, in whichever process)."""
    weasyprint = import_weasyprint()
    with _quiet_weasyprint() as messages:
        document = _weasyprint(
            target,
            weasyprint.HTML(
                string=html, base_url=str(base) + os.sep, url_fetcher=_fetcher(policy)
            ).render,
        )
        if max_pages and len(document.pages) > max_pages:
            pages = len(document.pages)
            advice = (
                too_long(pages) if too_long else f"{pages} pages, over the limit of {max_pages}"
            )
            raise BuildError(f"{display_path(target)}: {advice}")
        lost = check_footnotes([set(p.anchors) for p in document.pages], notes)
        if lost:
            raise BuildError(
                f"{display_path(target)}: "
                + "; ".join(lost[:5])
                + (f"; and {len(lost) - 5} more" if len(lost) > 5 else "")
            )
        options: dict[str, Any] = {
            "pdf_identifier": hashlib.md5(identifier.encode()).hexdigest().encode()
            if identifier
            else False,
        }
        if variant:
            options["pdf_variant"] = variant
        # PDF/UA and PDF/A write an XMP id from uuid4(); derive it from the identifier
        # instead so that the same inputs give the same bytes.
        # (unittest.mock.patch would do, but importing it costs 30 ms: it pulls in asyncio)
        import uuid

        from weasyprint.pdf import metadata

        stable = uuid.uuid5(uuid.NAMESPACE_URL, f"counterpoint:{identifier}")
        random_uuid, metadata.uuid4 = metadata.uuid4, lambda: stable
        try:
            data = _weasyprint(target, lambda: document.write_pdf(**options))
        finally:
            metadata.uuid4 = random_uuid
    warnings = list(
        dict.fromkeys(
            policy.refused + [_short(m, 300) for m in messages if "RefusedFetch" not in m]
        )
    )
    return PdfResult(len(document.pages), len(notes), warnings, data)


_OVER_LIMIT = 3
"""Exit status of a layout process that ran out of its address space (MemoryError)."""


def _in_child(work: Callable[[], PdfResult], limit: int, target: Path) -> PdfResult:
    """Run `work` in a forked child whose address space may grow by `limit` MiB.

    The child inherits everything (WeasyPrint imported, the HTML made) and sends back the
    result, or the BuildError's message; this process only waits. Ctrl-C and the build's
    time limit interrupt the wait here, and the child is killed. What the child prints to
    stderr is passed on, unless it ran out of memory: then the one message says it all
    (GLib's abort, Python's "Exception ignored" lines).
    """
    import pickle
    import signal
    import sys

    with tempfile.TemporaryFile() as stderr:
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(reader)
            _child(work, limit, writer, stderr.fileno())  # never returns
        os.close(writer)
        waited = False
        try:
            with open(reader, "rb") as pipe:
                payload = pipe.read()
            _, status = os.waitpid(pid, 0)
            waited = True
        finally:
            if not waited:  # interrupted (Ctrl-C, the time limit): stop the layout too
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
        stderr.seek(0)
        printed = stderr.read().decode("utf-8", "replace")
    code = os.waitstatus_to_exitcode(status)
    if code == 0:
        sys.stderr.write(printed)
        kind, value = pickle.loads(payload)
        if kind == "ok":
            return value  # type: ignore[no-any-return]
        if kind == "error":
            raise BuildError(value)
        raise RuntimeError(f"PDF layout failed in its child process:\n{value}")
    if code == 130:
        raise KeyboardInterrupt
    over = (
        f"the memory limit of {limit:,} MiB; raise it with --memory-limit "
        "(or COUNTERPOINT_MEMORY_LIMIT) if the document is meant to be this large"
    )
    # a library that cannot allocate may abort (GLib, when it cannot start a thread)
    if code == _OVER_LIMIT or (code < 0 and any(s in printed for s in _OUT_OF_MEMORY)):
        raise BuildError(f"{display_path(target)}: PDF layout went over {over}")
    if code < 0:
        name = signal.Signals(-code).name
        raise BuildError(f"{display_path(target)}: PDF layout crashed ({name}), probably at {over}")
    raise BuildError(f"{display_path(target)}: PDF layout stopped with exit status {code}")


_OUT_OF_MEMORY = ("Error creating thread", "failed to allocate", "Cannot allocate memory")
"""What libraries print when an allocation fails under the limit, before they abort."""


def _child(work: Callable[[], PdfResult], limit: int, writer: int, stderr: int) -> NoReturn:
    """The layout process: limit it, run `work`, send the outcome, and leave at once
    (os._exit: no cleanup of what it shares with its parent, no flush of its buffers)."""
    import faulthandler
    import pickle

    status = 1
    try:
        os.dup2(stderr, 2)
        faulthandler.disable()  # a crash is reported by the parent, in one line
        _limit_address_space(limit)
        try:
            outcome: tuple[str, Any] = ("ok", work())
        except BuildError as exc:
            outcome = ("error", str(exc))
        except MemoryError:
            raise
        except Exception:  # a bug: its traceback goes to the parent, which raises it
            import traceback

            outcome = ("bug", traceback.format_exc())
        with open(writer, "wb") as pipe:
            pipe.write(pickle.dumps(outcome))
        status = 0
    except MemoryError:
        status = _OVER_LIMIT
    except KeyboardInterrupt:
        status = 130
    finally:
        os._exit(status)


def _limit_address_space(mib: int) -> None:
    """Let this process's address space grow by `mib` MiB at most (never loosening a
    limit already set). Only ever called in a child process: RLIMIT_AS is process-wide."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    ceiling = _address_space() + mib * 1024 * 1024
    for current in (soft, hard):
        if current != resource.RLIM_INFINITY:
            ceiling = min(ceiling, current)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))


def _address_space() -> int:
    """This process's address space in bytes (0 where /proc cannot tell)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")
