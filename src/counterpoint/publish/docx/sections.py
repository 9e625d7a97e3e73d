"""The Word edition's body: each section of an edition as Pandoc blocks (docx/writer.py
writes them), in `doc.sections` order, as the base set's templates show it.

Every fixed text comes from the paper's catalog through the same messages the templates
use (`_()` of i18n.Labels, with the set's and the brief's `labels:` over it), and numbers
and dates are in the language's forms, so the .docx says what the HTML and PDF say.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape as _xml_escape
from pathlib import Path
from typing import Any

from babel.lists import format_list

from counterpoint.audit.checks import AuditReport, order_note
from counterpoint.brief import i18n, markdown
from counterpoint.brief.i18n import Labels
from counterpoint.brief.model import GRADES, Text
from counterpoint.cite.fields import Fields, first_sentences
from counterpoint.cite.pandocast import (
    Block,
    Inline,
    _attr,
    _el,
    _grouped_table,
    _header,
    _para,
    _plain,
    _styled,
    _table,
    html_inlines,
    stringify,
    words,
)
from counterpoint.cite.resolve import Resolved
from counterpoint.publish.docx.flow import WIDE_END, WIDE_START
from counterpoint.render.figures import balance_chart, chart_label, timeline_labels, timeline_svg

FIGURE_SCALE = 3
"""The PNG fallback of a figure is drawn at this many pixels per SVG unit (sharp in print)."""


class Sections:
    """The blocks of an edition's sections in the paper's language; the figures are
    written into `figures` (Pandoc's only resource path)."""

    def __init__(
        self,
        doc: Resolved,
        options: dict[str, Any],
        audit: AuditReport,
        labels: Labels,
        figures: Path,
        width: str,
        own: Callable[[str], list[Block] | None] | None = None,
        headings: dict[str, str] | None = None,
    ):
        self.doc, self.brief, self.options, self.audit = doc, doc.brief, options, audit
        self.own = own
        self.headings = headings or {}
        """Headings a set's template gives a section Word builds itself (publish/docx/writer.py)."""
        """The blocks of a section the template set adds (its template's HTML, docxhtml)."""
        self.labels = labels
        self.rtl = i18n.direction(doc.brief.language or "en") == "rtl"
        self.fields = Fields(doc)
        self.figures, self.width = figures, width
        self.blocks: list[Block] = []
        self.toc_at: int | None = None

    def build(self) -> list[Block]:
        for section in self.doc.sections:
            own = self.own(section) if self.own is not None else None
            method = getattr(self, "s_" + section.replace("-", "_"), None)
            start = len(self.blocks)
            if own is not None:  # the set's own template (publish/docx/html.py)
                self.add(*own)
            elif method is not None:
                method()
                self._retitle(section, start)
        if self.toc_at is not None:
            self.blocks[self.toc_at] = self._toc()
        return self.blocks

    def _retitle(self, section: str, start: int) -> None:
        """The section's first heading in the set's words (its `NAME_heading` block)."""
        text = self.headings.get(section)
        if not text:
            return
        for i in range(start, len(self.blocks)):
            block = self.blocks[i]
            if block.get("t") == "Header":
                level, attr, _ = block["c"]
                self.blocks[i] = _el("Header", [level, attr, words(text)])
                return

    def add(self, *blocks: Block) -> None:
        self.blocks += blocks

    def number(self, value: int) -> list[Inline]:
        return words(self.labels.integer(value))

    # each section, as the base set's templates show it
    def s_title(self) -> None:  # the title block is Pandoc's (title, subtitle, author, date)
        _ = self.labels.gettext
        label = _para([_el("Strong", words(_("The question")))])
        self.add(_styled("Question", [label, *self.fields.blocks(self.brief.question)]))

    def s_how_to_read(self) -> None:
        if not self.options.get("how_to_read", True):
            return
        _ = self.labels.gettext
        first = _(
            "Experts disagree about the question above. This brief sets out each main view "
            "as fairly as its supporters would put it, followed by the strongest objections "
            "to it. The order of the views is not a ranking."
        )
        second = _(
            "Small numbers in the text point to the sources behind each claim. Where the "
            "sources disagree on a fact, the brief shows each account side by side. The key "
            "judgments at the end are the authors' own, with how likely they think each one "
            "is and how confident they are."
        )
        self.add(
            _header(1, _("How to read this brief"), "how-to-read"),
            _para(words(first)),
            _para(words(second)),
        )

    def s_summary(self) -> None:
        _ = self.labels.gettext
        self.add(_header(1, _("Bottom line"), "summary"), *self.fields.blocks(self.brief.summary))

    def s_contents(self) -> None:
        self.toc_at = len(self.blocks)
        self.add(_el("Null"))

    def s_background(self) -> None:
        _ = self.labels.gettext
        if self.brief.background:
            self.add(_header(1, _("Background"), "background"))
            self.add(*self.fields.blocks(self.brief.background))

    def s_glance(self) -> None:
        _ = self.labels.gettext
        stats = {row.id: row for row in self.audit.views}
        rows = []
        for v in self.doc.views:
            sources = stats[v.id].sources if v.id in stats else 0
            rows.append(
                [
                    [_plain([_el("Link", [_attr(), words(v.label), [f"#view-{v.id}", ""]])])],
                    self.fields.cell(v.thesis, cite=False),
                    [_plain(self.number(len(v.arguments)))],
                    [_plain(self.number(len(v.counterpoints)))],
                    [_plain(self.number(sources))],
                ]
            )
        self.add(
            _header(1, _("The views at a glance"), "glance"),
            _table(
                [_("View"), _("Thesis"), _("Arguments"), _("Counterpoints"), _("Sources")],
                rows,
                {2, 3, 4},
                [0.18, 0.39, 0.13, 0.18, 0.12],  # each head's longest word fits its column
            ),
        )

    def s_views(self) -> None:
        _ = self.labels.gettext
        self.add(_header(1, _("The views"), "views"))
        for n, v in enumerate(self.doc.views, 1):
            number = _("View %(number)s.") % {"number": self.labels.integer(n)}
            self.add(_header(2, f"{number} {v.label}", f"view-{v.id}"))
            self.add(_styled("Thesis", [_para(self.fields.inlines(v.thesis))]))
            self.add(*self.fields.blocks(v.summary))
            self.add(_header(3, _("Arguments")), self._list(v.arguments))
            if v.counterpoints:
                self.add(_header(3, _("Counterpoints")), self._list(v.counterpoints))

    def s_views_table(self) -> None:
        _ = self.labels.gettext
        rows = [[[_plain(words(v.label))], self.fields.cell(v.thesis)] for v in self.doc.views]
        self.add(
            _header(1, _("The views"), "views"),
            _table([_("View"), _("Thesis")], rows, set(), [0.25, 0.75]),
        )

    def s_compare(self) -> None:
        """The views side by side, as the compare edition's page: a column per view, a
        row per thesis, argument number and counterpoint number. Word numbers the notes
        row by row, left to right, which is the order the HTML and the PDF number them."""
        _ = self.labels.gettext
        names = {
            "thesis": _("Thesis"),
            "arguments": _("Arguments"),
            "counterpoints": _("Counterpoints"),
        }
        views = self.doc.views
        head = [
            f"{_('View %(number)s.') % {'number': self.labels.integer(n)}} {v.label}"
            for n, v in enumerate(views, 1)
        ]
        groups = [
            (names[kind], [[self._compare_cell(kind, cell) for cell in row] for row in rows])
            for kind, rows in self.doc.compare
        ]
        table = _grouped_table(head, groups, [1 / len(views)] * len(views))
        if len(views) < 3:  # two views share a portrait page, as in the PDF
            self.add(_header(1, _("The views"), "views"), table)
            return
        self.add(  # three or more: landscape pages of their own (docxflow.py)
            _el("RawBlock", ["openxml", WIDE_START]),
            _header(1, _("The views"), "views"),
            table,
            _el("RawBlock", ["openxml", WIDE_END]),
        )

    def _compare_cell(self, kind: str, cell: list[Text]) -> list[Block]:
        if kind == "thesis" and cell:  # the thesis, then the view's summary below it
            thesis = _styled("Thesis", [_para(self.fields.inlines(cell[0]))])
            return [thesis, *(b for t in cell[1:] for b in self.fields.blocks(t))]
        return [b for t in cell for b in self.fields.blocks(t)]

    def s_contested(self) -> None:
        if not self.brief.contested:
            return
        _ = self.labels.gettext
        self.add(_header(1, _("Contested facts"), "contested"))
        for n, item in enumerate(self.brief.contested, 1):
            self.add(_header(2, item.point, f"contested-{n}"), self._list(item.accounts))
            if item.assessment:
                blocks = self.fields.blocks(item.assessment)
                lead = [_el("Strong", words(_("Assessment."))), _el("Space")]
                if blocks and blocks[0]["t"] in ("Para", "Plain"):
                    blocks[0] = _para(lead + blocks[0]["c"])
                else:
                    blocks.insert(0, _para(lead[:1]))
                self.add(*blocks)

    def s_contested_brief(self) -> None:
        if not self.brief.contested:
            return
        _ = self.labels.gettext
        items = []
        for item in self.brief.contested:
            inlines = [_el("Strong", words(f"{item.point}."))]
            if item.short:
                inlines += [_el("Space"), *self.fields.inlines(item.short)]
            elif item.assessment:
                text = " ".join(stringify(self.fields.inlines(item.assessment, False)).split())
                inlines += [_el("Space"), *words(first_sentences(text))]
            items.append([_plain(inlines)])
        self.add(_header(1, _("Contested facts"), "contested"), _el("BulletList", items))

    def s_timeline(self) -> None:
        events = self.doc.timeline
        if not events:
            return
        _, labels = self.labels.gettext, self.labels
        texts = [markdown.plain(e.event.tokens) for e in events]
        title = _("Timeline of %(count)s events, %(first)s to %(last)s") % {
            "count": labels.integer(len(events)),
            "first": labels.year(events[0].date.year),
            "last": labels.year(events[-1].date.year),
        }
        svg = timeline_svg(
            events, timeline_labels(events, texts), texts, title, self.rtl, labels.year,
            columns=2,
        )  # fmt: skip
        caption = _(
            "Figure 1. The events below, in order of date. Each stretch of the line is to "
            "scale; a break in the line marks a long time without an event."
        )
        rows = [[[_plain(words(labels.date(e.date)))], self.fields.cell(e.event)] for e in events]
        self.add(
            _header(1, _("Timeline"), "timeline"),
            self._figure("timeline.svg", str(svg), title, caption),
            _table([_("Date"), _("Event")], rows, set(), [0.22, 0.78]),
        )

    def s_judgments(self) -> None:
        if not self.brief.judgments:
            return
        _ = self.labels.gettext
        items = []
        for j in self.brief.judgments:
            item = [_para(self.fields.inlines(j.text))]
            estimate: list[Inline] = []
            if j.likelihood:
                estimate += [*words(_("Likelihood:")), _el("Space")]
                estimate.append(_el("Strong", words(_(j.likelihood))))
            if j.confidence:
                if estimate:
                    estimate += [_el("Str", "\u2003")]
                estimate += [*words(_("Confidence:")), _el("Space")]
                estimate.append(_el("Strong", words(_(j.confidence))))
            if estimate:
                item.append(_styled("Estimate", [_para(estimate)]))
            items.append(item)
        self.add(
            _header(1, _("Key judgments"), "judgments"),
            _el("OrderedList", [[1, _el("Decimal"), _el("Period")], items]),
        )

    def s_implications(self) -> None:
        _ = self.labels.gettext
        if self.brief.implications:
            self.add(_header(1, _("Implications"), "implications"))
            self.add(*self.fields.blocks(self.brief.implications))

    def s_balance(self) -> None:
        audit, labels = self.audit, self.labels
        if not audit.views:
            return
        _ = labels.gettext
        order = order_note(self.brief, self.doc.date, labels, self.brief.language or "en")
        counts = _(
            "Words count each view's summary and arguments; sources count the distinct "
            "sources its thesis, summary and arguments cite; notes count the notes in its "
            "part of the brief. The audit flags a view with more than %(ratio)s times the "
            "words of another."
        ) % {"ratio": labels.number(audit.word_ratio)}
        lint = ""
        if not audit.lint_run:
            lint = _(
                "The language lint (loaded words, estimative terms) was not run: it has no "
                "word lists for the language %(language)s."
            ) % {"language": audit.language}
        methods = _("Methods.")
        line = i18n.sentences(
            methods, order, counts, lint
        )  # " " after "Methods.", not after "方法。"
        rows = [
            [[_plain(words(r.label))]]
            + [
                [_plain(self.number(n))]
                for n in (r.words, r.arguments, r.counterpoints, r.sources, r.notes)
            ]
            for r in audit.views
        ]
        caption = _(
            "Each view's share of the words (the upper bar of each pair) and of the sources "
            "(the lower bar) of all the views; the longest bar is the largest share."
        )
        chart = str(balance_chart(audit, labels, self.rtl))
        head = [_("View"), _("Words"), _("Arguments"), _("Counterpoints"), _("Sources")]
        self.add(  # the appendix flows on, as in the PDF: no page of its own
            _header(1, _("Balance and sourcing"), "balance"),
            _para([_el("Strong", words(methods)), *words(line[len(methods) :])]),
            _table(
                [*head, _("Notes")],
                rows,
                {1, 2, 3, 4, 5},
                [0.3, 0.12, 0.14, 0.16, 0.14, 0.14],
            ),
            self._figure("balance.svg", chart, chart_label(audit, labels), caption),
        )
        if audit.quotations:  # each view's quotations verified against a snapshot (quotes/)
            self.add(
                _para([_el("Strong", words(_("Quotations checked against archived sources")))]),
                _table(
                    [_("View"), _("Quotations"), _("Verified")],
                    [
                        [[_plain(words(r.label))]]
                        + [[_plain(self.number(n))] for n in (r.quotes, r.quotes_verified)]
                        for r in audit.views
                    ],
                    {1, 2},
                    [0.5, 0.25, 0.25],
                ),
            )
        if audit.ignored_groups and self.options.get("show_findings", True):
            items = []
            for g in audit.ignored_groups:
                text = _(g.title)
                if g.names:
                    locale = i18n.locale_of(self.brief.language or "en")
                    text += ": " + format_list(g.names, locale=locale)
                elif len(g.findings) > 1:
                    text += f" ({labels.integer(len(g.findings))})"
                why = g.reason or _("no reason given.")
                inlines = [*words(f"{text}. {_('Why:')} {why}"), _el("Space")]
                code = (  # small and grey: for those who look it up in docs/audit.md
                    '<w:r><w:rPr><w:color w:val="5A6270"/><w:sz w:val="14"/></w:rPr>'
                    f"<w:t>{g.code}</w:t></w:r>"
                )
                inlines.append(_el("RawInline", ["openxml", code]))
                items.append([_plain(inlines)])
            self.add(_header(2, _("Findings deliberately ignored")), _el("BulletList", items))

    def s_bibliography(self) -> None:
        doc = self.doc
        if not doc.bibliography:
            return
        _ = self.labels.gettext
        title = _("Bibliography") if doc.footnotes else _("References")
        self.add(_header(1, title, "bibliography"))
        show_grades = self.options.get("show_grades", True)
        for entry in doc.bibliography:
            blocks = [_styled("Bibliography", [_para(html_inlines(entry.html))])]
            grade = entry.source.reliability
            if show_grades and grade:
                meaning = _(GRADES.get(grade.grade, ""))
                text = _("Reliability %(grade)s") % {"grade": f"{grade.grade} ({meaning})"}
                inlines = words(text)
                if grade.note:
                    inlines += words(_(": "))
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
        bidi_ = "<w:bidi/>" if self.rtl else ""
        rtl = "<w:rPr><w:rtl/></w:rPr>" if self.rtl else ""
        paragraphs = []
        for n, (level, text) in enumerate(entries):
            runs = ""
            if n == 0:
                runs += (
                    '<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
                    '<w:r><w:instrText xml:space="preserve"> TOC \\o "1-2" \\h \\z \\u '
                    '</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
                )
            runs += f'<w:r>{rtl}<w:t xml:space="preserve">{_xml_escape(text, False)}</w:t></w:r>'
            if n == len(entries) - 1:
                runs += '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
            paragraphs.append(
                f'<w:p><w:pPr><w:pStyle w:val="TOC{level}"/>{bidi_}</w:pPr>{runs}</w:p>'
            )
        heading = self.headings.get("contents") or self.labels.gettext("Contents")
        head = (
            f'<w:p><w:pPr><w:pStyle w:val="TOCHeading"/>{bidi_}</w:pPr><w:r>{rtl}'
            f'<w:t xml:space="preserve">{_xml_escape(heading, False)}'
            "</w:t></w:r></w:p>"
        )
        return _el("RawBlock", ["openxml", head + "".join(paragraphs)])


def _sized(svg: str) -> str:
    """The SVG with a pixel size FIGURE_SCALE times its viewBox: the PNG fallback Pandoc
    draws from it (rsvg-convert) is that many pixels (the shown size is set separately)."""
    m = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
    if not m:
        return svg
    end = svg.index(">")
    tag = re.sub(r'\s(?:width|height)="[^"]*"', "", svg[:end])  # the balance chart has both
    w, h = (float(v) * FIGURE_SCALE for v in m.groups())
    return tag.replace("<svg ", f'<svg width="{w:.0f}" height="{h:.0f}" ', 1) + svg[end:]
