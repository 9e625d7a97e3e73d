"""Resolving an edition (cite/resolve.py): citations become notes numbered in the order a
reader meets them in the sections the edition shows; a source's first note is in full,
later ones short; an in-text style has no citation notes and gets its reference list."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from counterpoint import validate
from counterpoint.brief import csl
from counterpoint.brief.model import Brief
from counterpoint.cite.resolve import choose_locale, compare_groups, compare_wide, resolve

from .conftest import MINIMAL

SUMMARY = "summary: It is settled [@petrova-2025, para. 2]."
PETROVA = "Irina Petrova, “Rivers, Treaties and Trade on a Long Border,” <em>Border Review</em>"
PETROVA_SHORT = "Petrova, “Rivers, Treaties and Trade on a Long Border,”"
LIN = "Institute for Border Studies, <em>Migration and Memory in the Amur Basin</em>"


@pytest.fixture
def brief(write_brief: Callable[..., Path]) -> Callable[[str], Brief]:
    return lambda text=MINIMAL: validate(write_brief(text))


def notes(doc) -> list[tuple[int, list[str], str]]:
    return [(n.number, n.sources, str(n.body)) for n in doc.notes]


def test_notes_are_numbered_in_reading_order(brief) -> None:
    """The summary's citation, then each view's argument: the first note of a source is in
    full, a later one short (Chicago 18 writes no "Ibid.")."""
    b = brief()
    doc = resolve(b)
    assert notes(doc) == [
        (1, ["petrova-2025"], f"{PETROVA}, March 14, 2025, para. 2."),
        (2, ["petrova-2025"], f"{PETROVA_SHORT} para. 6."),
        (3, ["lin-2024"], f"{LIN} (Institute for Border Studies, 2024), 4."),
    ]
    calls = [b.summary.citations[0], *(v.arguments[0].citations[0] for v in b.views)]
    assert [doc.note_for(c).number for c in calls] == [1, 2, 3]
    assert doc.cited == {"petrova-2025", "lin-2024"}
    assert [e.id for e in doc.bibliography] == ["lin-2024", "petrova-2025"]  # by author


def test_the_editions_own_section_order_numbers_the_notes(brief) -> None:
    """An edition that shows the views first gives the full note to the views' citation,
    and the summary's becomes the short one."""
    doc = resolve(brief(), sections=["views", "summary"])
    assert notes(doc) == [
        (1, ["petrova-2025"], f"{PETROVA}, March 14, 2025, para. 6."),
        (2, ["lin-2024"], f"{LIN} (Institute for Border Studies, 2024), 4."),
        (3, ["petrova-2025"], f"{PETROVA_SHORT} para. 2."),
    ]
    assert doc.sections == ["views", "summary", "notes"]  # the web page's list of notes


def test_a_section_the_edition_leaves_out_has_no_notes(brief) -> None:
    b = brief()
    doc = resolve(b, sections=["summary", "bibliography"])
    assert [n.sources for n in doc.notes] == [["petrova-2025"]]
    assert doc.note_for(b.views[0].arguments[0].citations[0]) is None
    assert doc.sections == ["summary", "notes", "bibliography"]  # notes go before the list
    assert [e.id for e in doc.bibliography] == ["petrova-2025"]  # what this edition cites


def test_a_source_cited_again_and_again_is_short_each_time(brief) -> None:
    text = "summary: A holds [@lin-2024, p. 4]. B holds [@lin-2024, p. 5]. C [@lin-2024, p. 5]."
    doc = resolve(brief(MINIMAL.replace(SUMMARY, text)), sections=["summary"])
    assert notes(doc) == [
        (1, ["lin-2024"], f"{LIN} (Institute for Border Studies, 2024), 4."),
        (2, ["lin-2024"], f"{LIN}, 5."),
        (3, ["lin-2024"], f"{LIN}, 5."),
    ]


def test_a_discursive_note_takes_one_number_for_the_citations_in_it(brief) -> None:
    text = (
        "summary: It holds.^[As argued in [@lin-2024, p. 2] and [@petrova-2025].] "
        "Next [@petrova-2025, para. 3]."
    )
    b = brief(MINIMAL.replace(SUMMARY, text))
    doc = resolve(b, sections=["summary"])
    first, second = doc.notes
    assert (first.number, first.sources, first.citation) == (1, ["lin-2024", "petrova-2025"], None)
    assert first.body.startswith(f"As argued in {LIN} (Institute for Border Studies, 2024), 2.")
    # the note held Petrova's first citation: the next one is short
    assert (second.number, str(second.body)) == (2, f"{PETROVA_SHORT} para. 3.")
    inside, also, after = b.summary.citations
    assert [doc.note_for(c).number for c in (inside, also, after)] == [1, 1, 2]


def test_the_timeline_is_read_by_date(brief) -> None:
    events = (
        "timeline:\n"
        "  - date: 2020\n    event: Later [@lin-2024, p. 20].\n"
        "  - date: 1990\n    event: Earlier [@lin-2024, p. 19].\n"
    )
    doc = resolve(brief(MINIMAL + events), sections=["timeline"])
    assert [e.date.year for e in doc.timeline] == [1990, 2020]
    assert notes(doc) == [
        (1, ["lin-2024"], f"{LIN} (Institute for Border Studies, 2024), 19."),
        (2, ["lin-2024"], f"{LIN}, 20."),
    ]


def test_an_in_text_style_cites_in_the_running_text_and_adds_its_references(brief) -> None:
    b = brief()
    doc = resolve(b, sections=["summary", "views"], style=csl.find("apa", []))
    assert doc.notes == []
    assert [str(doc.running_text(c)) for c in b.summary.citations] == [
        '(<a href="#src-petrova-2025">Petrova, 2025, para. 2</a>)'
    ]
    # "(Petrova, 2025)" says what it cites only in the list: added after the paper
    assert (doc.sections, doc.references_added) == (["summary", "views", "bibliography"], True)


@pytest.mark.parametrize(
    ("lines", "style", "locale"),
    [
        ("language: en\n", "oscola", "en-GB"),  # the style's own variant of the language
        ("language: en-US\n", "oscola", "en-US"),  # the brief named its region
        ("language: fr\n", "chicago-notes-bibliography", "fr"),
        ("language: de\nlocale: de-AT\n", "chicago-notes-bibliography", "de-AT"),
    ],
)
def test_the_locale_of_the_notes(brief, lines: str, style: str, locale: str) -> None:
    assert choose_locale(brief(MINIMAL + lines), csl.find(style, [])) == locale


def test_views_side_by_side(brief) -> None:
    """One row of theses, a row per argument number (a view with fewer has an empty cell),
    and no counterpoints group when no view has any."""
    b = brief(
        MINIMAL.replace(
            "      - Memory persists [@lin-2024, p. 4].\n",
            "      - Memory persists [@lin-2024, p. 4].\n"
            "      - Borders stay [@lin-2024, p. 5].\n"
            "      - Trade follows [@lin-2024, p. 6].\n",
        )
    )
    groups = compare_groups(b.views)
    assert [(kind, len(rows)) for kind, rows in groups] == [("thesis", 1), ("arguments", 3)]
    thesis_row = groups[0][1][0]
    assert [[t.source for t in cell] for cell in thesis_row] == [
        ["It is settled."],
        ["It is open."],
    ]
    rows = groups[1][1]
    assert [[[t.source for t in cell] for cell in row] for row in rows] == [
        [["Trade grew [@petrova-2025, para. 6]."], ["Memory persists [@lin-2024, p. 4]."]],
        [[], ["Borders stay [@lin-2024, p. 5]."]],
        [[], ["Trade follows [@lin-2024, p. 6]."]],
    ]
    # two views always fit a portrait page; four never do
    assert not compare_wide(b.views)
    assert compare_wide([*b.views, *b.views])
