"""The timeline's layout: each event's label cut to fit, dates to scale within stretches of
the line, the line broken where a long time passes, the stretches set in columns."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

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


@dataclass
class Row:
    event: int  # its index among the events
    dot: float  # where its date is on the line
    y: float  # where its label is: at its dot, or a row lower when the one before is there
    first: bool  # the first event of its date draws the dot


def scale_table(dates: list[float]) -> list[list[float]]:
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


def best_stretches(dates: list[float], scales: list[list[float]], first: int, last: int,
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


def column_rows(dates: list[float], scales: list[list[float]], parts: list[tuple[int, int]]
            ) -> tuple[list[Row], list[tuple[float, float]], float]:  # fmt: skip
    """The rows of a column, its line's pieces (top, bottom) and its height."""
    rows: list[Row] = []
    pieces: list[tuple[float, float]] = []
    y = TOP
    for n, (begin, end) in enumerate(parts):
        if n:
            y += BREAK
        top, scale = y, scales[begin][end]
        for i in range(begin, end):
            dot = top + (dates[i] - dates[begin]) * scale
            at = max(dot, rows[-1].y + ROW) if i > begin else dot
            rows.append(Row(i, dot, at, i == begin or dates[i] != dates[i - 1]))
        pieces.append((top, rows[-1].dot))
        y = rows[-1].y + ROW
    return rows, pieces, y
