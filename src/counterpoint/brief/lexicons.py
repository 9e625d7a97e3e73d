"""The audit's language lint vocabulary: each language's word lists, as whole-word patterns.

Loaded wording (CP301), estimative words off the ICD 203 scale (CP302), the scale's two rows
(CP304) and how a sentence states a confidence (CP305), in English and in every language
with a message catalog; the finding codes are in brief/codes.py.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from counterpoint.brief.model import LIKELIHOOD

# -- lexicons (docs/audit.md lists them; matching is case-insensitive, on whole words) ------
LOADED_TERMS: tuple[str, ...] = (
    "obviously",
    "clearly",
    "evidently",
    "undeniably",
    "undoubtedly",
    "unquestionably",
    "indisputably",
    "incontrovertibly",
    "surely",
    "of course",
    "everyone knows",
    "no one doubts",
    "nobody doubts",
    "needless to say",
    "it goes without saying",
    "beyond doubt",
    "beyond any doubt",
    "without doubt",
    "without question",
    "always",
    "never",
)
"""CP301: loaded or absolute wording, flagged in the analyst's own text."""

OFF_SCALE_TERMS: tuple[str, ...] = (
    "perhaps",
    "possibly",
    "maybe",
    "might",
    "conceivably",
    "presumably",
    "plausibly",
    "in all likelihood",
    "chances are",
    "odds are",
)
"""CP302: estimative words that are on neither row of the ICD 203 scale, flagged in judgments."""

ICD203_MAIN_ROW: tuple[str, ...] = (*LIKELIHOOD, "almost certainly")
"""ICD 203's likelihood terms (the `likelihood` key takes these)."""

ICD203_ALTERNATIVE_ROW: tuple[str, ...] = (
    "remote",
    "highly improbable",
    "improbable",
    "improbably",
    "roughly even odds",
    "probable",
    "probably",
    "highly probable",
    "nearly certain",
    "nearly certainly",
)
"""ICD 203's alternative row; CP304 flags it in a brief that also uses the main row.

"remote" counts only in estimative use: "a remote chance/possibility/prospect/likelihood" or
"is/are/remains remote".
"""

CONFIDENCE_WORDING = re.compile(
    r"(?<![\w-])(?:(?:low|moderate|medium|high)[- ]confidence"
    r"|(?:(?:highly|fairly|moderately|very)\s+)?confident(?:ly)?)(?![\w-])",
    re.IGNORECASE,
)
"""CP305: how a sentence states a confidence level ("with high confidence", "we are confident")."""

_SPECIAL = {
    "remote": r"(?:(?<=\bis )|(?<=\bare )|(?<=\bremains ))remote"
    r"|remote(?=\s+(?:chance|possibility|prospect|likelihood)\b)",
}


_ARABIC_MARKS = "[\u064b-\u0652\u0670\u0640]*"  # harakat, dagger alif and tatweel


_PERSIAN_LETTERS = {"ی": "[یيى]", "ک": "[کك]", "\u200c": "[\u200c ]?"}
"""Persian text may carry the Arabic yeh and kaf, and a space or nothing for the ZWNJ."""


def _letter(ch: str, language: str) -> str:
    return _PERSIAN_LETTERS.get(ch, re.escape(ch)) if language == "fa" else re.escape(ch)


def _term(term: str, language: str) -> str:
    if language == "en" and term in _SPECIAL:
        return _SPECIAL[term]
    words = []
    parts = term.split()
    for i, w in enumerate(parts):
        if language in ("ar", "fa"):  # vowel marks and tatweel may sit between any two letters
            letters = re.sub(_ARABIC_MARKS, "", w)  # "قطعاً" matches "قطعا" too
            words.append(_ARABIC_MARKS.join(_letter(c, language) for c in letters) + _ARABIC_MARKS)
        elif language == "he" and w in _HEBREW_THAT and i == len(parts) - 1:
            # "ברור ש": 'that' is written joined to the next word ("ברור שהביקוש")
            words.append(re.escape(w) + f"(?![םל](?![\\w{_MARKS}]))[\\w{_MARKS}]+")  # not שם, של
        else:
            words.append(re.escape(w))
    return r"\s+".join(words)


_HEBREW_THAT = ("ש",)
"""A Hebrew term's last word that is the conjunction ש, written joined to the next word."""


_MARKS = "\u0300-\u036f\u0900-\u0dff\u05b0-\u05c7"
"""Combining marks that belong to a word though `\\w` does not match them (Devanagari and
the other Indic vowel signs and viramas, Hebrew points): no word boundary next to them."""

_PREFIXES = {
    "ar": "[\u0648\u0641]",  # و and ف
    "he": "[\u05d5\u05d4\u05d1\u05dc\u05de\u05e9\u05db]",  # ו ה ב ל מ ש כ
}
"""One-letter conjunctions and prepositions written joined to the next word."""


def lexicon(terms: Iterable[str], language: str = "en") -> re.Pattern[str]:
    """One pattern for the terms: whole words, longest first, any whitespace between words.

    Chinese and Japanese have no spaces to mark a word, so their terms match anywhere;
    Arabic and Persian terms may carry vowel marks (and Arabic the conjunctions و/ف before
    them, Hebrew its one-letter prefixes ו ה ב ל מ ש כ); a Devanagari vowel sign is part of
    the word it follows."""
    ordered = sorted(terms, key=len, reverse=True)
    body = "|".join(_term(t, language) for t in ordered)
    if language in UNSPACED:
        return re.compile(f"(?:{body})", re.IGNORECASE)
    prefix = f"(?:{_PREFIXES[language]}(?=\\w))?" if language in _PREFIXES else ""
    return re.compile(f"(?<![\\w{_MARKS}-]){prefix}(?:{body})(?![\\w{_MARKS}-])", re.IGNORECASE)


UNSPACED = frozenset({"zh", "ja"})
"""Languages written without spaces between words (lexicon terms match anywhere)."""

LOADED = lexicon(LOADED_TERMS)
OFF_SCALE = lexicon(OFF_SCALE_TERMS)
MAIN_ROW = lexicon(ICD203_MAIN_ROW)
ALT_ROW = lexicon(ICD203_ALTERNATIVE_ROW)


# -- the lint in other languages --------------------------------------------------------------
@dataclass(frozen=True)
class Lexicon:
    """A language's word lists for the language lint (CP301, CP302, CP304, CP305)."""

    language: str
    loaded: re.Pattern[str]
    off_scale: re.Pattern[str]
    main_row: re.Pattern[str]
    alt_row: re.Pattern[str] | None
    confidence: re.Pattern[str]


# Each language: (loaded or absolute wording; estimative words off the ICD 203 scale; the
# scale's own terms as the catalogs translate them; how a sentence states a confidence).
# The scale terms are only used to find a likelihood in a sentence (CP305, CP304's main row).
TERMS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], str]] = {
    "fr": (
        ("manifestement", "évidemment", "clairement", "indéniablement", "incontestablement",
         "indiscutablement", "sans aucun doute", "sans conteste", "bien entendu", "bien sûr",
         "tout le monde sait", "personne ne doute", "il va sans dire", "hors de doute",
         "toujours", "jamais"),
        ("peut-être", "possiblement", "éventuellement", "vraisemblablement", "sans doute",
         "il se peut", "il est possible", "a priori"),
        ("quasiment aucune chance", "très improbable", "improbable", "chances à peu près égales",
         "probable", "très probable", "quasi certain", "quasi certaine", "quasi certainement"),
        r"(?:degré\s+de\s+)?confiance\s+(?:faible|modérée|élevée|forte|moyenne)"
        r"|(?:très\s+|assez\s+)?confiants?",
    ),
    "de": (
        ("offensichtlich", "eindeutig", "zweifellos", "zweifelsohne", "unbestreitbar",
         "unbestritten", "selbstverständlich", "natürlich", "bekanntlich", "jeder weiß",
         "niemand bezweifelt", "ohne Frage", "ohne Zweifel", "außer Frage", "immer", "niemals",
         "nie"),
        ("vielleicht", "möglicherweise", "eventuell", "vermutlich", "womöglich", "mutmaßlich",
         "unter Umständen"),
        ("nahezu ausgeschlossen", "sehr unwahrscheinlich", "unwahrscheinlich",
         "etwa gleich wahrscheinlich", "wahrscheinlich", "sehr wahrscheinlich", "nahezu sicher"),
        r"(?:mit\s+)?(?:geringem|mittlerem|hohem|großem)\s+Vertrauen"
        r"|(?:geringe|mittlere|hohe)\s+(?:Sicherheit|Konfidenz)|zuversichtlich",
    ),
    "es": (
        ("obviamente", "claramente", "evidentemente", "indudablemente", "indiscutiblemente",
         "innegablemente", "sin duda", "sin lugar a dudas", "por supuesto", "desde luego",
         "todo el mundo sabe", "nadie duda", "ni que decir tiene", "siempre", "nunca", "jamás"),
        ("quizá", "quizás", "tal vez", "posiblemente", "acaso", "presumiblemente", "a lo mejor"),
        ("casi ninguna posibilidad", "muy improbable", "improbable",
         "posibilidades aproximadamente iguales", "probable", "muy probable", "casi seguro"),
        r"(?:con\s+)?(?:baja|moderada|alta)\s+confianza|confianza\s+(?:baja|moderada|alta)"
        r"|(?:muy\s+)?confiados?",
    ),
    "ru": (
        ("очевидно", "безусловно", "несомненно", "бесспорно", "разумеется", "конечно",
         "всем известно", "никто не сомневается", "само собой разумеется",
         "вне всякого сомнения", "без сомнения", "неоспоримо", "всегда", "никогда"),
        ("возможно", "может быть", "пожалуй", "наверное", "наверно", "по всей видимости",
         "скорее всего", "предположительно", "видимо"),
        ("практически исключено", "весьма маловероятно", "маловероятно",
         "примерно равные шансы", "вероятно", "весьма вероятно", "почти наверняка"),
        r"(?:с\s+)?(?:низкой|умеренной|средней|высокой)\s+(?:степенью\s+)?уверенност\w*"
        r"|уверенность\s+(?:низкая|умеренная|высокая)|уверены",
    ),
    "uk": (
        ("очевидно", "безумовно", "безсумнівно", "безперечно", "звичайно", "звісно",
         "всім відомо", "ніхто не сумнівається", "поза всяким сумнівом", "без сумніву",
         "незаперечно", "завжди", "ніколи"),
        ("можливо", "мабуть", "напевно", "певно", "схоже", "імовірно", "либонь",
         "швидше за все"),
        ("практично виключено", "дуже малоймовірно", "малоймовірно", "приблизно рівні шанси",
         "ймовірно", "дуже ймовірно", "майже напевно"),
        r"(?:з\s+)?(?:низьким|помірним|середнім|високим)\s+(?:ступенем\s+)?впевненост\w*"
        r"|впевненість\s+(?:низька|помірна|висока)|впевнені",
    ),
    "zh": (
        ("显然", "显而易见", "毫无疑问", "无疑", "不言而喻", "众所周知", "毋庸置疑",
         "不容置疑", "无可争辩", "当然", "总是", "从来不", "从不", "永远", "绝对"),
        ("也许", "或许", "大概", "说不定", "兴许", "恐怕"),
        ("几乎没有可能", "非常不可能", "不太可能", "可能性大致相当", "很可能", "非常可能",
         "几乎确定"),
        r"(?:低|中等|高)(?:的)?(?:置信度|信心|把握)|(?:置信度|信心|把握)(?:为|是)?(?:低|中等|高)",
    ),
    "ja": (
        ("明らかに", "疑いなく", "疑いもなく", "間違いなく", "言うまでもなく", "当然",
         "誰もが知る", "誰も疑わない", "議論の余地なく", "常に", "決して"),
        ("たぶん", "多分", "おそらく", "恐らく", "もしかすると", "かもしれない", "ひょっとすると"),
        ("可能性はほぼない", "可能性が非常に低い", "可能性が低い", "ほぼ五分五分",
         "可能性が高い", "可能性が非常に高い", "ほぼ確実"),
        r"確信度(?:は|が)?(?:低い|中程度|高い)|(?:低い|中程度の|高い)確信",
    ),
    "ar": (
        ("من الواضح", "بوضوح", "بلا شك", "لا شك", "دون شك", "مما لا شك فيه", "بالتأكيد",
         "بطبيعة الحال", "الجميع يعلم", "لا أحد يشك", "غني عن القول", "قطعا", "دائما",
         "أبدا"),
        ("ربما", "لعل", "لعله", "قد يكون", "من الممكن", "يحتمل", "على الأرجح"),
        ("لا احتمال تقريبا", "مستبعد جدا", "مستبعد", "احتمال متساو تقريبا", "مرجح",
         "مرجح جدا", "شبه مؤكد"),
        r"(?:ب)?(?:ثقة|درجة\s+ثقة)\s+(?:منخفضة|متوسطة|عالية)|واثقون",
    ),
    "fa": (
        ("بدون شک", "بی‌شک", "بی‌تردید", "بدون تردید", "بی‌گمان", "قطعاً", "یقیناً", "مسلماً",
         "مسلم است", "بدیهی است", "واضح است", "روشن است", "به‌وضوح", "آشکارا", "به طور قطع",
         "شکی نیست", "جای هیچ تردیدی نیست", "همه می‌دانند", "همگان می‌دانند",
         "هیچ‌کس تردید ندارد", "ناگفته پیداست", "همیشه", "هرگز"),
        ("شاید", "احتمالاً", "ممکن است", "چه بسا", "گویا", "ظاهراً"),
        ("تقریباً بی‌احتمال", "بسیار نامحتمل", "نامحتمل", "احتمال تقریباً برابر", "محتمل",
         "بسیار محتمل", "تقریباً قطعی"),
        r"(?:با\s+)?(?:میزان\s+)?اطمینان\s+(?:کم|متوسط|زیاد|بالا)|مطمئنیم",
    ),
    "he": (
        ("ללא ספק", "בלי ספק", "אין ספק", "ללא כל ספק", "כמובן", "בבירור", "בוודאי",
         "באופן ברור", "באופן חד משמעי", "חד משמעית", "ללא עוררין", "אין עוררין", "מן הסתם",
         "כולם יודעים", "איש אינו מפקפק", "מיותר לציין", "אין צורך לומר", "תמיד", "לעולם לא",
         "אף פעם", "ברור ש", "ברור כי", "ברור מאליו", "מובן מאליו", "ברי ש", "ברי כי"),
        ("אולי", "ייתכן", "יתכן", "כנראה", "ככל הנראה", "מסתבר", "משוער"),
        ("כמעט אין סיכוי", "בלתי סביר ביותר", "בלתי סביר", "סיכוי שקול בערך", "סביר",
         "סביר מאוד", "כמעט ודאי"),
        r"(?:ב)?(?:רמת\s+)?ביטחון\s+(?:נמוכה|בינונית|גבוהה)|בטוחים",
    ),
    "ko": (
        ("분명히", "분명하게", "명백히", "명백하게", "확실히", "확실하게", "틀림없이",
         "의심할 여지 없이", "의심의 여지 없이", "의심할 바 없이", "두말할 필요 없이",
         "말할 것도 없이", "당연히", "물론", "자명하다", "누구나 알듯이", "누구나 아는", "항상",
         "언제나", "결코", "절대로"),
        ("아마", "아마도", "어쩌면", "혹시", "짐작건대", "추측건대"),
        ("가능성이 거의 없음", "가능성 매우 낮음", "가능성 낮음", "가능성 반반", "가능성 높음",
         "가능성 매우 높음", "거의 확실함"),
        r"신뢰도(?:가|는)?\s*(?:낮|보통|중간|높)\w*|확신(?:한다|하며|함)",
    ),
    "hi": (
        ("निस्संदेह", "निःसंदेह", "निस्सन्देह", "निःसन्देह", "बेशक", "यक़ीनन", "यकीनन",
         "ज़ाहिर है", "जाहिर है", "स्पष्टतः", "स्पष्टत:", "स्पष्ट रूप से", "निश्चित रूप से",
         "निश्चय ही", "सब जानते हैं", "सर्वविदित है", "कोई संदेह नहीं", "बिना किसी संदेह के",
         "कहने की ज़रूरत नहीं", "हमेशा", "कभी नहीं"),
        ("शायद", "संभवतः", "संभवत:", "हो सकता है", "मुमकिन है", "कदाचित"),
        ("लगभग कोई संभावना नहीं", "अत्यधिक असंभावित", "असंभावित", "लगभग बराबर संभावना",
         "संभावित", "अत्यधिक संभावित", "लगभग निश्चित"),
        r"(?:उच्च|मध्यम|निम्न)\s+विश्वास|विश्वास\s*(?:का\s+स्तर)?\s*(?:उच्च|मध्यम|निम्न)",
    ),
}  # fmt: skip
"""The lint's word lists beside English, one entry per language with a message catalog."""


def lexicon_for(language: str) -> Lexicon | None:
    """The lint's lexicon for a language tag (`zh-Hans` -> zh), or None without word lists."""
    primary = (language or "en").replace("_", "-").split("-")[0].lower()
    if primary == "en":
        return Lexicon("en", LOADED, OFF_SCALE, MAIN_ROW, ALT_ROW, CONFIDENCE_WORDING)
    if primary not in TERMS:
        return None
    return _lexicon(primary)


@functools.cache
def _lexicon(primary: str) -> Lexicon:
    loaded, off_scale, main_row, confidence = TERMS[primary]
    return Lexicon(
        primary,
        lexicon(loaded, primary),
        lexicon(off_scale, primary),
        lexicon(main_row, primary),
        None,
        re.compile(confidence, re.IGNORECASE),
    )


SENTENCE_ENDS = re.compile(r"(?<=[.!?])\s+|(?<=[。！？؟])\s*")
"""Sentence ends in every script: . ! ? then a space, or the full-width and Arabic marks."""
