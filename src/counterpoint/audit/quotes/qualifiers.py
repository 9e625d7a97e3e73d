"""What an omission must not drop and a quotation must not leave out around it:
negations, qualifiers and numbers, by language, and the languages a source is in."""

from __future__ import annotations

import re

from counterpoint.audit.quotes.normal import lower

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


_SCRIPT_LANGUAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("[\u0400-\u04ff]", ("ru", "uk")),  # Cyrillic
    ("[\u0600-\u06ff]", ("ar",)),  # Arabic script
    ("[پچژگکی]", ("fa",)),  # letters Persian adds to it
    ("[\u0590-\u05ff]", ("he",)),
    ("[\u0900-\u097f]", ("hi",)),
    ("[\uac00-\ud7af]", ("ko",)),
    ("[\u3040-\u30ff]", ("ja",)),  # kana
    ("[\u4e00-\u9fff]", ("zh",)),  # Han
)
"""Scripts a snapshot is written in, and the languages whose qualifier words are then read."""


def guess_languages(sample: str, declared: str = "") -> list[str]:
    """The languages whose qualifier lists apply to a source: its declared language, the
    scripts it is written in, and (for Latin script) the language its commonest words say."""
    langs: list[str] = []
    if declared:
        primary = declared.split("-")[0].lower()
        langs.append(primary)
    low = lower(sample)
    for letters, written in _SCRIPT_LANGUAGES:
        if re.search(letters, low):
            langs += written
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
