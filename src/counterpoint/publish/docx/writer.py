"""The Word edition: a Pandoc document built from the resolved brief, written by Pandoc.

counterpoint builds Pandoc's document model (the JSON AST) from the resolved edition,
section by section in `doc.sections` order (a section a template set adds or changes is
its templates' HTML read by Pandoc, publish/docx/html.py), and has the pinned
Pandoc write it as .docx with the template set's `reference.docx` (styles, page, header
and footer). Each citation of a note style becomes a real Word footnote whose text is the
CSL processor's note, so the footnotes equal the HTML's and the PDF's notes in number,
order and text. The figures are SVG with a PNG fallback (Pandoc runs rsvg-convert);
images come only from counterpoint itself and a set's asset() files, never from a URL.

The same edition gives the same bytes: Pandoc dates the package from SOURCE_DATE_EPOCH
(the brief's date), and the package is rewritten with fixed entry times.
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import os
import re
import stat
import subprocess
import tempfile
import zipfile
from collections.abc import Callable
from html import escape as _xml_escape
from pathlib import Path
from typing import Any

from counterpoint.audit.checks import AuditReport
from counterpoint.brief import i18n
from counterpoint.brief.i18n import Labels
from counterpoint.brief.model import Date
from counterpoint.cite.fields import Fields
from counterpoint.cite.pandocast import _el, stringify, words
from counterpoint.cite.resolve import Resolved
from counterpoint.errors import BuildError, display_path
from counterpoint.process import pandoc
from counterpoint.process.limits import MAX_SET_FILE_BYTES
from counterpoint.publish.docx import flow as docxflow
from counterpoint.publish.docx.reference import Reference, clean_reference
from counterpoint.publish.docx.sections import Sections
from counterpoint.publish.docx.written import check_written
from counterpoint.render.engine import brief_labels, isolated
from counterpoint.render.templates import TemplateSet, builtin_root

API_VERSION = [1, 23, 1, 1]
"""The pandoc-types version of the JSON AST (Pandoc 3.9: `pandoc -t json` of nothing)."""

REFERENCE = "reference.docx"
"""The file a template set gives its Word styles in (Pandoc's --reference-doc)."""

TITLE_PLACEHOLDER = "COUNTERPOINT-TITLE"
MARKING_PLACEHOLDER = "COUNTERPOINT-MARKING"
"""Texts in a reference.docx's headers and footers that the brief's title and marking
replace (the marking with nothing when the brief has none)."""


# -- the template set's reference.docx -------------------------------------------------------
def reference_doc(tset: TemplateSet) -> Path:
    """The first reference.docx along the set's chain (the set's own, else a parent's), else
    the base set's. Like any set file, it may be a link only to a file inside its set."""
    for s in tset.chain:
        path = s.folder / REFERENCE
        if not os.path.lexists(path):
            continue
        real = path.resolve()
        if not real.is_relative_to(s.folder.resolve()):
            raise BuildError(
                f"{set_file(path)} links to a file outside its template set; refusing "
                "(see docs/security.md)"
            )
        if real.is_dir():
            continue
        return path
    return builtin_root() / "base" / REFERENCE


def set_file(path: Path) -> str:
    """A set file's path as messages show it: the link's own name when it is a link."""
    return str(Path(display_path(path.parent), path.name))


def read_reference(path: Path) -> bytes:
    """A reference.docx's bytes: a regular file within the size limit of a set file, opened
    without following a link swapped in after the check."""
    label = set_file(path)
    try:
        fd = os.open(path.resolve(), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK)
    except OSError as exc:
        raise BuildError(f"{label}: cannot read: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise BuildError(f"{label} is not a regular file; refusing (see docs/security.md)")
        if info.st_size > MAX_SET_FILE_BYTES:
            raise BuildError(
                f"{label}: {info.st_size:,} bytes is over the limit of {MAX_SET_FILE_BYTES:,} "
                "bytes for a file in a template set"
            )
        return f.read(MAX_SET_FILE_BYTES + 1)[:MAX_SET_FILE_BYTES]


def clean_reference_doc(tset: TemplateSet) -> Reference:
    """The set's reference.docx, read under the limits and cleaned (publish/docx/reference.py)."""
    path = reference_doc(tset)
    return clean_reference(read_reference(path), set_file(path))


# -- writing ---------------------------------------------------------------------------------
def document(
    doc: Resolved,
    options: dict[str, Any],
    audit: AuditReport,
    figures: Path,
    width: str,
    labels: Labels | None = None,
    own: Callable[[str], list[dict[str, Any]] | None] | None = None,
    byline: bool = False,
    headings: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The edition as Pandoc's JSON AST (figures are written into `figures`), its fixed
    texts from `labels` (the brief's language's catalog by default)."""
    brief = doc.brief
    language = brief.language or "en"
    labels = labels or brief_labels(brief)
    direction = i18n.direction(language)
    doc = isolated(doc, direction)  # runs of the other direction: Spans with their dir

    def meta_text(text: str) -> dict[str, Any]:
        return _el("MetaInlines", words(text))

    fields = Fields(doc)
    meta: dict[str, Any] = {
        "title": meta_text(brief.title),
        "date": meta_text(labels.date(doc.date)),
        "lang": _el("MetaString", language),
        "subject": _el(
            "MetaString", " ".join(stringify(fields.inlines(brief.question, False)).split())
        ),
        "keywords": _el("MetaList", [meta_text(v.label) for v in doc.views]),
    }
    if direction == "rtl":  # Pandoc marks every paragraph w:bidi and every run w:rtl
        meta["dir"] = _el("MetaString", "rtl")
    if brief.subtitle:
        meta["subtitle"] = meta_text(brief.subtitle)
    if brief.authors:
        meta["author"] = _el("MetaList", [meta_text(a) for a in brief.authors])
    if byline:  # the set's own byline (in its title section) says who and when
        meta.pop("author", None)
        meta.pop("date", None)
    marking = brief.marking
    if marking:
        meta["marking"] = _el("MetaString", str(marking))
    blocks = Sections(doc, options, audit, labels, figures, width, own, headings).build()
    return {"pandoc-api-version": API_VERSION, "meta": meta, "blocks": blocks}


def write_docx(
    doc: Resolved,
    tset: TemplateSet,
    audience: str,
    options: dict[str, Any],
    audit: AuditReport | None,
    today: Date | None = None,
    warnings: list[str] | None = None,
) -> bytes:
    """The .docx of a resolved edition, styled by the set's reference.docx (cleaned
    before Pandoc reads it) and checked after Pandoc wrote it (publish/docx/policy.py); the same
    bytes for the same edition. `audit` is the edition's audit (made here when None); what
    the checks removed is added to `warnings`."""
    if audit is None:
        from counterpoint.audit.checks import audit_brief

        audit = audit_brief(doc.brief, doc)
    reference = clean_reference_doc(tset)
    date = doc.brief.date or today or doc.date
    labels = brief_labels(doc.brief, tset)
    with tempfile.TemporaryDirectory(prefix="counterpoint-docx-") as folder:
        figures = Path(folder, "figures")
        figures.mkdir()
        found_here: list[str] = []
        own = _own_sections(doc, tset, audience, options, audit, figures, found_here)
        byline = _own_byline(tset)
        headings = _own_headings(doc, tset, audience, options, audit)
        ast = document(doc, options, audit, figures, reference.width, labels, own, byline, headings)
        styles = Path(folder, REFERENCE)
        styles.write_bytes(reference.data)
        data = _pandoc(ast, styles, figures, date, f"{doc.brief.name} ({audience}): docx")
        drawn = [f.read_bytes() for f in sorted(figures.iterdir()) if f.is_file()]
    rtl = i18n.direction(doc.brief.language or "en") == "rtl"
    creator = "; ".join(doc.brief.authors) if byline else ""
    data = _finish(data, doc.brief.title, doc.brief.marking, labels, rtl, creator)
    data, found = check_written(data, reference.label, drawn)
    if warnings is not None:
        warnings += word_misses(tset) + found_here
        warnings += reference.warnings + [w for w in found if w not in reference.warnings]
    return data


def _own_sections(
    doc: Resolved,
    tset: TemplateSet,
    audience: str,
    options: dict[str, Any],
    audit: AuditReport,
    figures: Path,
    warnings: list[str],
) -> Callable[[str], list[dict[str, Any]] | None]:
    """The blocks of each section the set adds, and of each built-in section whose template
    a set of the user's replaces or extends: its print HTML through Pandoc's HTML reader
    (publish/docx/html.py), its notes Word footnotes. None for a section Word builds itself."""
    import dataclasses

    from counterpoint.publish.docx.html import blocks
    from counterpoint.render.engine import render_section

    added = tset.new_sections
    own = _overridden(tset)
    # the notes as footnotes (Word's only kind), whatever the edition's `notes:`
    footnoted = dataclasses.replace(
        doc, notes=[dataclasses.replace(n, endnote=False) for n in doc.notes], endnotes=False
    )

    def section(name: str) -> list[dict[str, Any]] | None:
        if name not in added and name not in own:
            return None
        html = render_section(footnoted, tset, name, audience, options, audit)
        what = f"sections/{name}.html ({own.get(name, tset).name}), in Word"
        if "<svg" in html:
            warnings.append(f"{what}: a drawing (inline SVG) is not in the Word edition")
        return blocks(html, figures, what, warnings, doc.brief.marking, _own_byline(tset))

    return section


def _changed(path: Path) -> bool:
    """Whether a user's section template differs from every built-in set's file of that
    name: an ejected copy (`templates eject`) is the built-in design, as Word builds it."""
    rel = Path("sections", path.name)
    try:
        mine = path.read_bytes()
    except OSError:
        return True
    return not any(
        (s / rel).is_file() and (s / rel).read_bytes() == mine for s in builtin_root().iterdir()
    )


WORD_BUILT = ("contents", "timeline", "balance", "bibliography")
"""Sections Word builds itself even when a set changes their template: a set's heading
for them (`NAME_heading`) is taken over, any other block is a warning."""


def _heading_block(section: str) -> str:
    return section.replace("-", "_") + "_heading"


def _own_headings(
    doc: Resolved, tset: TemplateSet, audience: str, options: dict[str, Any], audit: AuditReport
) -> dict[str, str]:
    """The heading text a user's template gives each section of WORD_BUILT whose
    `NAME_heading` block it overrides, from the section's print HTML."""
    import lxml.html

    from counterpoint.render.engine import render_section
    from counterpoint.render.setcheck import parse, top_blocks

    out: dict[str, str] = {}
    builtin = builtin_root().resolve()
    for name in WORD_BUILT:
        owner = next(
            (
                s
                for s in tset.chain
                if not s.folder.resolve().is_relative_to(builtin)
                and (s.folder / "sections" / f"{name}.html").is_file()
            ),
            None,
        )
        if owner is None or name not in doc.sections:
            continue
        if not _changed(owner.folder / "sections" / f"{name}.html"):
            continue
        tree = parse(owner.folder / "sections" / f"{name}.html")
        if tree is None or _heading_block(name) not in {b.name for b in top_blocks(tree)}:
            continue
        html = render_section(doc, tset, name, audience, options, audit)
        if not html.strip():
            continue
        heading = next(
            iter(lxml.html.fragment_fromstring(html, create_parent="div").iter("h1", "h2")),
            None,
        )
        if heading is not None:
            out[name] = " ".join(heading.text_content().split())
    return out


HTML_SECTIONS = (
    "title", "how-to-read", "summary", "background", "glance", "views", "views-table",
    "compare", "contested", "contested-brief", "judgments", "implications",
)  # fmt: skip
"""Built-in sections that a set's own template replaces in Word too (the others, with
figures, the contents field, notes and bibliography, Word builds itself)."""


def _overridden(tset: TemplateSet) -> dict[str, TemplateSet]:
    """The built-in sections whose template a user's set of the chain holds, each with the
    nearest such set."""
    builtin = builtin_root().resolve()
    out: dict[str, TemplateSet] = {}
    held: set[str] = set()  # the nearest set holding a section's file decides
    for s in tset.chain:
        if s.folder.resolve().is_relative_to(builtin):
            continue
        for name in HTML_SECTIONS:
            path = s.folder / "sections" / f"{name}.html"
            if name not in held and path.is_file():
                held.add(name)
                if _changed(path):
                    out[name] = s
    return out


def _own_byline(tset: TemplateSet) -> bool:
    """Whether a user's title template of the set defines the block `byline`: then its
    byline, not Word's Author and Date, is the Word edition's."""
    from counterpoint.render.setcheck import parse

    owner = _overridden(tset).get("title")
    if owner is None:
        return False
    tree = parse(owner.folder / "sections" / "title.html")
    import jinja2.nodes

    return tree is not None and any(b.name == "byline" for b in tree.find_all(jinja2.nodes.Block))


def word_misses(tset: TemplateSet) -> list[str]:
    """A warning for each block of a user's template that the Word edition cannot show:
    the blocks of a section Word builds itself (timeline, balance, contents, notes,
    bibliography), and a title's byline or marking (Word's title block and header)."""
    from counterpoint.render.setcheck import parse, top_blocks

    builtin = builtin_root().resolve()
    out: list[str] = []
    seen: set[str] = set()
    for s in tset.chain:
        if s.folder.resolve().is_relative_to(builtin):
            continue
        for path in sorted((s.folder / "sections").glob("*.html")):
            name = path.stem
            if name in seen or name in tset.new_sections:
                continue
            seen.add(name)
            if not _changed(path):
                continue
            tree = parse(path)
            names = [b.name for b in top_blocks(tree)] if tree is not None else []
            if name == "title":
                names = [n for n in names if n == "marking"]
                reason = "Word shows the marking in its header (reference.docx)"
            elif name in HTML_SECTIONS or name == "notes":  # notes: Word's own footnotes
                continue
            else:
                names = [n for n in names if n != _heading_block(name)]
                reason = f"Word builds section '{name}' itself (docs/word.md)"
            for block in names:
                out.append(
                    f"{set_file(path)}: block '{block}' is not in the Word edition: {reason}"
                )
    return out


def _epoch(date: Date) -> int:
    """SOURCE_DATE_EPOCH for a date, within what a zip file can record (1980-2107)."""
    year = min(max(date.year, 1980), 2107)
    moment = _dt.datetime(year, date.month or 1, date.day or 1, tzinfo=_dt.UTC)
    return int(moment.timestamp())


def _pandoc(ast: dict[str, Any], reference: Path, figures: Path, date: Date, what: str) -> bytes:
    """Pandoc's docx writer, under the same memory ceiling and time limits as every other
    Pandoc run (pandoc.command, pandoc.finish)."""
    argv, env = pandoc.command(
        [
            "-f", "json", "-t", "docx", "-o", "-",
            "--reference-doc", str(reference),
            "--resource-path", str(figures),  # the figures we drew; nothing else is read
        ]
    )  # fmt: skip
    env["SOURCE_DATE_EPOCH"] = str(_epoch(date))
    stdin = json.dumps(ast, ensure_ascii=False).encode("utf-8")
    try:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=figures,
        )
    except OSError as exc:
        raise BuildError(f"{what}: cannot run Pandoc ({pandoc.binary()}): {exc.strerror}") from None
    return pandoc.finish(process, stdin, what).stdout


def _finish(
    data: bytes, title: str, marking: str, labels: Labels, rtl: bool, creator: str = ""
) -> bytes:
    """The package with the header's title and marking filled in, the footer's words in
    the paper's language, right to left throughout for an RTL paper, and fixed entry times
    (the same bytes for the same edition)."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        parts = docxflow.paginate({i.filename: src.read(i.filename) for i in src.infolist()})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for filename, content in parts.items():
            if re.fullmatch(r"word/(header|footer)\d*\.xml", filename):
                text = content.decode("utf-8")
                text = text.replace(TITLE_PLACEHOLDER, _xml_escape(title, False))
                text = text.replace(MARKING_PLACEHOLDER, _xml_escape(marking, False))
                text = _page_words(text, labels)
                content = (_right_to_left(text) if rtl else text).encode("utf-8")
            elif creator and filename == "docProps/core.xml":  # authors not in the meta
                text = content.decode("utf-8")
                filled = f"<dc:creator>{_xml_escape(creator, False)}</dc:creator>"
                content = text.replace("<dc:creator></dc:creator>", filled).encode("utf-8")
            elif filename == "word/styles.xml":
                text = _languages(content.decode("utf-8"), labels.language)
                content = _upright_thesis(text, labels.language).encode("utf-8")
            elif filename == "word/document.xml" and rtl:
                content = _mirrored_tables(content.decode("utf-8")).encode("utf-8")
            if filename in _RUN_LANGUAGES:
                content = _run_languages(content.decode("utf-8")).encode("utf-8")
            entry = zipfile.ZipInfo(filename, (1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, content)
    return out.getvalue()


_COMPLEX = frozenset(
    {"Arab", "Hebr", "Syrc", "Thaa", "Nkoo", "Deva", "Beng", "Guru", "Gujr", "Orya", "Taml",
     "Telu", "Knda", "Mlym", "Sinh", "Thai", "Laoo", "Khmr", "Mymr", "Tibt"}
)  # fmt: skip
"""Scripts Word sets as complex script: their language goes in w:lang's w:bidi."""
_EAST_ASIAN = frozenset({"Hans", "Hant", "Hani", "Jpan", "Kore", "Hira", "Kana", "Hang"})


def word_language(language: str) -> tuple[str, str]:
    """Which attribute of Word's w:lang takes a language ("bidi" for complex scripts,
    "eastAsia" for Chinese, Japanese, Korean, else "val") and its tag with a region, as
    Word writes it: fa -> ("bidi", "fa-IR"), hi -> ("bidi", "hi-IN"), ja -> ("eastAsia",
    "ja-JP"), from CLDR's likely subtags."""
    from babel.core import get_global

    loc = i18n.locale_of(language)
    tag = str(loc).replace("_", "-")
    likely = get_global("likely_subtags")
    full = str(likely.get(tag.replace("-", "_"), likely.get(loc.language, tag)))
    parts = full.split("_")
    script = loc.script or (parts[1] if len(parts) > 2 else "")
    region = loc.territory or (parts[-1] if len(parts) > 1 else "")
    word_tag = f"{loc.language}-{region}" if region else loc.language
    if loc.language == "zh":
        word_tag = "zh-TW" if script == "Hant" and not loc.territory else word_tag
    kind = "bidi" if script in _COMPLEX else "eastAsia" if script in _EAST_ASIAN else "val"
    return kind, word_tag


_THESIS_STYLE = re.compile(r'<w:style\b[^>]*w:styleId="Thesis".*?</w:style>', re.S)


def _upright_thesis(xml: str, language: str) -> str:
    """The Thesis style without italics in a Chinese, Japanese or Korean paper: Word's w:i
    slants East Asian text too, and Han, Kana and Hangul have no italic (as the page sets
    a thesis upright in those languages)."""
    if word_language(language)[0] != "eastAsia":
        return xml
    return _THESIS_STYLE.sub(lambda m: re.sub(r"<w:i\s*/>", "", m.group()), xml)


def _languages(xml: str, language: str) -> str:
    """The default run language of the styles (rPrDefault's w:lang) set for the paper's
    language in the attribute Word reads for its script: Persian is w:bidi="fa-IR", not the
    reference document's ar-SA; Japanese w:eastAsia="ja-JP"."""
    kind, tag = word_language(language)

    def one(m: re.Match[str]) -> str:
        element = m.group()
        attribute = f'w:{kind}="{_xml_escape(tag)}"'
        if f"w:{kind}=" in element:
            return re.sub(rf'w:{kind}="[^"]*"', attribute, element)
        return element.replace("<w:lang ", f"<w:lang {attribute} ", 1)

    return re.sub(r"<w:lang\b[^>]*/>", one, xml, count=1)


_RUN_LANGUAGES = ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml")
_RUN_LANG = re.compile(r'<w:lang w:val="([A-Za-z0-9-]+)"\s*/>')


def _run_languages(xml: str) -> str:
    """A run's language (Pandoc writes w:val for a span's lang) in the attribute Word
    reads for its script: an Arabic title in an English note is w:bidi="ar-EG", a
    Japanese one w:eastAsia="ja-JP", so Word picks the fonts and proofing of its language."""

    def one(m: re.Match[str]) -> str:
        kind, tag = word_language(m[1])
        return f'<w:lang w:{kind}="{_xml_escape(tag)}" />'

    return _RUN_LANG.sub(one, xml)


_PAGE_WORDS = re.compile(
    r'(<w:t xml:space="preserve">)Page (</w:t>.*?<w:instrText[^>]*> (PAGE) </w:instrText>.*?'
    r'<w:t xml:space="preserve">) of (</w:t>.*?<w:instrText[^>]*> (NUMPAGES) </w:instrText>'
    r'.*?<w:fldChar w:fldCharType="end"/></w:r>)',
    re.S,
)


def _page_words(xml: str, labels: Labels) -> str:
    """A footer's "Page N of M" (the texts "Page " and " of " around the PAGE and NUMPAGES
    fields, as the built-in reference.docx has them) in the paper's language."""
    message = labels.gettext("Page %(page)s of %(pages)s")
    before, between, after = (
        _xml_escape(p, False) for p in i18n.split_message(message, "page", "pages")
    )
    swap = message.find("%(pages)s") < message.find("%(page)s")

    def words(m: re.Match[str]) -> str:
        first, second = ("NUMPAGES", "PAGE") if swap else ("PAGE", "NUMPAGES")
        tail = f'<w:r><w:t xml:space="preserve">{after}</w:t></w:r>' if after else ""
        middle = m[2].replace("> PAGE <", f"> {first} <")
        last = m[4].replace("> NUMPAGES <", f"> {second} <")
        return f"{m[1]}{before}{middle}{between}{last}{tail}"

    return _PAGE_WORDS.sub(words, xml)


_AFTER_BIDI = re.compile(
    r"<w:(?:adjustRightInd|snapToGrid|spacing|ind|contextualSpacing|mirrorIndents|"
    r"suppressOverlap|jc|textDirection|textAlignment|textboxTightWrap|outlineLvl|divId|"
    r"cnfStyle|rPr|sectPr|pPrChange)\b|</w:pPr>"
)
_AFTER_RTL = re.compile(r"<w:(?:cs|em|lang|eastAsianLayout|specVanish|oMath)\b|</w:rPr>")


def _insert(xml: str, start: str, end: str, before: re.Pattern[str], mark: str) -> str:
    """`mark` put into every `start`...`end` element at its place in the schema's order
    (Word refuses a package whose properties are out of order)."""

    def one(m: re.Match[str]) -> str:
        body = m.group()
        if mark in body or mark.replace("/>", " />") in body:
            return body
        at = before.search(body, len(start))
        assert at is not None  # the end tag at least
        return body[: at.start()] + mark + body[at.start() :]

    return re.sub(re.escape(start) + ".*?" + re.escape(end), one, xml, flags=re.S)


def _right_to_left(xml: str) -> str:
    """Header or footer paragraphs right to left (w:bidi) and their runs too (w:rtl)."""
    xml = xml.replace("<w:pPr/>", "<w:pPr></w:pPr>").replace("<w:rPr/>", "<w:rPr></w:rPr>")
    xml = re.sub(r"<w:p>(?!<w:pPr>)", "<w:p><w:pPr></w:pPr>", xml)
    xml = _insert(xml, "<w:pPr>", "</w:pPr>", _AFTER_BIDI, "<w:bidi/>")
    xml = re.sub(r"<w:r>(?!<w:rPr>)", "<w:r><w:rPr></w:rPr>", xml)
    return _insert(xml, "<w:rPr>", "</w:rPr>", _AFTER_RTL, "<w:rtl/>")


def _mirrored_tables(xml: str) -> str:
    """The body right to left where Pandoc's `dir: rtl` leaves it left to right: tables
    (w:bidiVisual: the first column on the right) and the title block's paragraphs."""
    xml = re.sub(r"(<w:tblPr>(?:<w:tblStyle [^>]*/>)?)", r"\1<w:bidiVisual/>", xml)
    return _insert(xml, "<w:pPr>", "</w:pPr>", _AFTER_BIDI, "<w:bidi/>")
