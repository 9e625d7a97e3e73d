"""The typed model of a brief and its sources: what validate produces and everything reads."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from counterpoint.errors import Location

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


def year_label(year: int, era: bool = False) -> str:
    """A historical year as readers write it: 1858, or 221 BCE for -221 (CSL's negative
    years); with era=True a year of the common era says so too (1858 CE)."""
    if year < 0:
        return f"{-year} BCE"
    return f"{year} CE" if era else str(year)


def astronomical(year: int) -> int:
    """Year numbering without a gap: 1 BCE (-1) is 0, 2 BCE is -1; CE years are unchanged."""
    return year + 1 if year < 0 else year


def _calendar_year(year: int) -> int:
    """A year of Python's calendar (1-9999) with the same leap rule as `year` (proleptic
    Gregorian, astronomical numbering), for checking and placing BCE month-days."""
    return 2000 + astronomical(year) % 400


@dataclass(frozen=True)
class Date:
    """A date as precise as the user gave it: a year, a month or a day.

    Years before the common era are negative, as in CSL: -221 is 221 BCE. There is no
    year 0 (validate refuses it).
    """

    year: int
    month: int | None = None
    day: int | None = None

    def __str__(self) -> str:
        """ISO form at the given precision: 2026, 2026-11, 2026-11-22 (BCE: -0221)."""
        sign = "-" if self.year < 0 else ""
        year = f"{sign}{abs(self.year):04d}"
        if self.month is None:
            return year
        if self.day is None:
            return f"{year}-{self.month:02d}"
        return f"{year}-{self.month:02d}-{self.day:02d}"

    def year_label(self, era: bool = False) -> str:
        """The year as shown: 1858, or 221 BCE."""
        return year_label(self.year, era)

    def long(self) -> str:
        """Chicago style: 2026, November 2026 or November 22, 2026 (221 BCE, March 44 BCE)."""
        year = self.year_label()
        if self.month is None:
            return year
        if self.day is None:
            return f"{MONTHS[self.month - 1]} {year}"
        return f"{MONTHS[self.month - 1]} {self.day}, {year}"

    def ordinal(self) -> float:
        """A number for placing the date on a scale (mid-year/mid-month when imprecise):
        the astronomical year plus the fraction of it gone, so 1 BCE runs into 1 CE."""
        month = self.month or 7
        day = self.day or (1 if self.month is None else 15)
        calendar = _calendar_year(self.year)
        start = _dt.date(calendar, 1, 1).toordinal()
        try:
            point = _dt.date(calendar, month, day).toordinal()
        except ValueError:
            point = start
        return astronomical(self.year) + (point - start) / 366

    def day_of_year(self) -> int:
        """1-366; a year alone counts as January 1, a month alone as its first day."""
        day = _dt.date(_calendar_year(self.year), self.month or 1, self.day or 1)
        return day.timetuple().tm_yday

    @classmethod
    def today(cls) -> Date:
        d = _dt.date.today()
        return cls(d.year, d.month, d.day)

    @classmethod
    def of(cls, day: _dt.date | None) -> Date | None:
        """A calendar day as a Date (None stays None)."""
        return None if day is None else cls(day.year, day.month, day.day)

    @classmethod
    def checked(cls, year: int, month: int | None = None, day: int | None = None) -> Date | None:
        """The date, or None when it is not a real one (year 0, February 30, month 13)."""
        if year == 0:
            return None
        try:
            _dt.date(_calendar_year(year), month or 1, day or 1)
        except (ValueError, OverflowError):  # a part too large for any calendar
            return None
        return cls(year, month, day)


@dataclass(frozen=True)
class Name:
    """A CSL name: a person (family, given) or an organisation (literal)."""

    family: str = ""
    given: str = ""
    literal: str = ""
    particle: str = ""
    suffix: str = ""

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
class Aside:
    """A discursive note written in a Markdown field, `^[The 1860 figure excludes
    Sakhalin.]`: a note of its own (numbered with the citation notes in a note style, a
    footnote or endnote in an in-text style), which may cite sources."""

    where: Location
    tokens: list[Any] = field(default_factory=list, repr=False)
    """The note's text as inline Markdown tokens (its citations among them)."""
    citations: list[Citation] = field(default_factory=list)


@dataclass
class CiteItem:
    """One source named in a citation, in Pandoc's syntax: `see @key, p. 4`.

    The suffix keeps its locator as written (", p. 4"); the CSL processor reads the
    locator's label in the locale's terms. `mode` is "normal", "suppress-author" (`-@key`)
    or "author-in-text" (`@key [p. 4]` outside brackets).
    """

    key: str
    prefix: str = ""
    suffix: str = ""
    mode: str = "normal"


@dataclass
class Citation:
    """One citation, `[@a; @b, p. 2]` or `@a [p. 2]`: in a note style exactly one footnote,
    in an in-text style one parenthetical (or narrative) citation."""

    items: list[CiteItem]
    where: Location
    raw: str = ""
    """The citation as written (`[see @a, p. 2]`)."""


@dataclass
class Reliability:
    grade: str
    note: Text | None = None


@dataclass
class SourceRecord:
    """A CSL item plus the analytic fields of FORMAT.md.

    `id` is the key it is cited by; `csl` is the item as the CSL processor gets it (every
    CSL variable as written, dates as date-parts, without counterpoint's own keys).
    """

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
    snapshot: str = ""  # the archived copy, relative to the record's file (docs/quotes.md)
    snapshot_sha256: str = ""  # its SHA-256 as recorded, when given
    extra: dict[str, Any] = field(default_factory=dict)
    csl: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass
class View:
    id: str
    label: str
    thesis: Text
    where: Location
    arguments: list[Text]
    summary: Text | None = None
    counterpoints: list[Text] = field(default_factory=list)
    short: Text | None = None  # the thesis in a line, for an edition with short forms


@dataclass
class Contested:
    point: str
    accounts: list[Text]
    where: Location
    assessment: Text | None = None
    short: Text | None = None  # the assessment in a line, for an edition with short forms


@dataclass
class Event:
    date: Date
    event: Text
    where: Location
    label: str = ""  # a few words for the timeline figure (else the event's first words)


@dataclass
class Judgment:
    text: Text
    where: Location
    likelihood: str = ""
    confidence: str = ""
    short: Text | None = None  # the judgment in a line, for an edition with short forms


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
    bibliography: list[Path] = field(default_factory=list)  # the entries, resolved
    # keys counterpoint adds to format 1 (docs/format.md)
    audience: str = ""  # the edition built when none is named
    marking: str = ""  # a distribution marking printed on every page
    internal: list[str] = field(default_factory=list)  # sections outside readers don't get
    audiences: dict[str, dict[str, Any]] = field(default_factory=dict)  # options per audience
    csl: str = ""  # the citation style: a name or a .csl file beside the brief
    locale: str = ""  # the CSL locale, when not the one `language` gives
    more: dict[str, Any] = field(default_factory=dict)
    """Keys a caller added with validate(extra_fields=...), and added keys not typed here."""

    @property
    def extra(self) -> dict[str, Any]:
        """Every key counterpoint added to format 1 that the brief sets, as one mapping:
        template sets written before these keys were typed read `brief.extra.marking`."""
        typed = {k: getattr(self, k) for k in ADDED_KEYS if getattr(self, k)}
        return {**typed, **self.more}

    @property
    def bibliography_folders(self) -> list[Path]:
        """The folders named in `bibliography` (their listings are build inputs)."""
        return [p for p in self.bibliography if p.is_dir()]

    @property
    def name(self) -> str:
        """The output name: the brief's file name without its extension."""
        return self.path.stem

    def cited_keys(self) -> set[str]:
        """Ids of the sources the brief cites, with the sources they are read through."""
        cited: set[str] = set()
        for _, text in self.texts():
            for cite in text.citations:
                for item in cite.items:
                    cited.add(item.key)
                    host = self.sources.get(item.key)
                    if host is not None and host.cited_in:
                        cited.add(host.cited_in)
        return {k for k in cited if k in self.sources}

    def texts(self) -> list[tuple[str, Text]]:
        """Every Markdown field with its key path, in reading order."""
        out: list[tuple[str, Text]] = [("question", self.question), ("summary", self.summary)]
        if self.background:
            out.append(("background", self.background))
        for i, v in enumerate(self.views):
            out.append((f"views[{i}].thesis", v.thesis))
            if v.short:
                out.append((f"views[{i}].short", v.short))
            if v.summary:
                out.append((f"views[{i}].summary", v.summary))
            out += [(f"views[{i}].arguments[{j}]", t) for j, t in enumerate(v.arguments)]
            out += [(f"views[{i}].counterpoints[{j}]", t) for j, t in enumerate(v.counterpoints)]
        for i, c in enumerate(self.contested):
            out += [(f"contested[{i}].accounts[{j}]", t) for j, t in enumerate(c.accounts)]
            if c.assessment:
                out.append((f"contested[{i}].assessment", c.assessment))
            if c.short:
                out.append((f"contested[{i}].short", c.short))
        out += [(f"timeline[{i}].event", e.event) for i, e in enumerate(self.timeline)]
        for i, j in enumerate(self.judgments):
            out.append((f"judgments[{i}].text", j.text))
            if j.short:
                out.append((f"judgments[{i}].short", j.short))
        if self.implications:
            out.append(("implications", self.implications))
        return out


ALL_SECTIONS = (
    "title", "summary", "background", "glance", "how-to-read", "contents", "views",
    "views-table", "compare", "contested", "contested-brief", "timeline", "judgments",
    "implications", "balance", "notes", "bibliography",
)  # fmt: skip
"""Every section a template set may list (resolve.SECTION_TEXTS says what each shows)."""

FULL_PAPER = tuple(
    s for s in ALL_SECTIONS if s not in ("views-table", "compare", "contested-brief")
)
"""The default reading order when no template set chooses: every section, each field once."""

PDF_VARIANTS = ("pdf/ua-1", "pdf/ua-2", "pdf/a-1b", "pdf/a-2b", "pdf/a-3b", "pdf/a-4b")
DEFAULT_PDF_VARIANT = "pdf/ua-1"
"""Tagged, accessible PDF by default; PDF/A variants for archives, None for a plain PDF."""

ADDED_KEYS = ("audience", "marking", "internal", "audiences", "csl", "locale")
"""The added brief keys with a typed field of their own in `Brief`."""

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


def order_views(brief: Brief, date: Date) -> list[View]:
    """The views in the order the brief asks for (`view_order`, documented in docs/audit.md).

    as-written keeps the brief's order; alphabetical sorts by label; rotate starts the list
    as written at view (day of year of `date`) modulo (number of views), counting from 0.
    """
    views = list(brief.views)
    if brief.view_order == "alphabetical":
        return sorted(views, key=lambda v: (v.label.casefold(), v.id))
    if brief.view_order == "rotate" and views:
        k = date.day_of_year() % len(views)
        return views[k:] + views[:k]
    return views
