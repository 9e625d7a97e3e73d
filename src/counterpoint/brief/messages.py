"""Messages the code defines for the catalogs: audit finding titles, estimative terms, grades.

Each is marked with `N_` for `pybabel extract` (`make catalogs`) and translated where it is
shown, through the paper's `Labels` (brief/i18n.py) or the templates' `_()`.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Marks a message for `pybabel extract` where it is defined; translated where shown."""
    return message


FINDING_TITLES: dict[str, str] = {
    "CP001": N_("An ignore entry that silences nothing"),
    "CP101": N_("Arguments that cite no source"),
    "CP102": N_("Counterpoints that cite no source"),
    "CP103": N_("Accounts that cite no source"),
    "CP104": N_("Timeline events that cite no source"),
    "CP105": N_("Citations of sources the brief does not list"),
    "CP106": N_("Sources listed but never cited"),
    "CP107": N_("A view whose case rests on one source"),
    "CP108": N_("A view whose case rests on one outlet"),
    "CP109": N_("A view whose case rests only on weak sources"),
    "CP110": N_("Sources known only through another document"),
    "CP201": N_("Views of very unequal length"),
    "CP202": N_("A view without counterpoints"),
    "CP203": N_("Counterpoints drawn from a single rival view"),
    "CP301": N_("Loaded or absolute wording"),
    "CP302": N_("Estimative words off the ICD 203 scale"),
    "CP303": N_("Judgments without a likelihood or a confidence"),
    "CP304": N_("Estimative terms from both rows of ICD 203"),
    "CP305": N_("A judgment that states both a confidence and a likelihood"),
    "CP401": N_("Quotations that differ from their source"),
    "CP402": N_("Quotations not found in their source"),
    "CP403": N_("Quotations found elsewhere in their source than cited"),
    "CP404": N_("Quotations whose ellipsis leaves out a negation, a qualifier or a number"),
    "CP405": N_("Quoted sources without an archived copy"),
    "CP406": N_("Quoted sources whose archived copy has changed"),
}
"""What each audit finding is about, in plain words: the analyst edition's list of findings
deliberately ignored says this, with the code kept small (codes.CHECKS has the same codes)."""


ESTIMATE_TERMS = (
    # ICD 203 likelihood (the brief's `likelihood` values, shown in the paper's language)
    N_("almost no chance"),
    N_("very unlikely"),
    N_("unlikely"),
    N_("roughly even chance"),
    N_("likely"),
    N_("very likely"),
    N_("almost certain"),
    # confidence (the brief's `confidence` values)
    N_("low"),
    N_("moderate"),
    N_("high"),
)
"""The brief's estimative values, whose translations the templates show (`_(j.likelihood)`)."""

GRADE_TERMS = (
    N_("completely reliable"),
    N_("usually reliable"),
    N_("fairly reliable"),
    N_("not usually reliable"),
    N_("unreliable"),
    N_("reliability cannot be judged"),
)
"""The Admiralty grades' meanings (model.GRADES), translated by the `grade` filter."""
