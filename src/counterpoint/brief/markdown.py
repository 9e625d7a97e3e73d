"""CommonMark with Pandoc-style citations: parse once, render per medium, never pass raw HTML."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from typing import Any

import regex
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml as escape_html
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

# Pandoc's citation keys: a letter, digit or _ (any script), then letters, digits and
# internal punctuation; or any text in braces, @{like this}.
KEY = r"(?:\{[^{}\s]+\}|\w(?:[\w:.#$%&+?<>~/-]*\w)?)"
_ITEM = re.compile(
    rf"^\s*(?P<prefix>(?:.*?\s)??)(?P<suppress>-?)@(?P<key>{KEY})(?P<suffix>.*?)\s*$", re.S
)
SEMICOLONS = ";\uff1b\u061b"  # ; and the full-width (Chinese, Japanese) and Arabic semicolons
_SEPARATOR = re.compile(f"[{SEMICOLONS}]")
_BRACKET = re.compile(r"[\[\]]")
_NARRATIVE = re.compile(rf"@(?P<key>{KEY})(?:[ ]?\[(?P<suffix>[^\[\]@]*)\])?")


def _key(raw: str) -> str:
    return raw[1:-1] if raw.startswith("{") else raw


def _split_items(inner: str) -> list[dict[str, str]] | None:
    """The items of `[see @a, p. 2; -@b]`, or None when the brackets are not a citation.

    Each item is Pandoc's `prefix @key suffix`; `-@key` leaves the author out. A locator
    stays in the suffix (", p. 2"): the CSL processor reads it in the locale's terms.
    """
    items = []
    for part in _SEPARATOR.split(inner):
        m = _ITEM.match(part)
        if not m:
            return None
        items.append(
            {
                "key": _key(m["key"]),
                "prefix": m["prefix"].strip(),
                "suffix": m["suffix"].rstrip(),
                "mode": "suppress-author" if m["suppress"] else "normal",
            }
        )
    return items


def _citation_rule(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if src[pos] != "[":
        return False
    # the next bracket must close this one; stopping there keeps `[[[[...` linear
    bracket = _BRACKET.search(src, pos + 1)
    if bracket is None or bracket.group() != "]":
        return False
    end = bracket.start()
    inner = src[pos + 1 : end]
    if "@" not in inner or src[end + 1 : end + 2] in ("(", "["):
        return False
    items = _split_items(inner)
    if items is None:
        return False
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"items": items, "raw": src[pos : end + 1]}
    state.pos = end + 1
    return True


def _narrative_rule(state: StateInline, silent: bool) -> bool:
    """`@key says` or `@key [p. 4] says`: the author in the text (Pandoc's in-text form).

    Only where `@` does not follow a letter or digit, so e-mail addresses stay text; write
    `\\@` for a literal @ before a word.
    """
    src, pos = state.src, state.pos
    if src[pos] != "@" or (pos > 0 and (src[pos - 1].isalnum() or src[pos - 1] in "_@\\")):
        return False
    m = _NARRATIVE.match(src, pos)
    if m is None:
        return False
    if not silent:
        token = state.push("citation", "", 0)
        item = {
            "key": _key(m["key"]),
            "prefix": "",
            "suffix": f", {m['suffix'].strip()}" if m["suffix"] and m["suffix"].strip() else "",
            "mode": "author-in-text",
        }
        token.meta = {"items": [item], "raw": m.group()}
    state.pos = m.end()
    return True


def is_narrative(tok: Token) -> bool:
    """True for a narrative citation token (`@key says`: the author in the sentence)."""
    items = tok.meta.get("items") or []
    return len(items) == 1 and items[0].get("mode") == "author-in-text"


def _note_rule(state: StateInline, silent: bool) -> bool:
    """`^[text]`: a discursive note (Pandoc's inline note), which may itself cite. Its
    text, up to the bracket that closes the opening one, is parsed as inline Markdown into
    the token's `meta["children"]`. Notes do not nest: a `^[` inside one is text."""
    src, pos = state.src, state.pos
    if not src.startswith("^[", pos) or state.env.get("in_note"):
        return False
    i = _closing_brackets(state).get(pos + 1, -1)
    if i < 0 or i >= state.posMax:
        return False
    if not silent:
        token = state.push("note", "", 0)
        children: list[Token] = []
        env = {**state.env, "in_note": True}
        state.md.inline.parse(src[pos + 2 : i], state.md, env, children)
        token.meta = {"children": children, "raw": src[pos : i + 1]}
    state.pos = i + 1
    return True


def _closing_brackets(state: StateInline) -> dict[int, int]:
    """For each `[` of the inline text, where its matching `]` is (backslash escapes
    skipped): found in one pass and kept for the text, so that many unclosed `^[` cost
    linear time, not quadratic."""
    cached = state.env.get("_brackets")
    if cached is not None and cached[0] is state.src:
        pairs: dict[int, int] = cached[1]
        return pairs
    pairs = {}
    stack: list[int] = []
    src, i = state.src, 0
    while i < len(src):
        char = src[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            stack.append(i)
        elif char == "]" and stack:
            pairs[stack.pop()] = i
        i += 1
    state.env["_brackets"] = (state.src, pairs)
    return pairs


def _render_note(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    note = env.get("note")
    tok = tokens[idx]
    text = escape_html(tok.info)
    if note is None or "note" not in tok.meta:
        return text
    return text + str(note(tok.meta["note"]))


def _render_citation(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    cite = env.get("cite")
    tok = tokens[idx]
    if cite is None:
        return escape_html(tok.info)
    if tok.info:  # a narrative citation's punctuation: between the name and the call
        return str(cite(tok.meta["citation"], tok.info))
    return str(cite(tok.meta["citation"]))


def _render_paragraph_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    """<p class="cited"> for paragraphs with note calls (the print CSS keeps their lines
    together differently: WeasyPrint 70 may drop the notes of a line it pushes)."""
    inline = tokens[idx + 1] if idx + 1 < len(tokens) else None
    if inline is not None and any(c.type == "citation" for c in inline.children or []):
        tokens[idx].attrSet("class", "cited")
    return str(self.renderToken(tokens, idx, options, env))


def _make_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": False})
    md.inline.ruler.before("link", "citation", _citation_rule)
    md.inline.ruler.before("citation", "narrative_citation", _narrative_rule)
    md.inline.ruler.before("narrative_citation", "note", _note_rule)
    md.add_render_rule("citation", _render_citation)
    md.add_render_rule("note", _render_note)
    md.add_render_rule("paragraph_open", _render_paragraph_open)
    return md


_MD = _make_parser()


_CALL_PUNCT = regex.compile(r"\p{Terminal_Punctuation}+")
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


def _join_unspaced_lines(children: list[Token]) -> None:
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
                m = _CALL_PUNCT.match(after.content)
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
        marks = _CALL_PUNCT.match(after.content) if after is not None else None
        if calls == "after" and after is not None and marks and before is not None:
            before.content += marks.group()
            after.content = after.content[marks.end() :]
        i += 1


# spaces between two ideographic characters (Han, Kana, their full-width punctuation)
_IDEOGRAPHIC = (
    r"[[\p{Lb=ID}\p{Lb=CJ}\p{Ea=F}\p{Ea=W}]--[\p{Script=Hangul}\p{Extended_Pictographic}]]"
)
_UNSPACED_GAP = regex.compile(rf"(?<={_IDEOGRAPHIC})[ \t]+(?={_IDEOGRAPHIC})", regex.V1)


def parse(text: str) -> list[Token]:
    """Block-level tokens for a Markdown field (citations where the writer put them).

    Chinese, Japanese, Thai and the other scripts written without spaces put none between
    words: a line break between two of their characters is dropped (Korean keeps it), and
    so are the spaces YAML's folding makes of one (a folded `>` or plain multi-line scalar)
    between two Han or Kana characters. (A Thai space is a phrase break the writer meant:
    spaces between Thai letters stay.)"""
    tokens = _MD.parse(_UNSPACED_GAP.sub("", text))
    for tok in tokens:
        if tok.type == "inline" and tok.children:
            _join_unspaced_lines(tok.children)
    return tokens


def _with_notes_after_punctuation(
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
    for tag in ("-".join(parts[:2]), parts[0]):
        if tag in QUOTATION_MARKS:
            return QUOTATION_MARKS[tag]
    if parts[0] == "zh" and any(p in ("TW", "HK", "MO") for p in parts[1:]):
        return QUOTATION_MARKS["zh-Hant"]
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


def iter_citations(tokens: list[Token]) -> Iterator[Token]:
    """Citation tokens in reading order, those in discursive notes included."""
    for tok in iter_units(tokens):
        if tok.type == "note":
            yield from (c for c in tok.meta["children"] if c.type == "citation")
        else:
            yield tok


def iter_units(tokens: list[Token]) -> Iterator[Token]:
    """What takes a note number, in reading order: citation tokens and discursive note
    tokens (whose citations are in the note)."""
    for tok in tokens:
        if tok.type == "inline" and tok.children:
            for child in tok.children:
                if child.type in ("citation", "note"):
                    yield child


def render_inline(children: list[Token], cite: Callable[[Any], str]) -> str:
    """HTML for inline tokens (a discursive note's text), `cite` giving each citation."""
    return str(_MD.renderer.render(children, _MD.options, {"cite": cite}))


def render(
    tokens: list[Token],
    cite: Callable[[Any], str],
    inline: bool = False,
    notes: bool = True,
    calls: str = "after",
    note: Callable[[Any], str] | None = None,
    language: str = "",
) -> str:
    """HTML for the tokens; `cite(citation)` returns the markup of each citation.

    With notes=True (a note style) each note call follows the punctuation after it, as
    Chicago asks ("a third.¹"); an in-text citation stays where it was written ("a third
    (Petrova 2025)."). With inline=True a field that is a single paragraph loses its <p>.
    calls="before" keeps note calls before the punctuation (the French and Russian rule).
    `note(aside)` returns the markup of a discursive note's call (none: left out). With a
    `language`, straight quotation marks and apostrophes become its own (`typographic`).
    """
    tokens = _with_notes_after_punctuation(tokens, calls, cites=notes)
    if language:
        tokens = typographic(tokens, language)
    env = {"cite": cite, "note": note}
    if (
        inline
        and len(tokens) == 3
        and tokens[0].type == "paragraph_open"
        and tokens[2].type == "paragraph_close"
    ):
        # the inline token's children (render treats them as renderInline would)
        return _MD.renderer.render(tokens[1].children or [], _MD.options, env)
    return _MD.renderer.render(tokens, _MD.options, env)


def plain(tokens: list[Token]) -> str:
    """The text of the tokens without markup or citations (for word counts and metadata)."""
    out: list[str] = []
    for tok in tokens:
        if tok.type == "inline" and tok.children:
            cited = False
            for child in tok.children:
                if child.type in ("text", "code_inline"):
                    if cited and child.type == "text" and _CALL_PUNCT.match(child.content):
                        out[-1:] = [out[-1].rstrip()] if out else []  # "event [@x]." -> "event."
                    out.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    out.append(" ")  # a break between CJK characters is gone (parse)
                cited = child.type == "citation"
        elif tok.type in ("paragraph_close", "list_item_close", "heading_close"):
            out.append(" ")
        elif tok.type in ("code_block", "fence"):
            out.append(tok.content)
    return re.sub(r"\s+", " ", "".join(out)).strip()
