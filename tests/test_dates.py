"""Dates as historians write them: BCE years (negative, as in CSL) in the timeline and text."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from counterpoint import InvalidInput, build, validate
from counterpoint.brief.model import Date

from .conftest import MINIMAL

ERAS = (
    MINIMAL
    + """\
timeline:
  - date: 1858-05-28
    event: Treaty of Aigun [@lin-2024].
  - date: -221
    event: Qin unifies China [@lin-2024].
  - date: -44-03-15
    event: Caesar is killed [@petrova-2025].
  - date: 9
    event: Teutoburg [@petrova-2025].
"""
)


@pytest.fixture(scope="module")
def eras(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The page of a brief whose timeline crosses the era boundary."""
    from .conftest import SOURCES

    folder = tmp_path_factory.mktemp("eras")
    (folder / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    (folder / "brief.yaml").write_text(ERAS, encoding="utf-8")
    (html,) = build(folder / "brief.yaml", folder / "out", formats=["html"])
    return html.path.read_text(encoding="utf-8")


def test_bce_dates_build_sort_first_and_read_bce(eras: str) -> None:
    page = eras
    timeline = page[page.index('<table class="timeline">') :]
    rows = re.findall(r'<th scope="row">(?:<time[^>]*>)?([^<]+)<', timeline)
    assert rows[:4] == ["221 BCE", "March 15, 44 BCE", "9", "May 28, 1858"]
    assert 'datetime="-' not in page  # HTML's <time> has no BCE years: plain text there


def test_timeline_is_to_scale_across_the_era_boundary(eras: str) -> None:
    page = eras
    dots = [float(y) for y in re.findall(r'<circle class="event" cx="[\d.]+" cy="([\d.]+)"', page)]
    # -221 (astronomical -220.5), -44-03-15 and 9 share a stretch of the line, one unit per
    # year with no year 0; 1858 is after a break (1849 years without an event)
    positions = [-220 + 0.5 - 1, -43 + 73 / 366, 9.5]
    scale = (dots[2] - dots[0]) / (positions[2] - positions[0])
    for dot, pos in zip(dots, positions, strict=False):
        assert dot - dots[0] == pytest.approx((pos - positions[0]) * scale, abs=0.2)
    assert page.count('class="break"') == 2  # the two strokes of one break, before 1858
    years = re.findall(r'class="event-year"[^>]*>([^<]+)<', page)
    assert years == ["221 BCE", "44 BCE", "9 CE", "1858 CE"]  # across the era, CE says so


def test_year_zero_is_refused_with_its_location(write_brief: Callable[..., Path]) -> None:
    path = write_brief(MINIMAL + "timeline:\n  - date: 0\n    event: Nothing [@lin-2024].\n")
    with pytest.raises(InvalidInput) as info:
        validate(path)
    assert str(info.value) == (
        f"{path}:19:11: timeline[0].date: '0' is not a real date: there is no year 0 "
        "(-1 is 1 BCE, as in CSL)"
    )


def test_bce_date_forms() -> None:
    assert Date(-221).long() == "221 BCE"
    assert Date(-44, 3, 15).long() == "March 15, 44 BCE"
    assert str(Date(-44, 3)) == "-0044-03"
    assert Date(-1).ordinal() < Date(1).ordinal() < Date(1, 12, 31).ordinal()
    assert Date.checked(-46, 2, 29) is None and Date.checked(-45, 2, 29) is not None  # 45 BCE leap


def test_a_bib_year_pandoc_cannot_read_is_undated_as_in_pandoc(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    """`year = {2019--2021}` is no BibLaTeX date (a range is `date = {2019/2021}`): Pandoc's
    own reader leaves it undated (an empty `date-parts`) and its notes say "n.d."; the brief
    builds the same way instead of failing on a date-parts it did not write."""
    (tmp_path / "more.bib").write_text(
        "@book{ortega-2019,\n  author = {Ortega, Lucía},\n  title = {Agua y frontera},\n"
        "  publisher = {Meseta},\n  year = {2019--2021}\n}\n",
        encoding="utf-8",
    )
    text = MINIMAL.replace("[sources.yaml]", "[sources.yaml, more.bib]").replace(
        "Trade grew [@petrova-2025, para. 6].", "Trade grew [@ortega-2019, 4]."
    )
    (html,) = build(write_brief(text), tmp_path / "out", formats=["html"])
    page = html.path.read_text(encoding="utf-8")
    assert "Lucía Ortega, <em>Agua y Frontera</em> (Meseta, n.d.), 4." in page
