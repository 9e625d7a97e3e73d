"""The timeline figure reads on its own (issue 29): short labels, no pile of labels in a
dense period, type large enough in print, in Word and on a phone, no note numbers."""

from __future__ import annotations

import itertools
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from counterpoint import build
from counterpoint.render.timelayout import ROW, short_label

from .conftest import MINIMAL, Built

PRINT_COLUMN_PT = 481.9  # the base set's A4 text column


def _figure(page: str) -> str:
    """The timeline's drawings (in print, one for each stretch of its line)."""
    found = re.findall(r'<svg [^>]*class="timeline-figure[ "].*?</svg>', page, re.S)
    return "".join(found)


def _texts(svg: str, cls: str) -> list[tuple[float, float, str]]:
    """(x, y, text) of the figure's SVG texts of a class."""
    found = re.findall(rf'<text class="{cls}" x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)</text>', svg)
    return [(float(x), float(y), text) for x, y, text in found]


@pytest.fixture(scope="module")
def flagship(flagship_editions: dict[tuple[str, str], Built]) -> dict[str, Path]:
    built = [flagship_editions["analyst", fmt] for fmt in ("html", "print-html", "docx")]
    return {o.path.name.split(".", 1)[1]: o.path for o in built}


def test_labels_are_the_label_key_or_the_events_first_words(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    text = MINIMAL + (
        "timeline:\n"
        "  - date: 1858\n"
        "    label: Treaty of Aigun\n"
        "    event: The treaty (瑷珲条约) moves the line [@lin-2024, p. 1].\n"
        "  - date: 1860\n"
        "    event: >-\n"
        "      Convention of Peking (北京条约) cedes the land between the Ussuri and the\n"
        "      Pacific, site of the future Vladivostok [@lin-2024, p. 2].\n"
        "  - date: 1689\n"
        "    event: 'Treaty of Nerchinsk: Russia withdraws from the Amur [@lin-2024, p. 3].'\n"
    )
    (html,) = build(write_brief(text), tmp_path / "o", formats=["html"])
    labels = [
        t for _, _, t in _texts(_figure(html.path.read_text(encoding="utf-8")), "event-label")
    ]
    assert labels[0] == "Treaty of Nerchinsk"  # up to the colon
    assert labels[1] == "Treaty of Aigun"  # the brief's own label
    # no label: the first words that fit, cut after a whole word, parentheses left out
    assert labels[2] == "Convention of Peking cedes the land…"


def test_a_label_without_spaces_is_cut_at_a_character() -> None:
    text = "中华人民共和国与俄罗斯联邦签署边界协定，完成了全部边界的划定工作和勘界"
    label = short_label(text)
    assert label.endswith("…") and 10 < len(label) < 25
    assert text.startswith(label[:-1])


@pytest.mark.parametrize("kind", ["html", "print.html"])
def test_a_dense_period_never_stacks_more_than_two_deep(
    flagship: dict[str, Path], kind: str
) -> None:
    svg = _figure(flagship[kind].read_text(encoding="utf-8"))
    labels = _texts(svg, "event-label")
    assert len(labels) == 27 and "2024" in svg
    drawings = svg.count("<svg ")
    assert drawings == 1 if kind == "html" else drawings > 4  # in print, one a stretch
    for part in re.findall(r"<svg .*?</svg>", svg, re.S):
        _no_pile(part)
    assert not re.search(r"<tspan|<sup", svg)  # no note numbers on the figure


def _no_pile(svg: str) -> None:
    labels = _texts(svg, "event-label")
    dots = [
        (float(x), float(y))
        for x, y in re.findall(r'<circle class="event" cx="([\d.]+)" cy="([\d.]+)"', svg)
    ]
    columns: dict[float, list[float]] = {}
    for x, y, _ in labels:
        columns.setdefault(x, []).append(y)
    for x, ys in columns.items():
        ys.sort()
        assert all(b - a >= ROW - 0.2 for a, b in itertools.pairwise(ys))  # no overlap
        near = [cy for cx, cy in dots if abs(cx - (x - 10)) < 1]
        for y in ys:  # at its dot, or one row below it: never a third deep
            above = max(cy for cy in near if cy <= y)
            assert y - above <= ROW + 5


def test_labels_are_seven_points_or_more_in_print_and_word(flagship: dict[str, Path]) -> None:
    printed = flagship["print.html"].read_text(encoding="utf-8")
    svg = _figure(printed)
    width = float(re.search(r'viewBox="0 0 ([\d.]+)', svg).group(1))
    sizes = {float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)}
    assert ".timeline-stretches { column-count: 2; column-gap: 0; }" in printed
    assert min(sizes) * PRINT_COLUMN_PT / 2 / width >= 7  # drawn across half the column
    with zipfile.ZipFile(flagship["docx"]) as docx:
        body = docx.read("word/document.xml").decode()
        media = [n for n in docx.namelist() if n.endswith(".svg")]
        drawn = [docx.read(n).decode() for n in media]
    timeline = next(s for s in drawn if "timeline-figure" in s)
    extent = int(re.findall(r'<wp:extent cx="(\d+)"', body)[0]) / 12700  # points
    width = float(re.search(r'viewBox="0 0 ([\d.]+)', timeline).group(1))
    sizes = {float(s) for s in re.findall(r'font-size="([\d.]+)"', timeline)}
    assert extent >= 430  # the full text column of A4 less margins
    assert min(sizes) * extent / width >= 7


def test_right_to_left_runs_from_the_right_column(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    events = "".join(
        f"  - date: {year}\n    event: حدث في سنة {year} [@lin-2024, p. {n}].\n"
        for n, year in enumerate((1700, 1710, 1750, 1800, 1850, 1900, 1950, 2000, 2010), 1)
    )
    text = MINIMAL.replace("date: 2026-11-22", "date: 2026-11-22\nlanguage: ar") + (
        "timeline:\n" + events
    )
    (page, printed) = build(write_brief(text), tmp_path / "o", formats=["html", "print-html"])
    svg = _figure(page.path.read_text(encoding="utf-8"))
    years = _texts(svg, "event-year")
    labels = _texts(svg, "event-label")
    assert [y for _, _, y in years] == ["1700", "1710", "1750", "1800", "1850", "1900",
                                        "1950", "2000", "2010"]  # fmt: skip
    assert all(x < y for (x, _, _), (y, _, _) in zip(labels, years, strict=True))  # read leftward
    # in print the Arabic labels are HTML over each stretch, set from the right, at 7 pt or
    # more (the page's columns run right to left as its text does)
    html = printed.path.read_text(encoding="utf-8")
    spans = re.findall(r'class="chart-label event-label" style="(right|left):', html)
    assert len(spans) == 9 and set(spans) == {"right"}
    sizes = re.findall(r'class="chart-label event-[a-z]+" style="[^"]*font-size:([\d.]+)pt', html)
    assert sizes and 7 <= min(map(float, sizes)) <= 8
