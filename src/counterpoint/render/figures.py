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

from counterpoint.brief.model import Event, year_label

if TYPE_CHECKING:
    from counterpoint.brief.findings import AuditReport
    from counterpoint.brief.i18n import Labels

# Presentation attributes (WeasyPrint ignores CSS on SVG); web.css restyles them for dark mode.
ACCENT, MUTED, RULE, INK = "#1f3a5f", "#5a6270", "#b7c0cc", "#1b1f24"
FONT = "Liberation Sans, DejaVu Sans, sans-serif"

PRINT_COLUMN_PT = 481.9
"""The width of the base set's printed text column (A4 less 2 x 20 mm), in points: the
timeline is drawn at that width, so an HTML label's size in points is its SVG size times
PRINT_COLUMN_PT / its width. The balance chart is drawn at 600 px (0.75 pt a unit)."""

BASELINE = 0.85
"""Where the baseline of a line of `line-height: 1` sits below its top, in ems (Liberation
Sans): an HTML label's top is its SVG baseline less this much of its size."""


def needs_html_labels(texts: Iterable[str]) -> bool:
    """True when any text needs bidi reordering (Arabic, Hebrew...) or glyph shaping
    (combining marks; Indic, Thai, Tibetan, Myanmar, Khmer, Mongolian scripts), which
    WeasyPrint 70 does not do for SVG text, or the fonts of its language (Han, Kana,
    Hangul: Japanese in a Japanese face)."""
    for text in texts:
        for ch in text:
            cp = ord(ch)
            if unicodedata.bidirectional(ch) in ("R", "AL", "AN"):
                return True
            if unicodedata.category(ch) in ("Mn", "Mc", "Me") and cp > 0x36F:
                return True
            if 0x0900 <= cp < 0x1100 or 0x1780 <= cp < 0x18B0 or 0xA8E0 <= cp < 0xAAE0:
                return True
            if _east_asian(cp):
                return True
    return False


def _east_asian(cp: int) -> bool:
    """Han, Kana, Hangul and CJK punctuation: SVG text takes each letter from whatever font
    fontconfig finds first for it (in a Japanese label, some in WenQuanYi, some in Nanum),
    while HTML text follows the page's fonts for its language (IPAex for Japanese)."""
    return (
        0x1100 <= cp < 0x1200
        or 0x2E80 <= cp < 0xA000
        or 0xAC00 <= cp < 0xD7B0
        or 0xF900 <= cp < 0xFB00
        or 0xFF00 <= cp < 0xFFF0
        or cp >= 0x20000
    )


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
    family: str = FONT

    def svg(self, rtl: bool = False) -> str:
        weight = ' font-weight="bold"' if self.bold else ""
        return (
            f'<text class="{self.cls}" x="{_n(self.x)}" y="{_n(self.y)}" '
            f'text-anchor="{self.anchor}" font-family="{self.family}" '
            f'font-size="{_n(self.size)}"{weight} fill="{self.fill}">{escape(self.text)}</text>'
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
        return (
            f'<span class="chart-label {self.cls}" style="{where};top:{top:.2f}%;'
            f'font-size:{self.size * points:.2f}pt;color:{self.fill}{weight}">'
            f"{escape(self.text)}</span>"
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


COLUMN_W = 360.0
"""The width of one column of the timeline, in SVG units. The web page draws one column
(at most 30rem wide, the full 350 px of a 390 px phone), so a label of LABEL_SIZE units is
12 px or more there."""
PRINT_COLUMN_W = 410.0
"""Print and Word draw two columns of this width side by side across the text column (820
units on 482 pt), so a label is 7.3 pt and the figure takes little of its page."""
LABEL_SIZE = 12.5
ROW = 16.0  # the height of one label line
YEAR_X, AXIS_X, TEXT_X = 62.0, 72.0, 82.0  # within a column: year (its end), line, label
TOP = 14.0  # from the top of the drawing to the first event
BREAK = 14.0  # the gap left where the line is broken
SPREAD = 0.6  # the least gap between two dates, in rows
BREAK_COST = 14.0  # height a break must save to be worth it (fewer, longer stretches read better)
LABEL_EMS = (COLUMN_W - TEXT_X - 8) / LABEL_SIZE  # the room a label has, in ems


def text_ems(text: str) -> float:
    """About how many ems of Liberation Sans (or a CJK font) a text takes."""
    total = 0.0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        if unicodedata.east_asian_width(ch) in ("W", "F"):
            total += 1.0
        elif ch in "il.,:;'|!()[] ":
            total += 0.28
        elif ch.isupper() or ch in "mwMW":
            total += 0.68
        else:
            total += 0.54
    return total


_PARENTHESES = re.compile(r"\s*[(（][^()（）]*[)）]")
_CLAUSE = re.compile(r"\s*(?:[:;：；。]|\s[–—-]\s)")  # where a title ends: "Treaty of X: ..."


def short_label(text: str, ems: float = LABEL_EMS) -> str:
    """An event's label when the brief gives none: its own first words, up to the first
    colon or dash if that is short enough, else cut after the last whole word that fits
    (with "…"). Parentheses go first: "Treaty of Aigun (瑷珲条约) transfers..." reads
    "Treaty of Aigun transfers…". Text without spaces (Chinese, Japanese) is cut at a
    character."""
    text = " ".join(_PARENTHESES.sub("", text).split()) or " ".join(text.split())
    head = _CLAUSE.split(text, maxsplit=1)[0].rstrip(" ,.")
    if head != text.rstrip(" .") and text_ems(head) <= ems and len(head) >= 8:
        return head
    if text_ems(text) <= ems:
        return text.rstrip()
    room = ems - text_ems("…")
    words = text.split(" ")
    if len(words) > 1 and text_ems(words[0]) <= room:
        kept: list[str] = []
        for word in words:
            if text_ems(" ".join([*kept, word])) > room:
                break
            kept.append(word)
        return " ".join(kept).rstrip(" ,.;:–—-(") + "…"
    out = ""
    for ch in text:
        if text_ems(out + ch) > room:
            break
        out += ch
    return out.rstrip(" ,.;:、，") + "…"


def timeline_labels(events: list[Event], texts: list[str]) -> list[str]:
    """Each event's label on the figure: its `label:`, else its own first words."""
    return [e.label or short_label(t) for e, t in zip(events, texts, strict=True)]


@dataclass
class _Row:
    event: int  # its index among the events
    dot: float  # where its date is on the line
    y: float  # where its label is: at its dot, or a row lower when the one before is there
    first: bool  # the first event of its date draws the dot


def _scales(dates: list[float]) -> list[list[float]]:
    """scales[a][b]: the least scale (units a year) that lets the events a..b-1 be drawn as
    one stretch: any two events apart by one other event are two rows apart (so no label
    is more than a row from its dot), and two dates next to each other SPREAD of a row
    apart."""
    n = len(dates)
    # no stretch is drawn smaller than the whole would be with its events evenly spread:
    # a long empty time is a break in the line, not a crowd of labels
    least = n * ROW / max(dates[-1] - dates[0], 1e-9)
    table = [[least] * (n + 1) for _ in range(n + 1)]
    for a in range(n):
        for b in range(a + 2, n + 1):
            gap = dates[b - 1] - dates[b - 2]
            need = SPREAD * ROW / gap if gap > 0 else 0.0
            if b - a >= 3:
                gap = dates[b - 1] - dates[b - 3]
                need = max(need, 2 * ROW / gap if gap > 0 else float("inf"))
            table[a][b] = max(table[a][b - 1], need)
    return table


def _best(dates: list[float], scales: list[list[float]], first: int, last: int,
          breakable: float) -> list[tuple[float, list[tuple[int, int]]]]:  # fmt: skip
    """For each end e in first..last, the shortest drawing of events first..e-1 as stretches
    (begin, end), breaking the line only where `breakable` years or more pass."""
    best: list[tuple[float, list[tuple[int, int]]]] = [(0.0, [])]
    for end in range(first + 1, last + 1):
        choice: tuple[float, list[tuple[int, int]]] = (float("inf"), [])
        for begin in range(first, end):
            if begin > first and dates[begin] - dates[begin - 1] < breakable:
                continue
            scale = scales[begin][end]
            height = scale * (dates[end - 1] - dates[begin]) + 1.5 * ROW
            before, parts = best[begin - first]
            cost = before + height + (BREAK + BREAK_COST if parts else 0.0)
            if cost < choice[0]:
                choice = (cost, [*parts, (begin, end)])
        best.append(choice)
    return best


def _column(dates: list[float], scales: list[list[float]], parts: list[tuple[int, int]]
            ) -> tuple[list[_Row], list[tuple[float, float]], float]:  # fmt: skip
    """The rows of a column, its line's pieces (top, bottom) and its height."""
    rows: list[_Row] = []
    pieces: list[tuple[float, float]] = []
    y = TOP
    for n, (begin, end) in enumerate(parts):
        if n:
            y += BREAK
        top, scale = y, scales[begin][end]
        for i in range(begin, end):
            dot = top + (dates[i] - dates[begin]) * scale
            at = max(dot, rows[-1].y + ROW) if i > begin else dot
            rows.append(_Row(i, dot, at, i == begin or dates[i] != dates[i - 1]))
        pieces.append((top, rows[-1].dot))
        y = rows[-1].y + ROW
    return rows, pieces, y


def timeline_svg(
    events: list[Event],
    labels: list[str],
    plain_texts: list[str],
    title: str,
    rtl: bool = False,
    year: Callable[..., str] = year_label,
    html_labels: bool | None = False,
    columns: int = 1,
    flow: bool = False,
) -> Markup:
    """A timeline read top to bottom: each event a dot on a line with its year and a short
    label, dates to scale within each stretch of the line, the line broken where a long
    time passes without an event (so a dense period is never a pile of labels). With
    `columns=2` (Word) it runs on in a second column; with `flow` (print) each stretch is
    a drawing of its own, set in two columns by the page's CSS, so the figure can go on
    over a page break between stretches rather than leave a page a third empty.
    `year(y, era)` writes a year in the paper's language; with `rtl` the figure is mirrored
    (the year right of the line, the label to its left, the first column on the right).
    With `html_labels` the labels are HTML over the drawing; None: when they need it
    (`needs_html_labels`)."""
    if not events:
        return Markup("")
    dates = [e.date.ordinal() for e in events]
    scales = _scales(dates)
    n = len(dates)
    breakable = max((dates[-1] - dates[0]) / 40, 1e-9)
    forward = _best(dates, scales, 0, n, breakable)
    era = any(e.date.year < 0 for e in events)  # across the era boundary CE years say so
    draw = _Drawing(events, labels, plain_texts, year, era, rtl, html_labels)
    if flow:
        parts = forward[n][1]
        drawings = [
            draw.svg(
                [_column(dates, scales, [part])], PRINT_COLUMN_W, "", i > 0, PRINT_COLUMN_PT / 2
            )
            for i, part in enumerate(parts)
        ]
        return Markup(
            f'<div class="timeline-stretches" role="img" aria-label="{escape(title)}">'
            + "".join(drawings)
            + "</div>"
        )
    layout = [_column(dates, scales, forward[n][1])]
    if columns > 1 and n > 1:  # the second column begins where the two are most even
        backward = [_best(dates, scales, k, n, breakable)[-1] for k in range(1, n)]
        k = min(range(1, n), key=lambda k: max(forward[k][0], backward[k - 1][0]))
        layout = [
            _column(dates, scales, forward[k][1]),
            _column(dates, scales, backward[k - 1][1]),
        ]
    column_w = COLUMN_W if columns < 2 else PRINT_COLUMN_W
    return Markup(draw.svg(layout, column_w, title))


@dataclass
class _Drawing:
    """What every drawing of one timeline shares: its events, their words, its direction."""

    events: list[Event]
    labels: list[str]
    plain_texts: list[str]
    year: Callable[..., str]
    era: bool
    rtl: bool
    html_labels: bool | None

    def svg(self, layout: list[tuple[list[_Row], list[tuple[float, float]], float]],
            column_w: float, title: str, broken: bool = False,
            printed: float = PRINT_COLUMN_PT) -> str:  # fmt: skip
        """The columns of `layout` side by side; with a title, the figure's accessible
        drawing, else one stretch of it (hidden from assistive technology: the figure's
        box carries the name), `broken` when it follows a break in the line. `printed`:
        the drawing's width in print, in points (for labels laid over it as HTML)."""
        width = column_w * len(layout)
        height = max(h for _, _, h in layout) + 4
        named = (
            'class="timeline-figure" role="img" aria-labelledby="timeline-title"'
            if title
            else 'class="timeline-figure timeline-stretch" aria-hidden="true"'
        )
        out: list[str | _Label] = [
            f'<svg {named} viewBox="0 0 {width:.0f} {height:.0f}" '
            'xmlns="http://www.w3.org/2000/svg">',
        ]
        if title:
            out.append(f'<title id="timeline-title">{escape(title)}</title>')
        for c, (rows, pieces, _height) in enumerate(layout):
            left = c * column_w
            axis = left + AXIS_X
            end = 0.0 if not broken else -BREAK
            for n, (top, bottom) in enumerate(pieces):
                out.append(
                    f'<line class="axis" x1="{axis:.1f}" y1="{top - 7:.1f}" x2="{axis:.1f}" '
                    f'y2="{bottom + 7:.1f}" stroke="{ACCENT}" stroke-width="1.2"/>'
                )
                if n or broken:  # the break: two short strokes across the gap in the line
                    middle = max((end + top - 7) / 2, 4.5)
                    for dy in (-2.5, 2.5):
                        y = middle + dy
                        out.append(
                            f'<line class="break" x1="{axis - 5:.1f}" y1="{y + 2:.1f}" '
                            f'x2="{axis + 5:.1f}" y2="{y - 2:.1f}" stroke="{MUTED}" '
                            'stroke-width="1"/>'
                        )
                end = bottom + 7
            out += self._rows(rows, pieces, left, axis)
        out.append("</svg>")
        texts = [t for t in out if isinstance(t, _Label)]
        html_labels = self.html_labels
        if html_labels is None:
            html_labels = needs_html_labels(t.text for t in texts)
        svg = "".join(t if isinstance(t, str) else "" if html_labels else t.svg() for t in out)
        if self.rtl:
            svg = _mirrored(svg, width)
        if not html_labels:
            return svg
        if self.rtl:  # the labels mirrored as the drawing is
            for t in texts:
                t.x = width - t.x
                t.anchor = {"start": "end", "end": "start"}.get(t.anchor, t.anchor)
        return str(_overlay(svg, texts, width, height, printed / width))

    def _rows(self, rows: list[_Row], pieces: list[tuple[float, float]], left: float,
              axis: float) -> list[str | _Label]:  # fmt: skip
        out: list[str | _Label] = []
        shown = ""
        for row in rows:
            e = self.events[row.event]
            text = self.year(e.date.year, self.era)
            if row.first and any(row.dot == top for top, _ in pieces):
                shown = ""  # a stretch names its first year
            baseline = row.y + LABEL_SIZE * 0.36
            out.append(f"<g><title>{escape(text)}: {escape(self.plain_texts[row.event])}</title>")
            if row.first:
                out.append(
                    f'<circle class="event" cx="{axis:.1f}" cy="{row.dot:.1f}" r="3.4" '
                    f'fill="{ACCENT}"/>'
                )
            if row.y > row.dot:  # a label a row below its dot: a short leader to it
                out.append(
                    f'<line class="leader" x1="{axis + 3:.1f}" y1="{row.dot + 2:.1f}" '
                    f'x2="{left + TEXT_X - 3:.1f}" y2="{row.y:.1f}" stroke="{RULE}" '
                    'stroke-width="0.8"/>'
                )
            if text != shown:
                out.append(
                    _Label(left + YEAR_X, baseline, "end", LABEL_SIZE, ACCENT, "event-year",
                           text, bold=True)
                )  # fmt: skip
                shown = text
            out += [
                _Label(left + TEXT_X, baseline, "start", LABEL_SIZE, INK, "event-label",
                       self.labels[row.event]),
                "</g>",
            ]  # fmt: skip
        return out


_X = re.compile(r'\b(x|x1|x2|cx)="([-\d.]+)"')


def _mirrored(svg: str, width: float) -> str:
    """The figure mirrored for a right-to-left page: every x becomes width - x, so the
    label reads from the right of its line and the columns run right to left."""
    # anchors swap by hand: WeasyPrint 70 lays SVG text under direction="rtl" out reversed
    svg = _X.sub(lambda m: f'{m[1]}="{width - float(m[2]):.1f}"', svg)
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
                   bold=True)
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
                _Label(at, y + top + 9, anchor, 10, INK, "bar-value", value),
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
