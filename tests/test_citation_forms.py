"""Citation forms a careful editor checks: every CSL date form, short titles, narrative
citations' spacing, "cited in" punctuation, and locators in every language.

Each expectation is Pandoc's own rendering (tests/oracle.py) of the same item, or the
style's manual where Pandoc has no say.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from counterpoint import build, validate
from counterpoint.brief import csl

from .conftest import MINIMAL, SOURCES
from .oracle import oracle, page_bibliography, page_citations, page_notes

DATED = """\
references:
  - id: range
    type: book
    title: An Inquiry into the Nature and Causes of the Wealth of Nations
    author: [{family: Smith, given: Adam}]
    publisher: T. Cadell
    issued: {date-parts: [[1776], [1789]]}
  - id: edtf
    type: book
    title: The Decline and Fall
    author: [{family: Gibbon, given: Edward}]
    issued: 1776/1789
  - id: circa
    type: map
    title: Map of the Amur
    author: [{family: Venyukov, given: Mikhail}]
    issued: {date-parts: [[1858]], circa: true}
  - id: season
    type: article-journal
    title: Ice Roads
    author: [{family: Orlov, given: Ivan}]
    container-title: Northern Review
    volume: 4
    issued: {date-parts: [[2020]], season: 1}
  - id: open
    type: software
    title: Tide Tables
    author: [{literal: Harbour Office}]
    issued: 2019/..
  - id: literal
    type: manuscript
    title: Letter to the Governor
    author: [{family: Muravyov, given: Nikolay}]
    issued: {literal: Spring 1854}
  - id: bce
    type: book
    title: Commentaries
    author: [{family: Caesar, given: Julius}]
    issued: -50
"""


def _dated_brief(write_brief: Callable[..., Path], style: str) -> Path:
    keys = ["range", "edtf", "circa", "season", "open", "literal", "bce"]
    text = MINIMAL.replace("[@lin-2024, p. 4]", "[" + "; ".join(f"@{k}" for k in keys) + "]")
    return write_brief(text + f"csl: {style}\n", sources=SOURCES + DATED.split("\n", 1)[1])


@pytest.mark.parametrize("style", ["apa", "chicago-notes-bibliography"])
def test_every_csl_date_form_reaches_the_processor(
    write_brief: Callable[..., Path], tmp_path: Path, style: str
) -> None:
    """Ranges, open ranges, circa, seasons, literal dates and BCE years, from YAML."""
    path = _dated_brief(write_brief, style)
    (html,) = build(path, tmp_path / "out", formats=["html"])
    entries = page_bibliography(html.path.read_text(encoding="utf-8"))
    text = " ".join(entries)
    for shown in ("1776–1789", "2019–"):
        assert shown in text, (shown, entries)
    assert ("ca. 1858" if style == "apa" else "[1858?]") in text
    assert ("50 B.C.E." if style == "apa" else "50 BC") in text
    if style == "apa":
        assert "(Spring 1854)" in text
    else:
        assert "Spring 2020" in text  # APA gives a journal's year only
    # the whole bibliography as Pandoc writes the same items
    items = [s.csl for s in validate(path).sources.values()]
    cites = ["[@petrova-2025]"] + [f"[@{s['id']}]" for s in items[2:]]
    _, _, expected = oracle(cites, items, csl.find(style, []).path, "en-US", tmp_path)
    assert entries == expected


def test_dates_in_csl_json_and_bib_keep_their_ranges_and_circa(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    (tmp_path / "refs.json").write_text(
        json.dumps(
            [
                {"id": "json-range", "type": "book", "title": "Annals",
                 "issued": {"date-parts": [["1776"], ["1789"]]}},
                {"id": "json-circa", "type": "book", "title": "Chronicle",
                 "issued": {"date-parts": [[1858]], "circa": True}},
            ]
        )
    )  # fmt: skip
    (tmp_path / "refs.bib").write_text(
        "@book{bib-range, title={Letters}, date={1801/1803}}\n"
        "@book{bib-circa, title={Atlas}, date={1858~}}\n"
    )
    text = MINIMAL.replace("[sources.yaml]", "[sources.yaml, refs.json, refs.bib]").replace(
        "[@lin-2024, p. 4]", "[@json-range; @json-circa; @bib-range; @bib-circa]"
    )
    (html,) = build(write_brief(text + "csl: apa\n"), tmp_path / "out", formats=["html"])
    entries = page_bibliography(html.path.read_text(encoding="utf-8"))
    assert "Annals. (1776–1789)." in entries
    assert "Chronicle. (ca. 1858)." in entries
    assert "Letters. (1801–1803)." in entries
    assert "Atlas. (ca. 1858)." in entries


def test_a_date_range_still_places_a_record_by_its_start(
    write_brief: Callable[..., Path],
) -> None:
    brief = validate(_dated_brief(write_brief, "apa"))
    assert str(brief.sources["edtf"].issued) == "1776"
    assert str(brief.sources["range"].issued) == "1776"


def test_a_range_whose_start_is_not_a_date_is_a_located_error(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    from counterpoint import InvalidInput

    sources = SOURCES + "  - id: bad\n    type: book\n    title: B\n    issued: 2021-13/2022\n"
    with pytest.raises(InvalidInput) as info:
        validate(write_brief(sources=sources))
    assert str(info.value) == (
        f"{tmp_path / 'sources.yaml'}:17:13: references[2].issued: '2021-13/2022' is not a "
        "real date"
    )


# -- short titles -------------------------------------------------------------------------
SUBTITLED = """\
  - id: keller-2024
    type: article-journal
    title: "Winter Range Loss in Battery-Electric Buses: Evidence from Five Northern Cities"
    author: [{family: Keller, given: Anna}, {family: Dubois, given: Marc}]
    container-title: Transport Review
    issued: 2024
  - id: who-rules
    type: book
    title: Who Rules? Power on a Long Border
    author: [{family: Ito, given: Ken}]
    issued: 2023
  - id: chen-2024
    type: book
    title: 电池与车轮：中国电动汽车产业链的崛起
    author: [{literal: 陈立}]
    issued: 2024
  - id: kept
    type: book
    title: "Rivers: A Study"
    title-short: River Book
    author: [{family: Ode, given: Ann}]
    issued: 2020
"""


def test_short_notes_use_the_main_title_without_the_subtitle(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    """CMOS 18, chapter 13, "short forms for titles" (14.32 in the 17th edition): the
    short note keeps the main title and drops the subtitle. "Titles of four words or
    fewer are seldom shortened" is the manual's guide for an editor choosing key words
    by hand, not a rule to cut at four words (which would end "Winter Range Loss in"),
    so the derived short title is the whole main title; `title-short` sets any other."""
    keys = ["keller-2024", "who-rules", "chen-2024", "kept"]
    first = "; ".join(f"@{k}" for k in keys)
    again = "".join(f" Again [@{k}, 3]." for k in keys)
    text = MINIMAL.replace("[@lin-2024, p. 4]", f"[{first}].{again}")
    (html,) = build(
        write_brief(text, sources=SOURCES + SUBTITLED), tmp_path / "out", formats=["html"]
    )
    notes = page_notes(html.path.read_text(encoding="utf-8"))[-4:]
    assert notes == [
        "Keller and Dubois, “Winter Range Loss in Battery-Electric Buses,” 3.",
        "Ito, Who Rules?, 3.",
        "陈立, 电池与车轮, 3.",
        "Ode, River Book, 3.",
    ]


# -- narrative citations ---------------------------------------------------------------
def test_a_narrative_citation_keeps_its_space_and_the_call_follows_punctuation(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    text = MINIMAL.replace(
        "summary: It is settled [@petrova-2025, para. 2].",
        'summary: "Finding F005: @petrova-2025 [para. 2] says so, as does @lin-2024."',
    )
    (html,) = build(write_brief(text), tmp_path / "out", formats=["html"])
    page = html.path.read_text(encoding="utf-8")
    call = r'<span class="fn"><a class="fn-call" id="fnref-{}"'
    assert re.search("Finding F005: Irina Petrova" + call.format(1), page)
    assert re.search("as does Institute for Border Studies[.]" + call.format(2), page)


def test_an_in_text_style_keeps_a_narrative_citation_where_it_was_written(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    text = MINIMAL.replace(
        "summary: It is settled [@petrova-2025, para. 2].",
        'summary: "As @petrova-2025 [para. 2] says, it is settled."',
    )
    (html,) = build(write_brief(text + "csl: apa\n"), tmp_path / "out", formats=["html"])
    plain = re.sub(r"<[^>]*>", "", html.path.read_text(encoding="utf-8"))
    assert "As Petrova (2025, para. 2) says, it is settled." in plain


# -- cited in ----------------------------------------------------------------------------
CITED = SOURCES + (
    "  - id: nw\n    type: article-magazine\n    title: New Guidelines\n"
    "    container-title: Newsweek\n    issued: 2023-05-02\n    cited-in: lin-2024\n"
)


@pytest.mark.parametrize(
    ("locale", "short"),
    [
        ("en-US", "Newsweek, “New Guidelines,” cited in"),  # punctuation-in-quote, as CMOS 6.9
        ("en-GB", "Newsweek, ‘New Guidelines’, cited in"),
    ],
)
def test_cited_in_follows_the_locales_punctuation_in_quotes(
    write_brief: Callable[..., Path], tmp_path: Path, locale: str, short: str
) -> None:
    text = MINIMAL.replace("[@lin-2024, p. 4]", "[@nw, p. 5]. Again [@nw, p. 6]")
    path = write_brief(text + f"locale: {locale}\n", sources=CITED)
    (html,) = build(path, tmp_path / "out", formats=["html"])
    notes = page_notes(html.path.read_text(encoding="utf-8"))
    assert notes[-1].startswith(short), notes[-1]
    # the full note's own comma, as the style put it
    assert ("Guidelines,”" if locale == "en-US" else "Guidelines’,") in notes[-2]


# -- locators in every language ------------------------------------------------------------
@pytest.mark.parametrize(
    ("locale", "english", "own"),
    [
        ("uk", "p. 7", "с. 7"),
        ("ar", "p. 7", "ص 7"),
        ("he", "p. 7", "עמוד 7"),
        ("fr-FR", "pp. 7-9", "p. 7-9"),
        ("de-DE", "paras. 4, 15-16", "Abs. 4, 15-16"),
    ],
)
def test_an_english_locator_reads_as_the_locales_own_term(
    write_brief: Callable[..., Path], tmp_path: Path, locale: str, english: str, own: str
) -> None:
    """docs/format.md promises `p.` and the other labels in any language: the note equals
    Pandoc's for the label written in the locale's own term."""
    text = MINIMAL.replace("[@lin-2024, p. 4]", f"[@lin-2024, {english}]")
    (html,) = build(write_brief(text + f"locale: {locale}\n"), tmp_path / "out", formats=["html"])
    note = page_notes(html.path.read_text(encoding="utf-8"))[-1]
    items = [s.csl for s in validate(write_brief(text)).sources.values()]
    style = csl.default().path
    cites = ["[@petrova-2025, para. 2]", "[@petrova-2025, para. 6]", f"[@lin-2024, {own}]"]
    expected, _, _ = oracle(cites, items, style, locale, tmp_path)
    assert note == expected[-1]
    assert english.split()[0] not in note


def test_a_locator_range_gets_an_en_dash_in_oscola(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    """OSCOLA's en-GB locale writes "paras" without a stop; "paras. 15-16" is read too."""
    text = MINIMAL.replace("[@lin-2024, p. 4]", "[@lin-2024, paras. 4, 15-16]")
    (html,) = build(write_brief(text + "csl: oscola\n"), tmp_path / "out", formats=["html"])
    note = page_notes(html.path.read_text(encoding="utf-8"))[-1]
    assert note.endswith("paras 4, 15–16."), note


def test_the_locator_table_is_pandocs(tmp_path: Path) -> None:
    """src/counterpoint/cite/locator_terms.json is what tools/make_locator_terms.py writes with
    this Pandoc (for a sample of locales)."""
    import importlib.util

    from counterpoint.cite.locators import locator_terms

    spec = importlib.util.spec_from_file_location(
        "make_locator_terms", Path(__file__).parent.parent / "tools" / "make_locator_terms.py"
    )
    assert spec and spec.loader
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    (tmp_path / "refs.json").write_text('[{"id": "x", "type": "book"}]', encoding="utf-8")
    table = locator_terms()
    for locale in ("uk-UA", "en-GB", "he-IL"):
        assert tool.parsed(locale, tool.terms(locale, tmp_path), tmp_path) == table[locale]
    assert tool.punctuation_in_quote("en-US", tmp_path)
    assert not tool.punctuation_in_quote("en-GB", tmp_path)


# -- a default style per language; CJK names ---------------------------------------------
CJK = """\
references:
  - id: chen-2024
    type: book
    title: 电池与车轮：中国电动汽车产业链的崛起
    author: [{family: 陈, given: 立}, {family: 赵, given: 欣}]
    publisher: 东海大学出版社
    publisher-place: 上海
    issued: 2024
  - id: yamamoto-2023
    type: book
    title: 電池の未来
    author: [{family: 山本, given: 健}]
    publisher: 東京出版
    issued: 2023
"""
CJK_BRIEF = MINIMAL.replace("[@petrova-2025, para. 2]", "[@chen-2024, p. 20]").replace(
    "[@petrova-2025, para. 6]", "[@chen-2024, p. 45]. Again [@yamamoto-2023, p. 3]"
)


def _cjk_notes(
    write_brief: Callable[..., Path], tmp_path: Path, extra: str
) -> tuple[list[str], list[str]]:
    (html,) = build(
        write_brief(CJK_BRIEF + extra, sources=SOURCES + CJK.split("\n", 1)[1]),
        tmp_path / "out",
        formats=["html"],
    )
    page = html.path.read_text(encoding="utf-8")
    return page_notes(page), page_bibliography(page)


def test_a_chinese_brief_defaults_to_gbt_7714_notes(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    notes, entries = _cjk_notes(write_brief, tmp_path, "language: zh\n")
    assert notes[:3] == [
        "陈立, 赵欣. 电池与车轮：中国电动汽车产业链的崛起[M]. 上海: 东海大学出版社, 2024: 20.",
        "同上: 45.",
        "山本健. 電池の未来[M]. 東京出版, 2023: 3.",
    ]
    assert entries[0].startswith("[1] ")


def test_csl_wins_over_the_languages_default(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    notes, _ = _cjk_notes(write_brief, tmp_path, "language: zh\ncsl: chicago\n")
    assert notes[:3] == [
        "陈立和赵欣, 电池与车轮：中国电动汽车产业链的崛起 (东海大学出版社, 2024), 20.",
        "陈和赵, 电池与车轮, 45.",
        "山本健, 電池の未来 (東京出版, 2023), 3.",
    ]


@pytest.mark.parametrize(
    ("extra", "first", "entry"),
    [
        (
            "",
            "陈立 and 赵欣, 电池与车轮：中国电动汽车产业链的崛起 (东海大学出版社, 2024), 20.",
            "陈立, and 赵欣. 电池与车轮：中国电动汽车产业链的崛起. 东海大学出版社, 2024.",
        ),
        (
            "language: ja\n",
            "陈立と赵欣, 电池与车轮：中国电动汽车产业链的崛起 (东海大学出版社, 2024年), 20.",
            "陈立と赵欣. 电池与车轮：中国电动汽车产业链的崛起. 东海大学出版社, 2024年.",
        ),
        (
            "csl: oscola\n",
            "陈立 and 赵欣, 电池与车轮：中国电动汽车产业链的崛起 (东海大学出版社 2024) 20.",
            "陈立 and 赵欣, 电池与车轮：中国电动汽车产业链的崛起 (东海大学出版社 2024)",
        ),
    ],
)
def test_cjk_names_have_no_stray_period_and_the_locales_joiner(
    write_brief: Callable[..., Path], tmp_path: Path, extra: str, first: str, entry: str
) -> None:
    """Pandoc's citeproc gave "陈立. 和 赵欣.," and "山本健.," under Chicago; Chinese and
    Japanese set no spaces around 和 and と."""
    notes, entries = _cjk_notes(write_brief, tmp_path, extra)
    assert notes[0] == first
    assert entry in entries


CJK_WRITTEN = {
    # APA 7 (8.17) and MLA 9 (6.3) name the author's surname in the text, and Chicago
    # (CMOS 18, 13.32, short notes) and OSCOLA the surname in a later note: for a Chinese
    # or Japanese name the family name, as Pandoc's citeproc writes it
    "apa": (
        ["(陈 & 赵, 2024, p. 20)", "(陈 & 赵, 2024, p. 45)", "(山本, 2023, p. 3)"],
        "陈立, & 赵欣. (2024). 电池与车轮：中国电动汽车产业链的崛起. 东海大学出版社.",
    ),
    "modern-language-association": (
        ["(陈 and 赵 20)", "(陈 and 赵 45)", "(山本 3)"],
        "陈立, and 赵欣. 电池与车轮：中国电动汽车产业链的崛起. 东海大学出版社, 2024.",
    ),
    "ieee": (
        ["[1, p. 20]", "[1, p. 45]", "[2, p. 3]"],
        "[1] 陈立 and 赵欣, 电池与车轮：中国电动汽车产业链的崛起. 上海: 东海大学出版社, 2024.",
    ),
}


@pytest.mark.parametrize("style", sorted(CJK_WRITTEN))
def test_cjk_names_in_text_by_family_name_entries_whole(
    write_brief: Callable[..., Path], tmp_path: Path, style: str
) -> None:
    """A CJK name stays family and given for Pandoc: the in-text citation names the family
    ("陈 & 赵"), the entry the whole name without the initial's stray period."""
    (html,) = build(
        write_brief(CJK_BRIEF + f"csl: {style}\n", sources=SOURCES + CJK.split("\n", 1)[1]),
        tmp_path / "out",
        formats=["html"],
    )
    page = html.path.read_text(encoding="utf-8")
    cites, entry = CJK_WRITTEN[style]
    assert page_citations(page)[:3] == cites
    assert entry in page_bibliography(page)
    # no stray period after a given name taken for an initial, in any entry
    entries = " ".join(page_bibliography(page))
    assert "陈立" in entries and "山本健" in entries
    assert not re.search(r"[立欣健]\.,", entries), entries


def test_cjk_short_notes_name_the_family(write_brief: Callable[..., Path], tmp_path: Path) -> None:
    """CMOS 18 (13.32, short notes): a later note names the author's surname, for 陈立 the
    family name 陈, as Pandoc writes it; the first note names the whole name."""
    notes, _ = _cjk_notes(write_brief, tmp_path, "")
    assert notes[:2] == [
        "陈立 and 赵欣, 电池与车轮：中国电动汽车产业链的崛起 (东海大学出版社, 2024), 20.",
        "陈 and 赵, 电池与车轮, 45.",
    ]


def test_validate_names_the_style_a_language_gets(
    write_brief: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    from counterpoint.cli.main import main

    path = write_brief(CJK_BRIEF + "language: zh\n", sources=SOURCES + CJK.split("\n", 1)[1])
    with pytest.raises(SystemExit) as done:
        main(["validate", str(path)])
    assert done.value.code == 0
    assert capsys.readouterr().out == (
        f"ok {path} (2 views, 4 citations, 4 sources, "
        "style china-national-standard-gb-t-7714-2015-note, the default for 'zh')\n"
    )


def test_a_season_is_read_from_yaml_and_bib(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    """EDTF seasons (21 spring to 24 winter), as Pandoc's readers write them: `2020-21`
    in YAML, `date = {2021-23}` in a .bib file (Pandoc converts it to [[2021, 23]])."""
    (tmp_path / "refs.bib").write_text(
        "@article{bib-season, title={Autumn Paper}, journal={Polar Notes}, date={2021-23}}\n"
    )
    sources = SOURCES + (
        "  - id: yaml-season\n    type: article-journal\n    title: Spring Paper\n"
        "    container-title: Polar Notes\n    issued: 2020-21\n"
    )
    text = MINIMAL.replace("[sources.yaml]", "[sources.yaml, refs.bib]").replace(
        "[@lin-2024, p. 4]", "[@yaml-season; @bib-season]"
    )
    (html,) = build(write_brief(text, sources=sources), tmp_path / "out", formats=["html"])
    entries = page_bibliography(html.path.read_text(encoding="utf-8"))
    assert "“Spring Paper.” Polar Notes, Spring 2020." in entries
    assert "“Autumn Paper.” Polar Notes, Autumn 2021." in entries


def test_validate_names_the_national_standard_a_language_may_ask_for(
    write_brief: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """GOST R 7.0.5-2008 is bundled only in in-text forms: a Russian brief keeps Chicago
    notes, and the ok line names the style to write for the national standard."""
    from counterpoint.cli.main import main

    path = write_brief(MINIMAL + "language: ru\n")
    with pytest.raises(SystemExit) as done:
        main(["validate", str(path)])
    assert done.value.code == 0
    assert capsys.readouterr().out.endswith(
        "style chicago-notes-bibliography, the default for 'ru'; the national standard's is "
        "csl: gost-r-7-0-5-2008)\n"
    )


def test_cited_in_after_a_question_mark_takes_no_comma(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    """As the style's own short note: Newsweek, “Who Rules?” 5. (no "?,”")."""
    sources = CITED.replace("title: New Guidelines", "title: Who Rules?")
    text = MINIMAL.replace("[@lin-2024, p. 4]", "[@nw, p. 5]. Again [@nw, p. 6]")
    (html,) = build(write_brief(text, sources=sources), tmp_path / "out", formats=["html"])
    notes = page_notes(html.path.read_text(encoding="utf-8"))
    assert notes[-1].startswith("Newsweek, “Who Rules?” cited in Institute"), notes[-1]
    assert notes[-2].startswith("“Who Rules?” Newsweek, May 2, 2023, cited in Institute")


def test_an_exports_empty_short_title_is_no_short_title(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    """Zotero writes an empty Short Title as "title-short": "": the short note still
    names the work (its main title), not nothing."""
    (tmp_path / "refs.json").write_text(
        json.dumps(
            [
                {"id": "z1", "type": "book", "title": "Ice Roads: A History",
                 "title-short": "", "author": [{"family": "Orlova", "given": "Daria"}],
                 "issued": {"date-parts": [[2021]]}},
            ]
        )
    )  # fmt: skip
    text = MINIMAL.replace("[sources.yaml]", "[sources.yaml, refs.json]").replace(
        "[@lin-2024, p. 4]", "[@z1, 3]. Again [@z1, 4]"
    )
    (html,) = build(write_brief(text), tmp_path / "out", formats=["html"])
    assert page_notes(html.path.read_text(encoding="utf-8"))[-1] == "Orlova, Ice Roads, 4."


def test_a_style_that_prints_no_locator_label_keeps_a_section_as_written(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    """GB/T 7714-2015 prints a page locator bare after a colon and drops every other kind:
    'sec. 4' stays the text Pandoc prints after the note, as Pandoc does for the same
    item; 'p. 20' is still read as a page."""
    brief = CJK_BRIEF.replace("[@chen-2024, p. 45]", "[@chen-2024, sec. 4]")
    (html,) = build(
        write_brief(brief + "language: zh\n", sources=SOURCES + CJK.split("\n", 1)[1]),
        tmp_path / "out",
        formats=["html"],
    )
    notes = page_notes(html.path.read_text(encoding="utf-8"))
    assert notes[0].endswith("2024: 20.")
    assert "sec. 4" in notes[1], notes[1]
