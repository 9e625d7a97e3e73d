"""Figures drawn as inline SVG by counterpoint itself (no plotting library): the timeline
and the balance chart.

WeasyPrint 70 draws SVG `<text>` one letter at a time, with no bidi reordering and no
glyph shaping: Arabic comes out reversed and unjoined, Devanagari without its conjuncts.
When a figure's labels need either (`needs_html_labels`), the print edition draws them as
HTML spans laid over the drawing instead (absolutely placed in a relatively positioned
box), which WeasyPrint shapes and orders like any other text. The drawing keeps its
`role="img"` and text alternative; the spans are `aria-hidden`, since they repeat it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from .model import Event, year_label

if TYPE_CHECKING:
    from .findings import AuditReport
    from .i18n import Labels

WIDTH = 520.0
MARGIN = 18.0
LABEL_W = 30.0  # the width a "1689 ¹²" label needs, in SVG units
LANE_H = 15.0
AXIS_Y = 34.0
# Presentation attributes (WeasyPrint ignores CSS on SVG); web.css restyles them for dark mode.
ACCENT, MUTED, RULE, INK = "#1f3a5f", "#5a6270", "#b7c0cc", "#1b1f24"
FONT = "Liberation Sans, DejaVu Sans, sans-serif"

PRINT_COLUMN_PT = 481.9
"""The width of the base set's printed text column (A4 less 2 x 20 mm), in points: the
timeline is drawn at that width, so an HTML label's size in points is its SVG size times
PRINT_COLUMN_PT / WIDTH. The balance chart is drawn at 600 px (0.75 pt a unit)."""

BASELINE = 0.85
"""Where the baseline of a line of `line-height: 1` sits below its top, in ems (Liberation
Sans): an HTML label's top is its SVG baseline less this much of its size."""


def needs_html_labels(texts: Iterable[str]) -> bool:
    """True when any text needs bidi reordering (Arabic, Hebrew...) or glyph shaping
    (combining marks; Indic, Thai, Tibetan, Myanmar, Khmer, Mongolian scripts), which
    WeasyPrint 70 does not do for SVG text."""
    for text in texts:
        for ch in text:
            cp = ord(ch)
            if unicodedata.bidirectional(ch) in ("R", "AL", "AN"):
                return True
            if unicodedata.category(ch) in ("Mn", "Mc", "Me") and cp > 0x36F:
                return True
            if 0x0900 <= cp < 0x1100 or 0x1780 <= cp < 0x18B0 or 0xA8E0 <= cp < 0xAAE0:
                return True
    return False


@dataclass
class _Label:
    """A text of a figure: where its baseline starts (x, y, anchor), its look, its text."""

    x: float
    y: float
    anchor: str  # start, middle, end
    size: float  # SVG units
    fill: str
    cls: str
    text: str
    bold: bool = False
    note: int | None = None  # the timeline's note number, a superscript after the text
    family: str = FONT

    def svg(self, rtl: bool = False) -> str:
        weight = ' font-weight="bold"' if self.bold else ""
        call = (
            f'<tspan class="note-number" dy="-3" font-size="5.5" fill="{ACCENT}">{self.note}'
            "</tspan>"
            if self.note
            else ""
        )
        return (
            f'<text class="{self.cls}" x="{_n(self.x)}" y="{_n(self.y)}" '
            f'text-anchor="{self.anchor}" font-family="{self.family}" '
            f'font-size="{_n(self.size)}"{weight} fill="{self.fill}">{escape(self.text)}{call}'
            "</text>"
        )

    def html(self, width: float, height: float, points: float) -> str:
        """The label as a span over a drawing of `width` x `height` units, one unit being
        `points` pt when printed."""
        x = self.x / width * 100
        top = (self.y - BASELINE * self.size) / height * 100
        where = {
            "start": f"left:{x:.2f}%",
            "end": f"right:{100 - x:.2f}%",
            "middle": f"left:{x:.2f}%;transform:translateX(-50%)",
        }[self.anchor]
        weight = ";font-weight:bold" if self.bold else ""
        call = f'<sup style="color:{ACCENT}">{self.note}</sup>' if self.note else ""
        return (
            f'<span class="chart-label {self.cls}" style="{where};top:{top:.2f}%;'
            f'font-size:{self.size * points:.2f}pt;color:{self.fill}{weight}">'
            f"{escape(self.text)}{call}</span>"
        )


def _n(value: float) -> str:
    """A coordinate as the figures have always written it (1 decimal, 12 not 12.0)."""
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def _overlay(svg: str, labels: list[_Label], width: float, height: float, points: float,
             box: str = "") -> Markup:  # fmt: skip
    """The drawing in a positioned box with its labels as HTML spans over it."""
    spans = "".join(label.html(width, height, points) for label in labels)
    style = f' style="{box}"' if box else ""
    return Markup(
        f'<div class="chart-canvas"{style}>{svg}'
        f'<div class="chart-labels" aria-hidden="true">{spans}</div></div>'
    )


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
    html_labels: bool | None = False,
) -> Markup:
    """A horizontal timeline with dates to scale; each event is a dot and a label
    "YEAR ⁿ" naming its note, stacked in lanes so that no two labels overlap.

    `year(y, era)` writes a year in the paper's language; with `rtl` the figure is mirrored
    (time runs right to left, as an Arabic or Hebrew reader reads). With `html_labels` the
    labels are HTML over the drawing; None: when they need it (`needs_html_labels`)."""
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
    out: list[str | _Label] = [
        f'<svg class="timeline-figure" viewBox="0 0 {WIDTH:.0f} {height:.0f}" '
        f'role="img" aria-labelledby="timeline-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="timeline-title">{escape(title)}</title>',
        f'<line class="axis" x1="{MARGIN}" y1="{AXIS_Y}" x2="{WIDTH - MARGIN}" y2="{AXIS_Y}" '
        f'stroke="{ACCENT}" stroke-width="1.2"/>',
    ]
    era = any(e.date.year < 0 for e in events)  # across the era boundary CE years say so
    for position, tick in _nice_ticks(lo, hi):
        x = round(x_of(position), 1)
        out += [
            f'<line class="tick" x1="{x:.1f}" y1="{AXIS_Y - 4}" x2="{x:.1f}" y2="{AXIS_Y + 4}" '
            f'stroke="{ACCENT}" stroke-width="0.8"/>',
            _Label(x, AXIS_Y - 9, "middle", 8, MUTED, "tick-label", year(tick, era)),
        ]
    for p in placed:
        y = AXIS_Y + 14 + p.lane * LANE_H
        anchor = "end" if p.right_aligned else "start"
        x = round(p.x + (-1.5 if p.right_aligned else -2), 1)
        out += [
            f"<g><title>{escape(p.label)}: {escape(p.text)}</title>"
            f'<line class="leader" x1="{p.x:.1f}" y1="{AXIS_Y}" x2="{p.x:.1f}" y2="{y - 8:.1f}" '
            f'stroke="{RULE}" stroke-width="0.6"/>'
            f'<circle class="event" cx="{p.x:.1f}" cy="{AXIS_Y}" r="2.6" fill="{ACCENT}"/>',
            _Label(x, y, anchor, 7.5, INK, "event-label", p.label, note=p.note),
            "</g>",
        ]
    out.append("</svg>")
    texts = [t for t in out if isinstance(t, _Label)]
    if html_labels is None:
        html_labels = needs_html_labels(t.text for t in texts)
    svg = "".join(t if isinstance(t, str) else "" if html_labels else t.svg() for t in out)
    if rtl:
        svg = _mirrored(svg)
    if not html_labels:
        return Markup(svg)
    if rtl:  # the labels mirrored as the drawing is
        for t in texts:
            t.x = WIDTH - t.x
            t.anchor = {"start": "end", "end": "start"}.get(t.anchor, t.anchor)
    return _overlay(svg, texts, WIDTH, height, PRINT_COLUMN_PT / WIDTH)


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


# -- the balance chart of the audit appendix ---------------------------------------------
BAR, ROW_H, CHART_W = 420, 50, 600


def chart_label(audit: AuditReport, labels: Labels) -> str:
    """The balance chart's text alternative: every bar's value in words."""
    _ = labels.gettext
    parts = [
        _("%(view)s, %(words)s of words and %(sources)s of sources")
        % {
            "view": v.label,
            "words": labels.percent(v.word_share),
            "sources": labels.percent(v.source_share),
        }
        for v in audit.views
    ]
    return _("Share of words and sources by view: %(bars)s.") % {"bars": _("; ").join(parts)}


def balance_chart(
    audit: AuditReport, labels: Labels, rtl: bool = False, html_labels: bool | None = False
) -> Markup:
    """The appendix's bar chart: per view, its share of the words (dark bar) and of the
    sources (grey bar), the longest bar full length. Right to left it is mirrored: bars
    grow from the right edge and each text ends at its x. `html_labels` as for the
    timeline."""
    _ = labels.gettext
    title = _("Each view's share of words and of sources")
    height = len(audit.views) * ROW_H
    anchor = "end" if rtl else "start"
    out: list[str | _Label] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="balance-figure" role="img" '
        f'aria-label="{escape(chart_label(audit, labels))}" width="{CHART_W}" '
        f'height="{height}" viewBox="0 0 {CHART_W} {height}"'
        + (' direction="ltr">' if rtl else ">"),
        f"<title>{escape(title)}</title>",
    ]
    for n, row in enumerate(audit.views):
        y = n * ROW_H
        out.append(
            _Label(CHART_W if rtl else 0, y + 12, anchor, 11, INK, "bar-label", row.label,
                   bold=True, family="sans-serif")
        )  # fmt: skip
        for kind, bar, share, top, fill in (
            ("words", row.word_bar, row.word_share, 17, ACCENT),
            ("sources", row.source_bar, row.source_share, 31, "#8a94a3"),
        ):
            w = round(bar * BAR, 1)
            x = round(CHART_W - w, 1) if rtl else 0
            value = (
                _("%(percent)s of words") if kind == "words" else _("%(percent)s of sources")
            ) % {"percent": labels.percent(share)}
            at = round(CHART_W - w - 6, 1) if rtl else round(w + 6, 1)
            out += [
                f'<rect class="bar-{kind}" data-bar="{escape(row.id)}" x="{x}" y="{y + top}" '
                f'width="{w}" height="11" fill="{fill}"/>',
                _Label(at, y + top + 9, anchor, 10, INK, "bar-value", value, family="sans-serif"),
            ]
    out.append("</svg>")
    texts = [t for t in out if isinstance(t, _Label)]
    if html_labels is None:
        html_labels = needs_html_labels(t.text for t in texts)
    svg = "".join(t if isinstance(t, str) else "" if html_labels else t.svg() for t in out)
    if not html_labels:
        return Markup(svg)
    box = f"width:{CHART_W}px;max-width:100%"
    return _overlay(svg, texts, CHART_W, height, 0.75, box)
