"""Figures drawn as inline SVG by counterpoint itself (no plotting library): the timeline."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape as _xml_escape
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from .model import Event, year_label

if TYPE_CHECKING:
    from .findings import AuditReport

WIDTH = 520.0
MARGIN = 18.0
LABEL_W = 30.0  # the width a "1689 ¹²" label needs, in SVG units
LANE_H = 15.0
AXIS_Y = 34.0
# Presentation attributes (WeasyPrint ignores CSS on SVG); web.css restyles them for dark mode.
ACCENT, MUTED, RULE, INK = "#1f3a5f", "#5a6270", "#b7c0cc", "#1b1f24"
FONT = "Liberation Sans, DejaVu Sans, sans-serif"


@dataclass
class _Placed:
    x: float
    lane: int
    label: str
    note: int | None
    text: str
    right_aligned: bool = False


def _nice_ticks(lo: float, hi: float, count: int = 6) -> list[tuple[float, int]]:
    """Round historical years between two astronomical positions: (position, year).

    Years are round in the calendar readers use (200 BCE, 1 CE, 200 CE), and a BCE year
    sits one unit later on the gapless scale (astronomical numbering), so there is no 0.
    """
    span = max(hi - lo, 1.0)
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if span / step <= count:
            break
    ticks: list[tuple[float, int]] = []
    first = int(-(-(lo - 1) // step) * step)
    for year in range(first, int(hi) + 1, step):
        if year == 0:
            continue
        position = float(year + 1 if year < 0 else year)
        if lo <= position <= hi:
            ticks.append((position, year))
    return ticks


def timeline_svg(
    events: list[Event],
    note_numbers: list[int | None],
    plain_texts: list[str],
    title: str,
    rtl: bool = False,
    year: Callable[..., str] = year_label,
) -> Markup:
    """A horizontal timeline with dates to scale; each event is a dot and a label
    "YEAR ⁿ" naming its note, stacked in lanes so that no two labels overlap.

    `year(y, era)` writes a year in the paper's language; with `rtl` the figure is mirrored
    (time runs right to left, as an Arabic or Hebrew reader reads)."""
    if not events:
        return Markup("")
    points = [e.date.ordinal() for e in events]
    lo, hi = min(points), max(points)
    if hi - lo < 1:
        lo, hi = lo - 1, hi + 1
    pad = (hi - lo) * 0.02
    lo, hi = lo - pad, hi + pad

    def x_of(v: float) -> float:
        return MARGIN + (v - lo) / (hi - lo) * (WIDTH - 2 * MARGIN)

    # Labels sit to the left of their leader line (right-aligned), except near the left
    # edge: later events take deeper lanes, so no leader crosses another event's label.
    lanes: list[list[tuple[float, float]]] = []
    placed: list[_Placed] = []
    for event, point, note, text in zip(events, points, note_numbers, plain_texts, strict=True):
        x = x_of(point)
        label = year(event.date.year)
        width = max(LABEL_W, 4.2 * len(label) + 9)  # "221 BCE ¹²" is wider than "1689 ¹²"
        right_aligned = x - width > 2
        span = (x - width, x + 2) if right_aligned else (x - 2, x + width)
        lane = next(
            (
                i
                for i, used in enumerate(lanes)
                if all(b <= span[0] or a >= span[1] for a, b in used)
            ),
            len(lanes),
        )
        if lane == len(lanes):
            lanes.append([])
        lanes[lane].append(span)
        placed.append(_Placed(x, lane, label, note, text, right_aligned))

    height = AXIS_Y + 14 + len(lanes) * LANE_H + 6
    out = [
        f'<svg class="timeline-figure" viewBox="0 0 {WIDTH:.0f} {height:.0f}" '
        f'role="img" aria-labelledby="timeline-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="timeline-title">{escape(title)}</title>',
        f'<line class="axis" x1="{MARGIN}" y1="{AXIS_Y}" x2="{WIDTH - MARGIN}" y2="{AXIS_Y}" '
        f'stroke="{ACCENT}" stroke-width="1.2"/>',
    ]
    era = any(e.date.year < 0 for e in events)  # across the era boundary CE years say so
    for position, tick in _nice_ticks(lo, hi):
        x = x_of(position)
        out.append(
            f'<line class="tick" x1="{x:.1f}" y1="{AXIS_Y - 4}" x2="{x:.1f}" y2="{AXIS_Y + 4}" '
            f'stroke="{ACCENT}" stroke-width="0.8"/>'
            f'<text class="tick-label" x="{x:.1f}" y="{AXIS_Y - 9}" text-anchor="middle" '
            f'font-family="{FONT}" font-size="8" fill="{MUTED}">{year(tick, era)}</text>'
        )
    for p in placed:
        y = AXIS_Y + 14 + p.lane * LANE_H
        call = (
            f'<tspan class="note-number" dy="-3" font-size="5.5" fill="{ACCENT}">{p.note}</tspan>'
            if p.note
            else ""
        )
        out.append(
            f"<g><title>{escape(p.label)}: {escape(p.text)}</title>"
            f'<line class="leader" x1="{p.x:.1f}" y1="{AXIS_Y}" x2="{p.x:.1f}" y2="{y - 8:.1f}" '
            f'stroke="{RULE}" stroke-width="0.6"/>'
            f'<circle class="event" cx="{p.x:.1f}" cy="{AXIS_Y}" r="2.6" fill="{ACCENT}"/>'
            f'<text class="event-label" x="{p.x + (-1.5 if p.right_aligned else -2):.1f}" '
            f'y="{y:.1f}" text-anchor="{"end" if p.right_aligned else "start"}" '
            f'font-family="{FONT}" font-size="7.5" fill="{INK}">{escape(p.label)}{call}</text></g>'
        )
    out.append("</svg>")
    svg = "".join(out)
    return Markup(_mirrored(svg) if rtl else svg)


_X = re.compile(r'\b(x|x1|x2|cx)="([-\d.]+)"')


def _mirrored(svg: str) -> str:
    """The figure mirrored for a right-to-left page: every x becomes WIDTH - x, so time
    runs right to left, and each label hangs the other way from its leader line."""
    # anchors swap by hand: WeasyPrint 70 lays SVG text under direction="rtl" out reversed
    svg = _X.sub(lambda m: f'{m[1]}="{WIDTH - float(m[2]):.1f}"', svg)
    svg = _ANCHOR.sub(lambda m: f'text-anchor="{"start" if m[1] == "end" else "end"}"', svg)
    # and physical in browsers too, where the page's dir="rtl" would flip them back
    return svg.replace("<svg ", '<svg direction="ltr" ', 1)


_ANCHOR = re.compile(r'text-anchor="(start|end)"')


def balance_svg(audit: AuditReport) -> str:
    """The balance chart of the audit appendix (as templates/base/sections/balance.html)."""
    bar, row_height = 420, 50
    height = len(audit.views) * row_height
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 {height}">',
        "<title>Each view's share of words and of sources</title>",
    ]
    for n, row in enumerate(audit.views):
        y = n * row_height
        label = _xml_escape(row.label)
        out.append(
            f'<text x="0" y="{y + 12}" font-family="Liberation Sans, sans-serif" '
            f'font-size="11" font-weight="bold" fill="#1b1f24">{label}</text>'
            f'<rect x="0" y="{y + 17}" width="{row.word_bar * bar:.1f}" height="11" '
            f'fill="#1f3a5f"/>'
            f'<text x="{row.word_bar * bar + 6:.1f}" y="{y + 26}" '
            f'font-family="Liberation Sans, sans-serif" font-size="10" fill="#1b1f24">'
            f"{row.word_percent} of words</text>"
            f'<rect x="0" y="{y + 31}" width="{row.source_bar * bar:.1f}" height="11" '
            f'fill="#8a94a3"/>'
            f'<text x="{row.source_bar * bar + 6:.1f}" y="{y + 40}" '
            f'font-family="Liberation Sans, sans-serif" font-size="10" fill="#1b1f24">'
            f"{row.source_percent} of sources</text>"
        )
    out.append("</svg>")
    return "".join(out)
