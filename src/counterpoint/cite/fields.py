"""An edition's Markdown fields as Pandoc blocks (the Word edition), each citation a note.

markdown-it's tokens of a field become Pandoc blocks and inlines (cite/pandocast.py); a
citation becomes the note the CSL processor wrote for it, or its in-text citation.
`first_sentences` gives a field's lead, for the Word edition and the page alike.
"""

from __future__ import annotations

import re
from typing import Any

from counterpoint.brief import typography
from counterpoint.brief.model import Aside, Citation, Text
from counterpoint.cite.pandocast import (
    Block,
    Inline,
    _attr,
    _el,
    _para,
    _plain,
    html_inlines,
    words,
)
from counterpoint.cite.resolve import Resolved
from counterpoint.errors import BuildError


class Fields:
    """Converts an edition's Markdown fields, each citation to a note (or in-text text)."""

    def __init__(self, doc: Resolved):
        self.doc = doc

    def cite(self, citation: Citation, punctuation: str = "") -> list[Inline]:
        doc = self.doc
        running = doc.running_text(citation)
        if running is None:
            raise BuildError(
                f"a cited field at {citation.where} is shown outside the sections that number notes"
            )
        shown = html_inlines(running)
        if not doc.footnotes:
            return [_el("Span", [_attr("", ["citation"]), shown]), *words(punctuation)]
        note = doc.note_for(citation)
        assert note is not None
        after = [_el("Str", punctuation)] if punctuation else []  # a narrative citation's
        return [*shown, *after, _el("Note", [_para(html_inlines(note.body))])]

    def note(self, aside: Aside) -> list[Inline]:
        """A discursive note (`^[...]`): a Word footnote."""
        note = self.doc.note_for(aside)
        if note is None:
            raise BuildError(
                f"a note at {aside.where} is shown outside the sections that number notes"
            )
        return [_el("Note", [_para(html_inlines(note.body))])]

    def _tokens(self, text: Text) -> list[Any]:
        tokens = typography.with_notes_after_punctuation(
            text.tokens, self._calls(), cites=self.doc.footnotes
        )
        return typography.typographic(tokens, self.doc.brief.language or "en")

    def _calls(self) -> str:
        """The language's rule for a note call against punctuation, as on the page
        (French: before it; Chinese, Hindi after 。 and ।)."""
        from counterpoint.brief.i18n import note_calls

        brief = self.doc.brief
        return note_calls(brief.language, str(brief.extra.get("note_calls", "")))

    def blocks(self, text: Text | None) -> list[Block]:
        """A field as blocks: paragraphs, lists, quotations, code."""
        if text is None:
            return []
        return self._blocks(self._tokens(text), cite=True)

    def inlines(self, text: Text | None, cite: bool = True) -> list[Inline]:
        """A field as inlines (its paragraphs joined), with or without its citations."""
        if text is None:
            return []
        tokens = (
            typography.typographic(
                typography.with_notes_after_punctuation(text.tokens, self._calls()),
                self.doc.brief.language or "en",
            )
            if not cite
            else None
        )
        out: list[Inline] = []
        for tok in tokens or self._tokens(text):
            if tok.type == "inline":
                if out:
                    out.append(_el("Space"))
                out += self._inline(tok.children or [], cite)
        return out

    def cell(self, text: Text | None, cite: bool = True) -> list[Block]:
        return [_plain(self.inlines(text, cite))]

    def _blocks(self, tokens: list[Any], cite: bool) -> list[Block]:
        out: list[Block] = []
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            if tok.nesting == 1:
                depth, j = 1, i + 1
                while depth:
                    depth += tokens[j].nesting
                    j += 1
                inner = tokens[i + 1 : j - 1]
                out += self._container(tok, inner, cite)
                i = j
                continue
            if tok.type in ("code_block", "fence"):
                out.append(_el("CodeBlock", [_attr(), tok.content.rstrip("\n")]))
            elif tok.type == "hr":
                out.append(_el("HorizontalRule"))
            elif tok.type == "inline":
                out.append(_para(self._inline(tok.children or [], cite)))
            i += 1
        return out

    def _container(self, tok: Any, inner: list[Any], cite: bool) -> list[Block]:
        kind = tok.type.removesuffix("_open")
        if kind == "paragraph":
            inlines = [x for t in inner for x in self._inline(t.children or [], cite)]
            return [_plain(inlines) if tok.hidden else _para(inlines)]
        if kind == "heading":  # a heading inside a field: bold text, not a document heading
            inlines = [x for t in inner for x in self._inline(t.children or [], cite)]
            return [_para([_el("Strong", inlines)])]
        if kind in ("bullet_list", "ordered_list"):
            items, i = [], 0
            while i < len(inner):
                depth, j = 1, i + 1
                while depth:
                    depth += inner[j].nesting
                    j += 1
                items.append(self._blocks(inner[i + 1 : j - 1], cite))
                i = j
            if kind == "bullet_list":
                return [_el("BulletList", items)]
            start = int(tok.attrGet("start") or 1)
            return [_el("OrderedList", [[start, _el("Decimal"), _el("Period")], items])]
        if kind == "blockquote":
            return [_el("BlockQuote", self._blocks(inner, cite))]
        return self._blocks(inner, cite)

    def _inline(self, children: list[Any], cite: bool) -> list[Inline]:
        stack: list[tuple[str, Any, list[Inline]]] = [("", None, [])]
        for tok in children:
            top = stack[-1][2]
            t = tok.type
            if t == "text" or t == "text_special":
                top += words(tok.content)
            elif t == "softbreak":
                top.append(_el("SoftBreak"))
            elif t == "hardbreak":
                top.append(_el("LineBreak"))
            elif t == "code_inline":
                top.append(_el("Code", [_attr(), tok.content]))
            elif t == "note":
                if cite and "note" in tok.meta:
                    top += self.note(tok.meta["note"])
            elif t == "citation":
                if cite:
                    top += self.cite(tok.meta["citation"], tok.info)
                elif tok.info:  # a narrative citation's punctuation stays
                    top += words(tok.info)
            elif t == "image":  # never fetched: its description stands in the text
                top += words(tok.content)
            elif t.endswith("_open"):
                stack.append((t.removesuffix("_open"), tok, []))
            elif t.endswith("_close") and len(stack) > 1:
                kind, opener, inner = stack.pop()
                stack[-1][2].extend(self._wrap(kind, opener, inner))
        while len(stack) > 1:
            kind, opener, inner = stack.pop()
            stack[-1][2].extend(self._wrap(kind, opener, inner))
        return stack[0][2]

    @staticmethod
    def _wrap(kind: str, opener: Any, inner: list[Inline]) -> list[Inline]:
        if kind == "em":
            return [_el("Emph", inner)]
        if kind == "strong":
            return [_el("Strong", inner)]
        if kind == "s":
            return [_el("Strikeout", inner)]
        if kind == "link":
            href = str(opener.attrGet("href") or "")
            if href.startswith(("https://", "http://", "mailto:", "#")):
                return [_el("Link", [_attr(), inner, [href, ""]])]
        return inner


_SENTENCE_END = re.compile(r"(?<=[.!?])([\"'”’»)]*)\s+(?=[\"“«(]?[^\sa-z])|(?<=[。！？])")
"""Where a sentence may end: a stop (and any closing quotation mark or bracket) before a
space and a word that does not start in lower case ("para. 3" goes on), or a CJK stop."""
_ABBREVIATION = re.compile(
    r"(?:^|\s)(?:[A-Za-z]|(?:[A-Za-z]\.)+[A-Za-z]|Mr|Mrs|Ms|Dr|St|Jr|Sr|vs|cf|No|Nos|Vol|"
    r"paras?|pp?|ch|Gen|Col|Lt|Prof|Inc|Ltd|Co|approx|ca|etc|al)\.$"
)
"""A stop that ends an abbreviation ("U.S.", "Dr.", "p."), not a sentence."""


def first_sentences(text: str, length: int = 160) -> str:
    """The first whole sentences of a text that fit in `length` characters; at least the
    first sentence, however long. Never a sentence cut off with "..."."""
    text = " ".join(text.split())
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if _ABBREVIATION.search(text[start : match.start()]):
            continue
        sentences.append(text[start : match.start() + len(match.group(1) or "")].strip())
        start = match.end()
    sentences.append(text[start:].strip())
    out = ""
    for sentence in filter(None, sentences):
        joined = (
            out + sentence if not out or out.endswith(("。", "！", "？")) else f"{out} {sentence}"
        )
        if out and len(joined) > length:
            break
        out = joined
    return out
