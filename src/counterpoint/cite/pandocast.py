"""Pandoc's document model, built from counterpoint's: the few blocks and inlines the Word
edition needs, and the CSL processor's HTML (notes, bibliography) as Pandoc inlines
(cite/fields.py builds the Markdown fields from them).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any, ClassVar

from markupsafe import Markup

Inline = dict[str, Any]
Block = dict[str, Any]


# -- Pandoc's AST ------------------------------------------------------------------------
def _el(t: str, c: Any = None) -> dict[str, Any]:
    return {"t": t} if c is None else {"t": t, "c": c}


def _attr(ident: str = "", classes: list[str] | None = None, kv: list[list[str]] | None = None):
    return [ident, classes or [], kv or []]


def words(text: str) -> list[Inline]:
    """Plain text as Str and Space elements."""
    out: list[Inline] = []
    for part in re.split(r"([ \t\n\r]+)", text):
        if not part:
            continue
        if part.isspace():
            out.append(_el("Space"))
        else:
            out.append(_el("Str", part))
    return out


def _para(inlines: list[Inline]) -> Block:
    return _el("Para", inlines)


def _plain(inlines: list[Inline]) -> Block:
    return _el("Plain", inlines)


def _header(level: int, text: str, ident: str = "") -> Block:
    return _el("Header", [level, _attr(ident), words(text)])


def _styled(style: str, blocks: list[Block], ident: str = "") -> Block:
    """A Div whose paragraphs take a Word paragraph style (Pandoc's custom-style)."""
    return _el("Div", [_attr(ident, [], [["custom-style", style]]), blocks])


def stringify(inlines: list[Inline]) -> str:
    """The text of inlines (notes left out)."""
    out: list[str] = []
    for i in inlines:
        t = i["t"]
        if t == "Str":
            out.append(i["c"])
        elif t in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif t in ("Emph", "Strong", "SmallCaps", "Superscript", "Subscript", "Underline"):
            out.append(stringify(i["c"]))
        elif t in ("Span", "Link"):
            out.append(stringify(i["c"][1]))
        elif t == "Code":
            out.append(i["c"][1])
    return "".join(out)


def _cell(blocks: list[Block]) -> list[Any]:
    return [_attr(), _el("AlignDefault"), 1, 1, blocks]


def _row(cells: list[list[Block]]) -> list[Any]:
    return [_attr(), [_cell(c) for c in cells]]


def _table(
    head: list[str], rows: list[list[list[Block]]], numeric: set[int], widths: list[float]
) -> Block:
    """A Pandoc Table (a real Word table): a header row, then one row per item."""
    aligns = [_el("AlignRight" if i in numeric else "AlignLeft") for i in range(len(head))]
    return _table_of(head, [_row(r) for r in rows], aligns, widths)


def _grouped_table(
    head: list[str], groups: list[tuple[str, list[list[list[Block]]]]], widths: list[float]
) -> Block:
    """A Pandoc Table with a header row, then groups of rows, each led by a row whose one
    cell, across every column, names the group (a Word table, the header row repeated on
    every page it runs over)."""
    rows: list[Any] = []
    for name, group in groups:
        across = [_plain([_el("Strong", words(name))])]
        rows.append([_attr(), [[_attr(), _el("AlignDefault"), 1, len(head), across]]])
        rows += [_row(r) for r in group]
    return _table_of(head, rows, [_el("AlignLeft")] * len(head), widths)


def _table_of(head: list[str], rows: list[Any], aligns: list[Any], widths: list[float]) -> Block:
    specs = [[a, _el("ColWidth", w)] for a, w in zip(aligns, widths, strict=True)]
    head_row = _row([[_plain(words(h))] for h in head])
    return _el(
        "Table",
        [
            _attr(),
            [None, []],
            specs,
            [_attr(), [head_row]],
            [[_attr(), 0, [], rows]],
            [_attr(), []],
        ],
    )


# -- the CSL processor's HTML (notes, bibliography) as Pandoc inlines ----------------------
class _HtmlInlines(HTMLParser):
    """The few elements inlinehtml.html writes: em, strong, sup, sub, u, s, span (smallcaps,
    csl-*), a href, br, and render/bidi.py's span dir; entities decoded. Anything else keeps only
    its text."""

    SIMPLE: ClassVar[dict[str, str]] = {
        "em": "Emph",
        "i": "Emph",
        "strong": "Strong",
        "b": "Strong",
        "sup": "Superscript",
        "sub": "Subscript",
        "u": "Underline",
        "s": "Strikeout",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str], list[Inline]]] = [("", {}, [])]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.stack[-1][2].append(_el("LineBreak"))
            return
        self.stack.append((tag, {k: v or "" for k, v in attrs}, []))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.stack[-1][2].append(_el("LineBreak"))

    def handle_endtag(self, tag: str) -> None:
        if len(self.stack) == 1 or tag not in (t for t, _, _ in self.stack[1:]):
            return
        while True:
            name, attrs, children = self.stack.pop()
            self.stack[-1][2].extend(self._wrap(name, attrs, children))
            if name == tag:
                return

    def _wrap(self, tag: str, attrs: dict[str, str], children: list[Inline]) -> list[Inline]:
        classes = attrs.get("class", "").split()
        if tag in ("em", "i") and "upright" in classes:  # a title in a script without italics
            return children
        if tag in self.SIMPLE:
            return [_el(self.SIMPLE[tag], children)]
        if tag == "span" and attrs.get("dir") in ("ltr", "rtl"):  # a run of the other direction
            return [_el("Span", [_attr("", [], [["dir", attrs["dir"]]]), children])]
        if tag == "span" and attrs.get("lang"):  # a source in another language (Word's w:lang)
            return [_el("Span", [_attr("", [], [["lang", attrs["lang"]]]), children])]
        if tag == "span" and ("smallcaps" in classes or "small-caps" in attrs.get("style", "")):
            return [_el("SmallCaps", children)]
        if tag == "a":
            href = attrs.get("href", "")
            if href.startswith("#") or href.startswith(("https://", "http://")):
                return [_el("Link", [_attr(), children, [href, ""]])]
        return children

    def handle_data(self, data: str) -> None:
        top = self.stack[-1][2]
        for inline in words(data):
            if inline["t"] != "Space" or not top or top[-1]["t"] != "Space":
                top.append(inline)

    def inlines(self) -> list[Inline]:
        while len(self.stack) > 1:
            name, attrs, children = self.stack.pop()
            self.stack[-1][2].extend(self._wrap(name, attrs, children))
        out = self.stack[0][2]
        while out and out[0]["t"] == "Space":
            out.pop(0)
        while out and out[-1]["t"] == "Space":
            out.pop()
        return out


def html_inlines(fragment: Markup | str) -> list[Inline]:
    """Pandoc inlines for an HTML fragment as the CSL processor wrote it."""
    parser = _HtmlInlines()
    parser.feed(str(fragment))
    parser.close()
    return parser.inlines()
