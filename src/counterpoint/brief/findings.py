"""The audit's results: findings, each view's parity row, and the report of one edition.

What templates show in the "Balance and sourcing" appendix and `counterpoint audit`
prints; audit/checks.py makes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from counterpoint.errors import Location, display_path


# -- results ------------------------------------------------------------------------------
@dataclass
class Finding:
    """One located finding; `ignored` (with the brief's `reason`) when the brief silences it."""

    code: str
    name: str
    severity: str
    message: str
    location: Location
    subject: str = ""  # what it is about: a view id, a source id or a key path
    ignored: bool = False
    subject_name: str = ""  # the subject as a reader knows it: a view's label, a source's title
    reason: str = ""

    def __str__(self) -> str:
        return f"{self.location}: {self.code} {self.name}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity,
            "message": self.message,
            "file": display_path(self.location.file),
            "line": self.location.line,
            "column": self.location.col,
            "subject": self.subject,
            "ignored": self.ignored,
            "reason": self.reason,
        }


@dataclass
class ViewStats:
    """One row of the parity table: a view's size and sourcing, and its shares of the whole."""

    id: str
    label: str
    where: Location
    words: int  # summary + arguments
    arguments: int
    counterpoints: int
    sources: int  # distinct sources cited by thesis, summary and arguments
    notes: int  # notes its thesis, summary, arguments and counterpoints became
    word_share: float = 0.0  # of all views' words
    source_share: float = 0.0  # of the sum of the views' distinct sources
    word_bar: float = 0.0  # bar lengths for the chart, 1.0 = the longest bar
    source_bar: float = 0.0
    quotes: int = 0  # quotations in its thesis, summary, arguments and counterpoints
    quotes_verified: int = 0  # of which verified against a snapshot (docs/quotes.md)

    @property
    def word_percent(self) -> str:
        return f"{self.word_share * 100:.0f}%"

    @property
    def source_percent(self) -> str:
        return f"{self.source_share * 100:.0f}%"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "words": self.words,
            "arguments": self.arguments,
            "counterpoints": self.counterpoints,
            "sources": self.sources,
            "notes": self.notes,
            "word_share": round(self.word_share, 4),
            "source_share": round(self.source_share, 4),
            "quotations": self.quotes,
            "quotations_verified": self.quotes_verified,
        }


@dataclass
class IgnoredGroup:
    """Ignored findings that share a code and a reason (one line of the appendix)."""

    code: str
    name: str
    reason: str
    findings: list[Finding]

    @property
    def subjects(self) -> list[str]:
        return list(dict.fromkeys(f.subject for f in self.findings if f.subject))

    @property
    def title(self) -> str:
        """What the findings are about, in plain English (translated where shown)."""
        from counterpoint.brief.messages import FINDING_TITLES

        return FINDING_TITLES.get(self.code, self.name)

    @property
    def names(self) -> list[str]:
        """The subjects as a reader knows them (view labels, source titles), when every one
        has such a name and there are at most four; else none (the count says enough)."""
        names = list(dict.fromkeys(f.subject_name for f in self.findings))
        return names if names and all(names) and len(names) <= 4 else []


@dataclass
class AuditReport:
    """Everything the audit found about one brief, and the parity table it measured."""

    path: Path
    view_order: str
    order_note: str  # the methods note: the view-order rule, in a sentence or two
    word_ratio: float
    views: list[ViewStats]
    findings: list[Finding] = field(default_factory=list)
    language: str = "en"  # the brief's language
    lint_run: bool = True  # False when codes.py has no word lists for it (CP301-CP305 not run)
    quotations: list[Any] = field(default_factory=list)  # quotes.check.Quotation, in order

    @property
    def failing(self) -> list[Finding]:
        """Active findings that fail --strict: all but a source not yet archived (CP405)."""
        from counterpoint.brief.codes import CHECKS

        return [f for f in self.active if CHECKS[f.code].strict]

    @property
    def quotes_verified(self) -> int:
        return sum(1 for q in self.quotations if q.verdict == "verified")

    @property
    def active(self) -> list[Finding]:
        """Findings the brief does not ignore: printed by build, fatal under --strict."""
        return [f for f in self.findings if not f.ignored]

    @property
    def ignored(self) -> list[Finding]:
        return [f for f in self.findings if f.ignored]

    @property
    def ignored_groups(self) -> list[IgnoredGroup]:
        groups: dict[tuple[str, str], IgnoredGroup] = {}
        for f in self.ignored:
            key = (f.code, f.reason)
            if key not in groups:
                groups[key] = IgnoredGroup(f.code, f.name, f.reason, [])
            groups[key].findings.append(f)
        return list(groups.values())

    @property
    def word_ratio_text(self) -> str:
        """The threshold as written: 1.5, 2."""
        return f"{self.word_ratio:g}"

    @property
    def chart_label(self) -> str:
        """The chart's text alternative: every bar's value in words."""
        parts = [
            f"{v.label}, {v.word_percent} of words and {v.source_percent} of sources"
            for v in self.views
        ]
        return "Share of words and sources by view: " + "; ".join(parts) + "."

    def summary(self) -> str:
        """One line: 'briefs/x.yaml: 2 findings, 16 ignored; 9 of 11 quotations verified'."""
        n, m = len(self.active), len(self.ignored)
        counted = f"{n} finding{'' if n == 1 else 's'}" if n else "no findings"
        unlinted = "" if self.lint_run else f"; language lint not run for '{self.language}'"
        quotes = len(self.quotations)
        checked = (
            f"; {self.quotes_verified} of {quotes} quotation{'' if quotes == 1 else 's'} verified"
            if quotes
            else ""
        )
        return f"{display_path(self.path)}: {counted}, {m} ignored{unlinted}{checked}"

    def to_json(self) -> dict[str, Any]:
        """The report as the `briefs[]` item of docs/audit.schema.json."""
        return {
            "brief": display_path(self.path),
            "view_order": self.view_order,
            "order_note": self.order_note,
            "word_ratio": self.word_ratio,
            "language": self.language,
            "language_lint": self.lint_run,
            "views": [v.to_json() for v in self.views],
            "findings": [f.to_json() for f in self.findings],
            "counts": {
                "findings": len(self.active),
                "ignored": len(self.ignored),
                "quotations": len(self.quotations),
                "quotations_verified": self.quotes_verified,
            },
            "quotations": [q.to_json() for q in self.quotations],
        }


def reports_json(reports: Iterable[AuditReport]) -> dict[str, Any]:
    """The document `counterpoint audit --format json` prints (docs/audit.schema.json)."""
    return {"version": 1, "briefs": [r.to_json() for r in reports]}
