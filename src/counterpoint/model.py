"""The typed model of a brief and its sources: what validate produces and everything reads."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Location

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@dataclass(frozen=True)
class Date:
    """A date as precise as the user gave it: a year, a month or a day."""

    year: int
    month: int | None = None
    day: int | None = None

    def __str__(self) -> str:
        """ISO form at the given precision: 2026, 2026-11 or 2026-11-22."""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def long(self) -> str:
        """Chicago style: 2026, November 2026 or November 22, 2026."""
        if self.month is None:
            return str(self.year)
        if self.day is None:
            return f"{MONTHS[self.month - 1]} {self.year}"
        return f"{MONTHS[self.month - 1]} {self.day}, {self.year}"

    def ordinal(self) -> float:
        """A number for placing the date on a scale (mid-year/mid-month when imprecise)."""
        month = self.month or 7
        day = self.day or (1 if self.month is None else 15)
        start = _dt.date(self.year, 1, 1).toordinal()
        try:
            point = _dt.date(self.year, month, day).toordinal()
        except ValueError:
            point = start
        return self.year + (point - start) / 366

    @classmethod
    def today(cls) -> Date:
        d = _dt.date.today()
        return cls(d.year, d.month, d.day)


@dataclass(frozen=True)
class Name:
    """A CSL name: a person (family, given) or an organisation (literal)."""

    family: str = ""
    given: str = ""
    literal: str = ""
    particle: str = ""
    suffix: str = ""

    @property
    def is_literal(self) -> bool:
        return bool(self.literal)

    def sort_key(self) -> str:
        return (self.literal or f"{self.family} {self.given}").casefold()


@dataclass
class Text:
    """A Markdown field as written, with where it stands; parsing happens in validate."""

    source: str
    where: Location
    tokens: list[Any] = field(default_factory=list, repr=False)
    citations: list[Citation] = field(default_factory=list)

    def __str__(self) -> str:
        return self.source


@dataclass
class CiteItem:
    """One source named in a citation: `see @key, p. 4`."""

    key: str
    locator: str = ""
    prefix: str = ""


@dataclass
class Citation:
    """One bracketed citation `[@a; @b, p. 2]`: it becomes exactly one footnote."""

    items: list[CiteItem]
    where: Location


@dataclass
class Reliability:
    grade: str
    note: Text | None = None


@dataclass
class SourceRecord:
    """A CSL item plus the analytic fields of FORMAT.md."""

    id: str
    type: str
    title: str
    where: Location
    author: list[Name] = field(default_factory=list)
    editor: list[Name] = field(default_factory=list)
    container_title: str = ""
    publisher: str = ""
    issued: Date | None = None
    url: str = ""
    accessed: Date | None = None
    language: str = ""
    stance: str = ""
    reliability: Reliability | None = None
    note: str = ""
    cited_in: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class View:
    id: str
    label: str
    thesis: Text
    where: Location
    arguments: list[Text]
    summary: Text | None = None
    counterpoints: list[Text] = field(default_factory=list)


@dataclass
class Contested:
    point: str
    accounts: list[Text]
    where: Location
    assessment: Text | None = None


@dataclass
class Event:
    date: Date
    event: Text
    where: Location


@dataclass
class Judgment:
    text: Text
    where: Location
    likelihood: str = ""
    confidence: str = ""


@dataclass
class IgnoreRule:
    """One `audit.ignore` entry: the finding code it silences, why, and optionally for what."""

    code: str
    where: Location
    reason: str = ""
    subjects: list[str] = field(default_factory=list)  # view ids, source ids or key paths


@dataclass
class AuditSettings:
    """The brief's `audit` key: findings deliberately ignored, and the parity threshold."""

    ignore: list[IgnoreRule] = field(default_factory=list)
    word_ratio: float = 1.5  # largest/smallest view word count allowed before CP201


@dataclass
class Brief:
    """A validated brief (format v1) with the registry of sources it can cite."""

    path: Path
    version: int
    title: str
    question: Text
    summary: Text
    views: list[View]
    sources: dict[str, SourceRecord]
    subtitle: str = ""
    date: Date | None = None
    authors: list[str] = field(default_factory=list)
    language: str = "en"
    background: Text | None = None
    contested: list[Contested] = field(default_factory=list)
    timeline: list[Event] = field(default_factory=list)
    judgments: list[Judgment] = field(default_factory=list)
    implications: Text | None = None
    audit: AuditSettings = field(default_factory=AuditSettings)
    view_order: str = "as-written"  # one of VIEW_ORDERS; applied in resolve
    extra: dict[str, Any] = field(default_factory=dict)
    bibliography: list[Path] = field(default_factory=list)  # the entries, resolved

    @property
    def bibliography_folders(self) -> list[Path]:
        """The folders named in `bibliography` (their listings are build inputs)."""
        return [p for p in self.bibliography if p.is_dir()]

    @property
    def name(self) -> str:
        """The output name: the brief's file name without its extension."""
        return self.path.stem

    def texts(self) -> list[tuple[str, Text]]:
        """Every Markdown field with its key path, in reading order."""
        out: list[tuple[str, Text]] = [("question", self.question), ("summary", self.summary)]
        if self.background:
            out.append(("background", self.background))
        for i, v in enumerate(self.views):
            out.append((f"views[{i}].thesis", v.thesis))
            if v.summary:
                out.append((f"views[{i}].summary", v.summary))
            out += [(f"views[{i}].arguments[{j}]", t) for j, t in enumerate(v.arguments)]
            out += [(f"views[{i}].counterpoints[{j}]", t) for j, t in enumerate(v.counterpoints)]
        for i, c in enumerate(self.contested):
            out += [(f"contested[{i}].accounts[{j}]", t) for j, t in enumerate(c.accounts)]
            if c.assessment:
                out.append((f"contested[{i}].assessment", c.assessment))
        out += [(f"timeline[{i}].event", e.event) for i, e in enumerate(self.timeline)]
        out += [(f"judgments[{i}].text", j.text) for i, j in enumerate(self.judgments)]
        if self.implications:
            out.append(("implications", self.implications))
        return out


LIKELIHOOD = (
    "almost no chance",
    "very unlikely",
    "unlikely",
    "roughly even chance",
    "likely",
    "very likely",
    "almost certain",
)
CONFIDENCE = ("low", "moderate", "high")
VIEW_ORDERS = ("as-written", "alphabetical", "rotate")
GRADES = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}
