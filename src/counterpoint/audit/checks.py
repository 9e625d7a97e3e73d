"""The balance and sourcing audit: located, coded findings about a brief's model (docs/audit.md).

The audit reads `model.Brief` (and `resolve.Resolved` for note counts), never the HTML. Each
finding has a stable code (`CP101`) and name (`unsourced-argument`); a brief silences one
deliberately with `audit: {ignore: [{code: CP203, reason: ...}]}`.
"""

from __future__ import annotations

from counterpoint.audit.words import (
    _Files,
    _keys,
    _matches,
    _plural,
    _quoted,
    _support,
    _words_of,
    words,
)
from counterpoint.brief import markdown
from counterpoint.brief.codes import CHECKS, VERDICT_CODES
from counterpoint.brief.findings import AuditReport, Finding, ViewStats
from counterpoint.brief.i18n import Labels
from counterpoint.brief.lexicons import SENTENCE_ENDS, Lexicon, lexicon_for
from counterpoint.brief.model import Brief, Date, Text, View, order_views
from counterpoint.cite.resolve import Resolved
from counterpoint.errors import Location

WEAK_GRADES = ("D", "E", "F")


# -- the audit ----------------------------------------------------------------------------
class _Audit:
    def __init__(self, brief: Brief, doc: Resolved | None, date: Date):
        self.brief = brief
        self.doc = doc
        self.date = date
        self.findings: list[Finding] = []
        self.files = _Files()

    def add(self, code: str, message: str, where: Location, subject: str = "") -> None:
        check = CHECKS[code]
        self.findings.append(Finding(code, check.name, check.severity, message, where, subject))

    # -- sourcing ------------------------------------------------------------------------
    def sourcing(self) -> None:
        b = self.brief
        for i, v in enumerate(b.views):
            for j, arg in enumerate(v.arguments):
                if not arg.citations:
                    self.add(
                        "CP101",
                        f"argument {j + 1} of view '{v.id}' cites no source",
                        arg.where,
                        f"views[{i}].arguments[{j}]",
                    )
            for j, point in enumerate(v.counterpoints):
                if not point.citations:
                    self.add(
                        "CP102",
                        f"counterpoint {j + 1} of view '{v.id}' cites no source",
                        point.where,
                        f"views[{i}].counterpoints[{j}]",
                    )
        for i, c in enumerate(b.contested):
            for j, account in enumerate(c.accounts):
                if not account.citations:
                    self.add(
                        "CP103",
                        f"account {j + 1} of contested point '{c.point}' cites no source",
                        account.where,
                        f"contested[{i}].accounts[{j}]",
                    )
        for i, e in enumerate(b.timeline):
            if not e.event.citations:
                self.add(
                    "CP104",
                    f"timeline event of {e.date} cites no source",
                    e.event.where,
                    f"timeline[{i}]",
                )
        cited: set[str] = set()
        for key_path, text in b.texts():
            for cite in text.citations:
                for item in cite.items:
                    if item.key in b.sources:
                        cited.add(item.key)
                    else:
                        self.add(
                            "CP105",
                            f"citation names unknown source '@{item.key}'",
                            cite.where,
                            key_path,
                        )
        hosts = {b.sources[k].cited_in for k in cited if b.sources[k].cited_in}
        for s in b.sources.values():
            if s.id not in cited and s.id not in hosts:
                self.add("CP106", f"source '{s.id}' is defined but never cited", s.where, s.id)
        for s in b.sources.values():
            if s.id in cited and s.cited_in:
                self.add(
                    "CP110",
                    f"source '{s.id}' is cited only through '{s.cited_in}' (secondary, cited-in)",
                    s.where,
                    s.id,
                )
        for v in b.views:
            self.view_sourcing(v)

    def grade(self, key: str) -> str:
        """A source's grade, or the grade of the source it is read through; '' if none."""
        s = self.brief.sources[key]
        if s.reliability:
            return s.reliability.grade
        host = self.brief.sources.get(s.cited_in) if s.cited_in else None
        return host.reliability.grade if host and host.reliability else ""

    def view_sourcing(self, v: View) -> None:
        sources = [k for k in _keys(_support(v)) if k in self.brief.sources]
        if not sources:
            return
        records = [self.brief.sources[k] for k in sources]
        read = list(dict.fromkeys(s.cited_in or s.id for s in records))
        if len(sources) == 1:
            self.add(
                "CP107", f"view '{v.id}' rests on a single source, '{sources[0]}'", v.where, v.id
            )
        elif len(read) == 1:
            self.add(
                "CP107",
                f"view '{v.id}' rests on a single source: its {len(sources)} sources "
                f"({_quoted(sources)}) are all read in one document, '{read[0]}'",
                v.where,
                v.id,
            )
        else:
            outlets = {(s.container_title or s.publisher).casefold() for s in records}
            if len(outlets) == 1 and "" not in outlets:
                outlet = records[0].container_title or records[0].publisher
                self.add(
                    "CP108",
                    f"view '{v.id}' rests on a single outlet, {outlet}: {_quoted(sources)}",
                    v.where,
                    v.id,
                )
        grades = {k: self.grade(k) for k in sources}
        if all(g in WEAK_GRADES for g in grades.values()):
            listed = []
            for s in records:
                through = f" through '{s.cited_in}'" if not s.reliability else ""
                listed.append(f"'{s.id}' ({grades[s.id]}{through})")
            self.add(
                "CP109",
                f"view '{v.id}' is supported only by sources graded D-F: {', '.join(listed)}",
                v.where,
                v.id,
            )

    # -- parity ------------------------------------------------------------------------
    def stats(self, views: list[View]) -> list[ViewStats]:
        rows = []
        for v in views:
            fields = [*_support(v), *v.counterpoints]
            citations = [c for t in fields for c in t.citations]
            notes = (
                sum(1 for c in citations if c.where in self.doc.numbers)
                if self.doc is not None
                else len(citations)
            )
            rows.append(
                ViewStats(
                    id=v.id,
                    label=v.label,
                    where=v.where,
                    words=words(v.summary) + sum(words(a) for a in v.arguments),
                    arguments=len(v.arguments),
                    counterpoints=len(v.counterpoints),
                    sources=len([k for k in _keys(_support(v)) if k in self.brief.sources]),
                    notes=notes,
                )
            )
        total_words = sum(r.words for r in rows)
        total_sources = sum(r.sources for r in rows)
        for r in rows:
            r.word_share = r.words / total_words if total_words else 0.0
            r.source_share = r.sources / total_sources if total_sources else 0.0
        longest = max([r.word_share for r in rows] + [r.source_share for r in rows] + [0.0])
        for r in rows:
            r.word_bar = r.word_share / longest if longest else 0.0
            r.source_bar = r.source_share / longest if longest else 0.0
        return rows

    def parity(self, rows: list[ViewStats]) -> None:
        b = self.brief
        if len(rows) >= 2:
            big = max(rows, key=lambda r: r.words)
            small = min(rows, key=lambda r: r.words)
            limit = b.audit.word_ratio
            if small.words == 0 or big.words / small.words > limit:
                ratio = f"{big.words / small.words:.2f} times" if small.words else "against"
                self.add(
                    "CP201",
                    f"view '{big.id}' has {big.words} words (summary and arguments), "
                    f"{ratio} the {small.words} of view '{small.id}'; "
                    f"the brief allows {limit:g} (audit.word_ratio)",
                    big.where,
                    big.id,
                )
        with_points = [v for v in b.views if v.counterpoints]
        if with_points:
            for v in b.views:
                if not v.counterpoints:
                    others = len(with_points)
                    self.add(
                        "CP202",
                        f"view '{v.id}' has no counterpoints, while "
                        f"{_plural(others, 'other view')} {'has' if others == 1 else 'have'} some",
                        v.where,
                        v.id,
                    )
        if len(b.views) < 3:
            return  # with two views every counterpoint can only come from the one rival
        argued = {v.id: set(_keys(v.arguments)) for v in b.views}
        for v in b.views:
            if len(v.counterpoints) < 2:
                continue
            rivals: set[str] = set()
            every = True
            for point in v.counterpoints:
                keys = set(_keys([point]))
                drawn = {o.id for o in b.views if o is not v and keys & argued[o.id]}
                every = every and bool(drawn)
                rivals |= drawn
            if every and len(rivals) == 1:
                (rival,) = rivals
                self.add(
                    "CP203",
                    f"all {len(v.counterpoints)} counterpoints of view '{v.id}' are drawn "
                    f"from the sources of one rival view, '{rival}'",
                    v.counterpoints[0].where,
                    v.id,
                )

    # -- language ------------------------------------------------------------------------
    def own_texts(self) -> list[tuple[str, Text]]:
        """The analyst's own text: summary, background, assessments, judgments, implications."""
        b = self.brief
        out: list[tuple[str, Text]] = [("summary", b.summary)]
        if b.background:
            out.append(("background", b.background))
        out += [
            (f"contested[{i}].assessment", c.assessment)
            for i, c in enumerate(b.contested)
            if c.assessment
        ]
        out += [(f"judgments[{i}].text", j.text) for i, j in enumerate(b.judgments)]
        if b.implications:
            out.append(("implications", b.implications))
        return out

    def language(self) -> None:
        """CP301-CP305: wording. CP303 (a missing likelihood or confidence) runs in every
        language; the others need the language's word lists (lexicons.TERMS)."""
        b = self.brief
        lex = lexicon_for(b.language)
        lang = lex.language if lex is not None else b.language
        own = [(path, text, markdown.plain(text.tokens)) for path, text in self.own_texts()]
        for path, text, plain in own:
            for word, nth in _matches(lex.loaded, plain) if lex is not None else []:
                self.add(
                    "CP301",
                    f"loaded or absolute wording '{word}' in {path}",
                    self.files.locate(text, word, nth, lang),
                    path,
                )
        for i, j in enumerate(b.judgments):
            plain = markdown.plain(j.text.tokens)
            for word, nth in _matches(lex.off_scale, plain) if lex is not None else []:
                self.add(
                    "CP302",
                    f"judgment {i + 1} uses '{word}', which is not an ICD 203 likelihood term; "
                    "give the likelihood in its `likelihood` key",
                    self.files.locate(j.text, word, nth, lang),
                    f"judgments[{i}]",
                )
            missing = [k for k in ("likelihood", "confidence") if not getattr(j, k)]
            if missing:
                self.add(
                    "CP303",
                    f"judgment {i + 1} has no {' and no '.join(missing)}",
                    j.where,
                    f"judgments[{i}]",
                )
            if lex is None:
                continue
            seen: dict[str, int] = {}
            for sentence in SENTENCE_ENDS.split(plain):
                stated = [" ".join(m.group(0).split()) for m in lex.confidence.finditer(sentence)]
                likely = lex.main_row.search(sentence) or (
                    lex.alt_row.search(sentence) if lex.alt_row else None
                )
                for phrase in stated:
                    nth = seen.get(phrase.casefold(), 0)
                    seen[phrase.casefold()] = nth + 1
                    if likely:
                        self.add(
                            "CP305",
                            f"judgment {i + 1} states a confidence level ('{phrase}') in the "
                            f"same sentence as a likelihood ('{_words_of(likely)}'); "
                            "ICD 203 keeps the two apart",
                            self._locate_phrase(j.text, phrase, nth, lex),
                            f"judgments[{i}]",
                        )
        if lex is None or lex.alt_row is None:
            return  # CP304: ICD 203's alternative row is listed in English only
        alt_row = lex.alt_row
        main = next(
            (
                f"{p}: '{' '.join(m.group(0).split())}'"
                for p, _, plain in own
                if (m := lex.main_row.search(plain))
            ),
            None,
        )
        if main is None:
            main = next(
                (
                    f"judgments[{i}].likelihood: '{j.likelihood}'"
                    for i, j in enumerate(b.judgments)
                    if j.likelihood
                ),
                None,
            )
        if main is None:
            return
        for path, text, plain in own:
            for word, nth in _matches(alt_row, plain):
                self.add(
                    "CP304",
                    f"'{word}' in {path} is from the ICD 203 alternative row, while the brief "
                    f"uses the main row ({main}); keep to one row",
                    self.files.locate(text, word, nth),
                    path,
                )

    def _locate_phrase(self, text: Text, phrase: str, nth: int, lex: Lexicon) -> Location:
        """A confidence phrase's place (English phrases as words, others by the pattern)."""
        if lex.language == "en":
            return self.files.locate(text, phrase, nth)
        return self.files.locate(text, phrase, nth, lex.language)

    # -- quotations -------------------------------------------------------------------
    def quotations(self, rows: list[ViewStats]) -> list[object]:
        """Each quotation's verdict against its source's snapshot (docs/quotes.md); a
        finding for every verdict but `verified`. Matching loads only when a quote is there."""
        from counterpoint.audit.quotes.find import quotations

        found = quotations(self.brief)
        if not found:
            return []
        from counterpoint.audit.quotes.check import check_brief

        checked = check_brief(self.brief, found)
        for q in checked:
            code = VERDICT_CODES.get(q.verdict)
            if code:
                self.add(code, q.message(), q.where, q.path)
        by_view = {f"views[{i}]": v.id for i, v in enumerate(self.brief.views)}
        rows_by_id = {r.id: r for r in rows}
        for q in checked:
            row = rows_by_id.get(by_view.get(q.path.split(".")[0], ""))
            if row is not None:  # thesis, summary, arguments or counterpoints
                row.quotes += 1
                row.quotes_verified += q.verdict == "verified"
        return list(checked)

    # -- ignores -------------------------------------------------------------------------
    def apply_ignores(self) -> None:
        rules = self.brief.audit.ignore
        used: set[int] = set()

        def apply(findings: list[Finding]) -> None:
            for f in findings:
                for n, rule in enumerate(rules):
                    if rule.code == f.code and (not rule.subjects or f.subject in rule.subjects):
                        f.ignored, f.reason = True, rule.reason
                        used.add(n)
                        break

        apply(self.findings)
        unused = []
        for n, rule in enumerate(rules):
            if n not in used and rule.code != "CP001":
                only = f" for {_quoted(rule.subjects)}" if rule.subjects else ""
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
        self.findings += unused


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
    run = _Audit(brief, doc, date)
    rows = run.stats(doc.views if doc is not None else order_views(brief, date))
    run.sourcing()
    run.parity(rows)
    run.language()
    quotations = run.quotations(rows)
    brief_file = str(brief.path)
    run.findings.sort(key=lambda f: (f.location.file != brief_file, f.location, f.code))
    run.apply_ignores()
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
        quotations=quotations,
    )
