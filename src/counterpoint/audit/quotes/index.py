"""A source's text indexed for matching: its blocks normalised into one text, where a
passage is in it (page, paragraph), and the citation's locator it is checked against."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from counterpoint.audit.quotes.blocks import Block, Extracted
from counterpoint.audit.quotes.normal import JOINT, lower, normalise_marked

_PARA = r"paras?\.?|paragraphs?|¶¶?|abs\.|абз\.|párr\."
_PAGE = r"pp?\.?|pages?|seiten?|s\.|с\.|стр\.|pág(?:s?)\.|pgs?\."
_VALUE = r"[0-9ivxlcdm]+(?:\s*[-–—]\s*[0-9ivxlcdm]+)?"
_AND = r"\s*(?:,|&|and|und|et|y|и)\s*"
_LOCATOR = re.compile(
    rf"^\s*,?\s*(?P<label>{_PARA}|{_PAGE})\s*(?P<values>{_VALUE}(?:{_AND}{_VALUE})*)\b",
    re.I,
)
_BARE = re.compile(
    rf"^\s*,?\s*(?P<label>)(?P<values>\d+(?:\s*[-–—]\s*\d+)?(?:{_AND}\d+(?:\s*[-–—]\s*\d+)?)*)\b"
)
"""A bare number is a page (Pandoc's rule); only digits, so that a word is never one."""
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}


def _roman(value: str) -> int | None:
    value = value.lower()
    if not value or any(c not in _ROMAN for c in value):
        return None
    total = 0
    for a, b in zip(value, value[1:] + " ", strict=False):
        n = _ROMAN[a]
        total += -n if b != " " and _ROMAN[b] > n else n
    return total


def _to_roman(n: int) -> str:
    out = ""
    for value, numeral in (
        (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
        (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
    ):  # fmt: skip
        while n >= value:
            out, n = out + numeral, n - value
    return out


@dataclass
class Locator:
    """A citation's locator that can be checked: paragraphs or pages, and their values."""

    kind: str  # "para" or "page"
    values: set[str] = field(default_factory=set)
    text: str = ""  # as written

    def __str__(self) -> str:
        return self.text


def locator(suffix: str) -> Locator | None:
    """The paragraph or page locator of a citation's suffix (", paras. 3, 18-19", ", pp.
    112-14", ", 45"); None when it names nothing these checks can place (chap., sec.)."""
    suffix = re.sub(r"(\d)(ff?)\.?(?!\w)", r"\1 \2.", suffix or "")  # "7f." is "7 f."
    m = _LOCATOR.match(suffix) or _BARE.match(suffix)
    if not m:
        return None
    label = m["label"].lower()
    kind = "para" if re.fullmatch(_PARA, label, re.I) and label else "page"
    values: set[str] = set()
    for item in re.split(r"\s*(?:,|&|\band\b|\bund\b|\bet\b|\by\b|\bи\b)\s*", m["values"]):
        ends = re.split(r"\s*[-–—]\s*", item.strip())
        if len(ends) == 1:
            values.add(ends[0].lower())
            continue
        a, b = ends
        if a.isdigit() and b.isdigit():
            start, end = int(a), int(b)
            if end < start and len(b) < len(a):  # 112-14 is 112-114
                end = int(a[: len(a) - len(b)] + b)
            if 0 <= end - start <= 5000:
                values.update(str(n) for n in range(start, end + 1))
            else:
                values.update((a, b))
        elif (ra := _roman(a)) and (rb := _roman(b)) and 0 <= rb - ra <= 500:
            values.update(_to_roman(n) for n in range(ra, rb + 1))
        else:
            values.update((a.lower(), b.lower()))
    following = re.match(r"\s*(ff?)\.?(?!\w)", suffix[m.end() :])
    if following:  # "S. 45 f.": and the next one; "45 ff.": and those after, unchecked
        last = m["values"].rsplit(",", 1)[-1].split("-")[-1].strip()
        if following[1] == "ff" or not last.isdigit():
            return None
        values.add(str(int(last) + 1))
    written = m.group(0) + (following[0] if following else "")
    return Locator(kind, values, written.strip().lstrip(",").strip())


@dataclass
class Index:
    """A snapshot's text in normalised form, and where each block starts in it."""

    extracted: Extracted
    text: str
    low: str
    starts: list[int]
    joints: frozenset[int] = frozenset()  # offsets where a dash between words was dropped

    @classmethod
    def of(cls, extracted: Extracted) -> Index:
        pieces: list[str] = []
        starts: list[int] = []
        joints: set[int] = set()
        at = 0
        for b in extracted.blocks:
            marked = normalise_marked(b.text).split(JOINT)
            if pieces:
                pieces.append(" ")
                at += 1
            starts.append(at)
            for n, piece in enumerate(marked):
                if n:
                    joints.add(at)
                pieces.append(piece)
                at += len(piece)
        text = "".join(pieces)
        return cls(extracted, text, lower(text), starts, frozenset(joints))

    def block_at(self, offset: int) -> Block:
        return self.extracted.blocks[max(0, bisect.bisect_right(self.starts, offset) - 1)]

    def blocks(self, start: int, end: int) -> list[Block]:
        first = max(0, bisect.bisect_right(self.starts, start) - 1)
        last = max(first, bisect.bisect_right(self.starts, max(start, end - 1)) - 1)
        return self.extracted.blocks[first : last + 1]

    def place(self, start: int, end: int) -> str:
        """Where a passage is, as a locator: 'para. 5', 'p. iv', 'paras. 5-6'."""
        blocks = self.blocks(start, end)
        if self.extracted.pages:
            pages = list(dict.fromkeys(b.folio or b.page for b in blocks if b.page))
            if pages:
                return ("p. " if len(pages) == 1 else "pp. ") + "-".join(
                    pages[:: len(pages) - 1 or 1]
                )
        paras = [b.para for b in blocks if b.para]
        if paras:
            return f"para. {paras[0]}" if len(set(paras)) == 1 else f"paras. {paras[0]}-{paras[-1]}"
        return "a heading" if blocks and blocks[0].heading else ""

    def at_locator(self, start: int, end: int, loc: Locator | None) -> bool:
        """Whether the passage is where the locator says (True when it cannot be checked)."""
        if loc is None:
            return True
        blocks = self.blocks(start, end)
        if loc.kind == "page":
            if not self.extracted.pages:
                return True
            return any(b.page.lower() in loc.values or b.folio in loc.values for b in blocks)
        if not self.extracted.paras or not any(b.para or b.block for b in blocks):
            return True  # no paragraphs there (loose text of a page): nothing to check
        return any(
            (b.para and str(b.para) in loc.values) or (b.block and str(b.block) in loc.values)
            for b in blocks
        )
