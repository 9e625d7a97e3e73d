"""The .docx Pandoc wrote, finished: the header's title and marking filled in, the footer's
words and the runs' languages in the paper's language, right to left for an RTL paper,
and fixed entry times (the same bytes for the same edition)."""

from __future__ import annotations

import io
import re
import zipfile
from html import escape as _xml_escape

from counterpoint.brief import i18n
from counterpoint.brief.i18n import Labels
from counterpoint.publish.docx import flow as docxflow

TITLE_PLACEHOLDER = "COUNTERPOINT-TITLE"
MARKING_PLACEHOLDER = "COUNTERPOINT-MARKING"
"""Texts in a reference.docx's headers and footers that the brief's title and marking
replace (the marking with nothing when the brief has none)."""


def finish(
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
