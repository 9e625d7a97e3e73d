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
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from counterpoint.usercache import user_cache_dir

EXTRACT_VERSION = "14"
"""Changes whenever extraction changes what it returns: old cache entries are then unused."""

MAX_SNAPSHOT_BYTES = 50 * 1024 * 1024
"""A snapshot larger than this is not read (docs/security.md)."""


class SnapshotError(Exception):
    """A snapshot that cannot be read as its kind: the message says why, in one line."""


@dataclass
class Block:
    """One paragraph, heading or page of a snapshot, in reading order."""

    text: str
    para: int = 0  # its number among paragraphs (headings not counted); 0: not a paragraph
    block: int = 0  # its number among all blocks, headings included (.txt and .md)
    page: str = ""  # its page label ("iv", "12"); "" when the file has no pages
    folio: str = ""  # the page number printed on a PDF page without page labels
    heading: bool = False


@dataclass
class Extracted:
    """A snapshot's text: its blocks, and which locators it can check."""

    kind: str  # "text", "html" or "pdf"
    blocks: list[Block] = field(default_factory=list)
    pages: bool = False  # page locators (p., pp.) can be checked
    paras: bool = False  # paragraph locators (para., paras.) can be checked
    sample: str = ""  # the first words, to guess the language by

    def to_json(self) -> dict[str, object]:
        return {**asdict(self), "blocks": [asdict(b) for b in self.blocks]}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Extracted:
        blocks = [Block(**b) for b in data.pop("blocks")]  # type: ignore[attr-defined]
        return cls(**data, blocks=blocks)  # type: ignore[arg-type]


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


# -- HTML -----------------------------------------------------------------------------------
_SKIP_TAGS = (
    "script, style, noscript, template, nav, footer, aside, form, iframe, svg, button, rt, rp, "
    "select, dialog, [role=navigation], [role=banner], [role=contentinfo], "
    "[role=complementary], [role=search], [aria-hidden=true], [hidden], "
    "sup.reference, a.footnote-ref, sup > a[href^='#'], [role=doc-noteref]"
)
"""Left out of an HTML page's text: boilerplate, and note calls (a writer quotes the words,
not the superscript "12" after them)."""
_BOILERPLATE = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|navigation|menu|footer|site-header|masthead|banner|breadcrumbs?|"
    r"related|share|sharing|social|cookies?|consent|advert|advertisement|ads?|promo|sidebar|"
    r"newsletter|subscribe|comments?|skip-link|gdpr|popup|modal|paywall|top-?bar|toc|tags|"
    r"recommended|trending|most-read|most-popular|read-more|more-stories|outbrain|taboola)"
    r"(?:$|[\s_-])",
    re.I,
)
_RELATED = re.compile(
    r"(?:related|read more|more on|more from|see also|recommended|most read|most popular|"
    r"you may also|you might also|trending|weitere|mehr zum|lesen sie auch|à lire aussi|"
    r"lire aussi|sur le même sujet|te puede interesar|más noticias|читайте также|"
    r"по теме|相关|関連|اقرأ أيضا)",
    re.I,
)
"""A heading that names a box of links to other pages."""
_PARA_TAGS = {"p", "li", "blockquote"}
_HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BREAK_TAGS = {
    "div", "section", "article", "main", "header", "td", "th", "tr", "table", "dd", "dt",
    "dl", "figure", "figcaption", "pre", "ul", "ol", "address", "details", "summary", "caption",
}  # fmt: skip


def from_html(html: str) -> Extracted:
    """The main text: boilerplate removed, then p, li and blockquote as numbered paragraphs
    (the innermost when they nest), headings and other loose text as unnumbered blocks."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    for node in tree.css(_SKIP_TAGS):
        node.decompose()
    for node in tree.css("header"):  # the page's banner, not an article's own header
        inside = node.parent
        while inside is not None and inside.tag not in ("article", "main"):
            inside = inside.parent
        if inside is None:
            node.decompose()
    paragraphs = len(tree.css("p"))
    for node in tree.css("[class], [id]"):
        if node.tag in ("html", "body", "main", "article"):
            continue
        if paragraphs and len(node.css("p")) * 2 > paragraphs:
            continue  # most of the text: a wrapper named "has-comments", not a box
        names = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
        if _BOILERPLATE.search(names):
            node.decompose()
    for heading in tree.css("h2, h3, h4"):  # a box headed "Related articles", "Read more"
        box = heading.parent
        if (
            _RELATED.match(" ".join(heading.text().split()))
            and box is not None
            and box.tag in ("section", "div", "nav", "ul")
            and not (paragraphs and len(box.css("p")) * 2 > paragraphs)
            and box.css_first("h2, h3, h4") == heading
        ):
            box.decompose()
    mains = tree.css("main") or tree.css("[role=main]")
    root = mains[0] if mains else _main_article(tree) or tree.body
    out = Extracted("html", paras=True)
    if root is None:
        return out
    walker = _Walker(out)
    walker.walk(root)
    walker.flush()
    out.sample = " ".join(b.text for b in out.blocks[:20])[:3000]
    return out


def _main_article(tree: Any) -> Any:
    """The one article, or the article holding most of the page's paragraph text (the
    story, not the teasers of related stories beside it) when there is one such."""

    def size(node: Any) -> int:
        return sum(len(p.text()) for p in node.css("p"))

    articles = tree.css("article")
    if len(articles) == 1:
        return articles[0]
    body = tree.body
    sizes = [size(a) for a in articles]
    if not articles or body is None or max(sizes) * 2 <= size(body):
        return None
    return articles[sizes.index(max(sizes))]


class _Walker:
    def __init__(self, out: Extracted):
        self.out = out
        self.buffer: list[str] = []
        self.kind = ""  # "para", "heading" or "" (loose text)
        self.para = 0
        self.block = 0  # paragraphs counted with those of an article's header (a byline)
        self.header = False  # inside the article's <header>

    def flush(self) -> None:
        text = " ".join("".join(self.buffer).split())
        self.buffer = []
        if not text:
            return
        numbered = self.kind == "para" and not self.header
        if self.kind == "para":
            self.block += 1
            self.para += numbered
        self.out.blocks.append(
            Block(
                text,
                para=self.para if numbered else 0,
                block=self.block if self.kind == "para" else 0,
                heading=self.kind == "heading",
            )
        )

    def walk(self, node: object) -> None:
        for child in node.iter(include_text=True):  # type: ignore[attr-defined]
            tag = child.tag
            if tag == "-text":
                self.buffer.append(child.text_content or "")
            elif tag in ("br", "hr"):
                self.buffer.append(" ")
            elif tag == "q":  # a browser shows its quotation marks
                self.buffer.append("“")
                self.walk(child)
                self.buffer.append("”")
            elif tag in _PARA_TAGS or tag in _HEADING_TAGS or tag in _BREAK_TAGS:
                outer, header = self.kind, self.header
                self.flush()
                self.kind = (
                    "para" if tag in _PARA_TAGS else "heading" if tag in _HEADING_TAGS else outer
                )
                self.header = header or tag == "header"
                self.walk(child)
                self.flush()
                self.kind, self.header = outer, header
            elif not tag.startswith("-"):
                self.walk(child)


# -- PDF --------------------------------------------------------------------------------------
def from_pdf(data: bytes) -> Extracted:
    """A block per page, labelled with the PDF's page label (its /PageLabels, else 1, 2...).

    PDFium (pypdfium2) reads the text: in reading order, right-to-left lines included, and
    fast (a page in a few milliseconds, where pure-Python readers take a tenth of a second)."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise SnapshotError(f"the PDF cannot be read ({exc})") from None
    out = Extracted("pdf", pages=True)
    try:
        labelled = any(pdf.get_page_label(n) for n in range(len(pdf)))
        for n in range(len(pdf)):
            page = pdf[n]
            textpage = page.get_textpage()
            text = textpage.get_text_bounded().replace("\r\n", "\n").replace("\r", "\n")
            textpage.close()
            page.close()
            label = pdf.get_page_label(n) or str(n + 1)
            text, folio = _folio(text.strip(), label if labelled else "")
            out.blocks.append(Block(text, page=label, folio=folio))
    except pdfium.PdfiumError as exc:
        raise SnapshotError(f"the PDF cannot be read ({exc})") from None
    finally:
        pdf.close()
    out.sample = " ".join(b.text for b in out.blocks[:3])[:3000]
    return out


_FOLIO = re.compile(r"\d{1,5}|[ivxlcdm]{1,8}|[IVXLCDM]{1,8}")


def _folio(text: str, label: str) -> tuple[str, str]:
    """The page's text without the page number printed alone on its first or last line (a
    running folio, as WeasyPrint's @page counters or a journal's 112, 113... print it), so
    that a quotation running on to the next page reads on; and that number when the PDF
    has no page labels (`label` ""), else ""."""
    lines = text.split("\n")
    for at in (len(lines) - 1, 0) if len(lines) > 1 else ():
        number = lines[at].strip()
        if _FOLIO.fullmatch(number) and (not label or number.lower() == label.lower()):
            rest = lines[:at] + lines[at + 1 :]
            return "\n".join(rest).strip(), "" if label else number.lower()
    return text, ""


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
