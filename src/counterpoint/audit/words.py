"""What the audit counts and where it points: words in a field (CJK characters counted
as words), the sources a text cites, and the place of a word inside a user's file.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from counterpoint.brief import markdown
from counterpoint.brief.lexicons import lexicon
from counterpoint.brief.load import read_text
from counterpoint.brief.model import Text, View
from counterpoint.errors import CounterpointError, Location


# -- locating words inside a field ----------------------------------------------------------
class Files:
    """The text of the brief's files (as validate read them), to place a word at its line:col."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[str, list[int]] | None] = {}

    def _load(self, file: str) -> tuple[str, list[int]] | None:
        if file not in self._cache:
            try:
                content = read_text(Path(file))
            except (CounterpointError, OSError):
                self._cache[file] = None
            else:
                starts = [0] + [m.end() for m in re.finditer("\n", content)]
                self._cache[file] = (content, starts)
        return self._cache[file]

    def locate(self, text: Text, term: str, nth: int, language: str = "en") -> Location:
        """Where the nth occurrence of `term` in a field is in its file (else the field)."""
        where = text.where
        loaded = self._load(where.file) if where.line else None
        if loaded is None or where.line > len(loaded[1]):
            return where
        content, starts = loaded
        start = starts[where.line - 1] + where.col - 1
        end = min(len(content), start + 2 * len(text.source) + 200)
        found = list(lexicon([term.lower()], language).finditer(content, start, end))
        if nth >= len(found):
            return where
        offset = found[nth].start()
        line = bisect.bisect_right(starts, offset)
        return Location(where.file, line, offset - starts[line - 1] + 1)


def matches(pattern: re.Pattern[str], plain: str) -> Iterator[tuple[str, int]]:
    """Each match's wording (whitespace normalised) and how many times it occurred before."""
    seen: dict[str, int] = {}
    for m in pattern.finditer(plain):
        word = " ".join(m.group(0).split())
        key = word.casefold()
        yield word, seen.get(key, 0)
        seen[key] = seen.get(key, 0) + 1


def words_of(match: re.Match[str]) -> str:
    return " ".join(match.group(0).split())


# a Han, Kana or Hangul character: each counts as a word (CJK_WORD below)
_CJK_CHAR = re.compile(
    "[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f]"
)
CJK_WORD = 1.0
"""How many words one CJK character counts as: Chinese and Japanese words have no spaces
around them, so each character counts one (Korean Hangul is spaced, but a syllable counts
one too, which keeps mixed text simple). Parity compares views of one brief, one language,
so a constant rate means the same everywhere."""


def words(text: Text | None) -> int:
    """Words of a Markdown field: whitespace-separated runs with a letter or digit, and every
    Han, Kana or Hangul character as one word (those scripts do not space their words)."""
    if text is None:
        return 0
    count = 0
    for w in markdown.plain(text.tokens).split():
        cjk = len(_CJK_CHAR.findall(w))
        rest = _CJK_CHAR.sub(" ", w).split()
        count += round(cjk * CJK_WORD) + sum(1 for r in rest if re.search(r"\w", r))
    return count


def cited_keys(texts: Iterable[Text]) -> list[str]:
    """Source keys cited in the texts, first citation first, each once."""
    out: dict[str, None] = {}
    for t in texts:
        for cite in t.citations:
            for item in cite.items:
                out.setdefault(item.key, None)
    return list(out)


def support(view: View) -> list[Text]:
    """The fields that make a view's case: thesis, summary and arguments."""
    return [view.thesis, *([view.summary] if view.summary else []), *view.arguments]


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def quoted(items: Iterable[str]) -> str:
    return ", ".join(f"'{i}'" for i in items)
