"""The flagship brief builds cleanly and shows everything it contains, with real CJK glyphs."""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pytest
from markupsafe import escape as markup_escape

from counterpoint import build, validate
from counterpoint.brief.markdown import plain

from .conftest import ROOT, Built

FLAGSHIP = ROOT / "briefs" / "russian-far-east.yaml"


@pytest.fixture(scope="module")
def built(
    flagship_editions: dict[tuple[str, str], Built],
) -> tuple[str, list[str], pypdf.PdfReader]:
    html, pdf = flagship_editions["analyst", "html"], flagship_editions["analyst", "pdf"]
    assert html.warnings == [] and pdf.warnings == []
    reader = pypdf.PdfReader(pdf.path)
    return html.path.read_text(encoding="utf-8"), [p.extract_text() for p in reader.pages], reader


def test_flagship_meets_the_brief() -> None:
    brief = validate(FLAGSHIP)
    assert len(brief.views) >= 3
    for view in brief.views:
        assert view.summary is not None
        assert len(view.arguments) >= 3 and len(view.counterpoints) >= 2
        assert all(t.citations for t in view.arguments + view.counterpoints), view.id
    assert len(brief.timeline) >= 15
    assert min(e.date.year for e in brief.timeline) < 1650
    assert max(e.date.year for e in brief.timeline) == 2026
    assert all(e.event.citations for e in brief.timeline)
    assert 3 <= len(brief.judgments) <= 5
    assert all(j.likelihood and j.confidence for j in brief.judgments)
    points = " ".join(c.point for c in brief.contested).lower()
    assert "territory" in points and "treaty" in points and "migration" in points


def escape(text: str) -> str:
    """Text as the written page holds it: the page is serialized from its parsed tree, which
    escapes &, < and > but writes quotes as they are."""
    return str(markup_escape(text)).replace("&#39;", "'").replace("&#34;", '"')


@pytest.mark.pdf
def test_every_view_point_and_event_appears_with_its_notes(built) -> None:
    html, _, _ = built
    brief = validate(FLAGSHIP)
    for view in brief.views:
        article = re.search(rf'<article class="view" id="view-{view.id}".*?</article>', html, re.S)
        assert article is not None and escape(view.label) in article.group(0)
        calls = re.findall(r'class="fn-call"', article.group(0))
        cited = [view.thesis, *([view.summary] if view.summary else [])]
        expected = sum(len(t.citations) for t in cited + view.arguments + view.counterpoints)
        assert len(calls) == expected
    for i, item in enumerate(brief.contested, 1):
        block = re.search(rf'data-contested="{i}".*?(?=data-contested=|</section>)', html, re.S)
        assert block is not None and escape(item.point) in block.group(0)
        assert len(re.findall('class="fn-call"', block.group(0))) == sum(
            len(a.citations)
            for a in [*item.accounts, *([item.assessment] if item.assessment else [])]
        )
    rows = re.findall(r"<tr><th scope=\"row\"><time.*?</tr>", html, re.S)
    assert len(rows) == len(brief.timeline)
    assert all('class="fn-call"' in row for row in rows)
    words = [plain(e.event.tokens).split()[0] for e in brief.timeline]
    assert all(w in html for w in words)


@pytest.mark.pdf
def test_pdf_draws_cjk_with_a_cjk_font(built) -> None:
    """Chinese names are drawn by the print stack's CJK font, not left as empty boxes."""
    _, pages, reader = built
    text = "\n".join(pages)
    assert "海参崴" in text and "Благовещенск" in text and "瑷珲条约" in text
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any(f.endswith("+WenQuanYi-Micro-Hei") for f in fonts), fonts


@pytest.mark.pdf
def test_quick_start_builds_without_warnings(built) -> None:
    html, pages, _ = built
    assert html.count('class="fn-call"') == len(re.findall(r'<li id="fn-\d+"', html))
    assert pages[-1].strip()  # the bibliography closes the paper
    assert "Bibliography" in "\n".join(pages[-3:])


def test_seed_records_have_grades_and_stances() -> None:
    brief = validate(FLAGSHIP)
    seeds = [s for s in brief.sources.values() if not s.cited_in]
    assert len(seeds) == 4
    for s in seeds:
        assert s.stance and s.reliability and s.reliability.note and s.issued
    for s in brief.sources.values():
        if s.cited_in:
            assert "cited through" in s.note.lower()


def test_builds_from_any_working_folder(tmp_path: Path, monkeypatch) -> None:
    """briefs/ reads ../seeds: the folder above a brief belongs to its project."""
    monkeypatch.chdir(tmp_path)
    (html,) = build(FLAGSHIP, tmp_path / "out", formats=["html"])
    assert "海参崴" in html.path.read_text(encoding="utf-8")
