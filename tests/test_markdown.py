"""A brief's Markdown fields (brief/markdown.py): CommonMark without raw HTML, Pandoc-style
citations and notes, note calls after the punctuation, each language's quotation marks."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from markdown_it.token import Token

from counterpoint import validate
from counterpoint.brief.markdown import iter_citations, iter_units, parse, plain, render

from .conftest import MINIMAL


def cite(citation: Any, punctuation: str = "") -> str:
    """A citation as its keys in brackets (what the CSL processor writes is not tested here)."""
    return "[" + "; ".join(item.key for item in citation.items) + "]" + punctuation


def html(text: str, **options: Any) -> str:
    return render(parse(text), cite, **options)


@pytest.fixture
def summary(write_brief: Callable[..., Path]) -> Callable[[str], list[Token]]:
    """The parsed `summary:` of a brief that has this text as its summary (its citations
    known to the brief, as a build reads them)."""

    def parsed(text: str) -> list[Token]:
        line = "summary: It is settled [@petrova-2025, para. 2]."
        brief = validate(write_brief(MINIMAL.replace(line, "summary: " + json.dumps(text))))
        assert brief.summary is not None
        return brief.summary.tokens

    return parsed


# -- CommonMark, and nothing a page could run -------------------------------------------------
def test_emphasis_and_paragraphs() -> None:
    assert html("It is *settled* and **firm**.\n\nA second paragraph.") == (
        "<p>It is <em>settled</em> and <strong>firm</strong>.</p>\n<p>A second paragraph.</p>\n"
    )
    # a field of one paragraph shown inline (a view's label, a thesis) has no <p>
    assert html("It is *settled*.", inline=True) == "It is <em>settled</em>."
    assert html("One.\n\nTwo.", inline=True) == "<p>One.</p>\n<p>Two.</p>\n"


def test_raw_html_is_shown_as_text() -> None:
    assert html("<script>alert(1)</script> and <b>bold</b>", inline=True) == (
        "&lt;script&gt;alert(1)&lt;/script&gt; and &lt;b&gt;bold&lt;/b&gt;"
    )


def test_web_links_are_kept_and_script_links_refused() -> None:
    assert html("[the report](https://example.org/a?b=1) <https://example.org>", inline=True) == (
        '<a href="https://example.org/a?b=1">the report</a> '
        '<a href="https://example.org">https://example.org</a>'
    )
    for url in ("javascript:alert(1)", "vbscript:x", "data:text/html,x"):
        assert html(f"[bad]({url})", inline=True) == f"[bad]({url})"  # left as text


# -- quotation marks: each language's own (CLDR) -----------------------------------------
@pytest.mark.parametrize(
    ("language", "written"),
    [
        ("en", "She said “it holds” and ‘maybe’; it’s done."),
        ("en-GB", "She said “it holds” and ‘maybe’; it’s done."),
        ("de", "She said „it holds“ and ‚maybe‘; it’s done."),
        ("fr", "She said «\u202fit holds\u202f» and “maybe”; it’s done."),
        ("ru", "She said «it holds» and „maybe“; it’s done."),
        ("pl", "She said „it holds” and «maybe»; it’s done."),
        ("ja", "She said 「it holds」 and 『maybe』; it’s done."),
        ("zh-TW", "She said 「it holds」 and 『maybe』; it’s done."),
        ("zh-HK", "She said 「it holds」 and 『maybe』; it’s done."),
        ("zh-Hant", "She said 「it holds」 and 『maybe』; it’s done."),
        ("zh-Hans-HK", "She said “it holds” and ‘maybe’; it’s done."),
        ("zh-CN", "She said “it holds” and ‘maybe’; it’s done."),
        ("he", "She said ”it holds” and ’maybe’; it’s done."),
        ("ar", "She said ”it holds“ and ’maybe‘; it’s done."),
    ],
)
def test_quotation_marks_are_the_languages_own(language: str, written: str) -> None:
    text = "She said \"it holds\" and 'maybe'; it's done."
    assert html(text, inline=True, language=language) == written


def test_a_language_whose_marks_are_not_known_keeps_them_as_written() -> None:
    text = 'She said "it holds"; it\'s done.'
    assert html(text, inline=True, language="sv") == "She said &quot;it holds&quot;; it's done."
    assert html(text, inline=True) == "She said &quot;it holds&quot;; it's done."  # no language


def test_code_and_raw_html_keep_their_straight_quotes() -> None:
    assert html('`code "x"`', inline=True, language="de") == "<code>code &quot;x&quot;</code>"
    assert html('x <b>"y"</b>', inline=True, language="de") == (
        "x &lt;b&gt;&quot;y&quot;&lt;/b&gt;"
    )


# -- citations and note calls ---------------------------------------------------------------
def test_a_note_call_follows_the_punctuation_after_it(summary) -> None:
    tokens = summary("Trade grew by a third [@petrova-2025, para. 6].")
    assert render(tokens, cite, inline=True) == "Trade grew by a third.[petrova-2025]"
    # an in-text citation stays where it was written
    assert render(tokens, cite, inline=True, notes=False) == (
        "Trade grew by a third [petrova-2025]."
    )
    # the French and Russian rule: the call before the punctuation, with no space
    assert render(tokens, cite, inline=True, calls="before") == (
        "Trade grew by a third[petrova-2025]."
    )


def test_a_paragraph_with_note_calls_is_marked_for_print(summary) -> None:
    tokens = summary('Trade grew [@petrova-2025, para. 6], and "held" [@lin-2024].')
    assert render(tokens, cite, language="de") == (
        '<p class="cited">Trade grew,[petrova-2025] and „held“.[lin-2024]</p>\n'
    )
    assert render(summary("Plain words."), cite) == "<p>Plain words.</p>\n"


def test_a_narrative_citation_hands_its_punctuation_to_the_citation(summary) -> None:
    tokens = summary("Petrova finds @petrova-2025 [para. 6], that trade grew.")
    assert render(tokens, cite, inline=True) == "Petrova finds [petrova-2025], that trade grew."


def test_a_discursive_note_is_a_call_or_nothing(summary) -> None:
    tokens = summary("Trade grew.^[A side note [@lin-2024].] More.")
    assert render(tokens, cite, inline=True, note=lambda aside: "<sup>1</sup>") == (
        "Trade grew.<sup>1</sup> More."
    )
    assert render(tokens, cite, inline=True) == "Trade grew. More."


def test_citations_and_notes_in_reading_order() -> None:
    tokens = parse("First [@a]. Note^[inside [@b] and [@c].] Last [@d; @e].\n\nThen [@f].")
    keys = [[item["key"] for item in tok.meta["items"]] for tok in iter_citations(tokens)]
    assert keys == [["a"], ["b"], ["c"], ["d", "e"], ["f"]]
    # what takes a note number: the note itself, not the citations inside it
    assert [tok.type for tok in iter_units(tokens)] == ["citation", "note", "citation", "citation"]


# -- plain text, for counts and metadata ------------------------------------------------------
def test_plain_text_drops_markup_and_citations() -> None:
    assert plain(parse("The event [@x]. Next *thing*\n\n- item one\n- item two")) == (
        "The event. Next thing item one item two"
    )


def test_a_line_break_between_chinese_characters_is_no_space() -> None:
    assert plain(parse("中文\n字")) == "中文字"
    assert plain(parse("中文 字")) == "中文字"  # YAML's folding made that space
    assert html("中文\n字", inline=True) == "中文字"
    assert plain(parse("한국어\n문장")) == "한국어 문장"  # Korean is written with spaces
    assert plain(parse("ภาษา ไทย")) == "ภาษา ไทย"  # a Thai space is a phrase break
