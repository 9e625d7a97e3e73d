"""An audit under way: the brief, its date and notes, the findings so far and how one is added."""

from __future__ import annotations

from counterpoint.audit.words import Files
from counterpoint.brief.codes import CHECKS
from counterpoint.brief.findings import Finding
from counterpoint.brief.model import Brief, Date
from counterpoint.cite.resolve import Resolved
from counterpoint.errors import Location


class Audit:
    """The state the checks share: what they read, and the findings they add."""

    def __init__(self, brief: Brief, doc: Resolved | None, date: Date):
        self.brief = brief
        self.doc = doc
        self.date = date
        self.findings: list[Finding] = []
        self.files = Files()

    def add(self, code: str, message: str, where: Location, subject: str = "") -> None:
        """A finding of check `code` (its name and severity from brief/codes.py)."""
        check = CHECKS[code]
        self.findings.append(Finding(code, check.name, check.severity, message, where, subject))
