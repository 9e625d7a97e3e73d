"""CommonMark with Pandoc-style citations: parse once, render per medium, never pass raw HTML.

The citation and note syntax is brief/citesyntax.py; what depends on the language and the
script (line breaks, note calls against punctuation, quotation marks) is brief/typography.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml as escape_html
from markdown_it.token import Token

from counterpoint.brief.citesyntax import citation_rule, narrative_rule, note_rule
from counterpoint.brief.typography import (
    CALL_PUNCT,
    UNSPACED_GAP,
    join_unspaced_lines,
    typographic,
    with_notes_after_punctuation,
)


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
    md.inline.ruler.before("link", "citation", citation_rule)
    md.inline.ruler.before("citation", "narrative_citation", narrative_rule)
    md.inline.ruler.before("narrative_citation", "note", note_rule)
    md.add_render_rule("citation", _render_citation)
    md.add_render_rule("note", _render_note)
    md.add_render_rule("paragraph_open", _render_paragraph_open)
    return md


_MD = _make_parser()


def parse(text: str) -> list[Token]:
    """Block-level tokens for a Markdown field (citations where the writer put them).

    Chinese, Japanese, Thai and the other scripts written without spaces put none between
    words: a line break between two of their characters is dropped (Korean keeps it), and
    so are the spaces YAML's folding makes of one (a folded `>` or plain multi-line scalar)
    between two Han or Kana characters. (A Thai space is a phrase break the writer meant:
    spaces between Thai letters stay.)"""
    tokens = _MD.parse(UNSPACED_GAP.sub("", text))
    for tok in tokens:
        if tok.type == "inline" and tok.children:
            join_unspaced_lines(tok.children)
    return tokens


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
    tokens = with_notes_after_punctuation(tokens, calls, cites=notes)
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
                    if cited and child.type == "text" and CALL_PUNCT.match(child.content):
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
