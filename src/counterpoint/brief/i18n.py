"""The paper's language: message catalogs, labels, dates and numbers, direction (docs/format.md).

Every fixed text counterpoint writes into a paper is a gettext message (msgid in English):
the built-in templates mark theirs with `{% trans %}` and `_()`, Python code with `_()` of
a `Labels` object. Catalogs live in `locale/<lang>/LC_MESSAGES/counterpoint.po` (and the
compiled `.mo`), made with `make catalogs`. A set's manifest and a brief may override any
message with `labels:` (msgid -> text). Command-line messages stay English. The messages
defined in code (finding titles, estimative terms, grades) are in brief/messages.py.
"""

from __future__ import annotations

import datetime as _dt
import functools
import gettext
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from babel import Locale, UnknownLocaleError
from babel import numbers as _numbers
from babel.dates import format_skeleton
from babel.support import Translations

from counterpoint.brief.model import Date
from counterpoint.brief.schema import INVALID, Checker, describe, one_line

DOMAIN = "counterpoint"
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
CATALOGS = ("en", "fr", "de", "es", "ru", "uk", "zh_Hans", "ja", "ar", "fa", "he", "ko", "hi")
"""The languages with a complete catalog (and an audit lexicon, brief/lexicons.py)."""

RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "sd", "ug", "yi", "dv", "ckb"})
"""Languages written right to left: the paper gets dir="rtl"."""

NUMBERS = ("default", "native", "latin", "arab", "arabext", "deva", "beng", "thai")
"""The brief's `numbers:` choices: CLDR's default numbering system for the language, its
native one, Latin digits, or a CLDR numbering system by name (Arabic-Indic, extended
Arabic-Indic for Persian and Urdu, Devanagari, Bengali, Thai)."""

NOTE_CALLS = ("after", "before")
BEFORE_PUNCTUATION = frozenset({"fr", "ru", "uk", "be", "bg", "sr", "pl", "cs", "sk"})
"""Languages whose house rule puts the note call before the punctuation ("texte¹.")."""


def locale_of(language: str) -> Locale:
    """The Babel locale of a BCP 47 tag (`zh` alone is Simplified Chinese); English when the
    tag is not a CLDR locale."""
    try:
        loc = Locale.parse((language or "en").replace("_", "-"), sep="-")
    except (ValueError, UnknownLocaleError):
        return Locale("en")
    if loc.language == "zh" and not loc.script:
        hant = loc.territory in ("TW", "HK", "MO")
        loc = Locale("zh", territory=loc.territory, script="Hant" if hant else "Hans")
    return loc


def catalog_name(language: str) -> str | None:
    """The catalog for a language tag (`zh-CN` -> `zh_Hans`, `de-AT` -> `de`), or None."""
    loc = locale_of(language)
    primary = (language or "en").replace("_", "-").split("-")[0].lower()
    if primary != loc.language:  # not a locale CLDR knows
        return None
    for name in (f"{loc.language}_{loc.script}" if loc.script else "", loc.language):
        if name in CATALOGS:
            return name
    return None


def direction(language: str) -> str:
    """The direction a language is written in: "rtl" (ar, fa, he, ur...) or "ltr"."""
    primary = (language or "en").replace("_", "-").split("-")[0].lower()
    return "rtl" if primary in RTL_LANGUAGES else "ltr"


def note_calls(language: str, override: str = "") -> str:
    """Where a note call goes against punctuation: "after" (Chicago, German, Chinese,
    Arabic...) or "before" (French and Russian typography); a brief's `note_calls` wins."""
    if override in NOTE_CALLS:
        return override
    primary = (language or "en").replace("_", "-").split("-")[0].lower()
    return "before" if primary in BEFORE_PUNCTUATION else "after"


@functools.lru_cache(maxsize=16)
def _catalog(name: str) -> gettext.NullTranslations:
    return Translations.load(str(LOCALE_DIR), [name], DOMAIN)


_PLACEHOLDER = re.compile(r"(%\(\w+\)s)")
_MARKS = re.compile(r"([^\w\s%]+|%(?!\()|\d+)")


def _left_to_right(text: str) -> str:
    """English text that keeps its order inside a right-to-left line: a left-to-right mark
    (U+200E) before it and around each run of punctuation, digits and placeholder, so no
    full stop, bracket or number drifts to the other end, even on a line WeasyPrint lays
    out apart from the one before (an isolate, U+2066...U+2069, does not survive a line
    break there)."""
    parts = _PLACEHOLDER.split(text)
    for i, part in enumerate(parts):
        parts[i] = f"\u200e{part}\u200e" if i % 2 else _MARKS.sub("\u200e\\1\u200e", part)
    return "\u200e" + "".join(parts)


def numbering_system(locale: Locale, numbers: str = "default") -> str:
    """The CLDR numbering system a brief's `numbers:` means in a locale: Persian's default is
    extended Arabic-Indic (arabext, ۱۴۰۲), Arabic's and Hindi's Latin (latn); `native` is the
    locale's native system (Hindi: deva), `latin` is latn."""
    if numbers == "latin":
        return "latn"
    if numbers == "native":
        return str(locale.other_numbering_systems.get("native") or locale.default_numbering_system)
    if numbers in ("", "default"):
        return str(locale.default_numbering_system or "latn")
    return numbers


@functools.lru_cache(maxsize=32)
def _digits(system: str) -> dict[int, str] | None:
    """str.translate's table from 0-9 to a numbering system's digits (by their Unicode
    names: "EXTENDED ARABIC-INDIC DIGIT ZERO", "DEVANAGARI DIGIT ZERO"); None for Latin."""
    if system == "latn":
        return None
    from fontTools.unicodedata import script_name

    named = {"arab": "ARABIC-INDIC", "arabext": "EXTENDED ARABIC-INDIC", "fullwide": "FULLWIDTH"}
    prefix = named.get(system) or str(script_name(system.title(), default="")).upper()
    try:
        zero = ord(unicodedata.lookup(f"{prefix.replace('_', ' ')} DIGIT ZERO"))
    except KeyError:
        return None
    return {ord("0") + i: chr(zero + i) for i in range(10)}


class Labels(gettext.NullTranslations):
    """The catalog of a language with the set's and the brief's `labels:` over it, and its
    numbering system (the brief's `numbers:`)."""

    def __init__(
        self, language: str, overrides: Mapping[str, str] | None = None, numbers: str = "default"
    ):
        super().__init__()
        self.language = language or "en"
        self.catalog_name = catalog_name(self.language)
        self.missing = self.catalog_name is None
        self.locale = locale_of(self.language) if not self.missing else Locale("en")
        self.number_locale = locale_of(self.language)  # numbers and dates: CLDR knows more
        self.numbering = numbering_system(self.number_locale, numbers)
        self._digits = _digits(self.numbering)
        self._catalog = _catalog(self.catalog_name or "en")
        self.overrides = dict(overrides or {})
        # English fixed texts in a right-to-left paper (a language without a catalog) read
        # left to right: "Methods." not ".Methods" (_left_to_right)
        self._isolate = self.missing and direction(self.language) == "rtl"

    @property
    def english_in_rtl(self) -> bool:
        """Whether the fixed texts are English fallback in a right-to-left paper."""
        return self._isolate

    def _english(self, text: str) -> str:
        """A catalog's text as shown: its digits in the paper's numbering system ("Figure 1."
        in Persian is "شکل ۱."), English fallback kept in order in a right-to-left page."""
        text = self.digits(text)
        return _left_to_right(text) if self._isolate and text.strip() else text

    def digits(self, text: str) -> str:
        """Text with its 0-9 in the paper's numbering system (۱۴۰۲, १४०२)."""
        return text.translate(self._digits) if self._digits else text

    def _symbols(self) -> str:
        """The numbering system whose separators Babel has for the locale (else Latin's)."""
        symbols = self.number_locale.number_symbols
        return self.numbering if self.numbering in symbols else "latn"

    def gettext(self, message: str) -> str:
        if message in self.overrides:
            return self.overrides[message]
        return self._english(self._catalog.gettext(message))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        key = singular if n == 1 else plural
        if key in self.overrides:
            return self.overrides[key]
        return self._english(self._catalog.ngettext(singular, plural, n))

    def pgettext(self, context: str, message: str) -> str:
        if message in self.overrides:
            return self.overrides[message]
        return self._english(self._catalog.pgettext(context, message))

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        key = singular if n == 1 else plural
        if key in self.overrides:
            return self.overrides[key]
        return self._english(self._catalog.npgettext(context, singular, plural, n))

    __call__ = gettext

    def warning(self) -> str | None:
        """The one warning a language without a catalog gets (said once per command:
        `once`)."""
        if not self.missing:
            return None
        return (
            f"language '{self.language}' has no message catalog: the paper's fixed texts are "
            f"in English (catalogs: {', '.join(c.replace('_', '-') for c in CATALOGS)}; "
            "a brief's `labels:` can translate them)"
        )

    # -- numbers and dates -------------------------------------------------------------
    def number(self, value: float, digits: int = 2) -> str:
        """1.5, 1,5, ١٫٥: a decimal in the language's format."""
        fmt = "#,##0." + "#" * digits if digits else "#,##0"
        return self.digits(
            _numbers.format_decimal(
                value, format=fmt, locale=self.number_locale, numbering_system=self._symbols()
            )
        )

    def integer(self, value: int) -> str:
        return self.digits(
            _numbers.format_decimal(
                value, locale=self.number_locale, numbering_system=self._symbols()
            )
        )

    def percent(self, share: float) -> str:
        """40%, 40 %, ٤٠٪: a share in the language's format, whole percents."""
        system = self._symbols()
        text = _numbers.format_percent(share, locale=self.number_locale, numbering_system=system)
        if system != "latn":  # Babel 2.19 keeps Latin's sign: ٪ for Persian, Arabic
            text = text.replace(
                "%", self.number_locale.number_symbols[system].get("percentSign", "%")
            )
        return self.digits(text)

    def date(self, value: Date) -> str:
        """The date at its precision (year, month and year, full) in the language's form."""
        return self.digits(format_date(value, self.number_locale))

    def year(self, year: int, era: bool = False) -> str:
        """A year as a label: 1858, 221 BCE (localized era), with `era`, 1858 CE."""
        return self.digits(format_year(year, self.number_locale, era))


ONCE = ("language '", "no installed font draws ")
"""How the warnings said once per command begin (the first output that has one keeps it):
the language without a catalog, and a script no font draws. Every edition and format of
a brief would say them again."""


def once(warnings: list[list[str]], said: set[str] | None = None) -> None:
    """Each warning in ONCE kept only where it is first said, across the lists (in place);
    `said` carries what earlier briefs of the command said."""
    said = set() if said is None else said
    for found in warnings:
        keep = []
        for w in found:
            if w.startswith(ONCE) or ": no installed font draws " in w:
                if w in said:
                    continue
                said.add(w)
            keep.append(w)
        found[:] = keep


def format_date(value: Date, locale: Locale) -> str:
    """A Date at its own precision in a locale's form (CLDR skeletons y, yMMMM, yMMMMd).
    English keeps counterpoint's own form (November 22, 2026; 221 BCE)."""
    if locale.language == "en":
        return value.long()
    skeleton = "y" if value.month is None else ("yMMMM" if value.day is None else "yMMMMd")
    bce = value.year < 0
    year = abs(value.year)
    day = value.day or 1
    if value.month == 2 and day == 29:
        day = 28 if not _leap(year) else 29
    if year > 9999:
        return value.long()
    when = _dt.date(year, value.month or 1, day)
    if not bce:
        return format_skeleton(skeleton, when, locale=locale)
    return _with_bce(format_skeleton("G" + skeleton, when, locale=locale), locale)


def format_year(year: int, locale: Locale, era: bool = False) -> str:
    """A year on its own: 1858, 221 BCE; in the locale's words (221 до н. э., 公元前221年)."""
    if locale.language == "en":
        from counterpoint.brief.model import year_label

        return year_label(year, era)
    if year > 0 and not era:
        return str(year)
    when = _dt.date(min(abs(year), 9999), 1, 1)
    text = format_skeleton("Gy", when, locale=locale)
    return _with_bce(text, locale) if year < 0 else text


def _with_bce(text: str, locale: Locale) -> str:
    """A CE-era form turned BCE: the locale's CE era name swapped for its BCE one."""
    for width in ("abbreviated", "wide", "narrow"):
        eras = locale.eras.get(width) or {}
        ce, bce = eras.get(1), eras.get(0)
        if ce and bce and ce in text:
            return text.replace(ce, bce, 1)
    return text + " BCE"


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def sentences(*parts: str) -> str:
    """Sentences joined as the language spaces them: a space after "." and the like, none
    after a full-width "。" (Chinese, Japanese), which carries its own; empty parts left out.
    A part may be HTML: the last character shown decides."""
    out = ""
    for part in (p.strip() for p in parts):
        if not part:
            continue
        last = re.sub(r"<[^>]*>", "", out).rstrip()[-1:]  # the last letter shown, not a tag
        if out and unicodedata.east_asian_width(last or " ") not in ("F", "W"):
            out += " "
        out += part
    return out


def split_message(text: str, *names: str) -> list[str]:
    """'Page %(page)s of %(pages)s' -> ['Page ', ' of ', ''] (the parts around the names,
    in the translation's order: the print CSS puts counters between them)."""
    parts = re.split("|".join(re.escape(f"%({n})s") for n in names), text)
    return parts + [""] * (len(names) + 1 - len(parts))


# -- the `labels:` key (a brief, a set manifest) --------------------------------------------
@describe({"type": "object", "additionalProperties": {"type": "string"}})
def labels(c: Checker, node: yaml.Node, path: str) -> Any:
    """`labels: {Bottom line: Key points}`: a message (its English text, the msgid) and the
    text to show instead."""
    if not isinstance(node, yaml.MappingNode):
        return c.expect(node, path, "a mapping of English labels to the text shown instead")
    out: dict[str, str] = {}
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            return c.expect(key, path, "a label's English text")
        got = one_line(c, value, f"{path}.{key.value}")
        if got is not INVALID:
            out[str(key.value)] = got
    return out
