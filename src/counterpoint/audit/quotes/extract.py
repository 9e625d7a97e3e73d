"""A snapshot as text blocks with their paragraph numbers and page labels, cached by content.

.txt and .md: blocks separated by blank lines (a form feed starts a new page); .html: the
main text (nav, header banners, footers, asides and related links left out), a paragraph
per p, li or blockquote; .pdf: a block per page, labelled with its PDF page label; .warc and
.warc.gz: the response record for the source's URL, read as HTML or PDF by its content type.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
from pathlib import Path

from counterpoint.audit.quotes.blocks import MAX_SNAPSHOT_BYTES, Block, Extracted, SnapshotError
from counterpoint.audit.quotes.htmltext import from_html
from counterpoint.audit.quotes.pdftext import from_pdf
from counterpoint.usercache import user_cache_dir

EXTRACT_VERSION = "14"
"""Changes whenever extraction changes what it returns: old cache entries are then unused."""


def sha256_of(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def kind_of(path: Path) -> str:
    """The snapshot kind by file name: txt, md, html, pdf, warc; '' when not one of them."""
    name = path.name.lower()
    if name.endswith((".warc", ".warc.gz")):
        return "warc"
    suffix = path.suffix.lower()
    return {
        ".txt": "txt",
        ".text": "txt",
        ".md": "md",
        ".markdown": "md",
        ".html": "html",
        ".htm": "html",
        ".xhtml": "html",
        ".pdf": "pdf",
    }.get(suffix, "")


_MEMORY: dict[str, Extracted] = {}


def extract(path: Path, digest: str, url: str = "") -> Extracted:
    """The snapshot's blocks, from the user's cache when this content was read before."""
    kind = kind_of(path)
    if not kind:
        raise SnapshotError(
            f"'{path.name}' is not a kind of snapshot counterpoint reads "
            "(.txt, .md, .html, .pdf, .warc, .warc.gz)"
        )
    from counterpoint.audit.quotes import code_version

    version = f"{EXTRACT_VERSION}.{code_version()}"
    key = hashlib.sha256(f"{version}\0{kind}\0{digest}\0{url}".encode()).hexdigest()
    if key in _MEMORY:
        return _MEMORY[key]
    cached = Path(user_cache_dir("quotes", "text", key + ".json"))
    try:
        got = Extracted.from_json(json.loads(cached.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError):
        if path.stat().st_size > MAX_SNAPSHOT_BYTES:
            raise SnapshotError(
                f"'{path.name}' is over {MAX_SNAPSHOT_BYTES // (1024 * 1024)} MB"
            ) from None
        got = read(kind, path.read_bytes(), url)
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(got.to_json(), ensure_ascii=False), encoding="utf-8")
            tmp.replace(cached)
        except OSError:
            pass
    _MEMORY[key] = got
    return got


def read(kind: str, data: bytes, url: str = "", content_type: str = "") -> Extracted:
    """Blocks from a snapshot's bytes (kind: txt, md, html, pdf or warc)."""
    if kind in ("txt", "md"):
        return from_text(_decode(data, content_type), markdown=kind == "md")
    if kind == "html":
        return from_html(_decode(data, content_type))
    if kind == "pdf":
        return from_pdf(data)
    if kind == "warc":
        return from_warc(data, url)
    raise SnapshotError(f"cannot read a '{kind}' snapshot")


def _decode(data: bytes, content_type: str = "") -> str:
    m = re.search(r"charset=[\"']?([\w.:-]+)", content_type, re.I)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Windows' "Unicode" text
        return data.decode("utf-16", errors="replace")
    if m:
        try:
            return data.decode(m[1], errors="replace")
        except LookupError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        head = data[:4096].decode("ascii", errors="ignore")
        meta = re.search(r"<meta[^>]+charset=[\"']?([\w.:-]+)", head, re.I)
        if meta:
            try:
                return data.decode(meta[1], errors="replace")
            except LookupError:
                pass
        return data.decode("cp1252", errors="replace")


# -- plain text and Markdown --------------------------------------------------------------
_BLANK = re.compile(r"\n[ \t\r]*\n")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s")
_SETEXT = re.compile(r"\n\s{0,3}(=+|-+)\s*$")
_ENDS_SENTENCE = re.compile(r"[.!?…:;\"'”’»」』)\]。！？]\s*$")


def _heading_like(text: str, markdown: bool) -> bool:
    """A heading, or a block of one short line without a sentence's end (a title, a label
    such as 'Advertisement'): numbered among blocks but not among paragraphs."""
    if markdown and (_MD_HEADING.match(text) or _SETEXT.search(text)):
        return True
    one = text.strip()
    return "\n" not in one and len(one.split()) <= 20 and not _ENDS_SENTENCE.search(one)


_MD_MARKUP = [
    (re.compile(r"^\s{0,3}#{1,6}\s+|\s+#+\s*$", re.M), ""),  # heading marks
    (re.compile(r"\n\s{0,3}(=+|-+)\s*$"), ""),  # setext underline
    (re.compile(r"^\s{0,3}(?:>\s?)+", re.M), ""),  # block quote marks
    (re.compile(r"^\s{0,3}(?:[-*+]|\d{1,9}[.)])\s+", re.M), ""),  # list markers
    (re.compile(r"\[\^[^\]\s]+\](?!:)"), ""),  # footnote calls: word[^1]
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links and images: their text
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # strong
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?!\*)"), r"\1"),  # emphasis
    (re.compile(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)"), r"\1"),
    (re.compile(r"`([^`]*)`"), r"\1"),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!\"'])"), r"\1"),  # backslash escapes
]


def strip_markdown(text: str) -> str:
    for pattern, replacement in _MD_MARKUP:
        text = pattern.sub(replacement, text)
    return text


def from_text(text: str, markdown: bool = False) -> Extracted:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    pages = text.split("\f")
    out = Extracted("text", paras=True, pages=len(pages) > 1)
    para = block = 0
    for n, page in enumerate(pages, start=1):
        for chunk in _BLANK.split(page):
            if not chunk.strip():
                continue
            heading = _heading_like(chunk, markdown)
            block += 1
            if not heading:
                para += 1
            body = strip_markdown(chunk) if markdown else chunk
            out.blocks.append(
                Block(
                    body.strip(),
                    para=0 if heading else para,
                    block=block,
                    page=str(n) if out.pages else "",
                    heading=heading,
                )
            )
    out.sample = " ".join(b.text for b in out.blocks[:20])[:3000]
    return out


# -- WARC -------------------------------------------------------------------------------------
def _same_url(a: str, b: str) -> bool:
    def norm(u: str) -> str:
        from urllib.parse import unquote

        u = u.strip().strip("<>")
        _scheme, _, rest = u.partition("://")
        host, _, path = rest.partition("/")
        path = unquote(path.split("#")[0]).rstrip("/")  # /wiki/Россия is /wiki/%D0%A0…
        host = host.lower().removeprefix("www.")
        with contextlib.suppress(UnicodeError):  # президент.рф is xn--d1abbgf6aiiy.xn--p1ai
            host = host.encode("idna").decode("ascii")
        return f"{host}/{path}"

    return norm(a) == norm(b)


def warc_responses(data: bytes) -> list[tuple[str, int, str, str, bytes]]:
    """Each response record: (target URI, status, content type, Location header, body)."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    found = []
    revisits: list[tuple[str, str]] = []  # (target URI, the URI whose response it repeats)
    try:
        for record in ArchiveIterator(io.BytesIO(data)):
            if record.rec_type == "revisit":
                refers = record.rec_headers.get_header("WARC-Refers-To-Target-URI") or ""
                uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                if refers and uri:
                    revisits.append((uri, refers))
                continue
            if record.rec_type not in ("response", "resource"):
                continue
            uri = record.rec_headers.get_header("WARC-Target-URI") or ""
            if record.http_headers is not None:
                status = int((record.http_headers.get_statuscode() or "200")[:3] or 200)
                ctype = record.http_headers.get_header("Content-Type") or ""
                location = record.http_headers.get_header("Location") or ""
            else:
                status, location = 200, ""
                ctype = record.rec_headers.get_header("Content-Type") or ""
            body = record.content_stream().read(MAX_SNAPSHOT_BYTES + 1)
            found.append((uri, status, ctype, location, body))
    except (ArchiveLoadFailed, ValueError, OSError, EOFError) as exc:
        raise SnapshotError(f"the WARC cannot be read ({exc})") from None
    for uri, refers in revisits:  # the same content as another address's, stored once
        original = next((r for r in found if _same_url(r[0], refers)), None)
        if original is not None:
            found.append((uri, *original[1:]))
    return found


def _readable(ctype: str) -> str:
    ctype = ctype.lower()
    if "pdf" in ctype:
        return "pdf"
    if "html" in ctype or "xml" in ctype:
        return "html"
    if ctype.startswith("text/"):
        return "txt"
    return ""


def from_warc(data: bytes, url: str) -> Extracted:
    """The response for `url` (redirects followed inside the archive), else the archive's
    one HTML or PDF page."""
    from urllib.parse import urljoin

    responses = warc_responses(data)
    chosen = None
    target = url
    for _ in range(6):
        if not target:
            break
        hit = next((r for r in responses if _same_url(r[0], target) and r[1] < 400), None)
        if hit is None:
            break
        if 300 <= hit[1] < 400 and hit[3]:
            target = urljoin(hit[0], hit[3])
            continue
        chosen = hit
        break
    if chosen is None:
        pages = [r for r in responses if r[1] == 200 and _readable(r[2])]
        if len(pages) != 1:
            where = f"for {url}" if url else "(the record has no URL)"
            raise SnapshotError(f"the WARC holds no response record {where}")
        chosen = pages[0]
    kind = _readable(chosen[2]) or ("pdf" if chosen[4].startswith(b"%PDF") else "html")
    return read(kind, chosen[4], content_type=chosen[2])
