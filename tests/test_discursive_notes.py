"""Discursive notes: `^[...]` in any Markdown field is a note, numbered with the citation
notes in a note style (and may cite), a footnote or endnote in an in-text style, in HTML,
PDF and Word; the audit counts the citations in it."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from counterpoint import build, validate
from counterpoint.brief import csl

from .conftest import MINIMAL
from .oracle import oracle, page_citations, page_notes
from .test_docx import footnotes

NOTED = MINIMAL.replace(
    "summary: It is settled [@petrova-2025, para. 2].",
    "summary: It is settled [@petrova-2025, para. 2].^[The 1860 figure excludes Sakhalin.]",
).replace(
    "Trade grew [@petrova-2025, para. 6].",
    "Trade grew [@petrova-2025, para. 6]. The counts differ^[Compare @lin-2024 [p. 9], "
    "which counts Sakhalin; see also [@petrova-2025, para. 7].].",
)


def _items(path: Path) -> list[dict]:
    return [s.csl for s in validate(path).sources.values()]


def test_a_note_style_numbers_discursive_notes_with_the_citation_notes(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    """Pandoc formats the citations inside a note as it does in its own documents, so
    positions (first, subsequent) count the discursive notes too."""
    path = write_brief(NOTED)
    html, docx = build(path, tmp_path / "out", formats=["html", "docx"])
    page = html.path.read_text(encoding="utf-8")
    document = [
        "[@petrova-2025, para. 2]",
        "^[The 1860 figure excludes Sakhalin.]",
        "[@petrova-2025, para. 6]",
        "^[Compare @lin-2024 [p. 9], which counts Sakhalin; see also [@petrova-2025, para. 7].]",
        "[@lin-2024, p. 4]",
    ]
    expected, _, _ = oracle(document, _items(path), csl.default().path, "en-US", tmp_path)
    assert len(expected) == 5
    assert page_notes(page) == expected
    assert footnotes(docx.path.read_bytes()) == expected  # Word footnotes, same numbers
    # the call follows the punctuation, as a citation's does
    assert re.search(r'The counts differ\.<span class="fn"><a class="fn-call" id="fnref-4"', page)
    assert re.search(
        r'settled\.<span class="fn">.*?<sup>1</sup>.*?<span class="fn">.*?<sup>2<', page
    )


def test_an_in_text_style_makes_discursive_notes_footnotes(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    path = write_brief(NOTED + "csl: apa\n")
    html, docx = build(path, tmp_path / "out", formats=["html", "docx"])
    page = html.path.read_text(encoding="utf-8")
    assert page_notes(page) == [
        "The 1860 figure excludes Sakhalin.",
        "Compare Institute for Border Studies (2024, p. 9), which counts Sakhalin; see also "
        "(Petrova, 2025, para. 7).",
    ]
    assert footnotes(docx.path.read_bytes()) == page_notes(page)
    # the running text keeps its in-text citations, and the note calls are 1 and 2
    assert "(Petrova, 2025, para. 2)" in page_citations(page)
    assert re.findall(r'<a class="fn-call" id="fnref-(\d)"', page) == ["1", "2"]


def test_endnotes_gather_an_in_text_styles_discursive_notes(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    options = "audiences:\n  analyst: {notes: endnotes}\n"
    path = write_brief(NOTED + "csl: apa\n" + options)
    (html,) = build(path, tmp_path / "out", formats=["html"])
    page = html.path.read_text(encoding="utf-8")
    notes = page.split('<section id="notes"', 1)[1].split("</section>", 1)[0]
    assert "The 1860 figure excludes Sakhalin." in notes
    assert 'class="fn-pop"' not in page  # no footnote bodies beside the calls
    assert not html.warnings


def test_endnotes_that_cannot_apply_are_one_located_warning(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    options = "audiences:\n  analyst: {notes: endnotes}\n"
    path = write_brief(MINIMAL + "csl: apa\n" + options)
    html, docx = build(path, tmp_path / "out", formats=["html", "docx"])
    warning = (
        f"{path}:20:13: audiences.analyst.notes: endnotes cannot apply: style 'apa' cites in "
        "the text, and this edition has no discursive notes (^[...]) to gather at the end"
    )
    assert html.warnings == [warning]
    assert warning not in docx.warnings  # said once


def test_the_audit_counts_citations_in_discursive_notes(write_brief: Callable[..., Path]) -> None:
    from counterpoint.audit.checks import audit_brief

    text = MINIMAL.replace(
        "Trade grew [@petrova-2025, para. 6].",
        "Trade grew [@petrova-2025, para. 6].^[Memory says otherwise [@lin-2024, p. 2].]",
    )
    brief = validate(write_brief(text))
    assert [c.items[0].key for c in brief.views[0].arguments[0].citations] == [
        "petrova-2025",
        "lin-2024",
    ]
    report = audit_brief(brief)
    assert "single-source-view: view 'yes'" not in "\n".join(str(f) for f in report.active)


def test_an_unknown_key_in_a_note_is_a_located_error(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    from counterpoint import InvalidInput

    text = MINIMAL.replace(
        "Trade grew [@petrova-2025, para. 6].", "Trade grew.^[But see [@lin-2042, p. 2].]"
    )
    with pytest.raises(InvalidInput) as info:
        validate(write_brief(text))
    assert str(info.value).startswith(f"{tmp_path / 'brief.yaml'}:12:31: ")
    assert "unknown source '@lin-2042'" in str(info.value)


@pytest.mark.pdf
@pytest.mark.slow
def test_discursive_notes_are_pdf_footnotes(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    import pypdf

    from .oracle import pdf_notes

    path = write_brief(NOTED)
    (pdf,) = build(path, tmp_path / "out", formats=["pdf"])
    pages = [p.extract_text() for p in pypdf.PdfReader(pdf.path).pages]
    notes = pdf_notes(pages, ("Page ", "Test brief"), 5)
    assert notes[1] == "2. The 1860 figure excludes Sakhalin."
    assert notes[3].startswith("4. Compare Institute for Border Studies, Migration")
