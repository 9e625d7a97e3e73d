"""The built-in `compare` edition: the views side by side, one column per view, with the same
note numbers in the HTML and the PDF, and a PDF whose notes stay with their rows."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from counterpoint import build, validate
from counterpoint.cite.resolve import compare_groups
from counterpoint.cli.main import main

from .conftest import MINIMAL, ROOT, Built

FLAGSHIP = ROOT / "briefs" / "russian-far-east.yaml"


@pytest.fixture(scope="module")
def flagship(flagship_editions: dict[tuple[str, str], Built]) -> dict[str, Path]:
    """The flagship brief's compare edition: its page, its PDF and the PDF's HTML source."""
    return {fmt: flagship_editions["compare", fmt].path for fmt in ("html", "pdf", "print-html")}


def _squeezed(text: str) -> str:
    """Text without white space and without the hyphens WeasyPrint adds at line ends."""
    return re.sub(r"\s+", "", text.replace("\u2010\n", "").replace("\u2010 ", ""))


def _drawn(pdf: Path) -> list[str]:
    """Each page's text in the order it is drawn: a cell's lines, then its note call (text
    extraction by lines would mix the columns of a row)."""
    pages = []
    for page in pypdf.PdfReader(pdf).pages:
        parts: list[str] = []
        page.extract_text(visitor_text=lambda text, *_, into=parts: into.append(text))
        pages.append("\n".join(parts))
    return pages


def test_compare_is_a_built_in_audience(write_brief: Callable[..., Path], tmp_path: Path) -> None:
    outputs = build(write_brief(), tmp_path / "out", formats=["html"], audience="all")
    assert sorted(o.audience for o in outputs) == ["analyst", "compare", "executive", "public"]
    assert (tmp_path / "out" / "brief-compare.html").exists()
    listed = CliRunner().invoke(main, ["templates", "list"]).output
    assert re.search(r"^compare +\S+ \(extends base\)$", listed, re.M)


def test_one_column_per_view_and_a_row_per_pair(flagship: dict[str, Path]) -> None:
    brief = validate(FLAGSHIP)
    tree = HTMLParser(flagship["html"].read_text(encoding="utf-8"))
    table = tree.css_first("section#compare table.compare-table")
    heads = table.css("thead th")
    assert [th.attributes["data-view"] for th in heads] == [v.id for v in brief.views]
    assert [th.text().split(".", 1)[1].strip() for th in heads] == [v.label for v in brief.views]
    groups = table.css("tbody")
    assert [g.css_first("tr.compare-group th").text() for g in groups] == [
        "Thesis", "Arguments", "Counterpoints",
    ]  # fmt: skip
    rows = [g.css("tr:not(.compare-group)") for g in groups]
    assert [len(r) for r in rows] == [1, 5, 4]  # the most arguments, the most counterpoints
    for row in (r for group in rows for r in group):
        assert len(row.css("td")) == len(brief.views)
    # the third view has 3 counterpoints: its cell in the fourth row is empty
    assert "compare-none" in (rows[2][3].css("td")[2].attributes.get("class") or "")
    # the thesis row holds each view's thesis, in its own column
    theses = [td.css_first("p.thesis").text() for td in rows[0][0].css("td")]
    assert theses[0].startswith("Beijing has not forgotten the lands lost in 1858")
    # each cell names its view, for a reader who sees the cells one under another
    assert [s.text() for s in rows[1][0].css(".compare-view")] == [v.label for v in brief.views]


def test_html_notes_are_numbered_in_reading_order(flagship: dict[str, Path]) -> None:
    """Across each row, left to right, row by row: never 1...12, 23, 33, 42, 13..."""
    tree = HTMLParser(flagship["html"].read_text(encoding="utf-8"))
    calls = [int(a.text()) for a in tree.css("main a.fn-call")]
    assert calls == list(range(1, 64))
    row = tree.css("section#compare tbody.compare-arguments tr")[2]  # after the group's head
    assert [int(a.text()) for a in row.css("a.fn-call")] == [13, 14, 15, 16]
    items = tree.css("section#notes li")
    assert [li.attributes["id"] for li in items] == [f"fn-{n}" for n in range(1, 64)]


def test_pdf_and_html_show_the_same_note_numbers(flagship: dict[str, Path]) -> None:
    """Every call in the PDF has the number the page gives it, after the same word, and
    each PDF footnote is the page's note of that number."""
    tree = HTMLParser(flagship["html"].read_text(encoding="utf-8"))
    pages = [p.extract_text() for p in pypdf.PdfReader(flagship["pdf"]).pages]
    # lines stay apart (a call is drawn as a line of its own), words joined again
    pdf = re.sub(r"\n+", "\n", re.sub(r"[ \t]+", "", "\n".join(_drawn(flagship["pdf"]))))
    pdf = pdf.replace("\u2010\n", "")
    for call in tree.css("section#compare a.fn-call"):
        cell = call.parent.parent  # span.fn > the cell's paragraph
        before = cell.text().split(call.parent.text())[0]
        word = re.findall(r"\S+$", before)[0][-12:]
        number = call.text()
        assert re.search(re.escape(_squeezed(word)) + r"\n*" + number + r"(?!\d)", pdf), word
    notes = {
        li.attributes["id"]: li.text().replace("↩", "").strip()
        for li in tree.css("section#notes li")
    }
    found = [
        (int(n), text)
        for page in pages
        for n, text in re.findall(r"^(\d{1,3})\. (\S.{0,30})", page, re.M)  # not "2024. "
    ]
    assert [n for n, _ in found] == list(range(1, 64))
    for n, text in found:
        assert _squeezed(notes[f"fn-{n}"]).startswith(_squeezed(text)), n


def test_pdf_keeps_every_note_on_its_calls_page_in_order(flagship: dict[str, Path]) -> None:
    """Landscape pages; rows run on over a page; each note on its call's own page, the notes of a
    page in number order. The page is laid out again as the build lays it out: WeasyPrint 70
    with counterpoint's footnote fixes (publish/weasyfix.py, docs/weasyprint.md)."""
    import weasyprint

    from counterpoint.publish.weasyfix import footnote_fixes

    reader = pypdf.PdfReader(flagship["pdf"])
    box = reader.pages[1].mediabox
    assert box.width > box.height  # A4 landscape
    html = flagship["print-html"].read_text(encoding="utf-8")
    with footnote_fixes():
        document = weasyprint.HTML(string=html, base_url=str(ROOT / "briefs") + "/").render()
    assert len(document.pages) == len(reader.pages)
    page_of: dict[str, int] = {}
    for number, page in enumerate(document.pages, 1):
        for anchor in page.anchors:
            page_of.setdefault(anchor, number)
    assert [n for n in range(1, 64) if page_of[f"fn-{n}"] != page_of[f"fnref-{n}"]] == []
    # the footnotes on each page, read from the PDF, run in order
    for text in (p.extract_text() for p in reader.pages):
        numbers = [int(n) for n in re.findall(r"^(\d+)\. \S", text, re.M)]
        assert numbers == sorted(numbers)


def test_rows_pair_corresponding_items(write_brief: Callable[..., Path]) -> None:
    brief = validate(write_brief(MINIMAL.replace(
        "      - Memory persists [@lin-2024, p. 4].",
        "      - Memory persists [@lin-2024, p. 4].\n      - Fears linger [@lin-2024, p. 5].",
    )))  # fmt: skip
    groups = compare_groups(brief.views)
    assert [(kind, len(rows)) for kind, rows in groups] == [("thesis", 1), ("arguments", 2)]
    first, second = groups[1][1][1]  # the second argument row: the first view has none
    assert first == [] and [t.source for t in second] == ["Fears linger [@lin-2024, p. 5]."]


def test_the_word_edition_sets_the_views_side_by_side(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    import io

    import docx

    from .oracle import page_notes
    from .test_docx import footnotes, note_calls

    path = write_brief(MINIMAL.replace(
        "      - Memory persists [@lin-2024, p. 4].",
        "      - Memory persists [@lin-2024, p. 4].\n      - Fears linger [@lin-2024, p. 5].",
    ))  # fmt: skip
    word, html = build(path, tmp_path / "out", formats=["docx", "html"], audience="compare")
    assert word.warnings == []
    table = docx.Document(io.BytesIO(word.path.read_bytes())).tables[0]
    rows = [[c.text for c in r.cells] for r in table.rows]
    assert rows[0] == ["View 1. Settled", "View 2. Open"]
    assert rows[1] == ["Thesis", "Thesis"]  # a group's row, across the table
    assert rows[2] == ["It is settled.", "It is open."]
    assert rows[3] == ["Arguments", "Arguments"]
    assert rows[4] == ["Trade grew.", "Memory persists."]
    assert rows[5] == ["", "Fears linger."]  # the first view has no second argument
    # Word numbers the notes in document order: row by row, left to right, as the page does
    notes = footnotes(word.path.read_bytes())
    assert notes == page_notes(html.path.read_text(encoding="utf-8")) and len(notes) == 4
    assert note_calls(word.path.read_bytes()) == sorted(note_calls(word.path.read_bytes()))


@pytest.mark.browser
def test_the_columns_stack_on_a_phone(browser, flagship: dict[str, Path]) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(flagship["html"].as_uri())
    row = page.locator("#compare tbody.compare-arguments tr:not(.compare-group)").nth(0)
    cells = [row.locator("td").nth(i).bounding_box() for i in range(4)]
    assert len({round(c["y"]) for c in cells}) == 1  # side by side
    assert [c["x"] for c in cells] == sorted(c["x"] for c in cells)
    assert not page.locator("#compare .compare-view").first.is_visible()

    page.set_viewport_size({"width": 390, "height": 844})
    cells = [row.locator("td").nth(i).bounding_box() for i in range(4)]
    assert [c["y"] for c in cells] == sorted(c["y"] for c in cells)  # one under another
    assert len({round(c["x"]) for c in cells}) == 1
    table = page.locator("#compare table").bounding_box()
    assert table["x"] >= 0 and table["x"] + table["width"] <= 390
    labels = row.locator(".compare-view")
    assert labels.nth(0).is_visible() and labels.nth(0).inner_text() == "China's long game"
    page.close()
