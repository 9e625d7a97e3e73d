"""The Word edition: a Pandoc document built from the resolved brief, written by Pandoc.

counterpoint does not convert its HTML. It builds Pandoc's document model (the JSON AST)
from the resolved edition, section by section in `doc.sections` order, and has the pinned
Pandoc write it as .docx with the template set's `reference.docx` (styles, page, header
and footer). Each citation of a note style becomes a real Word footnote whose text is the
CSL processor's note, so the footnotes equal the HTML's and the PDF's notes in number,
order and text. The figures are SVG with a PNG fallback (Pandoc runs rsvg-convert);
images come only from counterpoint itself, never from a URL.

The same edition gives the same bytes: Pandoc dates the package from SOURCE_DATE_EPOCH
(the brief's date), and the package is rewritten with fixed entry times.
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import os
import re
import subprocess
import tempfile
import zipfile
from html import escape as _xml_escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

from markupsafe import Markup

from . import markdown, pandoc
from .audit import AuditReport
from .errors import BuildError
from .model import GRADES, Citation, Date, Text
from .resolve import Resolved
from .templates import TemplateSet, builtin_root

API_VERSION = [1, 23, 1, 1]
"""The pandoc-types version of the JSON AST (Pandoc 3.9: `pandoc -t json` of nothing)."""

REFERENCE = "reference.docx"
"""The file a template set gives its Word styles in (Pandoc's --reference-doc)."""

TITLE_PLACEHOLDER = "COUNTERPOINT-TITLE"
MARKING_PLACEHOLDER = "COUNTERPOINT-MARKING"
"""Texts in a reference.docx's headers and footers that the brief's title and marking
replace (the marking with nothing when the brief has none)."""

FIGURE_SCALE = 3
"""The PNG fallback of a figure is drawn at this many pixels per SVG unit (sharp in print)."""

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


def _table(
    head: list[str], rows: list[list[list[Block]]], numeric: set[int], widths: list[float]
) -> Block:
    """A Pandoc Table (a real Word table): a header row, then one row per item."""
    aligns = [_el("AlignRight" if i in numeric else "AlignLeft") for i in range(len(head))]
    specs = [[a, _el("ColWidth", w)] for a, w in zip(aligns, widths, strict=True)]

    def row(cells: list[list[Block]]) -> list[Any]:
        return [_attr(), [_cell(c) for c in cells]]

    head_row = row([[_plain(words(h))] for h in head])
    return _el(
        "Table",
        [
            _attr(),
            [None, []],
            specs,
            [_attr(), [head_row]],
            [[_attr(), 0, [], [row(r) for r in rows]]],
            [_attr(), []],
        ],
    )


# -- the CSL processor's HTML (notes, bibliography) as Pandoc inlines ----------------------
class _HtmlInlines(HTMLParser):
    """The few elements citeproc.html writes: em, strong, sup, sub, u, s, span (smallcaps,
    csl-*), a href, br; entities decoded. Anything else keeps only its text."""

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
        if tag in self.SIMPLE:
            return [_el(self.SIMPLE[tag], children)]
        classes = attrs.get("class", "").split()
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


# -- Markdown fields (markdown-it tokens) as Pandoc blocks ---------------------------------
class _Fields:
    """Converts an edition's Markdown fields, each citation to a note (or in-text text)."""

    def __init__(self, doc: Resolved):
        self.doc = doc

    def cite(self, citation: Citation) -> list[Inline]:
        doc = self.doc
        running = doc.running_text(citation)
        if running is None:
            raise BuildError(
                f"a cited field at {citation.where} is shown outside the sections that number notes"
            )
        shown = html_inlines(running)
        if not doc.footnotes:
            return [_el("Span", [_attr("", ["citation"]), shown])]
        note = doc.note_for(citation)
        assert note is not None
        return [*shown, _el("Note", [_para(html_inlines(note.body))])]

    def _tokens(self, text: Text) -> list[Any]:
        if self.doc.footnotes:
            return markdown._with_notes_after_punctuation(text.tokens)
        return text.tokens

    def blocks(self, text: Text | None) -> list[Block]:
        """A field as blocks: paragraphs, lists, quotations, code."""
        if text is None:
            return []
        return self._blocks(self._tokens(text), cite=True)

    def inlines(self, text: Text | None, cite: bool = True) -> list[Inline]:
        """A field as inlines (its paragraphs joined), with or without its citations."""
        if text is None:
            return []
        tokens = markdown._with_notes_after_punctuation(text.tokens) if not cite else None
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
            elif t == "citation":
                if cite:
                    top += self.cite(tok.meta["citation"])
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


# -- the sections ------------------------------------------------------------------------
def _truncate(text: str, length: int = 160, end: str = "...", leeway: int = 5) -> str:
    """Jinja's truncate filter, as the contested-brief template uses it."""
    if len(text) <= length + leeway:
        return text
    return text[: length - len(end)].rsplit(" ", 1)[0] + end


class _Writer:
    def __init__(
        self,
        doc: Resolved,
        options: dict[str, Any],
        audit: AuditReport,
        figures: Path,
        width: str,
    ):
        self.doc, self.brief, self.options, self.audit = doc, doc.brief, options, audit
        self.fields = _Fields(doc)
        self.figures, self.width = figures, width
        self.blocks: list[Block] = []
        self.toc_at: int | None = None

    def build(self) -> list[Block]:
        for section in self.doc.sections:
            method = getattr(self, "s_" + section.replace("-", "_"), None)
            if method is not None:
                method()
        if self.toc_at is not None:
            self.blocks[self.toc_at] = self._toc()
        return self.blocks

    def add(self, *blocks: Block) -> None:
        self.blocks += blocks

    # each section, as the base set's templates show it
    def s_title(self) -> None:  # the title block is Pandoc's (title, subtitle, author, date)
        label = _para([_el("Strong", words("The question"))])
        self.add(_styled("Question", [label, *self.fields.blocks(self.brief.question)]))

    def s_how_to_read(self) -> None:
        if not self.options.get("how_to_read", True):
            return
        self.add(
            _header(1, "How to read this brief", "how-to-read"),
            _para(words(HOW_TO_READ[0])),
            _para(words(HOW_TO_READ[1])),
        )

    def s_summary(self) -> None:
        self.add(_header(1, "Bottom line", "summary"), *self.fields.blocks(self.brief.summary))

    def s_contents(self) -> None:
        self.toc_at = len(self.blocks)
        self.add(_el("Null"))

    def s_background(self) -> None:
        if self.brief.background:
            self.add(_header(1, "Background", "background"))
            self.add(*self.fields.blocks(self.brief.background))

    def s_glance(self) -> None:
        stats = {row.id: row for row in self.audit.views}
        rows = []
        for v in self.doc.views:
            sources = stats[v.id].sources if v.id in stats else ""
            rows.append(
                [
                    [_plain([_el("Link", [_attr(), words(v.label), [f"#view-{v.id}", ""]])])],
                    self.fields.cell(v.thesis, cite=False),
                    [_plain(words(str(len(v.arguments))))],
                    [_plain(words(str(len(v.counterpoints))))],
                    [_plain(words(str(sources)))],
                ]
            )
        self.add(
            _header(1, "The views at a glance", "glance"),
            _table(
                ["View", "Thesis", "Arguments", "Counterpoints", "Sources"],
                rows,
                {2, 3, 4},
                [0.18, 0.46, 0.12, 0.14, 0.1],
            ),
        )

    def s_views(self) -> None:
        self.add(_header(1, "The views", "views"))
        for n, v in enumerate(self.doc.views, 1):
            self.add(_header(2, f"View {n}. {v.label}", f"view-{v.id}"))
            self.add(_styled("Thesis", [_para(self.fields.inlines(v.thesis))]))
            self.add(*self.fields.blocks(v.summary))
            self.add(_header(3, "Arguments"), self._list(v.arguments))
            if v.counterpoints:
                self.add(_header(3, "Counterpoints"), self._list(v.counterpoints))

    def s_views_table(self) -> None:
        rows = [[[_plain(words(v.label))], self.fields.cell(v.thesis)] for v in self.doc.views]
        self.add(
            _header(1, "The views", "views"),
            _table(["View", "Thesis"], rows, set(), [0.25, 0.75]),
        )

    def s_contested(self) -> None:
        if not self.brief.contested:
            return
        self.add(_header(1, "Contested facts", "contested"))
        for n, item in enumerate(self.brief.contested, 1):
            self.add(_header(2, item.point, f"contested-{n}"), self._list(item.accounts))
            if item.assessment:
                blocks = self.fields.blocks(item.assessment)
                lead = [_el("Strong", words("Assessment.")), _el("Space")]
                if blocks and blocks[0]["t"] in ("Para", "Plain"):
                    blocks[0] = _para(lead + blocks[0]["c"])
                else:
                    blocks.insert(0, _para(lead[:1]))
                self.add(*blocks)

    def s_contested_brief(self) -> None:
        if not self.brief.contested:
            return
        items = []
        for item in self.brief.contested:
            inlines = [_el("Strong", words(f"{item.point}."))]
            if item.assessment:
                text = " ".join(stringify(self.fields.inlines(item.assessment, False)).split())
                inlines += [_el("Space"), *words(_truncate(text))]
            items.append([_plain(inlines)])
        self.add(_header(1, "Contested facts", "contested"), _el("BulletList", items))

    def s_timeline(self) -> None:
        events = self.doc.timeline
        if not events:
            return
        from .figures import timeline_svg

        numbers: list[int | None] = []
        for e in events:
            note = self.doc.note_for(e.event.citations[0]) if e.event.citations else None
            numbers.append(note.number if note else None)
        texts = [markdown.plain(e.event.tokens) for e in events]
        title = (
            f"Timeline of {len(events)} events, {events[0].date.year_label()} to "
            f"{events[-1].date.year_label()}, dates to scale; numbers are the events' notes"
        )
        svg = str(timeline_svg(events, numbers, texts, title))
        caption = (
            "Figure 1. The events below, placed to scale by date; each label gives the year "
            "and the event's note number."
        )
        rows = [[[_plain(words(e.date.long()))], self.fields.cell(e.event)] for e in events]
        self.add(
            _header(1, "Timeline", "timeline"),
            self._figure("timeline.svg", svg, title, caption),
            _table(["Date", "Event"], rows, set(), [0.22, 0.78]),
        )

    def s_judgments(self) -> None:
        if not self.brief.judgments:
            return
        items = []
        for j in self.brief.judgments:
            item = [_para(self.fields.inlines(j.text))]
            estimate: list[Inline] = []
            if j.likelihood:
                estimate += [*words("Likelihood: "), _el("Strong", words(j.likelihood))]
            if j.confidence:
                if estimate:
                    estimate += [_el("Str", "\u2003")]
                estimate += [*words("Confidence: "), _el("Strong", words(j.confidence))]
            if estimate:
                item.append(_styled("Estimate", [_para(estimate)]))
            items.append(item)
        self.add(
            _header(1, "Key judgments", "judgments"),
            _el("OrderedList", [[1, _el("Decimal"), _el("Period")], items]),
        )

    def s_implications(self) -> None:
        if self.brief.implications:
            self.add(_header(1, "Implications", "implications"))
            self.add(*self.fields.blocks(self.brief.implications))

    def s_balance(self) -> None:
        audit = self.audit
        if not audit.views:
            return
        methods = (
            f"{audit.order_note} Words count each view's summary and arguments; sources "
            "count the distinct sources its thesis, summary and arguments cite; notes count "
            "the notes in its part of the brief. The audit flags a view with more than "
            f"{audit.word_ratio_text} times the words of another."
        )
        rows = [
            [[_plain(words(r.label))]]
            + [
                [_plain(words(str(n)))]
                for n in (r.words, r.arguments, r.counterpoints, r.sources, r.notes)
            ]
            for r in audit.views
        ]
        caption = (
            "Each view's share of the words (dark bars) and of the sources (grey bars) of all "
            "the views; the longest bar is the largest share."
        )
        self.add(
            _el("RawBlock", ["openxml", '<w:p><w:r><w:br w:type="page"/></w:r></w:p>']),
            _header(1, "Balance and sourcing", "balance"),
            _para([_el("Strong", words("Methods.")), _el("Space"), *words(methods)]),
            _table(
                ["View", "Words", "Arguments", "Counterpoints", "Sources", "Notes"],
                rows,
                {1, 2, 3, 4, 5},
                [0.3, 0.12, 0.14, 0.16, 0.14, 0.14],
            ),
            self._figure("balance.svg", balance_svg(audit), audit.chart_label, caption),
        )
        if audit.ignored_groups:
            items = []
            for g in audit.ignored_groups:
                inlines = [_el("Code", [_attr(), g.code]), _el("Space"), *words(g.name)]
                if len(g.findings) > 1:
                    inlines += words(f", {len(g.findings)} findings ({', '.join(g.subjects)}).")
                else:
                    inlines += words(f": {g.findings[0].message}.")
                inlines += [_el("Space"), *words(f"Why: {g.reason or 'no reason given.'}")]
                items.append([_plain(inlines)])
            self.add(_header(2, "Findings deliberately ignored"), _el("BulletList", items))

    def s_bibliography(self) -> None:
        doc = self.doc
        if not doc.bibliography:
            return
        title = "Bibliography" if doc.footnotes else "References"
        self.add(_header(1, title, "bibliography"))
        show_grades = self.options.get("show_grades", True)
        for entry in doc.bibliography:
            blocks = [_styled("Bibliography", [_para(html_inlines(entry.html))])]
            grade = entry.source.reliability
            if show_grades and grade:
                text = f"Reliability {grade.grade} ({GRADES.get(grade.grade, '')})"
                inlines = words(text)
                if grade.note:
                    inlines += [_el("Str", ":"), _el("Space")]
                    inlines += self.fields.inlines(grade.note, cite=False)
                blocks.append(_styled("Grade", [_para(inlines)]))
            self.add(_el("Div", [_attr(f"src-{entry.id}"), blocks]))

    # pieces
    def _list(self, texts: list[Text]) -> Block:
        return _el("BulletList", [[_plain(self.fields.inlines(t))] for t in texts])

    def _figure(self, name: str, svg: str, alt: str, caption: str) -> Block:
        """An SVG figure (Pandoc adds the PNG fallback) from a file in our own folder."""
        (self.figures / name).write_text(_sized(svg), encoding="utf-8")
        image = _el("Image", [_attr("", [], [["width", self.width]]), words(alt), [name, ""]])
        return _el(
            "Figure",
            [_attr(name.removesuffix(".svg") + "-figure"), [None, [_plain(words(caption))]],
             [_plain([image])]],
        )  # fmt: skip

    def _toc(self) -> Block:
        """A Word TOC field over Heading 1 and 2, with the headings as its first result (a
        reader that does not update fields still shows the list)."""
        entries = [
            (b["c"][0], stringify(b["c"][2]))
            for b in self.blocks
            if b["t"] == "Header" and b["c"][0] <= 2
        ]
        paragraphs = []
        for n, (level, text) in enumerate(entries):
            runs = ""
            if n == 0:
                runs += (
                    '<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
                    '<w:r><w:instrText xml:space="preserve"> TOC \\o "1-2" \\h \\z \\u '
                    '</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
                )
            runs += f'<w:r><w:t xml:space="preserve">{_xml_escape(text, False)}</w:t></w:r>'
            if n == len(entries) - 1:
                runs += '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
            paragraphs.append(f'<w:p><w:pPr><w:pStyle w:val="TOC{level}"/></w:pPr>{runs}</w:p>')
        head = (
            '<w:p><w:pPr><w:pStyle w:val="TOCHeading"/></w:pPr>'
            '<w:r><w:t xml:space="preserve">Contents</w:t></w:r></w:p>'
        )
        return _el("RawBlock", ["openxml", head + "".join(paragraphs)])


HOW_TO_READ = (
    "Experts disagree about the question above. This brief sets out each main view as fairly "
    "as its supporters would put it, followed by the strongest objections to it. The order of "
    "the views is not a ranking.",
    "Small numbers in the text point to the sources behind each claim. Where the sources "
    "disagree on a fact, the brief shows each account side by side. The key judgments at the "
    "end are the authors' own, with how likely they think each one is and how confident they "
    "are.",
)


def balance_svg(audit: AuditReport) -> str:
    """The balance chart of the audit appendix (as templates/base/sections/balance.html)."""
    bar, row_height = 420, 50
    height = len(audit.views) * row_height
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 {height}">',
        "<title>Each view's share of words and of sources</title>",
    ]
    for n, row in enumerate(audit.views):
        y = n * row_height
        label = _xml_escape(row.label)
        out.append(
            f'<text x="0" y="{y + 12}" font-family="Liberation Sans, sans-serif" '
            f'font-size="11" font-weight="bold" fill="#1b1f24">{label}</text>'
            f'<rect x="0" y="{y + 17}" width="{row.word_bar * bar:.1f}" height="11" '
            f'fill="#1f3a5f"/>'
            f'<text x="{row.word_bar * bar + 6:.1f}" y="{y + 26}" '
            f'font-family="Liberation Sans, sans-serif" font-size="10" fill="#1b1f24">'
            f"{row.word_percent} of words</text>"
            f'<rect x="0" y="{y + 31}" width="{row.source_bar * bar:.1f}" height="11" '
            f'fill="#8a94a3"/>'
            f'<text x="{row.source_bar * bar + 6:.1f}" y="{y + 40}" '
            f'font-family="Liberation Sans, sans-serif" font-size="10" fill="#1b1f24">'
            f"{row.source_percent} of sources</text>"
        )
    out.append("</svg>")
    return "".join(out)


def _sized(svg: str) -> str:
    """The SVG with a pixel size FIGURE_SCALE times its viewBox: the PNG fallback Pandoc
    draws from it (rsvg-convert) is that many pixels (the shown size is set separately)."""
    m = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
    if not m or re.match(r"<svg[^>]*\swidth=", svg):
        return svg
    w, h = (float(v) * FIGURE_SCALE for v in m.groups())
    return svg.replace("<svg ", f'<svg width="{w:.0f}" height="{h:.0f}" ', 1)


# -- the template set's reference.docx -------------------------------------------------------
def reference_doc(tset: TemplateSet) -> Path:
    """The first reference.docx along the set's chain (the set's own, else a parent's), else
    the base set's."""
    for s in tset.chain:
        path = s.folder / REFERENCE
        if path.is_file():
            return path
    return builtin_root() / "base" / REFERENCE


def _text_width(reference: Path) -> str:
    """The width of the text column of the reference's page, as a Pandoc length ("17cm")."""
    try:
        with zipfile.ZipFile(reference) as z:
            body = z.read("word/document.xml").decode("utf-8")
    except (OSError, KeyError, zipfile.BadZipFile):
        return "16cm"
    size = re.search(r"<w:pgSz\b[^>]*\bw:w=\"(\d+)\"", body)
    margins = re.search(r"<w:pgMar\b[^>]*>", body)
    if not size or not margins:
        return "16cm"
    left = re.search(r'w:left="(\d+)"', margins.group())
    right = re.search(r'w:right="(\d+)"', margins.group())
    twips = int(size[1]) - int(left[1] if left else 1440) - int(right[1] if right else 1440)
    return f"{max(twips, 1440) / 567:.2f}cm"


# -- writing ---------------------------------------------------------------------------------
def document(
    doc: Resolved, options: dict[str, Any], audit: AuditReport, figures: Path, width: str
) -> dict[str, Any]:
    """The edition as Pandoc's JSON AST (figures are written into `figures`)."""
    brief = doc.brief

    def meta_text(text: str) -> dict[str, Any]:
        return _el("MetaInlines", words(text))

    fields = _Fields(doc)
    meta: dict[str, Any] = {
        "title": meta_text(brief.title),
        "date": meta_text(doc.date.long()),
        "lang": _el("MetaString", brief.language or "en"),
        "subject": _el(
            "MetaString", " ".join(stringify(fields.inlines(brief.question, False)).split())
        ),
        "keywords": _el("MetaList", [meta_text(v.label) for v in doc.views]),
    }
    if brief.subtitle:
        meta["subtitle"] = meta_text(brief.subtitle)
    if brief.authors:
        meta["author"] = _el("MetaList", [meta_text(a) for a in brief.authors])
    marking = brief.marking
    if marking:
        meta["marking"] = _el("MetaString", str(marking))
    blocks = _Writer(doc, options, audit, figures, width).build()
    return {"pandoc-api-version": API_VERSION, "meta": meta, "blocks": blocks}


def write_docx(
    doc: Resolved,
    tset: TemplateSet,
    audience: str,
    options: dict[str, Any],
    audit: AuditReport | None,
    today: Date | None = None,
) -> bytes:
    """The .docx of a resolved edition, styled by the set's reference.docx; the same bytes
    for the same edition. `audit` is the edition's audit (made here when None)."""
    if audit is None:
        from .audit import audit_brief

        audit = audit_brief(doc.brief, doc)
    reference = reference_doc(tset)
    date = doc.brief.date or today or doc.date
    with tempfile.TemporaryDirectory(prefix="counterpoint-docx-") as folder:
        figures = Path(folder)
        ast = document(doc, options, audit, figures, _text_width(reference))
        data = _pandoc(ast, reference, figures, date, f"{doc.brief.name} ({audience}): docx")
    marking = doc.brief.marking
    return _finish(data, doc.brief.title, marking)


def _epoch(date: Date) -> int:
    """SOURCE_DATE_EPOCH for a date, within what a zip file can record (1980-2107)."""
    year = min(max(date.year, 1980), 2107)
    moment = _dt.datetime(year, date.month or 1, date.day or 1, tzinfo=_dt.UTC)
    return int(moment.timestamp())


def _pandoc(ast: dict[str, Any], reference: Path, figures: Path, date: Date, what: str) -> bytes:
    args = [
        pandoc.binary(), "-f", "json", "-t", "docx", "-o", "-",
        "--reference-doc", str(reference),
        "--resource-path", str(figures),  # the figures we drew; nothing else is read
    ]  # fmt: skip
    env = {**os.environ, "LANG": "C.UTF-8", "SOURCE_DATE_EPOCH": str(_epoch(date))}
    stdin = json.dumps(ast, ensure_ascii=False).encode("utf-8")
    try:
        ran = subprocess.run(
            args, input=stdin, capture_output=True, env=env, cwd=figures, timeout=120
        )
    except subprocess.TimeoutExpired:
        raise BuildError(f"{what}: Pandoc took over 120 s; stopped") from None
    except OSError as exc:
        raise BuildError(f"{what}: cannot run Pandoc ({args[0]}): {exc.strerror}") from None
    if ran.returncode != 0:
        message = " ".join(ran.stderr.decode("utf-8", "replace").split()) or "no message"
        raise BuildError(f"{what}: Pandoc failed (exit {ran.returncode}): {message}")
    return ran.stdout


def _finish(data: bytes, title: str, marking: str) -> bytes:
    """The package with the header's title and marking filled in, and fixed entry times
    (the same bytes for the same edition)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if re.fullmatch(r"word/(header|footer)\d*\.xml", info.filename):
                text = content.decode("utf-8")
                text = text.replace(TITLE_PLACEHOLDER, _xml_escape(title, False))
                text = text.replace(MARKING_PLACEHOLDER, _xml_escape(marking, False))
                content = text.encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, (1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, content)
    return out.getvalue()
