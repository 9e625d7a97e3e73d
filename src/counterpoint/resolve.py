"""Stage 3, resolve: number citations as notes in reading order and pick what an audience sees."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from markupsafe import Markup

from .chicago import NoteWriter, bibliography_entry, bibliography_sort_key
from .model import Brief, Citation, Date, Event, SourceRecord, Text, View

if TYPE_CHECKING:
    from .audit import AuditReport


@dataclass
class Note:
    """One footnote: its number, its Chicago-style body, and the citation it comes from."""

    number: int
    body: Markup
    citation: Citation
    sources: list[str]

    @property
    def id(self) -> str:
        return f"fn-{self.number}"

    @property
    def call_id(self) -> str:
        return f"fnref-{self.number}"


@dataclass
class BibEntry:
    id: str
    html: Markup
    source: SourceRecord


@dataclass
class Resolved:
    """Everything a template needs, in reading order; the single input of rendering."""

    brief: Brief
    date: Date
    timeline: list[Event]
    notes: list[Note] = field(default_factory=list)
    bibliography: list[BibEntry] = field(default_factory=list)
    cited: set[str] = field(default_factory=set)
    sections: list[str] = field(default_factory=list)
    views: list[View] = field(default_factory=list)  # in reading order (the brief's view_order)

    numbers: dict[int, int] = field(default_factory=dict)
    audit: AuditReport | None = None
    """The audit of this edition, made at its first render and shared by every format."""

    def note_for(self, citation: Citation) -> Note | None:
        """The note a citation became, or None if its field is outside the shown sections."""
        number = self.numbers.get(id(citation))
        return self.notes[number - 1] if number else None


def _views(brief: Brief, timeline: list[Event]) -> list[Text]:
    texts: list[Text] = []
    for v in brief.views:
        texts.append(v.thesis)
        if v.summary:
            texts.append(v.summary)
        texts += v.arguments
        texts += v.counterpoints
    return texts


def _contested(brief: Brief, timeline: list[Event]) -> list[Text]:
    texts: list[Text] = []
    for c in brief.contested:
        texts += c.accounts
        if c.assessment:
            texts.append(c.assessment)
    return texts


def _optional(text: Text | None) -> list[Text]:
    return [text] if text else []


SECTION_TEXTS: dict[str, Callable[[Brief, list[Event]], list[Text]]] = {
    "title": lambda b, t: [b.question],
    "summary": lambda b, t: [b.summary],
    "background": lambda b, t: _optional(b.background),
    "glance": lambda b, t: [],
    "how-to-read": lambda b, t: [],
    "contents": lambda b, t: [],
    "views": _views,
    "views-table": lambda b, t: [v.thesis for v in b.views],
    "contested": _contested,
    "contested-brief": lambda b, t: [],
    "timeline": lambda b, t: [e.event for e in t],
    "judgments": lambda b, t: [j.text for j in b.judgments],
    "implications": lambda b, t: _optional(b.implications),
    "balance": lambda b, t: [],
    "notes": lambda b, t: [],
    "bibliography": lambda b, t: [],
}
"""Every section a template set may list, with the cited fields it shows, in order."""

ALL_SECTIONS = tuple(SECTION_TEXTS)

FULL_PAPER = tuple(s for s in ALL_SECTIONS if s not in ("views-table", "contested-brief"))
"""The default reading order when no template set chooses: every section, each field once."""


def reading_order(brief: Brief, timeline: list[Event], sections: Sequence[str]) -> list[Text]:
    """The Markdown fields in the order a reader meets them (and notes are numbered)."""
    texts: list[Text] = []
    for name in sections:
        texts += SECTION_TEXTS[name](brief, timeline)
    return texts


def day_of_year(date: Date) -> int:
    """1-366; a year alone counts as January 1, a month alone as its first day."""
    return date.day_of_year()


def order_views(brief: Brief, date: Date) -> list[View]:
    """The views in the order the brief asks for (`view_order`, documented in docs/audit.md).

    as-written keeps the brief's order; alphabetical sorts by label; rotate starts the list
    as written at view (day of year of `date`) modulo (number of views), counting from 0.
    """
    views = list(brief.views)
    if brief.view_order == "alphabetical":
        return sorted(views, key=lambda v: (v.label.casefold(), v.id))
    if brief.view_order == "rotate" and views:
        k = day_of_year(date) % len(views)
        return views[k:] + views[:k]
    return views


def resolve(
    brief: Brief, sections: Sequence[str] = FULL_PAPER, today: Date | None = None
) -> Resolved:
    """Assign note numbers through the shown sections and build notes and bibliography."""
    timeline = sorted(brief.timeline, key=lambda e: e.date.ordinal())
    doc = Resolved(
        brief=brief,
        date=brief.date or today or Date.today(),
        timeline=timeline,
        sections=list(sections),
    )
    doc.views = order_views(brief, doc.date)
    writer = NoteWriter(brief.sources)
    for text in reading_order(replace(brief, views=doc.views), timeline, sections):
        for cite in text.citations:
            number = len(doc.notes) + 1
            doc.numbers[id(cite)] = number
            body = writer.note([(i.key, i.locator, i.prefix) for i in cite.items])
            keys = [i.key for i in cite.items]
            doc.notes.append(Note(number, body, cite, keys))
            for key in keys:
                doc.cited.add(key)
                host = brief.sources[key].cited_in
                if host:
                    doc.cited.add(host)
    # a total order: ties (same author, title and date) fall back on the id, never on the
    # set's iteration order, which changes with PYTHONHASHSEED
    entries = sorted(
        (brief.sources[k] for k in sorted(doc.cited)),
        key=lambda s: (*bibliography_sort_key(s), s.id),
    )
    doc.bibliography = [BibEntry(s.id, bibliography_entry(s, brief.sources), s) for s in entries]
    return doc
