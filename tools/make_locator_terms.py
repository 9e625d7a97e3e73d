"""Write src/counterpoint/cite/locator_terms.json: the CSL locales' locator terms, as Pandoc
reads them.

    .venv/bin/python tools/make_locator_terms.py

Pandoc reads a citation's locator label ("p. 7") only in the locale's own terms, so
counterpoint rewrites an English label to the locale's form before Pandoc reads it
(cite/locators.py, localize_locator). The terms come from Pandoc itself: for each of its embedded
CSL locales, a probe style prints every locator term in every form. Run this again when
the Pandoc version changes; tests/test_citations.py checks the table against Pandoc. It
also lists the locales that put a comma inside closing quotation marks (en-US), for
"cited in" (cite/reading.py).
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from counterpoint.process import pandoc

LOCATORS = [
    "act",
    "appendix",
    "article-locator",
    "book",
    "canon",
    "chapter",
    "column",
    "elocation",
    "equation",
    "figure",
    "folio",
    "issue",
    "line",
    "note",
    "opus",
    "page",
    "paragraph",
    "part",
    "rule",
    "scene",
    "section",
    "sub-verbo",
    "supplement",
    "table",
    "timestamp",
    "title-locator",
    "verse",
    "version",
    "volume",
]
FORMS = (("long", "false"), ("long", "true"), ("short", "false"), ("short", "true"),
         ("symbol", "false"), ("symbol", "true"))  # fmt: skip
LOCALES = [
    "af-ZA",
    "ar",
    "bg-BG",
    "ca-AD",
    "cs-CZ",
    "cy-GB",
    "da-DK",
    "de-AT",
    "de-CH",
    "de-DE",
    "el-GR",
    "en-GB",
    "en-US",
    "es-CL",
    "es-ES",
    "es-MX",
    "et-EE",
    "eu",
    "fa-IR",
    "fi-FI",
    "fr-CA",
    "fr-FR",
    "gl-ES",
    "he-IL",
    "hi-IN",
    "hr-HR",
    "hu-HU",
    "id-ID",
    "is-IS",
    "it-IT",
    "ja-JP",
    "km-KH",
    "ko-KR",
    "la",
    "lt-LT",
    "lv-LV",
    "mn-MN",
    "ms-MY",
    "nb-NO",
    "nl-NL",
    "nn-NO",
    "pl-PL",
    "pt-BR",
    "pt-PT",
    "ro-RO",
    "ru-RU",
    "sk-SK",
    "sl-SI",
    "sr-RS",
    "sv-SE",
    "th-TH",
    "tr-TR",
    "uk-UA",
    "vi-VN",
    "zh-CN",
    "zh-TW",
]
SEP, END = "\u241f", "\u241e"


def probe_style() -> str:
    texts = "".join(
        f'<text term="{term}" form="{form}" plural="{plural}"/><text value="{SEP}"/>'
        for term in LOCATORS
        for form, plural in FORMS
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">'
        "<info><title>probe</title><id>probe</id><updated>2026-01-01T00:00:00+00:00</updated>"
        f'</info><citation><layout suffix="{END}">{texts}</layout></citation></style>'
    )


def run(style: str, document: str, locale: str, folder: Path) -> list[str]:
    (folder / "probe.csl").write_text(style, encoding="utf-8")
    ran = subprocess.run(
        [pandoc.binary(), "-f", "markdown", "-t", "plain", "--wrap=none", "--citeproc",
         "--csl", str(folder / "probe.csl"), "--bibliography", str(folder / "refs.json"),
         "-M", f"lang={locale}"],
        input=document.encode(), capture_output=True, check=True,
    )  # fmt: skip
    return [p.strip() for p in ran.stdout.decode().split("\n\n") if p.strip()]


def terms(locale: str, folder: Path) -> dict[str, list[str]]:
    """Each locator term's six forms (long, short, symbol; singular, plural)."""
    out = run(probe_style(), "[@x]\n", locale, folder)[0].split(END)[0].split(SEP)
    return {term: out[i * len(FORMS) : (i + 1) * len(FORMS)] for i, term in enumerate(LOCATORS)}


PARSE_STYLE = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">'
    "<info><title>probe</title><id>probe</id><updated>2026-01-01T00:00:00+00:00</updated>"
    '</info><citation><layout><text value="{"/><text variable="locator"/><text value="}"/>'
    '<label variable="locator" form="long" plural="never"/></layout></citation></style>'
)


def parsed(locale: str, forms: dict[str, list[str]], folder: Path) -> dict[str, list[str]]:
    """For each term, its singular and its plural form that Pandoc reads as that term's
    locator in the locale (short preferred, then long, then symbol)."""
    tried = [(term, form) for term, six in forms.items() for form in dict.fromkeys(six) if form]
    document = "".join(f"[@x, {form} 7]\n\n" for _, form in tried)
    got = run(PARSE_STYLE, document, locale, folder)
    works: dict[str, set[str]] = {}
    for (term, form), text in zip(tried, got, strict=True):
        if text == "{7}" + forms[term][0]:  # read as a locator of this very term
            works.setdefault(term, set()).add(form)
    table = {}
    for term, six in forms.items():
        ok = works.get(term, set())
        singular = [six[i] for i in (2, 0, 4) if six[i] in ok]
        plural = [six[i] for i in (3, 1, 5) if six[i] in ok] + singular
        if singular or plural:
            table[term] = [(singular or plural)[0], plural[0]]
    return table


QUOTE_STYLE = PARSE_STYLE.replace(
    PARSE_STYLE[PARSE_STYLE.index("<layout>") : PARSE_STYLE.index("</layout>")],
    '<layout><text value="x" quotes="true" suffix=","/>',
)


def punctuation_in_quote(locale: str, folder: Path) -> bool:
    """True when the locale puts a following comma inside closing quotation marks."""
    (text,) = run(QUOTE_STYLE, "[@x]\n", locale, folder)
    return text[-1:] != ","


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "refs.json").write_text('[{"id": "x", "type": "book"}]', encoding="utf-8")
        english: dict[str, list[object]] = {}
        for locale in ("en-GB", "en-US"):  # en-US's forms win where the two differ
            for term, six in terms(locale, folder).items():
                for i, form in enumerate(six):
                    if form:
                        english[form] = [term, i % 2 == 1]
        table: dict[str, object] = {"english": english}
        inside = [loc for loc in LOCALES if punctuation_in_quote(loc, folder)]
        table["punctuation-in-quote"] = inside
        for locale in LOCALES:
            table[locale] = parsed(locale, terms(locale, folder), folder)
    target = Path(__file__).resolve().parent.parent / "src/counterpoint/cite/locator_terms.json"
    lines = [f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in table.items()]
    target.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
    print(f"wrote {target.name}")


if __name__ == "__main__":
    main()
