"""CommonMark with Pandoc-style citations: parse once, render per medium, never pass raw HTML."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

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
    md.add_render_rule("citation", _render_citation)
    md.add_render_rule("paragraph_open", _render_paragraph_open)
    return md


_MD = _make_parser()


_PUNCT = ".,;:!?\u3002\uff0c\u3001\uff1b\uff1a\uff01\uff1f\u061f\u060c\u061b\u06d4"
"""Punctuation a note call moves past: ASCII, the full-width 。，、；：！？ and the Arabic
؟ ، ؛ ۔."""

# Han, Kana, Hangul and their punctuation: scripts written without spaces between words
_CJK = re.compile(
    "[\u1100-\u11ff\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3130-\u318f\u3190-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
    "\U00020000-\U0003134f]"
)


def is_cjk(char: str) -> bool:
    """True for a Han, Kana or Hangul character (or CJK punctuation)."""
    return bool(char) and _CJK.match(char) is not None


def _join_cjk_lines(children: list[Token]) -> None:
    """A YAML line break between two CJK characters is no space: the softbreak goes."""
    i = 1
    while i < len(children) - 1:
        tok = children[i]
        before, after = children[i - 1], children[i + 1]
        if (
            tok.type == "softbreak"
            and before.type == "text"
            and after.type == "text"
            and is_cjk(before.content[-1:])
            and is_cjk(after.content[:1])
        ):
            del children[i]
            continue
        i += 1


def _notes_after_punctuation(children: list[Token], calls: str = "after") -> None:
    """Chicago places note numbers after punctuation: "a third [@x]." reads "a third.1".
    With calls="before" (French, Russian) the call stays before it: "a third1."

    A citation that starts a line sticks to the word before it: the line break before it
    (a softbreak) is dropped, as the space before a citation on the same line is.

    A narrative citation (`@key says`) is the author's name in the sentence: the text's
    own spacing stays, and punctuation right after it goes between the name and the call
    ("as Petrova.¹"), kept in the token's `info` for the renderer.
    """
    i = 0
    while i < len(children):
        tok = children[i]
        if tok.type != "citation":
            i += 1
            continue
        if is_narrative(tok):
            after = children[i + 1] if i + 1 < len(children) else None
            if calls == "after" and after is not None and after.type == "text":
                n = len(after.content) - len(after.content.lstrip(_PUNCT))
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
        if calls == "after" and after and after.content[:1] in _PUNCT and before is not None:
            n = len(after.content) - len(after.content.lstrip(_PUNCT))
            before.content += after.content[:n]
            after.content = after.content[n:]
        i += 1


# Han and Kana (not Hangul: Korean spaces its words) either side of spaces
_UNSPACED_GAP = re.compile(
    "(?<=[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\uff00-\uffef])[ \t]+(?=[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef])"
)


def parse(text: str) -> list[Token]:
    """Block-level tokens for a Markdown field (citations where the writer put them).

    Chinese and Japanese put no space between words: a line break between two CJK
    characters is dropped, and so are the spaces YAML's folding makes of one (a folded `>`
    or plain multi-line scalar) between two Han or Kana characters."""
    tokens = _MD.parse(_UNSPACED_GAP.sub("", text))
    for tok in tokens:
        if tok.type == "inline" and tok.children:
            _join_cjk_lines(tok.children)
    return tokens


def _with_notes_after_punctuation(tokens: list[Token], calls: str = "after") -> list[Token]:
    """The tokens with each note call moved after its punctuation, on copies: the parsed
    field is shared by editions, and an in-text style keeps the citation before it."""
    out = []
    for tok in tokens:
        if tok.type == "inline" and any(c.type == "citation" for c in tok.children or []):
            tok = tok.copy()
            tok.children = [c.copy() for c in tok.children or []]  # meta stays shared
            _notes_after_punctuation(tok.children, calls)
        out.append(tok)
    return out


def iter_citations(tokens: list[Token]) -> Iterator[Token]:
    """Citation tokens in reading order."""
    for tok in tokens:
        if tok.type == "inline" and tok.children:
            for child in tok.children:
                if child.type == "citation":
                    yield child


def render(
    tokens: list[Token],
    cite: Callable[[Any], str],
    inline: bool = False,
    notes: bool = True,
    calls: str = "after",
) -> str:
    """HTML for the tokens; `cite(citation)` returns the markup of each citation.

    With notes=True (a note style) each note call follows the punctuation after it, as
    Chicago asks ("a third.¹"); an in-text citation stays where it was written ("a third
    (Petrova 2025)."). With inline=True a field that is a single paragraph loses its <p>.
    calls="before" keeps note calls before the punctuation (the French and Russian rule).
    """
    if notes:
        tokens = _with_notes_after_punctuation(tokens, calls)
    env = {"cite": cite}
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
            for child in tok.children:
                if child.type in ("text", "code_inline"):
                    out.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    out.append(" ")  # a break between CJK characters is gone (parse)
        elif tok.type in ("paragraph_close", "list_item_close", "heading_close"):
            out.append(" ")
        elif tok.type in ("code_block", "fence"):
            out.append(tok.content)
    return re.sub(r"\s+", " ", "".join(out)).strip()
