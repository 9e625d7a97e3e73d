"""Figures drawn as inline SVG by counterpoint itself (no plotting library): the timeline
and the balance chart, their labels drawn as SVG text or as HTML over the drawing (svgtext.py),
the timeline laid out by timelayout.py."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from counterpoint.brief.model import Event, year_label
from counterpoint.render.svgtext import (
    ACCENT,
    INK,
    MUTED,
    PRINT_COLUMN_PT,
    RULE,
    Label,
    needs_html_labels,
    overlay,
)
from counterpoint.render.timelayout import (
    AXIS_X,
    BREAK,
    COLUMN_W,
    LABEL_SIZE,
    PRINT_COLUMN_W,
    TEXT_X,
    YEAR_X,
    Row,
    best_stretches,
    column_rows,
    scale_table,
    short_label,
)

if TYPE_CHECKING:
    from counterpoint.brief.findings import AuditReport
    from counterpoint.brief.i18n import Labels


def timeline_labels(events: list[Event], texts: list[str]) -> list[str]:
    """Each event's label on the figure: its `label:`, else its own first words."""
    return [e.label or short_label(t) for e, t in zip(events, texts, strict=True)]


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
    scales = scale_table(dates)
    n = len(dates)
    breakable = max((dates[-1] - dates[0]) / 40, 1e-9)
    forward = best_stretches(dates, scales, 0, n, breakable)
    era = any(e.date.year < 0 for e in events)  # across the era boundary CE years say so
    draw = _Drawing(events, labels, plain_texts, year, era, rtl, html_labels)
    if flow:
        parts = forward[n][1]
        drawings = [
            draw.svg(
                [column_rows(dates, scales, [part])], PRINT_COLUMN_W, "", i > 0, PRINT_COLUMN_PT / 2
            )
            for i, part in enumerate(parts)
        ]
        return Markup(
            f'<div class="timeline-stretches" role="img" aria-label="{escape(title)}">'
            + "".join(drawings)
            + "</div>"
        )
    layout = [column_rows(dates, scales, forward[n][1])]
    if columns > 1 and n > 1:  # the second column begins where the two are most even
        backward = [best_stretches(dates, scales, k, n, breakable)[-1] for k in range(1, n)]
        k = min(range(1, n), key=lambda k: max(forward[k][0], backward[k - 1][0]))
        layout = [
            column_rows(dates, scales, forward[k][1]),
            column_rows(dates, scales, backward[k - 1][1]),
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

    def svg(self, layout: list[tuple[list[Row], list[tuple[float, float]], float]],
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
        out: list[str | Label] = [
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
        texts = [t for t in out if isinstance(t, Label)]
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
        return str(overlay(svg, texts, width, height, printed / width))

    def _rows(self, rows: list[Row], pieces: list[tuple[float, float]], left: float,
              axis: float) -> list[str | Label]:  # fmt: skip
        out: list[str | Label] = []
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
                    Label(left + YEAR_X, baseline, "end", LABEL_SIZE, ACCENT, "event-year",
                           text, bold=True)
                )  # fmt: skip
                shown = text
            out += [
                Label(left + TEXT_X, baseline, "start", LABEL_SIZE, INK, "event-label",
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
    out: list[str | Label] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="balance-figure" role="img" '
        f'aria-label="{escape(chart_label(audit, labels))}" width="{CHART_W}" '
        f'height="{height}" viewBox="0 0 {CHART_W} {height}"'
        + (' direction="ltr">' if rtl else ">"),
        f"<title>{escape(title)}</title>",
    ]
    for n, row in enumerate(audit.views):
        y = n * ROW_H
        out.append(
            Label(CHART_W if rtl else 0, y + 12, anchor, 11, INK, "bar-label", row.label,
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
                Label(at, y + top + 9, anchor, 10, INK, "bar-value", value),
            ]
    out.append("</svg>")
    texts = [t for t in out if isinstance(t, Label)]
    if html_labels is None:
        html_labels = needs_html_labels(t.text for t in texts)
    svg = "".join(t if isinstance(t, str) else "" if html_labels else t.svg() for t in out)
    if not html_labels:
        return Markup(svg)
    box = f"width:{CHART_W}px;max-width:100%"
    return overlay(svg, texts, CHART_W, height, 0.75, box)
