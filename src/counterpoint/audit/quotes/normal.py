"""The form a quotation and its source are compared in: normalised alike (marks, dashes,
spaces, compatibility forms), lower case that keeps offsets, and a quotation's parts
between its omissions and insertions."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_TABLE = {
    # every quotation mark and apostrophe is one: a quotation writes its source's “inner”
    # quotation as ‘inner’, and the marks differ by language
    **dict.fromkeys(map(ord, '“”„‟«»「」『』〝〞〟＂❝❞"‘’‚‛‹›`´ʹʻʼ′❛❜'), "'"),
    **dict.fromkeys(map(ord, "‐‑‒–—―−﹘﹣－⸺⸻\x02"), "-"),  # \x02: PDFium's line-end hyphen
    **dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff\u180e"), None),
    # direction marks and isolates (right-to-left text on the web), and the Arabic tatweel
    # that justified text stretches words with
    **dict.fromkeys(map(ord, "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e"), None),
    **dict.fromkeys(map(ord, "\u2066\u2067\u2068\u2069\u0640"), None),
    **dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u3000\t\r\n\f\v"), " "),
}
CJK = (
    "\u1100-\u11ff\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
)
JOINT = "\ue001"
"""Where a dash between two words was dropped: a word may start or end there."""
_RULES = [
    (re.compile(r"(?<![\w])-(?=\d)"), "\ue000"),  # a minus sign: kept
    (re.compile(r"(?<=\w)\s*-+\s*(?=\w)"), JOINT),  # hyphens, dashes, line-end hyphenation
    (re.compile(r"\s*-+\s*"), "-"),
    (re.compile("\ue000"), "-"),
    (re.compile(r"\s*(['()\[\]])\s*"), r"\1"),
    (re.compile(r"\s+(?=[,.;:!?%…])"), ""),
    (re.compile(r"\s+"), " "),
]


_LINE_BREAK = re.compile(r"[ \t]*\n[ \t]*")
CJK_CHAR = re.compile(f"[{CJK}]")


def _line_break(m: re.Match[str]) -> str:
    """A line break in Chinese or Japanese text joins the lines; elsewhere it is a space."""
    text = m.string
    near = text[max(0, m.start() - 3) : m.start()] + text[m.end() : m.end() + 3]
    return "" if CJK_CHAR.search(near) else " "


def normalise(text: str) -> str:
    """The form both a quotation and its source are compared in."""
    return normalise_marked(text).replace(JOINT, "")


def normalise_marked(text: str) -> str:
    """normalise(), with JOINT where a dash between two words was dropped."""
    if "\n" in text:
        text = _LINE_BREAK.sub(_line_break, text)
    text = unicodedata.normalize("NFKC", text).translate(_TABLE)
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    if CJK_CHAR.search(text):
        text = _SPACE.sub(_cjk_space, text)
    return text.strip()


_SPACE = re.compile(" ")


def _cjk_space(m: re.Match[str]) -> str:
    """No space beside a Chinese, Japanese or Korean character, nor inside a number or word
    set among them (a line break in such text joins the lines)."""
    text = m.string
    before, after = text[max(0, m.start() - 3) : m.start()], text[m.end() : m.end() + 3]
    if (before and CJK_CHAR.match(before[-1])) or (after and CJK_CHAR.match(after[0])):
        return ""
    return "" if CJK_CHAR.search(before) and CJK_CHAR.search(after) else " "


def lower(text: str) -> str:
    """Lower case, one character for one (so offsets stay the same)."""
    out = text.lower()
    if len(out) == len(text):
        return out
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


OMISSION = re.compile(r"[\[(]\s*(?:\.\s?){3}\.?\s*[\])]|[\[(]\s*…\s*[\])]|\.(?:\s?\.){2,}|…")
INSERTION = re.compile(r"\[[^\]]*\]")
EDGE = " ,.;:!?\"'-"


@dataclass
class Part:
    text: str  # normalised
    gap: str  # what comes before it: "" (start), "omission" or "insertion"


def parts(quote: str) -> tuple[list[Part], bool, bool]:
    """The quotation's parts; and whether it starts or ends with an omission."""
    quote = unicodedata.normalize("NFKC", quote)
    tokens = re.split(f"({OMISSION.pattern}|{INSERTION.pattern})", quote)
    out: list[Part] = []
    gap = ""
    leading = trailing = False
    for n, tok in enumerate(tokens):
        if n % 2:
            kind = "omission" if OMISSION.fullmatch(tok) else "insertion"
            if not out and not any(t.strip(EDGE) for t in tokens[:n:2]):
                leading = leading or kind == "omission"
            gap = "omission" if kind == "omission" or gap == "omission" else "insertion"
            continue
        whole = normalise(tok).rstrip(EDGE)
        text = whole.lstrip(EDGE)
        if text[:1].isdigit() and whole[: len(whole) - len(text)].endswith("-"):
            text = "-" + text  # a minus sign: "-5%"
        if text:
            out.append(Part(text, gap if out else ""))
            gap = ""
    trailing = gap == "omission" and bool(out)
    return out, leading, trailing
