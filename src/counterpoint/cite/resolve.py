"""Stage 3, resolve: number citations as notes in reading order and pick what an audience sees."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from markupsafe import Markup, escape

from counterpoint.brief import markdown
from counterpoint.brief import sections as registry
from counterpoint.brief.csl import Style
from counterpoint.brief.model import (
    Aside,
    Brief,
    Citation,
    Date,
    Event,
    SourceRecord,
    Text,
    View,
    order_views,
)
from counterpoint.brief.sections import FULL_PAPER
from counterpoint.cite import citeproc
from counterpoint.cite.reading import cited_in_words
from counterpoint.errors import Location


@dataclass
class Note:
    """One footnote: its number, its body as the CSL style writes it, and its citation."""

    number: int
    body: Markup
    citation: Citation | None
    """The citation the note is (None for a discursive note, `^[...]`)."""
    sources: list[str]
    endnote: bool = False
    """True when the edition gathers its notes in one list after the body (`notes:
    endnotes`); False for a footnote at the foot of its call's page."""
    aside: Aside | None = None
    """The discursive note (`^[...]`) this note is, with the citations in it."""

    @property
    def id(self) -> str:
        return f"fn-{self.number}"

    @property
    def call_id(self) -> str:
        return f"fnref-{self.number}"


@dataclass
class BibEntry:
    """One bibliography (or reference list) entry as the CSL style writes it."""

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
    endnotes: bool = False
    """True when the notes are one numbered list after the body (the audience's `notes:
    endnotes`), in the PDF as on the page; False for footnotes."""
    references_added: bool = False
    """True when the edition's sections have no bibliography but its style cites in the
    text: "(Petrova 2025)" says what it is only in the list, so the list is added after
    the paper, on a page of its own in print, and the PDF's `max_pages` does not count it."""

    style: Style | None = None
    """The CSL style the notes and bibliography are written in."""
    locale: str = "en-US"
    """The CSL locale (terms, dates, quotation marks, sorting)."""
    numbers: dict[Location, int] = field(default_factory=dict)
    running: dict[Location, Markup] = field(default_factory=dict)
    """What a citation leaves in the running text: an in-text style's citation, or a
    narrative citation's author in a note style (before its note call)."""
    warnings: list[str] = field(default_factory=list)

    @property
    def footnotes(self) -> bool:
        """True for a note style (citations become notes), False for an in-text style."""
        return self.style is None or self.style.notes

    @property
    def compare(self) -> list[tuple[str, list[list[Cell]]]]:
        """The views side by side, in groups of rows (compare_groups), for `compare`."""
        return compare_groups(self.views)

    @property
    def compare_wide(self) -> bool:
        """True when the `compare` table is set on landscape pages (compare_wide)."""
        return compare_wide(self.views)

    def note_for(self, citation: Citation | Aside) -> Note | None:
        """The note a citation or a discursive note became, or None (a citation in an
        in-text style, or a field outside the shown sections)."""
        number = self.numbers.get(citation.where)
        return self.notes[number - 1] if number and number <= len(self.notes) else None

    def running_text(self, citation: Citation) -> Markup | None:
        """What a citation shows in the running text (see `running`), or None when the
        citation is outside the shown sections."""
        return self.running.get(citation.where)


Cell = list[Text]
"""One view's fields in one row of the `compare` section (empty: the view has none there)."""


def compare_groups(views: Sequence[View]) -> list[tuple[str, list[list[Cell]]]]:
    """The views side by side (the `compare` section): groups of rows, each row one cell
    per view. The "thesis" group has one row (each view's thesis and summary), the
    "arguments" group a row for each argument number, and "counterpoints" one for each
    counterpoint number (none when no view has any); a view with fewer has empty cells.
    Notes are numbered across each row, left to right, row by row: the order in which the
    PDF lays the table out and the HTML shows it."""
    groups: list[tuple[str, list[list[Cell]]]] = [
        ("thesis", [[[v.thesis, *_optional(v.summary)] for v in views]])
    ]
    for kind in ("arguments", "counterpoints"):
        lists = [v.arguments if kind == "arguments" else v.counterpoints for v in views]
        depth = max((len(items) for items in lists), default=0)
        if depth:
            groups.append((kind, [[items[i : i + 1] for items in lists] for i in range(depth)]))
    return groups


def compare_wide(views: Sequence[View]) -> bool:
    """Whether the views side by side need landscape pages (the PDF's and Word's): four
    views or more always do (a portrait column would be 40 mm); two never do (85 mm each);
    three do when a row would stand taller than a quarter of a portrait page in its
    56 mm column. Long text reads better at the landscape column's 85 mm, and a long table
    fills the pages the turn of the paper costs; a short one stays in the flow, where
    turning the paper would leave the page before it half empty."""
    if len(views) != 3:
        return len(views) > 3
    return any(
        max(_portrait_height(cell, kind == "thesis") for cell in row) > PORTRAIT_ROW_LIMIT
        for kind, rows in compare_groups(views)
        for row in rows
    )


PORTRAIT_ROW_LIMIT = 178.0
"""A quarter of an A4 portrait page's text height (251 mm, in points)."""


def _portrait_height(cell: Cell, thesis: bool) -> float:
    """A cell's height in points, with its notes, in a third of a portrait page's 170 mm
    text column (153 pt inside its padding): half an em a character (a whole one for a
    wide East Asian character), 1.4 lines, the compare table's print sizes (9.5 pt thesis,
    8.5 pt summary, 9 pt otherwise); each note two lines of 8.5 pt at the foot of the page."""
    height = 0.0
    for i, text in enumerate(cell):
        size = (9.5 if i == 0 else 8.5) if thesis else 9.0
        plain = _CITATIONS.sub("", text.source)
        ems = sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in plain)
        lines = -(-ems * size // 153)
        height += max(lines, 1) * size * 1.4 + 2 * 8.5 * 1.3 * len(_CITATIONS.findall(text.source))
    return height


_CITATIONS = re.compile(r"\[[^\[\]]*@[^\[\]]*\]|\^\[[^\]]*\]")


def _optional(text: Text | None) -> list[Text]:
    return [text] if text else []


def _shows(name: str) -> Callable[[Brief], list[Text]]:
    return lambda brief: [text for _, text in registry.texts(brief, name)]


SECTION_TEXTS: dict[str, Callable[[Brief], list[Text]]] = {
    name: _shows(name) for name in registry.ALL_SECTIONS
}
"""Every section a template set may list, with the cited fields it shows, in order (each
section's `texts` in brief/sections.py)."""


def reading_order(brief: Brief, timeline: list[Event], sections: Sequence[str]) -> list[Text]:
    """The Markdown fields in the order a reader meets them (and notes are numbered), with
    the timeline in the order it is shown (by date)."""
    shown = replace(brief, timeline=timeline)
    texts: list[Text] = []
    for name in sections:  # a set's own section (new-sections:) shows no cited field
        texts += SECTION_TEXTS[name](shown) if name in SECTION_TEXTS else []
    return texts


def resolve(
    brief: Brief,
    sections: Sequence[str] = FULL_PAPER,
    today: Date | None = None,
    style: Style | None = None,
    locale: str | None = None,
) -> Resolved:
    """Number the citations through the shown sections and have the CSL processor write
    the notes and the bibliography."""
    return start(brief, sections, today, style, locale).finish()


_CLOSERS = "\"'”’»›」』）"
"""Closing quotation marks (and full-width brackets) a sentence's stop may stand inside."""


def _ends_sentence(html: str) -> bool:
    """True when formatted text already ends with a stop: 'Title.' or '“Title.”' (its
    tags and closing quotation marks aside), so a sentence after it needs no period."""
    import re

    text = re.sub(r"<[^>]+>", "", str(html)).rstrip().rstrip(_CLOSERS)
    return text.endswith((".", "!", "?", "。", "！", "？", "؟", "…"))


@dataclass
class Resolving:
    """An edition whose citations the CSL processor is formatting (citeproc.Pending)."""

    doc: Resolved
    citations: list[Citation]
    pending: citeproc.Pending
    units: list[Citation | Aside] = field(default_factory=list)
    """What takes a note number, in reading order: citations and discursive notes."""

    def finish(self) -> Resolved:
        doc, brief = self.doc, self.doc.brief
        formatted = self.pending.result()
        for i, cite in enumerate(self.citations):
            keys = [item.key for item in cite.items]
            doc.running[cite.where] = formatted.in_text[i]
            for key in keys:
                doc.cited.add(key)
                host = brief.sources[key].cited_in
                if host:
                    doc.cited.add(host)
        index = {id(cite): i for i, cite in enumerate(self.citations)}
        for unit in self.units:
            if isinstance(unit, Aside):
                keys = [item.key for c in unit.citations for item in c.items]
                body = Markup(markdown.render_inline(unit.tokens, self._in_note).strip())
                doc.notes.append(Note(len(doc.notes) + 1, body, None, keys, doc.endnotes, unit))
            elif doc.footnotes:
                keys = [item.key for item in unit.items]
                text = formatted.notes[index[id(unit)]]
                doc.notes.append(Note(len(doc.notes) + 1, text, unit, keys, doc.endnotes))
        joiner = cited_in_words(doc.locale)
        for ident, entry in formatted.bibliography:
            source = brief.sources[ident]
            host = source.cited_in
            if host and host in formatted.host_forms:
                form = formatted.host_forms[host]
                end = "" if _ends_sentence(form) else "."
                label = joiner[:1].upper() + joiner[1:]
                entry = Markup(f'{entry} <span class="cited-in">{escape(label)} {form}{end}</span>')
            doc.bibliography.append(BibEntry(ident, entry, source))
        doc.warnings += formatted.warnings
        return doc

    def _in_note(self, citation: Citation, punctuation: str = "") -> str:
        """A citation in a discursive note: its text as the style writes it there (in a
        note style, the citation in full within the note; in an in-text style, the
        in-text citation)."""
        return str(self.doc.running[citation.where]) + str(escape(punctuation))


def start(
    brief: Brief,
    sections: Sequence[str] = FULL_PAPER,
    today: Date | None = None,
    style: Style | None = None,
    locale: str | None = None,
    endnotes: bool = False,
) -> Resolving:
    """Begin resolving an edition: the processor runs while the caller goes on (with
    endnotes=True its notes are one list after the body, not footnotes)."""
    from counterpoint.brief import csl

    style = style or csl.default_for(brief.language)
    if style.notes and "notes" not in sections:  # the web page's note calls link to the list
        at = sections.index("bibliography") if "bibliography" in sections else len(sections)
        sections = [*sections[:at], "notes", *sections[at:]]  # (in print: footnotes)
    added = style.in_text and "bibliography" not in sections
    if added:  # notes say in full what they cite; in-text citations need the list
        sections = [*sections, "bibliography"]
    timeline = sorted(brief.timeline, key=lambda e: e.date.ordinal())
    doc = Resolved(
        brief=brief,
        date=brief.date or today or Date.today(),
        timeline=timeline,
        sections=list(sections),
        style=style,
        locale=locale or choose_locale(brief, style),
        endnotes=endnotes,
        references_added=added,
    )
    doc.views = order_views(brief, doc.date)
    texts = reading_order(replace(brief, views=doc.views), timeline, sections)
    citations = [cite for text in texts for cite in text.citations]
    units: list[Citation | Aside] = [
        tok.meta["note"] if tok.type == "note" else tok.meta["citation"]
        for text in texts
        for tok in markdown.iter_units(text.tokens)
        if "note" in tok.meta or "citation" in tok.meta
    ]
    if not doc.footnotes:  # an in-text style: only the discursive notes are notes
        units = [u for u in units if isinstance(u, Aside)]
        if units and "notes" not in doc.sections:
            at = sections.index("bibliography") if "bibliography" in sections else len(sections)
            doc.sections = [*sections[:at], "notes", *sections[at:]]
    # numbered now: the edition's audit can count notes meanwhile
    for number, unit in enumerate(units, start=1):
        doc.numbers[unit.where] = number
        for cite in unit.citations if isinstance(unit, Aside) else []:
            doc.numbers[cite.where] = number  # a citation in a discursive note: that note
    groups = _groups(citations, units) if doc.footnotes else None
    pending = citeproc.pending(brief.sources, citations, style, doc.locale, groups)
    return Resolving(doc, citations, pending, units)


def _groups(
    citations: list[Citation], units: list[Citation | Aside]
) -> list[tuple[bool, list[int]]]:
    """Each note, as (a discursive note?, its citations as indexes into `citations`): one
    for a citation's note, those it holds (maybe none) for a discursive note."""
    index = {id(cite): i for i, cite in enumerate(citations)}
    return [
        (True, [index[id(c)] for c in unit.citations])
        if isinstance(unit, Aside)
        else (False, [index[id(unit)]])
        for unit in units
    ]


def choose_locale(brief: Brief, style: Style) -> str:
    """The CSL locale: the brief's `locale`, else its `language` (the style's own default
    locale when it is a variant of that language, en-GB for OSCOLA say)."""
    if brief.locale:
        return brief.locale
    language = brief.language or "en"
    default = style.default_locale
    same = default and default.split("-")[0].lower() == language.split("-")[0].lower()
    return default if same and "-" not in language else language
