"""Every script as its readers expect it (issue 28): line breaks, note calls, fonts, tags.

The samples in tests/languages/ are written in Korean, Hindi, Persian, Hebrew, Japanese and
English with names and titles in other scripts.
"""

from __future__ import annotations

import functools
import unicodedata

import regex
from fontTools.unicodedata import Scripts
from hypothesis import given, settings
from hypothesis import strategies as st

from counterpoint import markdown

UNSPACED_CLASSES = ("ID", "CJ", "SA", "AK", "AP", "AS")
"""UAX #14's classes of letters written without spaces between words (ideographs and kana,
South-East Asian scripts, Brahmic scripts set without spaces); Hangul has its own (H2, H3,
JL, JV, JT) because Korean spaces its words."""


@functools.cache
def _letters() -> dict[str, str]:
    """Up to 64 letters of every script in Unicode's Scripts data (as the regex module
    reads it), keyed by the script's name."""
    every = "".join(
        chr(cp) for cp in range(0x110000) if unicodedata.category(chr(cp)) in ("Lo", "Ll", "Lu")
    )
    out: dict[str, str] = {}
    for name in Scripts.NAMES.values():
        try:
            found = regex.findall(rf"\p{{Script={name}}}", every)
        except regex.error:  # a script newer than the regex module's data
            continue
        if found:
            out[name] = "".join(found[:: max(1, len(found) // 64)][:64])
    return out


def _written_without_spaces(script: str) -> bool:
    """The line-breaking data's answer for a script: most of its letters are in a class of
    letters set without spaces, and it is not Hangul."""
    letters = _letters()[script]
    unspaced = sum(
        1 for ch in letters if any(regex.match(rf"\p{{Lb={c}}}", ch) for c in UNSPACED_CLASSES)
    )
    return script != "Hangul" and 2 * unspaced > len(letters)


def test_every_script_of_unicode_is_covered() -> None:
    letters = _letters()
    assert len(letters) > 150  # Latin to Tangut
    assert _written_without_spaces("Han") and _written_without_spaces("Thai")
    assert _written_without_spaces("Hiragana") and _written_without_spaces("Khmer")
    for spaced in ("Hangul", "Latin", "Devanagari", "Arabic", "Hebrew", "Ethiopic", "Georgian"):
        assert not _written_without_spaces(spaced), spaced


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_line_break_is_a_space_only_in_scripts_that_space_their_words(
    data: st.DataObject,
) -> None:
    script = data.draw(st.sampled_from(sorted(_letters())), label="script")
    letters = _letters()[script]
    first = data.draw(st.sampled_from(letters), label="first")
    second = data.draw(st.sampled_from(letters), label="second")
    if not all(
        _written_without_spaces(script)
        == any(regex.match(rf"\p{{Lb={c}}}", ch) for c in UNSPACED_CLASSES)
        for ch in (first, second)
    ):  # a letter classed unlike most of its script (a Latin full-width letter, say)
        return
    text = markdown.plain(markdown.parse(f"{first}{first}\n{second}{second}"))
    if _written_without_spaces(script):
        assert text == f"{first}{first}{second}{second}", script
    else:
        assert text == f"{first}{first} {second}{second}", script


def test_korean_keeps_its_spaces_and_japanese_joins() -> None:
    korean = "정책은 기능\n이전만으로는 부족하다.\n논쟁의 중심이다."
    html = markdown.render(markdown.parse(korean), str, inline=True)
    assert "기능\n이전만으로는" in html and "부족하다.\n논쟁의" in html
    japanese = "港湾の\n再編は、\n一九九〇年代に始まった。\nTesla"
    assert markdown.plain(markdown.parse(japanese)) == "港湾の再編は、一九九〇年代に始まった。Tesla"
    thai = "การค้า\nชายแดน เติบโต"
    assert markdown.plain(markdown.parse(thai)) == "การค้าชายแดน เติบโต"  # a Thai space stays


def _calls(text: str) -> str:
    tokens = markdown.parse(text)
    for token in markdown.iter_citations(tokens):
        token.meta["citation"] = token.meta["items"][0]["key"]
    return markdown.render(tokens, lambda key: f"<{key}>", inline=True)


def test_note_calls_follow_every_scripts_sentence_marks() -> None:
    assert _calls("नदी सूख रही है [@a]। फिर [@b]॥") == "नदी सूख रही है।<a> फिर॥<b>"
    assert _calls("ውሃ ጠፋ [@a]። ሌላ [@b]፣ ነው") == "ውሃ ጠፋ።<a> ሌላ፣<b> ነው"
    assert _calls("مرز [@a]؟ و [@b]،") == "مرز؟<a> و،<b>"
    assert _calls("港は閉じた[@a]。") == "港は閉じた。<a>"
    assert _calls("It closed [@a].") == "It closed.<a>"
