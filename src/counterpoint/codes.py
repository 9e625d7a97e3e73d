"""The audit's vocabulary: every finding code, and the word lists its language lint uses.

A shared leaf: validate reads the codes (for `audit: {ignore: ...}`), audit runs the checks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .model import LIKELIHOOD


@dataclass(frozen=True)
class Check:
    """One kind of finding: its stable code and name, its severity and what makes it fire."""

    code: str
    name: str
    severity: str  # "warning" (worth fixing) or "info" (worth knowing); both fail --strict
    fires: str


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
    )
}  # fmt: skip
"""Every finding code, documented one by one in docs/audit.md."""

# -- lexicons (docs/audit.md lists them; matching is case-insensitive, on whole words) ------
LOADED_TERMS: tuple[str, ...] = (
    "obviously",
    "clearly",
    "evidently",
    "undeniably",
    "undoubtedly",
    "unquestionably",
    "indisputably",
    "incontrovertibly",
    "surely",
    "of course",
    "everyone knows",
    "no one doubts",
    "nobody doubts",
    "needless to say",
    "it goes without saying",
    "beyond doubt",
    "beyond any doubt",
    "without doubt",
    "without question",
    "always",
    "never",
)
"""CP301: loaded or absolute wording, flagged in the analyst's own text."""

OFF_SCALE_TERMS: tuple[str, ...] = (
    "perhaps",
    "possibly",
    "maybe",
    "might",
    "conceivably",
    "presumably",
    "plausibly",
    "in all likelihood",
    "chances are",
    "odds are",
)
"""CP302: estimative words that are on neither row of the ICD 203 scale, flagged in judgments."""

ICD203_MAIN_ROW: tuple[str, ...] = (*LIKELIHOOD, "almost certainly")
"""ICD 203's likelihood terms (the `likelihood` key takes these)."""

ICD203_ALTERNATIVE_ROW: tuple[str, ...] = (
    "remote",
    "highly improbable",
    "improbable",
    "improbably",
    "roughly even odds",
    "probable",
    "probably",
    "highly probable",
    "nearly certain",
    "nearly certainly",
)
"""ICD 203's alternative row; CP304 flags it in a brief that also uses the main row.

"remote" counts only in estimative use: "a remote chance/possibility/prospect/likelihood" or
"is/are/remains remote".
"""

CONFIDENCE_WORDING = re.compile(
    r"(?<![\w-])(?:(?:low|moderate|medium|high)[- ]confidence"
    r"|(?:(?:highly|fairly|moderately|very)\s+)?confident(?:ly)?)(?![\w-])",
    re.IGNORECASE,
)
"""CP305: how a sentence states a confidence level ("with high confidence", "we are confident")."""

_SPECIAL = {
    "remote": r"(?:(?<=\bis )|(?<=\bare )|(?<=\bremains ))remote"
    r"|remote(?=\s+(?:chance|possibility|prospect|likelihood)\b)",
}


def lexicon(terms: Iterable[str]) -> re.Pattern[str]:
    """One pattern for the terms: whole words, longest first, any whitespace between words."""
    ordered = sorted(terms, key=len, reverse=True)
    parts = [_SPECIAL.get(t, r"\s+".join(map(re.escape, t.split()))) for t in ordered]
    return re.compile(rf"(?<![\w-])(?:{'|'.join(parts)})(?![\w-])", re.IGNORECASE)


LOADED = lexicon(LOADED_TERMS)
OFF_SCALE = lexicon(OFF_SCALE_TERMS)
MAIN_ROW = lexicon(ICD203_MAIN_ROW)
ALT_ROW = lexicon(ICD203_ALTERNATIVE_ROW)
ANY_ROW = lexicon(ICD203_MAIN_ROW + ICD203_ALTERNATIVE_ROW)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
