"""Quotations in a brief's Markdown fields, each with its citation and its file:line:col.

A quotation is text in double quotation marks (straight, or “…”, «…», „…“, »…«, 「…」, 『…』)
followed in the same sentence by a citation, or a Markdown block quote followed by one.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from pathlib import Path

from counterpoint.brief.model import Brief, Citation, Text
from counterpoint.errors import Location

PAIRS = {"“": "”", "«": "»", "„": "“”", "»": "«", "「": "」", "『": "』", '"': '"', "‟": "”"}
"""Opening quotation marks and the marks that close them."""

_CJK = re.compile("[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)|[。！？]|\n[ \t]*\n")
_ABBREVIATION = re.compile(
    r"(?:^|[\s(])(?:\w|\w\.\w|\w\.\w\.\w|mr|mrs|ms|dr|prof|gen|sen|rep|gov|col|lt|sgt|capt|"
    r"st|jr|sr|rev|hon|vs|etc|al|cf|ca|approx|no|nos|vol|inc|ltd|co|corp|dept|univ|jan|feb|"
    r"mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|z\.b|bzw|usw|dt|hr|fr|st|т\.е|г|гг|им)\.$",
    re.I,
)
"""A word before a full stop that is an abbreviation (U.S., Dr., i.e., etc.): the
sentence goes on."""


_SAID = re.compile(
    r"(?:\S+\s+){0,3}?(?:said|says|asked|asks|wrote|writes|told|added|adds|noted|notes|"
    r"argued|argues|warned|warns|explained|stated|states|insisted|declared|replied|claimed|"
    r"claims|dit|a dit|déclare|a déclaré|écrit|a écrit|sagte|sagt|schrieb|schreibt|erklärte|"
    r"fragte|dijo|escribió|afirmó|сказал|сказала|написал|написала|заявил|заявила)(?!\w)",
    re.I,
)
"""'"It is over!" Lin said [@x]': the name is not a new sentence's first word."""


def _ends_sentence(between: str) -> bool:
    """Whether the text between a quotation and a citation holds the end of a sentence."""
    for m in _SENTENCE_END.finditer(between):
        if m[0] == "." and _ABBREVIATION.search(between[: m.end()]):
            continue
        return True
    return False


@dataclass
class Found:
    """One quotation as written in a field."""

    text: str  # the quoted words, Markdown markup removed
    start: int  # offsets of the quotation (marks included) in the field's Markdown
    end: int
    citation: Citation
    block: bool = False  # a block quote


def _citation_spans(text: Text) -> list[tuple[int, int, Citation]]:
    """Where each citation of a field stands in its Markdown, in order."""
    out = []
    at = 0
    src = text.source
    for cite in text.citations:
        raw = cite.raw
        i = src.find(raw, at) if raw else -1
        if i < 0:
            key = "@" + cite.items[0].key if cite.items else "@"
            i = src.find(key, at)
            if i < 0:
                continue
            raw = key
        out.append((i, i + len(raw), cite))
        at = i + len(raw)
    return out


_MARKUP = [
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?!\*)"), r"\1"),
    (re.compile(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)"), r"\1"),
    (re.compile(r"`([^`]*)`"), r"\1"),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!\"'@])"), r"\1"),
]


def _plain(text: str) -> str:
    for pattern, replacement in _MARKUP:
        text = pattern.sub(replacement, text)
    return text


def _following(
    spans: list[tuple[int, int, Citation]], src: str, after: int, ended: bool = False
) -> Citation | None:
    """The first citation after `after` in the same sentence; `ended`: the quotation's own
    words end with a full stop, so a capital after it starts the next sentence."""
    for start, _, cite in spans:
        if start < after:
            continue
        words = src[after:start].strip()
        if ended and words[:1].isupper() and not _SAID.match(words):
            return None  # "It is over." Then … [@x]: the citation is the next sentence's
        between = src[after:start].replace("[", " ").replace("]", " ")
        # a citation right after the sentence's full stop (`"…". [@x]`) still belongs to it
        between = re.sub(r"[.!?。！？]\s*$", "", between.rstrip())
        if _ends_sentence(between):
            return None
        return cite
    return None


_BLOCK_LINE = re.compile(r"^[ \t]{0,3}>.*(?:\n|$)", re.M)


def find(text: Text) -> list[Found]:
    """Every quotation of one Markdown field that a citation follows."""
    src = text.source
    if not text.citations or (not any(m in src for m in PAIRS) and ">" not in src):
        return []
    spans = _citation_spans(text)
    found: list[Found] = []
    masked = list(src)
    # block quotes: consecutive '>' lines
    for m in re.finditer(r"(?:^[ \t]{0,3}>.*(?:\n|$))+", src, re.M):
        start, end = m.start(), m.end()
        for i in range(start, end):
            masked[i] = " " if src[i] != "\n" else "\n"
        inside = [s for s in spans if start <= s[0] < end]
        cite = inside[-1][2] if inside else _following(spans, src, end)
        if cite is None:
            continue
        body = m.group(0)
        for s0, s1, _ in reversed(inside):  # the citations are not part of the quotation
            body = body[: s0 - start] + " " * (s1 - s0) + body[s1 - start :]
        body = re.sub(r"^[ \t]{0,3}(?:>[ \t]?)+", "", body, flags=re.M)
        body = re.sub(r"\s*[—–―-]+\s*$", "", body.strip())  # a trailing attribution dash
        if re.search(r"\w", body):
            found.append(Found(_plain(body.strip()), start, end, cite, block=True))
    flat = "".join(masked)
    for s0, s1, _ in spans:  # no quotation marks are looked for inside citations
        flat = flat[:s0] + " " * (s1 - s0) + flat[s1:]
    i = 0
    while i < len(flat):
        ch = flat[i]
        closers = PAIRS.get(ch)
        if closers is None or (
            # a straight mark right after a letter or digit closes, or is an inch mark (12");
            # after a space, punctuation or a Chinese or Japanese character it opens
            ch == '"' and i > 0 and flat[i - 1].isalnum() and not _CJK.match(flat[i - 1])
        ):
            i += 1
            continue
        j = i + 1
        depth = 0
        while j < len(flat):
            c = flat[j]
            if flat[j : j + 2] == "\n\n":
                j = len(flat)
                break
            if c in closers and c != ch:
                if depth == 0:
                    break
                depth -= 1
            elif c == ch:
                if ch == '"':
                    break
                depth += 1
            j += 1
        if j >= len(flat):
            i += 1
            continue
        inner = src[i + 1 : j]
        cite = _following(spans, src, j + 1, ended=bool(re.search(r"[.!?。！？]\s*$", inner)))
        if cite is not None and re.search(r"\w", inner):
            found.append(Found(_plain(inner.strip()), i, j + 1, cite))
        i = j + 1
    found.sort(key=lambda f: f.start)
    return found


# -- where a quotation is in its file ----------------------------------------------------------
class Locator:
    """The brief's files as read, to place a quotation at the line and column of its mark."""

    def __init__(self) -> None:
        self._files: dict[str, tuple[str, list[int]] | None] = {}

    def _load(self, file: str) -> tuple[str, list[int]] | None:
        if file not in self._files:
            try:
                content = Path(file).read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError):
                self._files[file] = None
            else:
                content = content.replace("\r\n", "\n")
                starts = [0] + [m.end() for m in re.finditer("\n", content)]
                self._files[file] = (content, starts)
        return self._files[file]

    def locate(self, text: Text, found: Found) -> Location:
        where = text.where
        loaded = self._load(where.file) if where.line else None
        if loaded is None or where.line > len(loaded[1]):
            return where
        content, starts = loaded
        src = text.source
        # the quotation's first words, as a pattern over line breaks and indentation
        head = src[found.start : found.start + 60]
        words = head.split()[:5]
        if not words:
            return where
        pattern = re.compile(r"\s+".join(re.escape(w).replace('"', r'\\?"') for w in words))
        nth = len(list(pattern.finditer(" ".join(src[: found.start].split()))))
        begin = starts[where.line - 1] + where.col - 1
        end = min(len(content), begin + 3 * len(src) + 400)
        hits = list(pattern.finditer(content, begin, end))
        if nth >= len(hits):
            return where
        offset = hits[nth].start()
        if found.block:  # the '>' of the line
            offset = content.rfind("\n", 0, offset) + 1
            offset += len(content[offset:]) - len(content[offset:].lstrip(" \t"))
        line = bisect.bisect_right(starts, offset)
        return Location(where.file, line, offset - starts[line - 1] + 1)


def quotations(brief: Brief) -> list[tuple[str, Text, Found]]:
    """Every quotation of a brief with its field's key path, in reading order."""
    out = []
    for path, text in brief.texts():
        for f in find(text):
            out.append((path, text, f))
    return out
