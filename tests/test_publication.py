"""Publication-grade PDF: cover, running header and footer, contents with real page numbers,
bookmarks, metadata, tagged PDF/UA, marking on every page, glyph preflight, figures."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest

from counterpoint import build

from .conftest import MINIMAL, Built, need

pytestmark = pytest.mark.pdf


@pytest.fixture(scope="module")
def flagship(flagship_editions: dict[tuple[str, str], Built]) -> tuple[Path, pypdf.PdfReader]:
    pdf = flagship_editions["analyst", "pdf"]
    return pdf.path, pypdf.PdfReader(pdf.path)


def test_header_and_footer_on_every_page_but_the_title_page(flagship) -> None:
    _, reader = flagship
    pages = [p.extract_text() for p in reader.pages]
    n = len(pages)
    assert "Page 1 of" not in pages[0]
    assert not pages[0].startswith("The Russian Far East: Latent Flashpoint or Settled Frontier?\n")
    for i, text in enumerate(pages[1:], start=2):
        assert f"Page {i} of {n}" in text
        assert "The Russian Far East: Latent Flashpoint or Settled Frontier?" in text


def test_contents_page_numbers_match_the_real_pages(flagship) -> None:
    _, reader = flagship
    pages = [p.extract_text() for p in reader.pages]
    (toc_page,) = [t for t in pages if "\nContents\n" in t]
    before, after = toc_page.split("\nContents\n", 1)
    # pypdf reads the right-floated page numbers first, then the titles, both in order
    numbers = [int(n) for n in re.findall(r"(?m)^(\d+)$", before)]
    titles = after.splitlines()[: len(numbers)]
    assert titles[:4] == ["Bottom line", "Background", "The views at a glance", "The views"]
    assert len(numbers) == 14 and numbers == sorted(numbers)
    for title, page in zip(titles, numbers, strict=True):
        # the section's heading (or the view's label) starts a line on that page
        text = pages[page - 1]
        assert re.search(rf"(?m)^(View \d\. )?{re.escape(title)}$", text), (title, page)


def test_bookmarks_for_every_section(flagship) -> None:
    _, reader = flagship

    def titles(outline: list) -> list[str]:
        out = []
        for item in outline:
            out += titles(item) if isinstance(item, list) else [item.title]
        return out

    found = titles(reader.outline)
    sections = ["Bottom line", "Background", "The views", "Contested facts", "Timeline"]
    sections += ["Key judgments", "Implications", "Balance and sourcing", "Bibliography"]
    for title in sections:
        assert title in found
    assert "China's long game" in " ".join(found)


def test_metadata_and_tagging(flagship) -> None:
    _, reader = flagship
    meta = reader.metadata
    assert meta["/Title"] == "The Russian Far East: Latent Flashpoint or Settled Frontier?"
    assert meta["/Author"] == "Counterpoint example team"
    assert meta["/Subject"].startswith("Is the territory the Qing empire ceded to Russia")
    assert "China's long game" in meta["/Keywords"]
    assert meta["/CreationDate"] == "D:20261122"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert "/StructTreeRoot" in root  # PDF/UA-1: a tagged PDF
    assert root["/MarkInfo"]["/Marked"]


def test_qpdf_check_passes(flagship) -> None:
    path, _ = flagship
    need(shutil.which("qpdf") is not None, "qpdf")
    run = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_marking_heads_every_page(write_brief, tmp_path: Path) -> None:
    text = MINIMAL + "marking: OFFICIAL - PUBLIC\nbackground: |\n" + "  Long text. " * 900 + "\n"
    (pdf,) = build(write_brief(text), tmp_path / "o", formats=["pdf"])
    pages = [p.extract_text() for p in pypdf.PdfReader(pdf.path).pages]
    assert len(pages) >= 2
    assert all(p.count("OFFICIAL - PUBLIC") >= 1 for p in pages)


def test_glyph_preflight_names_the_character_and_its_place(write_brief, tmp_path: Path) -> None:
    text = MINIMAL.replace("title: Test brief", "title: Test brief \U00010000\U00010001")
    (pdf,) = build(write_brief(text), tmp_path / "o", formats=["pdf"])
    (only,) = [w.replace(str(tmp_path) + "/", "") for w in pdf.warnings if "font" in w]
    assert only == (
        "brief.yaml:2:19: no installed font draws the Linear B script ('\U00010000', U+10000 "
        "LINEAR B SYLLABLE B008 A and 1 other character): the PDF would show empty boxes; "
        "install a font that has it (Debian's fonts-noto-core and fonts-noto-extra cover "
        "most scripts)"
    )


def test_timeline_figure_places_events_to_scale(write_brief, tmp_path: Path) -> None:
    text = MINIMAL + (
        "timeline:\n"
        "  - {date: 1700, event: 'A [@lin-2024, p. 1]'}\n"
        "  - {date: 1800, event: 'B [@lin-2024, p. 2]'}\n"
        "  - {date: 2000, event: 'C [@lin-2024, p. 3]'}\n"
    )
    (html,) = build(write_brief(text), tmp_path / "o", formats=["html"])
    page = html.path.read_text(encoding="utf-8")
    svg = re.search(r"<svg class=\"timeline-figure\".*?</svg>", page, re.S).group(0)
    ys = [float(y) for y in re.findall(r'<circle class="event" cx="[\d.]+" cy="([\d.]+)"', svg)]
    assert len(ys) == 3
    assert abs((ys[2] - ys[1]) - 2 * (ys[1] - ys[0])) < 1.0  # 200 years is twice 100 years
    years = re.findall(r'class="event-year"[^>]*>([^<]+)</text>', svg)
    labels = re.findall(r'class="event-label"[^>]*>([^<]+)</text>', svg)
    assert list(zip(years, labels, strict=True)) == [("1700", "A"), ("1800", "B"), ("2000", "C")]
    assert "<tspan" not in svg and "<sup" not in svg  # no note numbers: they stay in the table
    assert 'role="img"' in svg and '<title id="timeline-title">' in svg


def test_views_at_a_glance_counts(flagship_editions: dict[tuple[str, str], Built]) -> None:
    page = flagship_editions["analyst", "html"].path.read_text(encoding="utf-8")
    table = re.search(r'<table class="glance">.*?</table>', page, re.S).group(0)
    rows = re.findall(r"<tr><th scope=\"row\">.*?</tr>", table, re.S)
    assert len(rows) == 4
    for row in rows:
        numbers = [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', row)]
        assert len(numbers) == 3 and numbers[0] >= 3 and numbers[1] >= 2 and numbers[2] >= 2
