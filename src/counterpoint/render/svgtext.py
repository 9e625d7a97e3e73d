"""Text in a figure: an SVG `<text>`, or an HTML span laid over the drawing where WeasyPrint
could not shape or order it.

WeasyPrint 70 draws SVG `<text>` one letter at a time, with no bidi reordering and no
glyph shaping: Arabic comes out reversed and unjoined, Devanagari without its conjuncts.
When a figure's labels need either (`needs_html_labels`), the print edition draws them as
HTML spans laid over the drawing instead (absolutely placed in a relatively positioned
box), which WeasyPrint shapes and orders like any other text. The drawing keeps its
`role="img"` and text alternative; the spans are `aria-hidden`, since they repeat it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import Markup, escape

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
class Label:
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


def overlay(svg: str, labels: list[Label], width: float, height: float, points: float,
             box: str = "") -> Markup:  # fmt: skip
    """The drawing in a positioned box with its labels as HTML spans over it."""
    spans = "".join(label.html(width, height, points) for label in labels)
    style = f' style="{box}"' if box else ""
    return Markup(
        f'<div class="chart-canvas"{style}>{svg}'
        f'<div class="chart-labels" aria-hidden="true">{spans}</div></div>'
    )
