"""A quotation against its source's text: normalisation, approximate search, the verdict.

Both sides are normalised the same way (whitespace, quotation marks, dashes and hyphens,
Unicode compatibility forms such as ligatures, soft hyphens, line-end hyphenation). A
quotation is `verified` only when every part of it (between its omissions and insertions)
is found exactly in that form, near the part before it, with only the case of each part's
first letter allowed to differ. Otherwise edlib (Myers' bit-vector algorithm) finds the
closest passage: close enough, it is `altered` and the difference is shown word by word;
else `not-found`.
"""

from __future__ import annotations

import bisect
import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from counterpoint.audit.quotes.extract import Block, Extracted

# -- normalisation ------------------------------------------------------------------------------
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
_CJK = (
    "\u1100-\u11ff\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
)
_JOINT = "\ue001"
"""Where a dash between two words was dropped: a word may start or end there."""
_RULES = [
    (re.compile(r"(?<![\w])-(?=\d)"), "\ue000"),  # a minus sign: kept
    (re.compile(r"(?<=\w)\s*-+\s*(?=\w)"), _JOINT),  # hyphens, dashes, line-end hyphenation
    (re.compile(r"\s*-+\s*"), "-"),
    (re.compile("\ue000"), "-"),
    (re.compile(r"\s*(['()\[\]])\s*"), r"\1"),
    (re.compile(r"\s+(?=[,.;:!?%…])"), ""),
    (re.compile(r"\s+"), " "),
]


_LINE_BREAK = re.compile(r"[ \t]*\n[ \t]*")
_CJK_CHAR = re.compile(f"[{_CJK}]")


def _line_break(m: re.Match[str]) -> str:
    """A line break in Chinese or Japanese text joins the lines; elsewhere it is a space."""
    text = m.string
    near = text[max(0, m.start() - 3) : m.start()] + text[m.end() : m.end() + 3]
    return "" if _CJK_CHAR.search(near) else " "


def normalise(text: str) -> str:
    """The form both a quotation and its source are compared in."""
    return _normalise(text).replace(_JOINT, "")


def _normalise(text: str) -> str:
    """normalise(), with _JOINT where a dash between two words was dropped."""
    if "\n" in text:
        text = _LINE_BREAK.sub(_line_break, text)
    text = unicodedata.normalize("NFKC", text).translate(_TABLE)
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    if _CJK_CHAR.search(text):
        text = _SPACE.sub(_cjk_space, text)
    return text.strip()


_SPACE = re.compile(" ")


def _cjk_space(m: re.Match[str]) -> str:
    """No space beside a Chinese, Japanese or Korean character, nor inside a number or word
    set among them (a line break in such text joins the lines)."""
    text = m.string
    before, after = text[max(0, m.start() - 3) : m.start()], text[m.end() : m.end() + 3]
    if (before and _CJK_CHAR.match(before[-1])) or (after and _CJK_CHAR.match(after[0])):
        return ""
    return "" if _CJK_CHAR.search(before) and _CJK_CHAR.search(after) else " "


def lower(text: str) -> str:
    """Lower case, one character for one (so offsets stay the same)."""
    out = text.lower()
    if len(out) == len(text):
        return out
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


# -- the quotation's parts ----------------------------------------------------------------------
_OMISSION = re.compile(r"[\[(]\s*(?:\.\s?){3}\.?\s*[\])]|[\[(]\s*…\s*[\])]|\.(?:\s?\.){2,}|…")
_INSERTION = re.compile(r"\[[^\]]*\]")
_EDGE = " ,.;:!?\"'-"


@dataclass
class Part:
    text: str  # normalised
    gap: str  # what comes before it: "" (start), "omission" or "insertion"


def parts(quote: str) -> tuple[list[Part], bool, bool]:
    """The quotation's parts; and whether it starts or ends with an omission."""
    quote = unicodedata.normalize("NFKC", quote)
    tokens = re.split(f"({_OMISSION.pattern}|{_INSERTION.pattern})", quote)
    out: list[Part] = []
    gap = ""
    leading = trailing = False
    for n, tok in enumerate(tokens):
        if n % 2:
            kind = "omission" if _OMISSION.fullmatch(tok) else "insertion"
            if not out and not any(t.strip(_EDGE) for t in tokens[:n:2]):
                leading = leading or kind == "omission"
            gap = "omission" if kind == "omission" or gap == "omission" else "insertion"
            continue
        whole = normalise(tok).rstrip(_EDGE)
        text = whole.lstrip(_EDGE)
        if text[:1].isdigit() and whole[: len(whole) - len(text)].endswith("-"):
            text = "-" + text  # a minus sign: "-5%"
        if text:
            out.append(Part(text, gap if out else ""))
            gap = ""
    trailing = gap == "omission" and bool(out)
    return out, leading, trailing


# -- locators -------------------------------------------------------------------------------------
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


# -- the source's text ----------------------------------------------------------------------------
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
            marked = _normalise(b.text).split(_JOINT)
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


# -- qualifiers an omission must not drop -------------------------------------------------------
QUALIFIERS: dict[str, tuple[str, ...]] = {
    "en": ("not", "no", "never", "nor", "neither", "none", "nobody", "nothing", "nowhere",
           "cannot", "without", "but", "however", "unless", "except", "only", "although",
           "though", "yet", "hardly", "barely", "scarcely", "rarely", "seldom", "if",
           "allegedly", "reportedly", "may", "might", "could", "whether"),
    "fr": ("ne", "pas", "non", "jamais", "aucun", "aucune", "rien", "personne", "sans",
           "mais", "cependant", "toutefois", "pourtant", "sauf", "excepté", "seulement",
           "uniquement", "ni", "guère", "si"),
    "de": ("nicht", "kein", "keine", "keinen", "keinem", "keiner", "keines", "nie",
           "niemals", "nichts", "niemand", "ohne", "aber", "jedoch", "doch", "außer",
           "nur", "sondern", "weder", "noch", "kaum", "falls", "wenn"),
    "es": ("no", "nunca", "jamás", "ningún", "ninguno", "ninguna", "nada", "nadie", "sin",
           "pero", "sin embargo", "salvo", "excepto", "solo", "sólo", "solamente",
           "ni", "aunque", "si"),
    "it": ("non", "mai", "nessuno", "nessuna", "niente", "nulla", "senza", "ma", "però",
           "tuttavia", "tranne", "eccetto", "solo", "soltanto", "né", "se"),
    "pt": ("não", "nunca", "jamais", "nenhum", "nenhuma", "nada", "ninguém", "sem", "mas",
           "porém", "contudo", "exceto", "salvo", "só", "somente", "apenas", "nem", "se"),
    "ru": ("не", "ни", "нет", "никогда", "никто", "ничто", "ничего", "без", "но", "однако",
           "кроме", "только", "лишь", "хотя", "если", "зато", "вряд"),
    "uk": ("не", "ні", "немає", "ніколи", "ніхто", "ніщо", "нічого", "без", "але", "однак",
           "проте", "крім", "тільки", "лише", "хоча", "якщо"),
    "ar": ("لا", "لم", "لن", "ليس", "ليست", "ما", "غير", "بدون", "دون", "لكن", "لكن",
           "إلا", "سوى", "فقط", "إذا", "إن"),
    "fa": ("نه", "نمی", "نیست", "نبود", "هرگز", "هیچ", "بدون", "اما", "ولی", "فقط", "جز",
           "مگر", "اگر"),
    "he": ("לא", "אין", "אינו", "אינה", "אף", "אבל", "אך", "רק", "מלבד", "אלא", "אם", "בלי"),
    "hi": ("नहीं", "न", "कभी", "बिना", "लेकिन", "परंतु", "किंतु", "केवल", "सिर्फ़", "सिर्फ",
           "सिवा", "अगर", "यदि"),
}  # fmt: skip
"""Whole words that an omission must not drop, per language (docs/quotes.md)."""

QUALIFIER_STRINGS: dict[str, tuple[str, ...]] = {
    "zh": ("不", "没", "無", "无", "未", "别", "別", "勿", "莫", "非", "但", "却", "卻", "然而",
           "仅", "僅", "只", "除", "如果", "若", "否"),
    "ja": ("ない", "なかった", "ません", "無", "非", "未", "不", "しかし", "だが", "ただし",
           "だけ", "のみ", "除"),
    "ko": ("않", "없", "못", "아니", "하지만", "그러나", "오직", "뿐", "만약"),
}  # fmt: skip
"""Chinese, Japanese and Korean, written without spaces between words (or with particles
attached): strings that negate, qualify or restrict, looked for anywhere in an omission."""
NOT_QUALIFIERS = ("非常",)
"""Words that hold one of those strings but qualify nothing ("very")."""

_WORD_LISTS = {
    lang: re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, words)) + r")(?!\w)")
    for lang, words in QUALIFIERS.items()
}
_STOPWORDS = {
    "en": ("the", "and", "of", "to", "is", "that", "in", "it", "was", "for"),
    "fr": ("le", "la", "les", "et", "des", "est", "que", "une", "dans", "du"),
    "de": ("der", "die", "und", "das", "ist", "nicht", "den", "mit", "sich", "des"),
    "es": ("el", "la", "los", "las", "y", "que", "es", "en", "del", "por"),
    "it": ("il", "la", "e", "che", "di", "è", "per", "non", "della", "gli"),
    "pt": ("o", "a", "os", "e", "que", "é", "do", "da", "em", "não"),
}


def guess_languages(sample: str, declared: str = "") -> list[str]:
    """The languages whose qualifier lists apply to a source: its declared language, the
    scripts it is written in, and (for Latin script) the language its commonest words say."""
    langs: list[str] = []
    if declared:
        primary = declared.split("-")[0].lower()
        langs.append(primary)
    low = lower(sample)
    if re.search("[\u0400-\u04ff]", low):
        langs += ["ru", "uk"]
    if re.search("[\u0600-\u06ff]", low):
        langs.append("ar")
        if re.search("[پچژگکی]", low):
            langs.append("fa")
    if re.search("[\u0590-\u05ff]", low):
        langs.append("he")
    if re.search("[\u0900-\u097f]", low):
        langs.append("hi")
    if re.search("[\uac00-\ud7af]", low):
        langs.append("ko")
    if re.search("[\u3040-\u30ff]", low):
        langs.append("ja")
    if re.search("[\u4e00-\u9fff]", low):
        langs.append("zh")
    words = re.findall(r"\w+", low[:3000])
    if words:
        counts = {lang: sum(1 for w in words if w in sw) for lang, sw in _STOPWORDS.items()}
        best = max(counts, key=lambda k: counts[k])
        if counts[best]:
            langs.append(best)
    return list(dict.fromkeys(langs)) or ["en"]


NUMBER_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
           "twelve", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
           "ninety", "hundred", "hundreds", "thousand", "thousands", "million", "millions",
           "billion", "billions", "trillion", "dozen", "dozens", "half", "twice", "double",
           "triple"),
    "fr": ("deux", "trois", "quatre", "cinq", "six", "sept", "huit", "dix", "vingt",
           "trente", "mille", "million", "millions", "milliard", "milliards",
           "moitié", "double"),
    "de": ("zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn",
           "zwanzig", "hundert", "tausend", "million", "millionen", "milliarde", "milliarden",
           "hälfte", "doppelt"),
    "es": ("dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez",
           "veinte", "cien", "mil", "millón", "millones", "mitad", "doble"),
    "ru": ("два", "две", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять",
           "десять", "двадцать", "сто", "тысяча", "тысяч", "миллион", "миллионов",
           "миллиард", "миллиардов", "половина"),
}  # fmt: skip
"""Numbers written as words: an omission must not drop one any more than a figure."""
_NUMBER_WORDS = {
    lang: re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, words)) + r")(?!\w)")
    for lang, words in NUMBER_WORDS.items()
}


def dropped_qualifiers(omitted: str, languages: list[str]) -> list[str]:
    """The negations, qualifiers and numbers in an omitted passage."""
    found: list[str] = []
    low = lower(omitted)
    for lang in languages:
        if lang in _WORD_LISTS:
            found += [m.group(0) for m in _WORD_LISTS[lang].finditer(low)]
        if lang in _NUMBER_WORDS:
            found += [m.group(0) for m in _NUMBER_WORDS[lang].finditer(low)]
        if lang in QUALIFIER_STRINGS:
            text = low
            for word in NOT_QUALIFIERS:
                text = text.replace(word, " ")
            found += [w for w in QUALIFIER_STRINGS[lang] if w in text]
    found += re.findall(r"\d+(?:[.,]\d+)*", low)
    return list(dict.fromkeys(found))


NEGATIONS: dict[str, tuple[str, ...]] = {
    "en": ("not", "no", "non", "never", "cannot", "neither", "nor", "without", "don't", "doesn't",
           "didn't", "isn't", "aren't", "wasn't", "weren't", "won't", "can't", "hardly"),
    "fr": ("ne", "n'", "non", "pas", "jamais", "sans", "aucun", "aucune", "ni"),
    "de": ("nicht", "kein", "keine", "keinen", "keinem", "keiner", "nie", "niemals", "ohne"),
    "es": ("no", "nunca", "jamás", "sin", "ningún", "ninguna", "ni"),
    "it": ("non", "mai", "senza", "nessun", "nessuna", "né"),
    "pt": ("não", "nunca", "jamais", "sem", "nenhum", "nenhuma", "nem"),
    "ru": ("не", "ни", "нет", "никогда", "без"),
    "uk": ("не", "ні", "ніколи", "без"),
    "ar": ("لا", "لم", "لن", "ليس", "ليست", "غير", "بدون", "دون"),
    "fa": ("نه", "هرگز", "بدون"),
    "he": ("לא", "אין", "בלי"),
    "hi": ("नहीं", "न", "कभी", "बिना"),
    "ko": ("안", "못"),
}  # fmt: skip
"""Negations: a quotation that begins right after one leaves it out (omission-review)."""
NEGATION_CHARACTERS = "不没無无未非别別勿"


def negation_before(text: str, start: int, languages: list[str]) -> list[str]:
    """A negation just before a quotation, in the same sentence ("did not | expand")."""
    before = text[max(0, start - 60) : start]
    before = re.split(r"[.!?;:。！？；]", before)[-1]
    if any(lang in ("zh", "ja") for lang in languages):
        found = [c for c in before[-1:] if c in NEGATION_CHARACTERS]
        if found:
            return found
    words = re.findall(r"[\w']+", lower(before))[-1:]
    listed = {w for lang in languages for w in NEGATIONS.get(lang, ())}
    return [w for w in words if w in listed or (w.endswith("n't") and "en" in languages)]


JAPANESE_NEGATIONS = ("なかった", "ない", "ません", "ず", "ぬ")


def negation_after(text: str, end: int, languages: list[str]) -> list[str]:
    """A negation just after a quotation, in the same sentence ("the army did | not cross",
    Japanese "修正 | しなかった")."""
    after = re.split(r"[.!?;:。！？；]", text[end : end + 60])[0]
    if "ja" in languages:
        rest = after.lstrip("しさ")
        found = [n for n in JAPANESE_NEGATIONS if rest.startswith(n)]
        if found:
            return found[:1]
    if any(lang in ("zh", "ja") for lang in languages):
        found = [c for c in after[:1] if c in NEGATION_CHARACTERS]
        if found:
            return found
    words = re.findall(r"[\w']+", lower(after))[:1]
    listed = {w for lang in languages for w in NEGATIONS.get(lang, ())}
    return [w for w in words if w in listed or (w.endswith("n't") and "en" in languages)]


# -- matching -------------------------------------------------------------------------------------
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
    return c.isalnum() and not _CJK_CHAR.match(c)


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
    return re.findall(rf"[{_CJK}]|[^\W\d_]+|\d+(?:[.,]\d+)*|[^\w\s]", text)


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
        f"({_OMISSION.pattern}|{_INSERTION.pattern})", unicodedata.normalize("NFKC", quote)
    )
    between: list[list[str]] = []  # the marks before each part
    marks: list[str] = []
    for n, tok in enumerate(tokens):
        if n % 2:
            marks.append(tok)
        elif normalise(tok).strip(_EDGE):
            between.append(marks)
            marks = []
    shown: list[str] = [text[chain[0][0] : chain[0][1]]]
    changed = False
    for n in range(1, len(chain)):
        skipped = text[chain[n - 1][1] : chain[n][0]]
        put = [m for m in between[n] if not _OMISSION.fullmatch(m)] if n < len(between) else []
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
    edges = unicodedata.normalize("NFKC", quote).strip(_EDGE + " \t\n")
    if re.match(_INSERTION, edges) and not re.match(_OMISSION, edges):
        glued[0] = (True, glued[0][1])
    if re.search(f"(?:{_INSERTION.pattern})$", edges) and not re.search(
        f"(?:{_OMISSION.pattern})$", edges
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
