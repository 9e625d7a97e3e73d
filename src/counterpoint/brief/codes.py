"""The audit's finding codes: each check's code, name, severity and what makes it fire.

A shared leaf: validate reads the codes (for `audit: {ignore: ...}`), audit runs the checks;
the word lists of its language lint are in brief/lexicons.py.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    """One kind of finding: its stable code and name, its severity and what makes it fire."""

    code: str
    name: str
    severity: str  # "warning" (worth fixing) or "info" (worth knowing); both fail --strict
    fires: str
    strict: bool = True  # fails --strict (all but CP405: a source not yet archived)


CHECKS: dict[str, Check] = {
    c.code: c
    for c in (
        Check("CP001", "unused-ignore", "warning",
              "an `audit.ignore` entry silences no finding"),
        # sourcing
        Check("CP101", "unsourced-argument", "warning",
              "an argument of a view cites no source"),
        Check("CP102", "unsourced-counterpoint", "warning",
              "a counterpoint cites no source"),
        Check("CP103", "unsourced-account", "warning",
              "an account of a contested point cites no source"),
        Check("CP104", "unsourced-event", "warning",
              "a timeline event cites no source"),
        Check("CP105", "unknown-source", "warning",
              "a citation names a source the brief does not define"),
        Check("CP106", "uncited-source", "info",
              "a source is defined but never cited"),
        Check("CP107", "single-source-view", "warning",
              "a view's case rests on one source, or on sources all read through one"),
        Check("CP108", "single-outlet-view", "warning",
              "a view's case rests on sources from one outlet"),
        Check("CP109", "weak-sources-view", "warning",
              "a view's case rests only on sources graded D, E or F"),
        Check("CP110", "secondary-source", "info",
              "a cited source is known only through another (`cited-in`)"),
        # parity
        Check("CP201", "word-imbalance", "warning",
              "the longest view has more than `word_ratio` times the words of the shortest"),
        Check("CP202", "no-counterpoints", "warning",
              "a view has no counterpoints while others have some"),
        Check("CP203", "single-rival-counterpoints", "warning",
              "all of a view's counterpoints are drawn from one rival view"),
        # language
        Check("CP301", "loaded-language", "warning",
              "loaded or absolute wording in the analyst's own text"),
        Check("CP302", "off-scale-estimate", "warning",
              "an estimative word off the ICD 203 scale in a judgment"),
        Check("CP303", "unqualified-judgment", "warning",
              "a judgment without a likelihood or without a confidence"),
        Check("CP304", "mixed-estimative-rows", "warning",
              "ICD 203 alternative-row terms mixed with main-row terms"),
        Check("CP305", "confidence-in-likelihood", "warning",
              "a judgment's sentence states a confidence level and a likelihood"),
        # quotations (docs/quotes.md): one code per verdict other than `verified`
        Check("CP401", "quote-altered", "warning",
              "a quotation differs from the closest passage of its source"),
        Check("CP402", "quote-not-found", "warning",
              "a quotation has no close match in its source's snapshot"),
        Check("CP403", "quote-wrong-locator", "warning",
              "a quotation is in its source, but not at the cited paragraph or page"),
        Check("CP404", "quote-omission-review", "warning",
              "a quotation's ellipsis leaves out a negation, a qualifier or a number"),
        Check("CP405", "quote-no-snapshot", "info",
              "a quoted source has no archived copy (`snapshot:`)", strict=False),
        Check("CP406", "quote-snapshot-changed", "warning",
              "a quoted source's snapshot no longer matches its `snapshot-sha256`"),
    )
}  # fmt: skip
"""Every finding code, documented one by one in docs/audit.md (CP401-CP406: docs/quotes.md)."""

VERDICT_CODES = {
    "altered": "CP401",
    "not-found": "CP402",
    "wrong-locator": "CP403",
    "omission-review": "CP404",
    "no-snapshot": "CP405",
    "snapshot-changed": "CP406",
}
"""The finding each quotation verdict other than `verified` becomes."""
