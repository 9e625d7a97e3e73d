"""The Word edition's back matter: the balance appendix, the notes and the bibliography,
as the base set's templates show them (publish/docx/sections.py registers them)."""

from __future__ import annotations

from babel.lists import format_list

from counterpoint.audit.checks import order_note
from counterpoint.brief import i18n
from counterpoint.brief.model import GRADES
from counterpoint.cite.pandocast import (
    _attr,
    _el,
    _header,
    _para,
    _plain,
    _styled,
    _table,
    html_inlines,
    words,
)
from counterpoint.publish.docx.body import Body, Builder
from counterpoint.render.figures import balance_chart, chart_label


def balance(body: Body) -> None:
    audit, labels = body.audit, body.labels
    if not audit.views:
        return
    _ = labels.gettext
    order = order_note(body.brief, body.doc.date, labels, body.brief.language or "en")
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
    line = i18n.sentences(methods, order, counts, lint)  # " " after "Methods.", not after "方法。"
    rows = [
        [[_plain(words(r.label))]]
        + [
            [_plain(body.number(n))]
            for n in (r.words, r.arguments, r.counterpoints, r.sources, r.notes)
        ]
        for r in audit.views
    ]
    caption = _(
        "Each view's share of the words (the upper bar of each pair) and of the sources "
        "(the lower bar) of all the views; the longest bar is the largest share."
    )
    chart = str(balance_chart(audit, labels, body.rtl))
    head = [_("View"), _("Words"), _("Arguments"), _("Counterpoints"), _("Sources")]
    body.add(  # the appendix flows on, as in the PDF: no page of its own
        _header(1, _("Balance and sourcing"), "balance"),
        _para([_el("Strong", words(methods)), *words(line[len(methods) :])]),
        _table(
            [*head, _("Notes")],
            rows,
            {1, 2, 3, 4, 5},
            [0.3, 0.12, 0.14, 0.16, 0.14, 0.14],
        ),
        body.figure("balance.svg", chart, chart_label(audit, labels), caption),
    )
    if audit.quotations:  # each view's quotations verified against a snapshot (quotes/)
        body.add(
            _para([_el("Strong", words(_("Quotations checked against archived sources")))]),
            _table(
                [_("View"), _("Quotations"), _("Verified")],
                [
                    [[_plain(words(r.label))]]
                    + [[_plain(body.number(n))] for n in (r.quotes, r.quotes_verified)]
                    for r in audit.views
                ],
                {1, 2},
                [0.5, 0.25, 0.25],
            ),
        )
    if audit.ignored_groups and body.options.get("show_findings", True):
        items = []
        for g in audit.ignored_groups:
            text = _(g.title)
            if g.names:
                locale = i18n.locale_of(body.brief.language or "en")
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
        body.add(_header(2, _("Findings deliberately ignored")), _el("BulletList", items))


def bibliography(body: Body) -> None:
    doc = body.doc
    if not doc.bibliography:
        return
    _ = body.labels.gettext
    title = _("Bibliography") if doc.footnotes else _("References")
    body.add(_header(1, title, "bibliography"))
    show_grades = body.options.get("show_grades", True)
    for entry in doc.bibliography:
        blocks = [_styled("Bibliography", [_para(html_inlines(entry.html))])]
        grade = entry.source.reliability
        if show_grades and grade:
            meaning = _(GRADES.get(grade.grade, ""))
            text = _("Reliability %(grade)s") % {"grade": f"{grade.grade} ({meaning})"}
            inlines = words(text)
            if grade.note:
                inlines += words(_(": "))
                inlines += body.fields.inlines(grade.note, cite=False)
            blocks.append(_styled("Grade", [_para(inlines)]))
        body.add(_el("Div", [_attr(f"src-{entry.id}"), blocks]))


def notes(body: Body) -> None:
    """Nothing: Word's notes are real footnotes, each at the foot of its call's page (Pandoc
    writes them from the notes' calls), whatever the edition's `notes:`."""


BUILDERS: dict[str, Builder] = {"balance": balance, "notes": notes, "bibliography": bibliography}
