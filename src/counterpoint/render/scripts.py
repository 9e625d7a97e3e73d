"""The paper's scripts: runs of the other direction isolated in its notes and entries, titles
in scripts without italics set upright, a source's language marked, and CSS that numbers
in the paper's digits."""

from __future__ import annotations

import dataclasses
import re
from html import unescape as html_unescape

import regex
from markupsafe import Markup

from counterpoint.cite.resolve import Resolved
from counterpoint.render import bidi

COUNTER_STYLES = {
    "arab": "arabic-indic",
    "arabext": "persian",
    "deva": "devanagari",
    "beng": "bengali",
    "thai": "thai",
}
"""The CSS counter style of each CLDR numbering system `numbers:` may choose."""


def digits_css(numbering: str, medium: str) -> str:
    """CSS that numbers pages, contents entries, notes and lists in the paper's digits
    (after the set's own style sheets); nothing for Latin digits."""
    style = COUNTER_STYLES.get(numbering)
    if style is None:
        return ""
    if medium != "print":
        return f"/* the paper's digits */\n.notes ol, ol.judgments {{ list-style-type: {style}; }}"
    page = (
        f"string(page-before) counter(page, {style}) string(page-between) "
        f"counter(pages, {style}) string(page-after)"
    )
    return (
        "/* the paper's digits (numbers:) */\n"
        f"@page {{ @bottom-right {{ content: {page}; }} }}\n"
        f"@page rtl {{ @bottom-right {{ content: none; }} @bottom-left {{ content: {page}; }} }}\n"
        f".medium-print nav.toc a::after {{ content: target-counter(attr(href), page, {style}); }}"
        "\n"
        f".medium-print ::footnote-call {{ content: counter(footnote, {style}); }}\n"
        f'.medium-print ::footnote-marker {{ content: counter(footnote, {style}) ". "; }}\n'
        f"ol.judgments {{ list-style-type: {style}; }}"
    )


def isolated(doc: Resolved, direction: str) -> Resolved:
    """The edition with its notes' and bibliography's runs of the other direction in
    `<span dir>`s (render/bidi.py): a Latin title in an Arabic note reads in order in the PDF; and
    each note or entry whose sources are in another language in a `<span lang>`."""
    plain = [n.body for n in doc.notes] + [e.html for e in doc.bibliography]
    if direction == "ltr" and all(text.isascii() for text in plain):
        isolate = _same  # nothing to isolate; the languages are still marked
    else:
        isolate = bidi.isolate
    paper = doc.brief.language or "en"
    records = doc.brief.sources

    def language(ids: list[str]) -> str:
        found = {(records[i].language if i in records else "") for i in ids}
        return found.pop() if len(found) == 1 else ""

    notes = [
        dataclasses.replace(
            n,
            body=in_language(
                upright(isolate(n.body, direction), paper), language(n.sources), paper
            ),
        )
        for n in doc.notes
    ]
    entries = [
        dataclasses.replace(
            e,
            html=in_language(upright(isolate(e.html, direction), paper), e.source.language, paper),
        )
        for e in doc.bibliography
    ]
    return dataclasses.replace(doc, notes=notes, bibliography=entries)


def _same(fragment: Markup, direction: str) -> Markup:
    return fragment


_EMPHASIS = re.compile(r"<(em|i)>([^<]*)</\1>")
_NO_ITALICS = regex.compile(
    r"[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Han}\p{Script=Hiragana}"
    r"\p{Script=Katakana}\p{Script=Hangul}\p{Script=Devanagari}\p{Script=Bengali}"
    r"\p{Script=Tamil}\p{Script=Thai}\p{Script=Ethiopic}\p{Script=Syriac}\p{Script=Thaana}]"
)
"""Letters of scripts that have no italic: a slanted copy of them is a typographic error."""

_ITALICS = regex.compile(r"[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}]")
"""Letters of the scripts that have an italic."""

NO_ITALICS_LANGUAGES = frozenset(
    (
        "zh",
        "ja",
        "ko",
        "ar",
        "fa",
        "ur",
        "ps",
        "he",
        "yi",
        "hi",
        "mr",
        "ne",
        "bn",
        "ta",
        "th",
        "am",
        "ti",
    )
)
"""Languages whose pages set emphasis bold and titles upright (style.css)."""


def upright(html: Markup, paper: str = "en") -> Markup:
    """A CSL title in `<em>` written wholly in a script without italics (Arabic, Hebrew,
    Han, Kana, Hangul, Devanagari, Bengali, Tamil, Thai, Ethiopic) marked `class="upright"`:
    set upright, as Chicago sets such titles, not in a synthetic slant (a source with no
    `language`, or a note citing sources in several languages). In a paper in a language
    of such a script (`paper`), whose page sets emphasis bold, a title wholly in Latin,
    Greek or Cyrillic is marked `class="slanted"`: italic, as the style sets it."""
    if "<em>" not in html and "<i>" not in html:
        return html
    slanted = _primary(paper) in NO_ITALICS_LANGUAGES

    def one(m: re.Match[str]) -> str:
        letters = [c for c in html_unescape(m[2]) if c.isalpha()]
        if letters and all(_NO_ITALICS.match(c) for c in letters):
            return f'<{m[1]} class="upright">{m[2]}</{m[1]}>'
        if slanted and letters and all(_ITALICS.match(c) for c in letters):
            return f'<{m[1]} class="slanted">{m[2]}</{m[1]}>'
        return m.group()

    return Markup(_EMPHASIS.sub(one, str(html)))


def in_language(html: Markup, language: str, paper: str) -> Markup:
    """A note or entry marked with its source's `language` when that is not the paper's:
    `<span lang="ar">`, so fonts (Japanese in a Japanese face), hyphenation and italics (no
    slanted Arabic or Han) follow the source, in the browser and in the PDF."""
    if not language or _primary(language) == _primary(paper):
        return html
    return Markup('<span lang="{}">').format(language) + html + Markup("</span>")


def _primary(tag: str) -> str:
    return tag.replace("_", "-").split("-")[0].lower()
