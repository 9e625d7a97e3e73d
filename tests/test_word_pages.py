"""Issue 29: the compare edition's Word pages, as LibreOffice lays them out. Its table of
three views or more is on landscape pages of its own, as in the PDF; its rows are kept
whole only where moving one leaves no page a third empty, and long rows run on over a
page; the header's marking sits at the right margin of the wide pages too.

One build and one LibreOffice run serve the module: the flagship brief and a short French
brief with three views."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pypdfium2
import pytest

from counterpoint import build

from .conftest import ROOT, need
from .test_editions import _empty_bands

pytestmark = [pytest.mark.pdf, pytest.mark.slow]  # LibreOffice lays out the Word edition

BRIEFS = {
    "flagship": ROOT / "briefs" / "russian-far-east.yaml",
    "french": Path(__file__).parent / "languages" / "fr.yaml",
}


@pytest.fixture(scope="module")
def laid_out(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """Each brief's compare .docx and the PDF LibreOffice makes of it."""
    need(shutil.which("soffice") is not None, "LibreOffice (soffice)")
    out = tmp_path_factory.mktemp("word-pages")
    docx = {
        name: build(path, out, formats=["docx"], audience="compare")[0].path
        for name, path in BRIEFS.items()
    }
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{out}/lo",
         "--convert-to", "pdf", "--outdir", str(out), *map(str, docx.values())],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return {name: (path, path.with_suffix(".pdf")) for name, path in docx.items()}


def _pages(pdf: Path) -> list[tuple[str, str]]:
    """Each page's shape and text."""
    pages = []
    for page in pypdfium2.PdfDocument(pdf):
        width, height = page.get_size()
        text = page.get_textpage().get_text_range()
        pages.append(("landscape" if width > height else "portrait", text))
    return pages


def _wide_run(shapes: list[str]) -> list[int]:
    wide = [i for i, s in enumerate(shapes) if s == "landscape"]
    assert wide and wide == list(range(wide[0], wide[-1] + 1)), shapes  # one run
    return wide


@pytest.mark.parametrize("name", BRIEFS)
def test_the_compare_table_alone_turns_landscape(
    laid_out: dict[str, tuple[Path, Path]], name: str
) -> None:
    _, pdf = laid_out[name]
    pages = _pages(pdf)
    shapes = [shape for shape, _ in pages]
    wide = _wide_run(shapes)
    assert shapes[0] == "portrait" and shapes[-1] == "portrait"
    texts = [" ".join(text.split()) for _, text in pages]
    heading = "The views" if name == "flagship" else "Les points de vue"
    assert heading in texts[wide[0]] and heading not in texts[wide[0] - 1]
    contested = "Contested facts" if name == "flagship" else "Faits contestés"
    assert all(contested not in texts[i] for i in wide)  # the rest stays portrait
    assert contested in texts[wide[-1] + 1]
    first = "View 1." if name == "flagship" else "Point de vue 1."
    assert all(first in texts[i] for i in wide)  # the column heads repeat on every page
    # the pages are numbered on through the turns of the paper
    numbers = [re.search(r"Page (\d+) (?:of|sur) (\d+)", t) for t in texts[1:]]
    assert [int(m.group(1)) for m in numbers if m] == list(range(2, len(pages) + 1))


def test_no_word_page_is_left_a_third_empty(laid_out: dict[str, tuple[Path, Path]]) -> None:
    """Measured on the flagship before this rule: pages 2 to 5 of the compare edition were
    55% to 80% empty (a long row moved whole, or split after a third of the page)."""
    _, pdf = laid_out["flagship"]
    shapes = [shape for shape, _ in _pages(pdf)]
    wide = _wide_run(shapes)
    bands = _empty_bands(pdf)
    ends = {wide[-1], len(bands) - 1}  # the table's last page, the paper's last page
    assert max(b for i, b in enumerate(bands) if i not in ends) < 1 / 3, bands
    # the short brief: its title page ends where the paper turns; no other page is short
    _, pdf = laid_out["french"]
    shapes = [shape for shape, _ in _pages(pdf)]
    wide = _wide_run(shapes)
    bands = _empty_bands(pdf)
    ends = {wide[0] - 1, wide[-1], len(bands) - 1}
    assert max(b for i, b in enumerate(bands) if i not in ends) < 1 / 3, bands


def test_long_rows_run_on_and_short_rows_are_kept_whole(
    laid_out: dict[str, tuple[Path, Path]],
) -> None:
    docx, _ = laid_out["flagship"]
    with zipfile.ZipFile(docx) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    compare = re.search(r"<w:tbl>.*?</w:tbl>", xml, re.S).group(0)
    rows = re.findall(r"<w:tr(?=[\s>]).*?</w:tr>", compare, re.S)
    thesis = next(r for r in rows if "Beijing has not forgotten" in r)
    assert "<w:cantSplit/>" not in thesis  # most of a page: it may run on
    labels = [r for r in rows if "w:gridSpan" in r]  # Thesis, Arguments, Counterpoints
    assert len(labels) == 3
    assert all("<w:keepNext/>" in r and "<w:cantSplit/>" in r for r in labels)
    head = rows[0]
    assert "<w:tblHeader" in head and "<w:cantSplit/>" in head
    # a table of short rows (the balance appendix's) keeps every row whole
    tables = re.findall(r"<w:tbl>.*?</w:tbl>", xml, re.S)
    short = re.findall(r"<w:tr(?=[\s>]).*?</w:tr>", tables[1], re.S)
    assert len(short) >= 5 and all("<w:cantSplit/>" in r for r in short)


def test_the_marking_sits_at_the_right_margin_of_the_wide_pages(
    laid_out: dict[str, tuple[Path, Path]],
) -> None:
    """The header sets the marking at a right tab stop; the wide pages get a header of
    their own with the stop at their own margin, not in the middle of the page."""
    _, pdf = laid_out["french"]
    document = pypdfium2.PdfDocument(pdf)
    ends = []
    for page in document:
        width, height = page.get_size()
        text = page.get_textpage()
        search = text.search("RESTREINTE")
        found = search.get_next()
        assert found is not None
        index, count = found
        right = max(text.get_charbox(index + k)[2] for k in range(count))
        ends.append((width > height, width - right))
    assert any(wide for wide, _ in ends) and any(not wide for wide, _ in ends)
    margins = {round(gap) for _, gap in ends}
    assert max(margins) - min(margins) <= 2, ends  # the same right margin on every page
