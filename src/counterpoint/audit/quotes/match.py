"""A quotation against its source's text: the exact placement of its parts, else the
closest passage by approximate search, and the verdict.

Both sides are normalised the same way (whitespace, quotation marks, dashes and hyphens,
Unicode compatibility forms such as ligatures, soft hyphens, line-end hyphenation). A
quotation is `verified` only when every part of it (between its omissions and insertions)
is found exactly in that form, near the part before it, with only the case of each part's
first letter allowed to differ. Otherwise edlib (Myers' bit-vector algorithm) finds the
closest passage: close enough, it is `altered` and the difference is shown word by word;
else `not-found`.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from counterpoint.audit.quotes.index import Index, Locator
from counterpoint.audit.quotes.normal import (
    CJK,
    CJK_CHAR,
    EDGE,
    INSERTION,
    OMISSION,
    Part,
    lower,
    normalise,
    parts,
)
from counterpoint.audit.quotes.qualifiers import (
    dropped_qualifiers,
    guess_languages,
    negation_after,
    negation_before,
)

OMISSION_WINDOW = 3000
"""Characters an omission may skip: a quotation's parts stand close together."""
INSERTION_WINDOW = 80
"""Characters an editorial insertion [like this] may stand for in the source."""
CLOSE = 0.35
"""A passage within this share of edits of a part is a close match (altered)."""


@dataclass
class Result:
    """A quotation's verdict against one source."""

    verdict: str
    place: str = ""  # where in the source: "para. 5", "p. 12"
    evidence: str = ""  # the source's words (normalised)
    diff: str = ""  # for altered: the word-level difference
    dropped: list[str] = field(default_factory=list)  # for omission-review


RANK = {"verified": 0, "wrong-locator": 1, "omission-review": 2, "altered": 3, "not-found": 4}


def _occurrences(low: str, needle: str, limit: int = 500) -> list[int]:
    out: list[int] = []
    i = low.find(needle)
    while i >= 0 and len(out) < limit:
        out.append(i)
        i = low.find(needle, i + 1)
    return out


def _chains(index: Index, qparts: list[Part]) -> list[list[tuple[int, int]]]:
    """Every exact placement of the parts, each part after and near the one before."""
    low = index.low
    lows = [lower(p.text) for p in qparts]
    chains = []
    for s in _occurrences(low, lows[0]):
        chain = [(s, s + len(lows[0]))]
        for p, needle in zip(qparts[1:], lows[1:], strict=False):
            pos = chain[-1][1]
            window = INSERTION_WINDOW if p.gap == "insertion" else OMISSION_WINDOW
            k = low.find(needle, pos, pos + window + len(needle))
            if k < 0:
                break
            chain.append((k, k + len(needle)))
        else:
            chains.append(chain)
    # a part may occur again later: each chain's earlier parts moved up to the next one
    for chain in chains:
        for n in range(len(chain) - 2, -1, -1):
            start, end = chain[n]
            while True:
                k = low.find(lows[n], start + 1, chain[n + 1][0])
                if k < 0 or k + len(lows[n]) > chain[n + 1][0]:
                    break
                start, end = k, k + len(lows[n])
            chain[n] = (start, end)
    return chains


def _word(c: str) -> bool:
    return c.isalnum() and not CJK_CHAR.match(c)


def _whole(index: Index, start: int, end: int, open_start: bool, open_end: bool) -> bool:
    """Whether a passage starts and ends at word boundaries ("agreed" is not the end of
    "disagreed", nor "2%" of "12%"); a note's number after the last word is no word."""
    text = index.text
    if 0 < start < len(text) and text[start].isdigit():  # "5%" of "-5%", "5" of "2.5"
        sign = text[start - 1] == "-" and (start < 2 or not _word(text[start - 2]))
        if sign or (text[start - 1] in ".," and start > 1 and text[start - 2].isdigit()):
            return False
    cut = 0 < end < len(text) - 1 and text[end - 1].isdigit() and text[end] in ".,"
    if cut and text[end + 1].isdigit():  # "12" of "12.5"
        return False
    open_start = open_start or start in index.joints
    open_end = open_end or end in index.joints
    if not open_start and start > 0 and _word(text[start - 1]) and _word(text[start]):
        return False
    if not open_end and end < len(text) and _word(text[end]) and _word(text[end - 1]):
        return text[end].isdigit() and not text[end - 1].isdigit()
    return True


def _tokens(text: str) -> list[str]:
    return re.findall(rf"[{CJK}]|[^\W\d_]+|\d+(?:[.,]\d+)*|[^\w\s]", text)


def word_diff(quoted: str, source: str, context: bool = False) -> str:
    """The difference, word by word: '[-source's words-]{+quotation's words+}'. `context`:
    the source holds words around the passage, left out at either end."""
    a, b = _tokens(source), _tokens(quoted)
    if b:  # the case of the quotation's first letter is free
        b[0] = next((w for w in a if w[:1].lower() == b[0][:1].lower() and w[1:] == b[0][1:]), b[0])
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    if context:  # the words around: out, but as many as the quotation has in their place
        while ops and ops[0][0] == "delete":
            ops = ops[1:]
        while ops and ops[-1][0] == "delete":
            ops = ops[:-1]
        if ops and ops[0][0] == "replace":
            op, i1, i2, j1, j2 = ops[0]
            ops[0] = (op, max(i1, i2 - (j2 - j1)), i2, j1, j2)
        if ops and ops[-1][0] == "replace":
            op, i1, i2, j1, j2 = ops[-1]
            ops[-1] = (op, i1, min(i2, i1 + (j2 - j1)), j1, j2)
    return _show(a, b, ops)


def _marks(diff: str) -> int:
    """How many words a word_diff marks as left out or put in."""
    return sum(
        len(m.split()) for m in re.findall(r"\[-(.*?)-\]|\{\+(.*?)\+\}", diff) for m in m if m
    )


def _show(a: list[str], b: list[str], ops: Sequence[tuple[str, int, int, int, int]]) -> str:
    out: list[str] = []
    for op, i1, i2, j1, j2 in ops:
        if op == "equal":
            out += a[i1:i2]
            continue
        if i2 > i1:
            out.append("[-" + " ".join(a[i1:i2]) + "-]")
        if j2 > j1:
            out.append("{+" + " ".join(b[j1:j2]) + "+}")
    text = " ".join(out)
    return re.sub(r" (?=[,.;:!?)\]%])|(?<=[(\[]) ", "", text)


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    """A passage widened to whole words."""
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return start, end


def _approximate(
    index: Index, part: str, start: int = 0, end: int | None = None
) -> tuple[int, int, int] | None:
    """The closest passage to a part (in [start, end)): (start, end, edits), or None."""
    import edlib

    target = index.low[start:end]
    needle = lower(part)
    if not target or not needle:
        return None
    k = max(3, int(len(needle) * CLOSE))
    got = edlib.align(needle, target, mode="HW", task="locations", k=k)
    if got["editDistance"] < 0 or not got["locations"]:
        return None
    s, e = got["locations"][0]
    if s is None:
        return None
    return start + s, start + e + 1, got["editDistance"]


def _insertions_change(
    quote: str,
    chain: list[tuple[int, int]],
    qparts: list[Part],
    text: str,
    languages: list[str],
) -> str:
    """The difference, when an editorial insertion between two parts stands for source
    words with a negation, qualifier or number it does not keep ("did [-not-]" as "[did]",
    "[21%]" for "12%"); else ""."""
    tokens = re.split(
        f"({OMISSION.pattern}|{INSERTION.pattern})", unicodedata.normalize("NFKC", quote)
    )
    between: list[list[str]] = []  # the marks before each part
    marks: list[str] = []
    for n, tok in enumerate(tokens):
        if n % 2:
            marks.append(tok)
        elif normalise(tok).strip(EDGE):
            between.append(marks)
            marks = []
    shown: list[str] = [text[chain[0][0] : chain[0][1]]]
    changed = False
    for n in range(1, len(chain)):
        skipped = text[chain[n - 1][1] : chain[n][0]]
        put = [m for m in between[n] if not OMISSION.fullmatch(m)] if n < len(between) else []
        if qparts[n].gap == "insertion":
            inserted = normalise(" ".join(m[1:-1] for m in put))
            differ = set(dropped_qualifiers(skipped, languages)) ^ set(
                dropped_qualifiers(inserted, languages)
            )
            if differ:
                changed = True
                gone = f"[-{skipped.strip()}-] " if skipped.strip() else ""
                shown.append(f"{gone}{{+[{inserted}]+}}")
            else:
                shown.append(f"[{inserted}]" if inserted else skipped)
        else:
            shown.append("…")
        shown.append(text[chain[n][0] : chain[n][1]])
    return " ".join(x.strip() for x in shown if x.strip()) if changed else ""


def check(quote: str, index: Index, loc: Locator | None, languages: list[str]) -> Result:
    """The verdict of one quotation against one source's text."""
    qparts, _, _ = parts(quote)
    if not qparts:
        return Result("not-found")
    chains = _chains(index, qparts)
    good = []
    # a part beside an editorial insertion may start or end inside a word ("[T]he")
    glued = [(p.gap == "insertion", n + 1 < len(qparts) and qparts[n + 1].gap == "insertion")
             for n, p in enumerate(qparts)]  # fmt: skip
    edges = unicodedata.normalize("NFKC", quote).strip(EDGE + " \t\n")
    if re.match(INSERTION, edges) and not re.match(OMISSION, edges):
        glued[0] = (True, glued[0][1])
    if re.search(f"(?:{INSERTION.pattern})$", edges) and not re.search(
        f"(?:{OMISSION.pattern})$", edges
    ):
        glued[-1] = (glued[-1][0], True)
    for chain in chains:  # the case must be the same but for each part's first letter
        pairs = zip(chain, qparts, glued, strict=True)
        if all(
            index.text[s + 1 : e] == p.text[1:] and _whole(index, s, e, *g)
            for (s, e), p, g in pairs
        ):
            good.append(chain)
    if good:
        placed = [c for c in good if index.at_locator(c[0][0], c[-1][1], loc)]
        if not placed:
            chain = min(good, key=lambda c: c[-1][1] - c[0][0])
            start, end = chain[0][0], chain[-1][1]
            return Result("wrong-locator", index.place(start, end), index.text[start:end])
        # where the words occur more than once at the place cited, a faithful occurrence
        # wins; else the tightest (the fewest words left out)
        review: Result | None = None
        altered: Result | None = None
        for chain in sorted(placed, key=lambda c: c[-1][1] - c[0][0])[:50]:
            start, end = chain[0][0], chain[-1][1]
            evidence = index.text[start:end]
            place = index.place(start, end)
            omitted = [
                index.text[a[1] : b[0]]
                for a, b, p in zip(chain, chain[1:], qparts[1:], strict=False)
                if p.gap == "omission"
            ]
            # the source's languages, and the passage's own (a source may quote another one)
            langs = list(dict.fromkeys([*languages, *guess_languages(evidence)]))
            dropped = [w for o in omitted for w in dropped_qualifiers(o, langs)]
            dropped += negation_before(index.text, start, langs)
            dropped += negation_after(index.text, end, langs)
            changed = _insertions_change(quote, chain, qparts, index.text, langs)
            if changed:
                altered = altered or Result("altered", place, evidence, diff=changed)
                continue
            if not dropped:
                return Result("verified", place, evidence)
            if review is None:
                review = Result(
                    "omission-review", place, evidence, dropped=list(dict.fromkeys(dropped))
                )
        got = review or altered
        assert got is not None
        return got
    # no exact placement: the closest passage for each part, each near the one before
    found: list[tuple[int, int, int]] = []
    for _n, p in enumerate(qparts):
        if found:
            pos = found[-1][1]
            window = INSERTION_WINDOW if p.gap == "insertion" else OMISSION_WINDOW
            hit = _approximate(index, p.text, pos, pos + window + 2 * len(p.text))
            if hit is None:
                hit = _approximate(index, p.text)
        else:
            hit = _approximate(index, p.text)
        if hit is None:
            return Result("not-found")
        found.append(hit)
    diffs = []
    for (s, e, _), p in zip(found, qparts, strict=False):
        ws, we = _widen(index.text, s, e)
        plain = word_diff(p.text, index.text[ws:we])
        # a few words either side, when the closest passage begins or ends a word off
        cs, ce = _widen(index.text, max(0, s - 24), min(len(index.text), e + 24))
        wider = word_diff(p.text, index.text[cs:ce], context=True)
        best = wider if _marks(wider) < _marks(plain) else plain
        if not _marks(best):  # a word or number cut short ("5%" of "-5%"): show it whole
            while ws > 0 and (index.text[ws - 1].isalnum() or index.text[ws - 1] in "-.,"):
                ws -= 1
            while we < len(index.text) and (
                index.text[we].isalnum() or index.text[we : we + 2].rstrip(".,")[1:].isdigit()
            ):
                we += 1
            whole = index.text[ws:we].strip(" .,")
            if lower(whole) != lower(p.text):
                best = f"[-{whole}-] {{+{p.text}+}}"
        diffs.append(best)
    start, end = found[0][0], found[-1][1]
    diff = " … ".join(diffs)
    if not any(map(_marks, diffs)):  # each part is there, but not in this order or not near
        diff += " (the source has each part, but not in this order and close together)"
    return Result(
        "altered",
        index.place(start, end),
        index.text[_widen(index.text, start, end)[0] : _widen(index.text, start, end)[1]],
        diff=diff,
    )
