"""Locators in every language: the CSL locales' locator terms as Pandoc reads them.

Pandoc reads a citation's locator label ("p. 7") only in the locale's own terms, so an
English label is handed over in the locale's term (`localize_locator`). The terms come
from Pandoc itself (`locator_terms.json`, written by tools/make_locator_terms.py).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any


@cache
def locator_terms() -> dict[str, Any]:
    """Every CSL locale's locator terms as Pandoc reads them (tools/make_locator_terms.py)."""
    path = Path(__file__).with_name("locator_terms.json")
    terms: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return terms


def _locale_terms(locale: str) -> dict[str, list[str]] | None:
    """The locator terms of the CSL locale Pandoc uses for `locale` (uk: uk-UA)."""
    name = csl_locale(locale)
    return dict(locator_terms()[name]) if name else None


def csl_locale(locale: str) -> str:
    """The CSL locale Pandoc uses for a language tag (uk: uk-UA, en: en-US), or ""."""
    table = {k for k, v in locator_terms().items() if isinstance(v, dict) and k != "english"}
    parts = locale.replace("_", "-").split("-")
    language = parts[0].lower()
    if locale in table:
        return locale
    region = next((p.upper() for p in parts[1:] if len(p) == 2), "")
    script = next((p.title() for p in parts[1:] if len(p) == 4), "")
    preferred = {"en": "en-US", "pt": "pt-PT", "zh": "zh-TW" if script == "Hant" else "zh-CN"}
    for candidate in (
        f"{language}-{region}",
        preferred.get(language, ""),
        f"{language}-{language.upper()}",
        language,
        *sorted(k for k in table if k.startswith(language + "-")),
    ):
        if candidate in table:
            return candidate
    return ""


def localize_locator(suffix: str, locale: str, pages_only: bool = False) -> str:
    """A citation's suffix with its English locator label ("p. 7", "paras. 4-6") in the
    locale's own term ("с. 7" in Ukrainian), so that Pandoc, which reads a label only in
    the locale's terms, reads it as a locator in every language (docs/format.md). A label
    the locale reads already, and a suffix with no English label, stay as written.
    `pages_only`: for a style that prints no locator's label (GB/T 7714), which drops a
    locator that is not a page or prints it bare, as a page: another label stays text."""
    m = _english_label().match(suffix)
    if m is None:
        return suffix
    terms = _locale_terms(locale)
    term, plural = locator_terms()["english"][m["label"]]
    if pages_only and term != "page":
        return suffix
    forms = terms.get(term) if terms else None
    if not forms or m["label"] in forms:
        return suffix
    rest = suffix[m.end("label") :]
    return m["lead"] + forms[1 if plural else 0] + ("" if rest[:1].isspace() else " ") + rest


@cache
def _english_label() -> re.Pattern[str]:
    # a label with letters: signs (§, ¶) are read in every locale, each as its own term
    labels = sorted(
        (label for label in locator_terms()["english"] if re.search(r"[^\W\d_]", label)),
        key=len,
        reverse=True,
    )
    alternatives = "|".join(re.escape(label) for label in labels)
    # a label ends at a space, or (ending in a stop or a sign: "p.7", "§4") at the number
    return re.compile(rf"(?P<lead>\s*,?\s*)(?P<label>{alternatives})(?=\s|(?<=\W)\w)")


def punctuation_in_quote(locale: str) -> bool:
    """Whether the locale puts a comma inside closing quotation marks (en-US)."""
    return csl_locale(locale) in locator_terms()["punctuation-in-quote"]
