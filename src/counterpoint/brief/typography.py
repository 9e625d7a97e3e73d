"""Typography by language and script: line breaks, note calls and quotation marks.

Chinese, Japanese, Thai and the other scripts written without spaces lose the line breaks
between their characters; a note call moves past the punctuation after it (Chicago) or
stays before it (French, Russian); straight quotation marks become the language's own.
Each works on markdown-it tokens that brief/markdown.py parsed.
"""

from __future__ import annotations

import functools
import re

import regex
from markdown_it import MarkdownIt
from markdown_it.token import Token

from counterpoint.brief.citesyntax import is_narrative

CALL_PUNCT = regex.compile(r"\p{Terminal_Punctuation}+")
"""Punctuation a note call moves past: Unicode's Terminal_Punctuation, which holds ASCII
`. , ; : ! ?`, the full-width 。，、；：！？, the Arabic ؟ ، ؛ ۔, the Devanagari danda । and ॥,
the Ethiopic ። and the Myanmar ။ among others."""

UNSPACED = regex.compile(
    r"[[\p{Lb=ID}\p{Lb=CJ}\p{Lb=SA}\p{Lb=AK}\p{Lb=AP}\p{Lb=AS}]"
    r"--[\p{Script=Hangul}\p{Extended_Pictographic}]]",
    regex.V1,
)
"""A character of a script written without spaces between words, by Unicode's line-breaking
classes (UAX #14): ideographs and kana (ID, CJ), Thai, Lao, Khmer, Myanmar (SA) and the
Brahmic scripts set without spaces such as Balinese and Javanese (AK, AP, AS). Hangul is
not one of them: Korean spaces its words. Emoji (also ID) are not letters of a script."""

WIDE_PUNCT = regex.compile(r"[\p{P}&&[\p{Ea=F}\p{Ea=W}]]", regex.V1)
"""Full-width punctuation (。「」、，): it carries its own space, so no line break next to
it becomes one."""


def is_unspaced(char: str) -> bool:
    """True for a character of a script written without spaces (Han, Kana, Thai, ...)."""
    return bool(char) and UNSPACED.match(char) is not None


def joins(before: str, after: str) -> bool:
    """Whether a line break between two characters is no space: both are of scripts written
    without spaces, or either is full-width punctuation (CSS Text's segment break rule)."""
    if not before or not after:
        return False
    if is_unspaced(before) and is_unspaced(after):
        return True
    return bool(WIDE_PUNCT.match(before) or WIDE_PUNCT.match(after))


def join_unspaced_lines(children: list[Token]) -> None:
    """A YAML line break between two characters of scripts written without spaces (Chinese,
    Japanese, Thai...) is no space: the softbreak goes. Korean and every script that spaces
    its words keep it."""
    i = 1
    while i < len(children) - 1:
        tok = children[i]
        before, after = children[i - 1], children[i + 1]
        if (
            tok.type == "softbreak"
            and before.type == "text"
            and after.type == "text"
            and joins(before.content[-1:], after.content[:1])
        ):
            del children[i]
            continue
        i += 1


def _notes_after_punctuation(
    children: list[Token], calls: str = "after", cites: bool = True
) -> None:
    """Chicago places note numbers after punctuation: "a third [@x]." reads "a third.1".
    With calls="before" (French, Russian) the call stays before it: "a third1."

    A citation that starts a line sticks to the word before it: the line break before it
    (a softbreak) is dropped, as the space before a citation on the same line is.

    A narrative citation (`@key says`) is the author's name in the sentence: the text's
    own spacing stays, and punctuation right after it goes between the name and the call
    ("as Petrova.¹"), kept in the token's `info` for the renderer.

    A discursive note (`^[...]`) is a note call in every style; with cites=False (an
    in-text style) only those move, and citations stay where they were written.
    """
    i = 0
    while i < len(children):
        tok = children[i]
        if tok.type not in ("citation", "note") or (tok.type == "citation" and not cites):
            i += 1
            continue
        if tok.type == "citation" and is_narrative(tok):
            after = children[i + 1] if i + 1 < len(children) else None
            if calls == "after" and after is not None and after.type == "text":
                m = CALL_PUNCT.match(after.content)
                n = m.end() if m else 0
                tok.info, after.content = after.content[:n], after.content[n:]
            i += 1
            continue
        while i > 0 and children[i - 1].type == "softbreak":
            del children[i - 1]
            i -= 1
        before = children[i - 1] if i > 0 and children[i - 1].type == "text" else None
        if before is not None:
            before.content = before.content.rstrip()
        after = (
            children[i + 1] if i + 1 < len(children) and children[i + 1].type == "text" else None
        )
        marks = CALL_PUNCT.match(after.content) if after is not None else None
        if calls == "after" and after is not None and marks and before is not None:
            before.content += marks.group()
            after.content = after.content[marks.end() :]
        i += 1


# spaces between two ideographic characters (Han, Kana, their full-width punctuation)
_IDEOGRAPHIC = (
    r"[[\p{Lb=ID}\p{Lb=CJ}\p{Ea=F}\p{Ea=W}]--[\p{Script=Hangul}\p{Extended_Pictographic}]]"
)
UNSPACED_GAP = regex.compile(rf"(?<={_IDEOGRAPHIC})[ \t]+(?={_IDEOGRAPHIC})", regex.V1)


def with_notes_after_punctuation(
    tokens: list[Token], calls: str = "after", cites: bool = True
) -> list[Token]:
    """The tokens with each note call moved after its punctuation, on copies: the parsed
    field is shared by editions, and an in-text style (cites=False) keeps the citation
    before it (its discursive notes' calls still move)."""
    out = []
    kinds = ("citation", "note") if cites else ("note",)
    for tok in tokens:
        if tok.type == "inline" and any(c.type in kinds for c in tok.children or []):
            tok = tok.copy()
            tok.children = [c.copy() for c in tok.children or []]  # meta stays shared
            _notes_after_punctuation(tok.children, calls, cites)
        out.append(tok)
    return out


QUOTATION_MARKS: dict[str, tuple[str, str, str, str]] = {
    "en": ("“", "”", "‘", "’"),
    "fr": ("«\u202f", "\u202f»", "“", "”"),  # CLDR's « », spaced as French sets them
    "de": ("„", "“", "‚", "‘"),
    "es": ("«", "»", "“", "”"),
    "it": ("«", "»", "“", "”"),
    "pt": ("“", "”", "‘", "’"),
    "nl": ("‘", "’", "“", "”"),
    "pl": ("„", "”", "«", "»"),
    "cs": ("„", "“", "‚", "‘"),
    "ru": ("«", "»", "„", "“"),
    "uk": ("«", "»", "„", "“"),
    "tr": ("“", "”", "‘", "’"),
    "zh": ("“", "”", "‘", "’"),
    "zh-Hant": ("「", "」", "『", "』"),
    "ja": ("「", "」", "『", "』"),
    "ko": ("“", "”", "‘", "’"),
    "hi": ("“", "”", "‘", "’"),
    "ar": ("”", "“", "’", "‘"),
    "fa": ("«", "»", "”", "“"),
    "he": ("”", "”", "’", "’"),
}
"""Each language's quotation marks, outer then inner, from CLDR's `delimiters` (Babel does
not carry them): `"` and `'` in a brief's text become these, and an apostrophe becomes ’.
A language not listed is left as written: its marks are not known to be safe to apply."""


def quotation_marks(language: str) -> tuple[str, str, str, str] | None:
    """The language's marks (`zh-Hant` before `zh`), or None: leave its text as written."""
    parts = language.replace("_", "-").split("-")
    if parts[0] == "zh" and "Hans" not in parts and any(p in ("TW", "HK", "MO") for p in parts):
        return QUOTATION_MARKS["zh-Hant"]  # Taiwan's, Hong Kong's and Macau's script
    for tag in ("-".join(parts[:2]), parts[0]):
        if tag in QUOTATION_MARKS:
            return QUOTATION_MARKS[tag]
    return None


def typographic(tokens: list[Token], language: str) -> list[Token]:
    """The tokens with straight quotation marks turned into the language's own, and
    apostrophes into ’ (markdown-it's smartquotes, on copies: the parsed field is shared
    by editions). Code and citations are left alone, and so is a paragraph with raw HTML
    in it (shown as written, as text); so is a language with no known marks."""
    marks = quotation_marks(language)
    if marks is None:
        return tokens
    out = []
    for tok in tokens:
        if tok.type == "inline" and tok.children and ('"' in tok.content or "'" in tok.content):
            tok = tok.copy()
            tok.children = [c.copy() for c in tok.children or []]
            if _RAW_TAG.search(tok.content):
                tok.content = ""  # smartquotes passes it by
        out.append(tok)
    from markdown_it.rules_core import StateCore
    from markdown_it.rules_core.smartquotes import smartquotes

    state = StateCore("", _quoting(marks), {})
    state.tokens = out
    smartquotes(state)
    return out


_RAW_TAG = re.compile(r"<[A-Za-z/!?][^<>]*>")


@functools.cache
def _quoting(marks: tuple[str, str, str, str]) -> MarkdownIt:
    return MarkdownIt("commonmark", {"typographer": True, "quotes": list(marks)})
