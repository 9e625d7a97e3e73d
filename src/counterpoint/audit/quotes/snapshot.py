"""`counterpoint snapshot`: archive each cited source's URL (WARC, or the PDF) and record it.

The only command that touches the network: http and https only, redirects followed by hand
(each one recorded in the WARC), a size and a time limit, nothing executed (the bytes are
stored as served). `--from FILE` imports a copy saved by hand instead: a SingleFile HTML
page, a WARC (Webrecorder, ArchiveBox, Perma.cc) or a PDF. The record then gets `snapshot:`
and `snapshot-sha256:` lines after its `id:` line, its comments and layout kept; when that
cannot be done safely, the exact lines to add are printed instead.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from counterpoint.brief.model import Brief, SourceRecord
from counterpoint.errors import CounterpointError, display_path
from counterpoint.version import __version__

MAX_BYTES = 50 * 1024 * 1024
"""The largest response stored (the extractor reads nothing larger either)."""
TIMEOUT = 30.0
"""Seconds a connection may stay silent, and (times 4) the most one URL may take."""
MAX_REDIRECTS = 5

Echo = Callable[[str], None]


class FetchError(Exception):
    """A URL that could not be archived: the message says why, in one line."""


@dataclass
class Exchange:
    """One request and its response, as the WARC stores them."""

    url: str
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    request_headers: list[tuple[str, str]]


def fetch(url: str, max_bytes: int = MAX_BYTES, timeout: float = TIMEOUT) -> list[Exchange]:
    """GET `url`, following up to five redirects by hand: every exchange, the last one the
    page. Only http and https; a response over `max_bytes` or slower than the limits fails."""
    import http.client

    exchanges: list[Exchange] = []
    deadline = time.monotonic() + 4 * timeout
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(f"'{url}' is not an http or https address; nothing fetched")
        conn_type = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        conn = conn_type(parts.hostname, parts.port, timeout=timeout)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        request_headers = [
            ("Host", parts.netloc),
            ("User-Agent", f"counterpoint/{__version__} (snapshot)"),
            ("Accept", "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.5"),
            ("Accept-Encoding", "identity"),
            ("Connection", "close"),
        ]
        try:
            conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
            for k, v in request_headers:
                conn.putheader(k, v)
            conn.endheaders()
            response = conn.getresponse()
            length = response.getheader("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise FetchError(f"{url}: the response is over {max_bytes:,} bytes; not stored")
            chunks: list[bytes] = []
            size = 0
            while True:
                if time.monotonic() > deadline:
                    raise FetchError(f"{url}: took longer than {4 * timeout:g} s; not stored")
                chunk = response.read(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"{url}: the response is over {max_bytes:,} bytes; not stored")
                chunks.append(chunk)
            headers = [
                (k, v)
                for k, v in response.getheaders()
                if k.lower() not in ("transfer-encoding", "content-length")
            ]
            body = b"".join(chunks)
            headers.append(("Content-Length", str(len(body))))
            exchange = Exchange(
                url, response.status, response.reason, headers, body, request_headers
            )
        except (OSError, http.client.HTTPException) as exc:
            raise FetchError(f"{url}: {exc or type(exc).__name__}") from None
        finally:
            conn.close()
        exchanges.append(exchange)
        location = response.getheader("Location")
        if 300 <= exchange.status < 400 and location:
            url = urljoin(url, location)
            continue
        if exchange.status >= 400:
            answer = f"{exchange.status} {exchange.reason}"
            raise FetchError(f"{exchange.url}: the server answered {answer}")
        return exchanges
    raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")


def write_warc(exchanges: list[Exchange], target: Path) -> None:
    """The exchanges as a gzipped WARC 1.1 in `target`."""
    target.write_bytes(warc_bytes(exchanges, target.name))


def warc_bytes(exchanges: list[Exchange], name: str) -> bytes:
    """The exchanges as a gzipped WARC 1.1: a request and a response record each."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True, warc_version="WARC/1.1")
    info = writer.create_warcinfo_record(
        name, {"software": f"counterpoint/{__version__}", "format": "WARC File Format 1.1"}
    )
    writer.write_record(info)
    for ex in exchanges:
        parts = urlsplit(ex.url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        req = StatusAndHeaders(f"GET {path} HTTP/1.1", ex.request_headers, is_http_request=True)
        writer.write_record(writer.create_warc_record(ex.url, "request", http_headers=req))
        status = StatusAndHeaders(f"{ex.status} {ex.reason}", ex.headers, protocol="HTTP/1.1")
        record = writer.create_warc_record(
            ex.url, "response", payload=io.BytesIO(ex.body), http_headers=status
        )
        writer.write_record(record)
    return buf.getvalue()


# -- the record -------------------------------------------------------------------------------
def record_lines(record: SourceRecord, snapshot: str, digest: str) -> list[str]:
    return [f"snapshot: {snapshot}", f"snapshot-sha256: {digest}"]


_KEY = re.compile(r"^(?P<indent>[ \t]*)(?P<dash>-[ \t]+)?(?P<key>[\w-]+)[ \t]*:")


def write_record(record: SourceRecord, snapshot: str, digest: str) -> bool:
    """Put `snapshot:` and `snapshot-sha256:` into the record's YAML file, after its `id:`
    line (replacing old ones), keeping every comment and line. False when the record is
    not a block mapping in a YAML file (flow style, JSON, BibTeX): nothing is changed."""
    import yaml

    from counterpoint.brief.load import load

    path = Path(record.where.file)
    if path.suffix.lower() not in (".yaml", ".yml") or not path.is_file():
        return False
    original = path.read_bytes()
    text = original.decode("utf-8-sig")
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(newline)
    start = max(0, record.where.line - 1)
    id_re = re.compile(
        rf"^(?P<indent>[ \t]*)(?P<dash>-[ \t]+)?id[ \t]*:[ \t]*"
        rf"['\"]?{re.escape(record.id)}['\"]?[ \t]*(#.*)?$"
    )
    at = next((i for i in range(start, len(lines)) if id_re.match(lines[i])), None)
    if at is None:
        return False
    m = id_re.match(lines[at])
    assert m is not None
    indent = m["indent"] + (" " * len(m["dash"]) if m["dash"] else "")
    # the record's other keys: lines at the same indent until one less indented
    end = at + 1
    while end < len(lines):
        line = lines[end]
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            lead = len(line) - len(line.lstrip(" \t"))
            if lead < len(indent) or (lead == len(indent) - 2 and line.lstrip().startswith("-")):
                break
        end += 1
    old_key = re.compile(rf"^{re.escape(indent)}snapshot(-sha256)?[ \t]*:")
    # the record's keys before its id line too (`- type: …` first, then `id: …`)
    keep = [i for i in range(min(start, at), end) if i == at or not old_key.match(lines[i])]
    # a comment on a replaced line stays with its key
    notes = {}
    for i in range(min(start, at), end):
        if (old := old_key.match(lines[i])) and (note := re.search(r"[ \t]+#.*$", lines[i])):
            notes[f"snapshot{old[1] or ''}"] = note[0]
    new = [
        f"{indent}{line}{notes.get(line.split(':')[0], '')}"
        for line in record_lines(record, snapshot, digest)
    ]
    rebuilt = lines[: min(start, at)] + [lines[i] for i in keep if i <= at] + new
    rebuilt += [lines[i] for i in keep if i > at] + lines[end:]
    data = newline.join(rebuilt)
    if original.startswith(b"\xef\xbb\xbf"):
        data = "\ufeff" + data
    path.write_text(data, encoding="utf-8", newline="")
    try:  # the file must still read, with the record holding the new keys
        doc = load(path)
        ok = _has_snapshot(doc.root, record.id, snapshot, digest)
    except (CounterpointError, yaml.YAMLError):
        ok = False
    if not ok:
        path.write_bytes(original)
    return ok


def _has_snapshot(node: object, key: str, snapshot: str, digest: str) -> bool:
    import yaml

    if isinstance(node, yaml.MappingNode):
        values = {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}
        got = {k: getattr(v, "value", None) for k, v in values.items()}
        if got.get("id") == key:
            return got.get("snapshot") == snapshot and got.get("snapshot-sha256") == digest
        return any(_has_snapshot(v, key, snapshot, digest) for v in values.values())
    if isinstance(node, yaml.SequenceNode):
        return any(_has_snapshot(v, key, snapshot, digest) for v in node.value)
    return False


# -- the command ------------------------------------------------------------------------------
def _free_name(folder: Path, stem: str, suffix: str) -> Path:
    """snapshots/ID.SUFFIX, or ID-2.SUFFIX...: an older snapshot is never overwritten."""
    stem = re.sub(r"[^\w.-]+", "_", stem).strip("._") or "source"
    target = folder / f"{stem}{suffix}"
    n = 2
    while os.path.lexists(target):
        target = folder / f"{stem}-{n}{suffix}"
        n += 1
    return target


def _write_new(folder: Path, stem: str, suffix: str, data: bytes | Callable[[str], bytes]) -> Path:
    """Write a new snapshot, `data` (or `data(its name)`), into `folder` (made if missing),
    never through a symbolic link: a link at the folder, or at the file's name, planted by
    whoever sent the project, would otherwise send the fetched bytes anywhere on the disk."""
    folder.mkdir(exist_ok=True)
    if folder.is_symlink() or not folder.is_dir():
        raise FetchError(
            f"{display_path(folder)} is a symbolic link or not a folder; snapshots are "
            "written only into a real folder beside the record (see docs/security.md)"
        )
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    while True:
        target = _free_name(folder, stem, suffix)
        try:  # O_EXCL: a link (even one to nowhere) at the name is never followed
            fd = os.open(target, flags, 0o644)
        except FileExistsError:
            continue  # made meanwhile: the next free name
        with os.fdopen(fd, "wb") as f:
            f.write(data if isinstance(data, bytes) else data(target.name))
        return target


def _imported_suffix(path: Path) -> str:
    name = path.name.lower()
    for suffix in (".warc.gz", ".warc", ".html", ".htm", ".pdf", ".txt", ".md"):
        if name.endswith(suffix):
            return ".html" if suffix == ".htm" else suffix
    raise CounterpointError(
        f"{display_path(path)}: --from takes a saved page (.html, such as SingleFile's), a "
        "WARC (.warc, .warc.gz: Webrecorder, ArchiveBox, Perma.cc) or a PDF"
    )


def snapshot(
    brief: Brief,
    echo: Echo,
    source: str | None = None,
    from_file: Path | None = None,
    max_bytes: int = MAX_BYTES,
    timeout: float = TIMEOUT,
) -> int:
    """Archive the brief's cited sources (or `source`); the number that failed."""
    from counterpoint.audit.quotes.blocks import SnapshotError
    from counterpoint.audit.quotes.extract import kind_of, read
    from counterpoint.errors import suggest

    if source is not None and source not in brief.sources:
        raise CounterpointError(
            f"{display_path(brief.path)}: no source '{source}' in the brief's bibliography"
            + suggest(source, brief.sources)
        )
    if from_file is not None and source is None:
        raise CounterpointError("--from needs --source ID: the source the file is a copy of")
    keys = [source] if source else sorted(brief.cited_keys())
    failed = 0
    for key in keys:
        record = brief.sources[key]
        where = f"{record.where}: {key}"
        if source is None and record.snapshot:
            echo(f"{where}: has a snapshot already ({record.snapshot}); --source {key} renews it")
            continue
        folder = Path(record.where.file or brief.path).parent / "snapshots"
        try:
            if from_file is not None:
                suffix = _imported_suffix(from_file)
                data = from_file.read_bytes()
                if len(data) > max_bytes:
                    raise FetchError(f"{from_file} is over {max_bytes:,} bytes")
                kind = kind_of(Path("x" + suffix))
                read(kind, data, record.url)  # it must be readable as what it claims to be
                target = _write_new(folder, key, suffix, data)
            else:
                if not record.url:
                    host = f"; it is read through '{record.cited_in}'" if record.cited_in else ""
                    echo(f"{where}: no URL to archive{host}")
                    continue
                exchanges = fetch(record.url, max_bytes, timeout)
                page = exchanges[-1]
                ctype = dict((k.lower(), v) for k, v in page.headers).get("content-type", "")
                if "pdf" in ctype.lower() or page.body.startswith(b"%PDF-"):
                    target = _write_new(folder, key, ".pdf", page.body)
                else:
                    warc = functools.partial(warc_bytes, exchanges)
                    target = _write_new(folder, key, ".warc.gz", warc)
        except (FetchError, SnapshotError, OSError) as exc:
            failed += 1
            echo(f"{where}: not archived: {exc}")
            continue
        digest = hashlib.sha256(target.read_bytes()).hexdigest()
        relative = target.relative_to(folder.parent).as_posix()
        size = f"{target.stat().st_size:,} bytes"
        if write_record(record, relative, digest):
            echo(f"wrote {display_path(target)} ({size}); {display_path(record.where.file)}: "
                 f"snapshot: {relative}")  # fmt: skip
        else:
            lines = "\n".join("  " + line for line in record_lines(record, relative, digest))
            echo(
                f"wrote {display_path(target)} ({size}); add these lines to the record "
                f"'{key}' in {display_path(record.where.file)}:\n{lines}"
            )
    return failed
