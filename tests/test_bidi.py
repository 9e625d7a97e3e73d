"""Mixed-direction runs in notes and bibliography entries (render/bidi.py): each run of the
other direction is wrapped in a `<span dir>`, so that WeasyPrint, which ignores `<bdi>`,
lays it out as one unit in its own direction, as a browser does."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from counterpoint.render.bidi import isolate


def test_an_english_name_in_arabic_text_reads_left_to_right() -> None:
    assert isolate(Markup("قال John Smith إن الاتفاق صامد"), "rtl") == (
        '<span dir="rtl">قال <span dir="ltr">John Smith</span> إن الاتفاق صامد</span>'
    )


def test_an_english_name_in_hebrew_text_reads_left_to_right() -> None:
    assert isolate(Markup("שלום John שלום"), "rtl") == (
        '<span dir="rtl">שלום <span dir="ltr">John</span> שלום</span>'
    )


def test_a_hebrew_title_in_an_english_note_reads_right_to_left() -> None:
    assert isolate(Markup("A note citing שלום עולם and more."), "ltr") == (
        '<span dir="ltr">A note citing <span dir="rtl">שלום עולם</span> and more.</span>'
    )


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("Plain English text.", "ltr"),
        ("Café, naïve, Straße: Latin letters only", "ltr"),
        ("نص عربي فقط، 2025.", "rtl"),
    ],
)
def test_text_of_the_papers_own_direction_is_left_alone(text: str, direction: str) -> None:
    assert isolate(Markup(text), direction) == text


def test_a_latin_note_in_an_arabic_paper_reads_left_to_right_as_a_whole() -> None:
    """Its commas, year and page stay where the English style put them; only the Arabic
    word inside is turned."""
    note = "Miller, “Brine and Bargains,” <em>Marine Policy</em>, 2024, وثيقة."
    assert isolate(Markup(note), "rtl") == (
        '<span dir="ltr">Miller, “Brine and Bargains,” <em>Marine Policy</em>, 2024, '
        '<span dir="rtl">وثيقة</span>.</span>'
    )
    # all Latin: still wrapped, or the Arabic paper would order its pieces right to left
    assert isolate(Markup("Plain English text."), "rtl") == (
        '<span dir="ltr">Plain English text.</span>'
    )


def test_an_arabic_note_in_an_english_paper_keeps_the_english_punctuation() -> None:
    """The name and title are isolated; the style's comma, year and page number stay in
    English order, not reversed to "22. ,(2025" beside the note's number."""
    note = "هدى سالم, <em>تبادل الحدود</em> (مركز الدراسات, 2025), 22."
    assert isolate(Markup(note), "ltr") == (
        '<span dir="ltr"><span dir="rtl">هدى سالم, <em>تبادل الحدود</em></span> '
        '(<span dir="rtl">مركز الدراسات</span>, 2025), 22.</span>'
    )


def test_digits_after_a_latin_run_belong_to_it() -> None:
    assert isolate(Markup("انظر Marine Policy 2024 ص. 5"), "rtl") == (
        '<span dir="rtl">انظر <span dir="ltr">Marine Policy 2024</span> ص. 5</span>'
    )


def test_a_run_never_holds_one_bracket_of_a_pair() -> None:
    assert isolate(Markup("انظر (Oxford University Press) ص"), "rtl") == (
        '<span dir="rtl">انظر (<span dir="ltr">Oxford University Press</span>) ص</span>'
    )
    assert isolate(Markup("انظر Smith (Oxford ص"), "rtl") == (
        '<span dir="rtl">انظر <span dir="ltr">Smith</span> (<span dir="ltr">Oxford</span> ص</span>'
    )


def test_an_element_of_the_other_direction_is_wrapped_whole() -> None:
    assert isolate(Markup("<em>Marine</em> كتاب"), "rtl") == (
        '<span dir="rtl"><span dir="ltr"><em>Marine</em></span> كتاب</span>'
    )


def test_markup_that_does_not_nest_is_returned_unchanged() -> None:
    assert isolate(Markup("كتاب <em>Marine"), "rtl") == "كتاب <em>Marine"
    assert isolate(Markup("كتاب Marine</em>"), "rtl") == "كتاب Marine</em>"


def test_escaped_text_stays_escaped() -> None:
    assert isolate(Markup("قال &lt;John&gt; &amp; Co"), "rtl") == (
        '<span dir="rtl">قال &lt;<span dir="ltr">John&gt; &amp; Co</span></span>'
    )
