"""The Word edition's sections: each built-in section of an edition as Pandoc blocks
(docx/writer.py writes them), in `doc.sections` order, as the base set's templates show it.

Each section's builder is registered in BUILDERS under the name its entry in the registry
of sections gives (brief/sections.py). Every fixed text comes from the paper's catalog
through the same messages the templates use (`_()` of i18n.Labels, with the set's and the
brief's `labels:` over it), and numbers and dates are in the language's forms, so the
.docx says what the HTML and PDF say.
"""

from __future__ import annotations

from counterpoint.brief import markdown
from counterpoint.brief.model import Text
from counterpoint.brief.sections import SECTIONS
from counterpoint.cite.fields import first_sentences
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
    stringify,
    words,
)
from counterpoint.publish.docx import appendix
from counterpoint.publish.docx.body import Body, Builder
from counterpoint.publish.docx.flow import WIDE_END, WIDE_START
from counterpoint.render.figures import timeline_labels, timeline_svg


def title(body: Body) -> None:  # the title block is Pandoc's (title, subtitle, author, date)
    _ = body.labels.gettext
    label = _para([_el("Strong", words(_("The question")))])
    body.add(_styled("Question", [label, *body.fields.blocks(body.brief.question)]))


def how_to_read(body: Body) -> None:
    if not body.options.get("how_to_read", True):
        return
    _ = body.labels.gettext
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
    body.add(
        _header(1, _("How to read this brief"), "how-to-read"),
        _para(words(first)),
        _para(words(second)),
    )


def summary(body: Body) -> None:
    _ = body.labels.gettext
    body.add(_header(1, _("Bottom line"), "summary"), *body.fields.blocks(body.brief.summary))


def contents(body: Body) -> None:
    body.toc_at = len(body.blocks)
    body.add(_el("Null"))


def background(body: Body) -> None:
    _ = body.labels.gettext
    if body.brief.background:
        body.add(_header(1, _("Background"), "background"))
        body.add(*body.fields.blocks(body.brief.background))


def glance(body: Body) -> None:
    _ = body.labels.gettext
    stats = {row.id: row for row in body.audit.views}
    rows = []
    for v in body.doc.views:
        sources = stats[v.id].sources if v.id in stats else 0
        rows.append(
            [
                [_plain([_el("Link", [_attr(), words(v.label), [f"#view-{v.id}", ""]])])],
                body.fields.cell(v.thesis, cite=False),
                [_plain(body.number(len(v.arguments)))],
                [_plain(body.number(len(v.counterpoints)))],
                [_plain(body.number(sources))],
            ]
        )
    body.add(
        _header(1, _("The views at a glance"), "glance"),
        _table(
            [_("View"), _("Thesis"), _("Arguments"), _("Counterpoints"), _("Sources")],
            rows,
            {2, 3, 4},
            [0.18, 0.39, 0.13, 0.18, 0.12],  # each head's longest word fits its column
        ),
    )


def views(body: Body) -> None:
    _ = body.labels.gettext
    body.add(_header(1, _("The views"), "views"))
    for n, v in enumerate(body.doc.views, 1):
        number = _("View %(number)s.") % {"number": body.labels.integer(n)}
        body.add(_header(2, f"{number} {v.label}", f"view-{v.id}"))
        body.add(_styled("Thesis", [_para(body.fields.inlines(v.thesis))]))
        body.add(*body.fields.blocks(v.summary))
        body.add(_header(3, _("Arguments")), body.bullets(v.arguments))
        if v.counterpoints:
            body.add(_header(3, _("Counterpoints")), body.bullets(v.counterpoints))


def views_table(body: Body) -> None:
    _ = body.labels.gettext
    rows = [[[_plain(words(v.label))], body.fields.cell(v.thesis)] for v in body.doc.views]
    body.add(
        _header(1, _("The views"), "views"),
        _table([_("View"), _("Thesis")], rows, set(), [0.25, 0.75]),
    )


def compare(body: Body) -> None:
    """The views side by side, as the compare edition's page: a column per view, a
    row per thesis, argument number and counterpoint number. Word numbers the notes
    row by row, left to right, which is the order the HTML and the PDF number them."""
    _ = body.labels.gettext
    names = {
        "thesis": _("Thesis"),
        "arguments": _("Arguments"),
        "counterpoints": _("Counterpoints"),
    }
    views = body.doc.views
    head = [
        f"{_('View %(number)s.') % {'number': body.labels.integer(n)}} {v.label}"
        for n, v in enumerate(views, 1)
    ]
    groups = [
        (names[kind], [[_compare_cell(body, kind, cell) for cell in row] for row in rows])
        for kind, rows in body.doc.compare
    ]
    table = _grouped_table(head, groups, [1 / len(views)] * len(views))
    if not body.doc.compare_wide:  # the table shares a portrait page, as in the PDF
        body.add(_header(1, _("The views"), "views"), table)
        return
    body.add(  # landscape pages of their own (flow.py)
        _el("RawBlock", ["openxml", WIDE_START]),
        _header(1, _("The views"), "views"),
        table,
        _el("RawBlock", ["openxml", WIDE_END]),
    )


def _compare_cell(body: Body, kind: str, cell: list[Text]) -> list[Block]:
    if kind == "thesis" and cell:  # the thesis, then the view's summary below it
        thesis = _styled("Thesis", [_para(body.fields.inlines(cell[0]))])
        return [thesis, *(b for t in cell[1:] for b in body.fields.blocks(t))]
    return [b for t in cell for b in body.fields.blocks(t)]


def contested(body: Body) -> None:
    if not body.brief.contested:
        return
    _ = body.labels.gettext
    body.add(_header(1, _("Contested facts"), "contested"))
    for n, item in enumerate(body.brief.contested, 1):
        body.add(_header(2, item.point, f"contested-{n}"), body.bullets(item.accounts))
        if item.assessment:
            blocks = body.fields.blocks(item.assessment)
            lead = [_el("Strong", words(_("Assessment."))), _el("Space")]
            if blocks and blocks[0]["t"] in ("Para", "Plain"):
                blocks[0] = _para(lead + blocks[0]["c"])
            else:
                blocks.insert(0, _para(lead[:1]))
            body.add(*blocks)


def contested_brief(body: Body) -> None:
    if not body.brief.contested:
        return
    _ = body.labels.gettext
    items = []
    for item in body.brief.contested:
        inlines = [_el("Strong", words(f"{item.point}."))]
        if item.short:
            inlines += [_el("Space"), *body.fields.inlines(item.short)]
        elif item.assessment:
            text = " ".join(stringify(body.fields.inlines(item.assessment, False)).split())
            inlines += [_el("Space"), *words(first_sentences(text))]
        items.append([_plain(inlines)])
    body.add(_header(1, _("Contested facts"), "contested"), _el("BulletList", items))


def timeline(body: Body) -> None:
    events = body.doc.timeline
    if not events:
        return
    _, labels = body.labels.gettext, body.labels
    texts = [markdown.plain(e.event.tokens) for e in events]
    title = _("Timeline of %(count)s events, %(first)s to %(last)s") % {
        "count": labels.integer(len(events)),
        "first": labels.year(events[0].date.year),
        "last": labels.year(events[-1].date.year),
    }
    svg = timeline_svg(
        events, timeline_labels(events, texts), texts, title, body.rtl, labels.year,
        columns=2,
    )  # fmt: skip
    caption = _(
        "Figure 1. The events below, in order of date. Each stretch of the line is to "
        "scale; a break in the line marks a long time without an event."
    )
    rows = [[[_plain(words(labels.date(e.date)))], body.fields.cell(e.event)] for e in events]
    body.add(
        _header(1, _("Timeline"), "timeline"),
        body.figure("timeline.svg", str(svg), title, caption),
        _table([_("Date"), _("Event")], rows, set(), [0.22, 0.78]),
    )


def judgments(body: Body) -> None:
    if not body.brief.judgments:
        return
    _ = body.labels.gettext
    items = []
    for j in body.brief.judgments:
        item = [_para(body.fields.inlines(j.text))]
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
    body.add(
        _header(1, _("Key judgments"), "judgments"),
        _el("OrderedList", [[1, _el("Decimal"), _el("Period")], items]),
    )


def implications(body: Body) -> None:
    _ = body.labels.gettext
    if body.brief.implications:
        body.add(_header(1, _("Implications"), "implications"))
        body.add(*body.fields.blocks(body.brief.implications))


BUILDERS: dict[str, Builder] = {
    "title": title,
    "how-to-read": how_to_read,
    "summary": summary,
    "contents": contents,
    "background": background,
    "glance": glance,
    "views": views,
    "views-table": views_table,
    "compare": compare,
    "contested": contested,
    "contested-brief": contested_brief,
    "timeline": timeline,
    "judgments": judgments,
    "implications": implications,
    **appendix.BUILDERS,
}
"""Each Word builder by the name a section's entry in brief/sections.py gives."""


class Sections(Body):
    """The Word edition's body: each section its set's own template gives (publish/docx/
    html.py) or its builder."""

    def build(self) -> list[Block]:
        for name in self.doc.sections:
            own = self.own(name) if self.own is not None else None
            start = len(self.blocks)
            if own is not None:  # the set's own template (publish/docx/html.py)
                self.add(*own)
            elif name in SECTIONS:
                BUILDERS[SECTIONS[name].builder](self)
                self.retitle(name, start)
        if self.toc_at is not None:
            self.blocks[self.toc_at] = self.toc()
        return self.blocks
