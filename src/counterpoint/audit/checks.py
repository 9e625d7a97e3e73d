"""The balance and sourcing audit: located, coded findings about a brief's model (docs/audit.md).

The audit reads `model.Brief` (and `resolve.Resolved` for note counts), never the HTML. Each
finding has a stable code (`CP101`) and name (`unsourced-argument`); a brief silences one
deliberately with `audit: {ignore: [{code: CP203, reason: ...}]}`.
"""

from __future__ import annotations

from counterpoint.audit.language import check_language
from counterpoint.audit.parity import check_parity, view_stats
from counterpoint.audit.run import Audit
from counterpoint.audit.sourcing import check_sourcing
from counterpoint.audit.words import quoted
from counterpoint.brief.codes import CHECKS, VERDICT_CODES
from counterpoint.brief.findings import AuditReport, Finding, ViewStats
from counterpoint.brief.i18n import Labels
from counterpoint.brief.lexicons import lexicon_for
from counterpoint.brief.model import Brief, Date, order_views
from counterpoint.cite.resolve import Resolved


def check_quotations(run: Audit, rows: list[ViewStats]) -> list[object]:
    """Each quotation's verdict against its source's snapshot (docs/quotes.md); a
    finding for every verdict but `verified`. Matching loads only when a quote is there."""
    from counterpoint.audit.quotes.find import quotations

    found = quotations(run.brief)
    if not found:
        return []
    from counterpoint.audit.quotes.check import check_brief

    checked = check_brief(run.brief, found)
    for q in checked:
        code = VERDICT_CODES.get(q.verdict)
        if code:
            run.add(code, q.message(), q.where, q.path)
    by_view = {f"views[{i}]": v.id for i, v in enumerate(run.brief.views)}
    rows_by_id = {r.id: r for r in rows}
    for q in checked:
        row = rows_by_id.get(by_view.get(q.path.split(".")[0], ""))
        if row is not None:  # thesis, summary, arguments or counterpoints
            row.quotes += 1
            row.quotes_verified += q.verdict == "verified"
    return list(checked)


def apply_ignores(run: Audit) -> None:
    """Mark the findings the brief's `audit: ignore:` entries silence; an entry that
    silences none is a finding of its own (CP001)."""
    rules = run.brief.audit.ignore
    used: set[int] = set()

    def apply(findings: list[Finding]) -> None:
        for f in findings:
            for n, rule in enumerate(rules):
                if rule.code == f.code and (not rule.subjects or f.subject in rule.subjects):
                    f.ignored, f.reason = True, rule.reason
                    used.add(n)
                    break

    apply(run.findings)
    unused = []
    for n, rule in enumerate(rules):
        if n not in used and rule.code != "CP001":
            only = f" for {quoted(rule.subjects)}" if rule.subjects else ""
            check = CHECKS["CP001"]
            unused.append(
                Finding(
                    "CP001",
                    check.name,
                    check.severity,
                    f"the ignore entry for {rule.code}{only} silences no finding; remove it",
                    rule.where,
                    rule.code,
                )
            )
    apply(unused)
    run.findings += unused


def order_note(brief: Brief, date: Date, labels: Labels | None = None, language: str = "en") -> str:
    """The methods note: how the views are ordered, so that order is not read as ranking.

    In English for `counterpoint audit`; with the paper's `labels` (i18n.Labels) in its
    language, numbers and date form."""
    _ = labels.gettext if labels is not None else str
    num = labels.integer if labels is not None else str
    rule = brief.view_order
    if rule == "alphabetical":
        how = _("Views are presented in alphabetical order of their labels.")
    elif rule == "rotate" and brief.views:
        n = len(brief.views)
        day = date.day_of_year()
        k = day % n
        how = _(
            "Views are presented in rotated order: the brief is dated %(date)s, day %(day)s "
            "of the year, and %(day)s modulo %(views)s views is %(rest)s, so the list as "
            "written starts at view %(first)s, %(label)s."
        ) % {
            "date": labels.date(date) if labels is not None else date.long(),
            "day": num(day),
            "views": num(n),
            "rest": num(k),
            "first": num(k + 1),
            "label": brief.views[k].label,
        }
    else:
        how = _("Views are presented in the order the brief lists them.")
    from counterpoint.brief.i18n import sentences

    return sentences(how, _("The order is not a ranking."))


def _reader_name(brief: Brief, subject: str) -> str:
    """A finding's subject as a reader knows it: a view's label, a source's (short) title."""
    for v in brief.views:
        if v.id == subject:
            return v.label
    source = brief.sources.get(subject)
    if source is not None:
        return str(source.csl.get("title-short") or source.title)
    return ""


def audit_brief(
    brief: Brief, doc: Resolved | None = None, today: Date | None = None
) -> AuditReport:
    """Run every check on a validated brief; `doc` (if given) supplies note counts and the date."""
    date = doc.date if doc is not None else (brief.date or today or Date.today())
    run = Audit(brief, doc, date)
    rows = view_stats(run, doc.views if doc is not None else order_views(brief, date))
    check_sourcing(run)
    check_parity(run, rows)
    check_language(run)
    found = check_quotations(run, rows)
    brief_file = str(brief.path)
    run.findings.sort(key=lambda f: (f.location.file != brief_file, f.location, f.code))
    apply_ignores(run)
    for f in run.findings:
        f.subject_name = _reader_name(brief, f.subject)
    return AuditReport(
        path=brief.path,
        view_order=brief.view_order,
        order_note=order_note(brief, date),
        word_ratio=brief.audit.word_ratio,
        views=rows,
        findings=run.findings,
        language=brief.language or "en",
        lint_run=lexicon_for(brief.language) is not None,
        quotations=found,
    )
