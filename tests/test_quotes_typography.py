"""Typographic quotation marks and apostrophes in body text, by the paper's language
(issue 29): CLDR's marks where they are known, the text as written where they are not."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from counterpoint import build

from .conftest import MINIMAL, ROOT

SAID = 'It is settled; he said "no" and \'maybe\', and it\'s `"code"` [@petrova-2025, para. 2].'


def _summary(page: str) -> str:
    section = re.search(r'<section id="summary".*?</section>', page, re.S).group(0)
    return re.sub(r"<span class=\"fn-pop\".*?</span></span>|<[^>]+>", "", section, flags=re.S)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", 'he said “no” and ‘maybe’, and it’s "code"'),
        ("de", 'he said „no“ and ‚maybe‘, and it’s "code"'),
        ("fr", 'he said «\u202fno\u202f» and “maybe”, and it’s "code"'),
        ("ru", 'he said «no» and „maybe“, and it’s "code"'),
        ("ja", 'he said 「no」 and 『maybe』, and it’s "code"'),
        # no known marks for Swahili: left as written
        ("sw", 'he said "no" and \'maybe\', and it\'s "code"'),
    ],
)
def test_body_text_takes_the_languages_quotation_marks(
    write_brief: Callable[..., Path],
    tmp_path: Path,
    language: str,
    expected: str,
) -> None:
    text = MINIMAL.replace(
        "summary: It is settled [@petrova-2025, para. 2].", "summary: >-\n  " + SAID
    )
    text = text.replace("date: 2026-11-22", f"date: 2026-11-22\nlanguage: {language}")
    built = build(write_brief(text), tmp_path / "o", formats=["html", "docx"])
    page = built[0].path.read_text(encoding="utf-8")
    assert expected in _summary(page).replace("&quot;", '"').replace("&#x27;", "'")
    with zipfile.ZipFile(built[1].path) as docx:
        body = re.sub(r"<[^>]+>", "", docx.read("word/document.xml").decode("utf-8"))
    body = body.replace("&quot;", '"').replace("&apos;", "'").replace("&#39;", "'")
    assert expected.replace('"code"', "").rstrip() in body


def test_the_flagship_body_has_no_straight_quotes(tmp_path: Path) -> None:
    flagship = ROOT / "briefs" / "russian-far-east.yaml"
    (html,) = build(flagship, tmp_path, formats=["html"])
    page = html.path.read_text(encoding="utf-8")
    views = page[page.index('<section id="views"') : page.index('<section id="contested"')]
    views = re.sub(r'<span class="fn-pop".*?</span></span>', "", views, flags=re.S)
    text = re.sub(r"<[^>]+>", "", re.sub(r"<h[234].*?</h[234]>", "", views))  # not labels
    assert "“revealingly taboo”" in page and "&quot;" not in text and "&#x27;" not in text
