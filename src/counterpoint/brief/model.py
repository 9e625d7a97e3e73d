"""The typed model of a brief and its sources: what validate produces and everything reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from counterpoint.brief.dates import Date as Date  # part of the model (Brief.date, Event.date)
from counterpoint.brief.dates import year_label as year_label
from counterpoint.brief.sections import FIELDS, walk
from counterpoint.errors import Location


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
        """Every Markdown field with its key path, in reading order (brief/sections.py)."""
        return walk(self, FIELDS)


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
