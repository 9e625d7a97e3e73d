"""The registry of a paper's built-in sections: what each shows and who builds it.

Each section a template set may list is one `Section` here: its name, the key paths of
the brief's Markdown fields it shows (their notes are numbered in that order), what the
page-limit advice calls it, its template and the name of its Word builder. Everything
else derives from this table: `ALL_SECTIONS`, the default reading order `FULL_PAPER`,
`Brief.texts`, resolve's `SECTION_TEXTS` and the advice; tests/test_sections.py checks
that every section has its template in the base set and its Word builder. A set's own
sections (`new-sections:`, docs/templates.md) are not built in and are not listed here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Section:
    """One built-in section of a paper."""

    name: str
    """What a set's `sections:` lists, the section's HTML id and its template's name."""
    texts: tuple[str, ...]
    """Key paths of the fields it shows, in the order a reader meets them, which is the
    order their notes are numbered in: `summary` (one field), `views[].thesis` (each
    view's), `views[].arguments[]` (each argument of each view). Empty for a section that
    shows no cited field (the contents, the notes)."""
    label: str
    """What the page-limit advice calls it: "shorten the views (812 words)"."""
    builder: str
    """The name the Word edition's builder is registered by (publish/docx/sections.py)."""
    counted: tuple[str, ...] | None = None
    """The fields whose words the page-limit advice counts, when not `texts` (() for a
    section the advice never proposes to shorten)."""
    across: bool = False
    """True when the section sets the items side by side (compare): each item's single
    fields first, item by item, then each list field row by row: the first argument of
    every view, left to right, then the second. False: item by item."""
    form_of: str = ""
    """The section this one shows in another form (a table of the views, the contested
    facts in a line each); such a section is not in the default reading order."""
    word: str = "template"
    """What Word takes of a set's own template for it: "template" (its HTML, through
    Pandoc's reader, in place of the builder's), "heading" (only the heading it gives in
    its `NAME_heading` block: Word builds the figure, the contents field or the entries
    itself) or "" (nothing: the notes are Word's own footnotes)."""
    internal: bool = False
    """True when a brief may mark it `internal:` (editions with `hide_internal` leave it out)."""

    @property
    def template(self) -> str:
        """Its template in a set, `sections/NAME.html` (the base set has every one)."""
        return f"sections/{self.name}.html"

    @property
    def words(self) -> tuple[str, ...]:
        """The fields the page-limit advice counts the words of."""
        return self.texts if self.counted is None else self.counted


_VIEWS = ("views[].thesis", "views[].summary", "views[].arguments[]", "views[].counterpoints[]")

REGISTRY: tuple[Section, ...] = (
    Section("title", ("question",), "the question", "title", counted=()),
    Section("summary", ("summary",), "the bottom line (summary)", "summary"),
    Section("background", ("background",), "the background", "background", internal=True),
    Section("glance", (), "the views at a glance", "glance"),
    Section("how-to-read", (), "the note on how to read the brief", "how-to-read"),
    Section("contents", (), "the contents", "contents", word="heading"),
    Section("views", _VIEWS, "the views", "views"),
    Section("views-table", ("views[].thesis",), "the view theses", "views-table", form_of="views"),
    Section("compare", _VIEWS, "the views", "compare", across=True, form_of="views"),
    Section("contested", ("contested[].accounts[]", "contested[].assessment"),
            "the contested facts", "contested"),
    Section("contested-brief", ("contested[].short",), "the contested assessments",
            "contested-brief", counted=("contested[].assessment",), form_of="contested"),
    Section("timeline", ("timeline[].event",), "the timeline", "timeline", word="heading",
            internal=True),
    Section("judgments", ("judgments[].text",), "the key judgments", "judgments"),
    Section("implications", ("implications",), "the implications", "implications",
            internal=True),
    Section("balance", (), "the balance appendix", "balance", word="heading", internal=True),
    Section("notes", (), "the notes", "notes", word=""),
    Section("bibliography", (), "the bibliography", "bibliography", word="heading"),
)  # fmt: skip
"""Every built-in section, in the default reading order (FULL_PAPER, which leaves out the
sections that are another form of one)."""

SECTIONS: dict[str, Section] = {s.name: s for s in REGISTRY}

ALL_SECTIONS = tuple(SECTIONS)
"""Every section a template set may list."""

FULL_PAPER = tuple(s.name for s in REGISTRY if not s.form_of)
"""The default reading order when no template set chooses: every section, each field once."""

INTERNAL_SECTIONS = tuple(s.name for s in REGISTRY if s.internal)
"""Sections a brief may mark `internal:`; editions with `hide_internal` leave them out."""

SHORT_FORMS = {"views[].thesis": "views[].short", "judgments[].text": "judgments[].short"}
"""A field and its short form (`short:`), which an edition with `short_forms` shows in its
place."""


def _fields() -> tuple[str, ...]:
    out: list[str] = []
    for section in REGISTRY:
        for path in section.texts:
            for key in (path, SHORT_FORMS.get(path)):
                if key and key not in out:
                    out.append(key)
    return tuple(out)


FIELDS = _fields()
"""Every Markdown field of a brief, as key paths in reading order: the sections' texts in
the registry's order, each once, each followed by its short form (Brief.texts walks them)."""

_PATH = re.compile(r"([a-z_]+)(?:\[\]\.([a-z_]+)(\[\])?)?")


def walk(brief: Any, paths: Sequence[str], across: bool = False) -> list[tuple[str, Any]]:
    """The fields at `paths` (key-path patterns, as in `Section.texts`) of a brief, with
    their key paths (`views[0].arguments[1]`), in order; a field not given is left out.

    The patterns of one list (`views[]...`) are walked together where the first of them
    stands: item by item, each item's fields in the patterns' order; or, with `across`,
    the items side by side (see `Section.across`).
    """
    groups: dict[str, list[tuple[str, bool]]] = {}
    for path in paths:
        m = _PATH.fullmatch(path)
        if m is None:
            raise ValueError(f"not a key path pattern: {path}")
        top, sub, many = m.groups()
        if sub is None:
            groups[path] = []
        else:
            groups.setdefault(top + "[]", []).append((sub, bool(many)))
    out: list[tuple[str, Any]] = []
    for top, fields in groups.items():
        if not fields:
            value = getattr(brief, top)
            out += [(top, value)] if value else []
        else:
            out += _walk_list(top[:-2], getattr(brief, top[:-2]), fields, across)
    return out


def _walk_list(
    name: str, items: Iterable[Any], fields: list[tuple[str, bool]], across: bool
) -> list[tuple[str, Any]]:
    items = list(items)

    def at(i: int, sub: str, many: bool) -> list[tuple[str, Any]]:
        value = getattr(items[i], sub)
        if many:
            return [(f"{name}[{i}].{sub}[{j}]", t) for j, t in enumerate(value)]
        return [(f"{name}[{i}].{sub}", value)] if value else []

    if not across:
        return [
            pair for i in range(len(items)) for sub, many in fields for pair in at(i, sub, many)
        ]
    out = [pair for i in range(len(items)) for sub, many in fields if not many
           for pair in at(i, sub, False)]  # fmt: skip
    for sub, many in fields:
        if many:
            rows = [at(i, sub, True) for i in range(len(items))]
            depth = max((len(r) for r in rows), default=0)
            out += [r[j] for j in range(depth) for r in rows if j < len(r)]
    return out


def texts(brief: Any, name: str) -> list[tuple[str, Any]]:
    """The fields a built-in section shows, with their key paths, in reading order."""
    section = SECTIONS[name]
    return walk(brief, section.texts, section.across)
