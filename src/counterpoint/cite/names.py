"""Names in scripts Pandoc's citeproc mishandles: marked on the way in, unmarked on the way out.

CJK names (`{family: 陈, given: 立}`) get a word joiner after the given name, names in
spaced scripts citeproc does not count as Western (Devanagari, Ethiopic...) a zero-width
non-joiner after the family name (`handed`); the marks, and the stray periods they flag,
are taken out of Pandoc's output (`unmarked`). docs/format.md says what the user sees.
"""

from __future__ import annotations

import re
from typing import Any

_CJK = (
    "\u2e80-\u2fdf\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\uac00-\ud7af\U00020000-\U0003134f"
)
_CJK_NAME = re.compile(f"[{_CJK}]+")


_ROMANESQUE = re.compile(
    "[-0-9a-zA-Z\u0e01-\u0e5b\u00c0-\u017f\u0370-\u03ff\u0400-\u052f\u0590-\u05d4"
    "\u05d6-\u05ff\u1f00-\u1fff\u0600-\u06ff\u200c-\u200e\u2018\u2019\u021a\u021b"
    "\u202a-\u202e]"
)
"""The characters for which Pandoc's citeproc (after citeproc-js) orders a name the Western
way, "Given Family" and "Family, Given"; any other name it sets family first, no space."""

_NON_JOINER = "\u200c"
_WORD_JOINER = "\u2060"
_INITIAL_STOP = re.compile(
    "\u2060\\.(?=[,;]|\\s+(?:(?:and|et|und|y|e|i|и|&)(?!\\w)|[と和及与](?=\\s)|(?:ほか|等)(?!\\w)))"
)
"""The period a style's initials put after a CJK given name (APA, IEEE: "陈立., & 赵欣."),
before a comma or the next name; a period that ends the names ("山本健. (2021)") stays."""


def handed(item: dict[str, Any]) -> dict[str, Any]:
    """The item as Pandoc gets it: a name written in Han, Kana or Hangul (`{family: 陈,
    given: 立}`) has a word joiner after its given name. Pandoc's citeproc takes a given
    name of one such character for an initial and gives it a stray period in Chicago
    ("陈立. and 赵欣.,"); the joiner stops that, and marks the period a style's
    initials add (APA, IEEE: "陈立., & 赵欣.") for `unmarked` to take away. The name
    stays a family and a given name, so short notes and in-text citations name the
    family, as the style's manual asks ("陈 and 赵", "(陈 & 赵, 2024)").

    A name in a script that spaces its names but that citeproc does not count as Western
    (Devanagari, Bengali, Tamil, Ethiopic, Georgian...) would come out glued, family first
    ("शर्माविवेक"): its family name ends in an invisible zero-width non-joiner, one of
    citeproc's Western characters, so it reads "विवेक शर्मा" and sorts "शर्मा, विवेक"."""
    out = item
    for key, names in item.items():
        if not isinstance(names, list) or not any(_cjk(n) or _glued(n) for n in names):
            continue
        if out is item:
            out = dict(item)
        out[key] = [
            {**n, "given": n["given"] + _WORD_JOINER}
            if _cjk(n)
            else {**n, "family": n["family"] + _NON_JOINER}
            if _glued(n)
            else n
            for n in names
        ]
    return out


_MARKER = re.compile(
    "(?<![\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff])\u200c"
    '(?=[\\s,.;:)\\]\u201d\u2019"\u00bb<]|$)'
)


def unmarked(text: str) -> str:
    """Pandoc's output without the non-joiners `handed` put after family names (a
    Persian non-joiner, between Arabic letters, stays) and the word joiners it put after
    CJK given names, with the periods of initials after them."""
    if _WORD_JOINER in text:
        text = _INITIAL_STOP.sub("", text).replace(_WORD_JOINER, "")
    return _MARKER.sub("", text) if _NON_JOINER in text else text


def _glued(name: Any) -> bool:
    """True for a name with a family name in a script citeproc would set family first with
    no space, though its people space their names (not Han, Kana or Hangul)."""
    if not isinstance(name, dict) or not isinstance(name.get("family"), str):
        return False
    family = name["family"]
    letters = [c for c in family if c.isalpha()]
    return (
        bool(letters)
        and not _ROMANESQUE.search(family)
        and not any(_CJK_NAME.fullmatch(c) for c in letters)
    )


def _cjk(name: Any) -> bool:
    """True for a CSL name with a family and given name in CJK scripts, nothing else."""
    return (
        isinstance(name, dict)
        and {"family", "given"} <= name.keys() <= {"family", "given", "parse-names"}
        and all(
            isinstance(name[k], str) and _CJK_NAME.fullmatch(name[k]) for k in ("family", "given")
        )
    )


_CJK_AND = re.compile(f"(?<=[{_CJK}])(?:,\\s*|\\s+)(和|と|及|与)\\s+(?=[{_CJK}])")
"""The locale's "and" between two CJK names, with the spaces Pandoc puts around it."""


def cjk_joiner(text: str, locale: str) -> str:
    """In Chinese and Japanese, "陈立 和 赵欣" is "陈立和赵欣": no spaces around the joiner."""
    if locale.split("-")[0].lower() not in ("zh", "ja"):
        return text
    return _CJK_AND.sub(r"\1", text)
