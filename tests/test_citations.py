"""Citations: counterpoint's notes and bibliography equal Pandoc citeproc's own rendering.

The oracle (tests/oracle.py) runs Pandoc on an equivalent Markdown document: the brief's
citations as written, one paragraph each, in the edition's reading order, with the corpus
converted to CSL JSON independently of counterpoint. The corpus (tests/citations/) has
books with editors, translators and editions, chapters, journal articles, reports,
speeches, interviews, treaties, undated web pages, unsigned newspaper articles, and
English, Russian, Chinese, German, French and Arabic names and titles; and (issue 25,
forms-brief.yaml) legal cases, legislation, theses, datasets, an archival letter, a
patent, a map, a broadcast, software, a standard, a review, a preprint, encyclopedia
entries, translated and multi-volume works, date ranges, open ranges, circa, seasons,
literal and BCE dates, in eight style and locale pairs, in HTML, Word and PDF.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from counterpoint import InvalidInput, build, validate
from counterpoint.brief import csl
from counterpoint.cite.resolve import reading_order
from counterpoint.process import pandoc

from .conftest import MINIMAL, SOURCES
from .oracle import (
    bibliography_entries,
    csl_json,
    oracle,
    page_bibliography,
    page_citations,
    page_notes,
    records_of,
)

CORPUS = Path(__file__).parent / "citations"
BRIEF = CORPUS / "brief.yaml"


def _citations(brief_path: Path, sections: list[str]) -> list[str]:
    brief = validate(brief_path)
    timeline = sorted(brief.timeline, key=lambda e: e.date.ordinal())
    return [c.raw for t in reading_order(brief, timeline, sections) for c in t.citations]


def _sections(page: str = "") -> list[str]:
    """The reading order of the analyst edition (the default)."""
    from counterpoint.render.templates import find, search_roots

    return find("analyst", search_roots(None, BRIEF)).sections


STYLES = [
    ("chicago-notes-bibliography", "en-US"),
    ("chicago-notes-bibliography-17th-edition", "en-US"),
    ("oscola", "en-GB"),
    ("chicago-notes-bibliography", "de-DE"),
    ("chicago-notes-bibliography", "ru-RU"),
]


@pytest.fixture(scope="module")
def items() -> list[dict]:
    return csl_json(records_of(CORPUS / "corpus.yaml"))


def _with(tmp: Path, style: str, locale: str) -> Path:
    """The corpus brief with a style and locale (written beside the corpus file)."""
    text = BRIEF.read_text(encoding="utf-8")
    text = re.sub(r"^language: .*$", "", text, flags=re.M)
    text += f"\ncsl: {style}\nlocale: {locale}\n"
    path = tmp / f"brief-{style}-{locale}.yaml"
    path.write_text(text, encoding="utf-8")
    (tmp / "corpus.yaml").write_text(
        (CORPUS / "corpus.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    return path


@pytest.mark.parametrize(("style", "locale"), STYLES)
def test_notes_and_bibliography_equal_pandoc_citeproc(
    style: str, locale: str, items: list[dict], tmp_path: Path
) -> None:
    brief = _with(tmp_path, style, locale)
    (html,) = build(brief, tmp_path / "out", formats=["html"])
    page = html.path.read_text(encoding="utf-8")
    citations = _citations(brief, _sections(page))
    assert len(citations) >= 80
    notes, _, entries = oracle(citations, items, csl.find(style, []).path, locale, tmp_path)
    assert page_notes(page) == notes
    assert page_bibliography(page) == entries
    assert len(entries) >= 35
    # only in-text citations link to their entry: a whole note as a link reads badly, and a
    # source the style leaves out of the bibliography would leave a dead link in the PDF
    section = page.split('<section id="notes"', 1)[1].split("</section>", 1)[0]
    assert 'href="#src-' not in section


def test_in_text_style_gives_citations_and_references(items: list[dict], tmp_path: Path) -> None:
    brief = _with(tmp_path, "apa", "en-US")
    (html,) = build(brief, tmp_path / "out", formats=["html"])
    page = html.path.read_text(encoding="utf-8")
    citations = _citations(brief, _sections(page))
    _, in_text, entries = oracle(citations, items, csl.find("apa", []).path, "en-US", tmp_path)
    assert page_citations(page) == in_text
    assert page_bibliography(page) == entries
    assert 'id="notes"' not in page and "<h2>References</h2>" in page
    shown = len(page_citations(page))
    assert html.summary().startswith(f"wrote {html.path} ({shown} citations, ")  # not "0 notes"


@pytest.mark.pdf
@pytest.mark.slow
def test_pdf_notes_equal_pandoc_citeproc(items: list[dict], tmp_path: Path) -> None:
    import pypdf

    from .oracle import pdf_notes

    (pdf,) = build(BRIEF, tmp_path / "out", formats=["pdf"])
    pages = [p.extract_text() for p in pypdf.PdfReader(pdf.path).pages]
    title = validate(BRIEF).title
    citations = _citations(BRIEF, _sections(""))
    expected, _, _ = oracle(citations, items, csl.default().path, "en-US", tmp_path)
    notes = pdf_notes(pages, ("Page ", title[:30]), len(expected))
    assert [_comparable(n) for n in notes] == [
        _comparable(f"{i}. {n}") for i, n in enumerate(expected, 1)
    ]


def _comparable(note: str) -> str:
    """A note's text without spaces (a URL broken at a line end reads as two words); with
    right-to-left text, its characters sorted: pypdf gives mixed runs in visual order."""
    squeezed = re.sub(r"\s+", "", note)
    return "".join(sorted(squeezed)) if re.search("[\u0590-\u08ff]", note) else squeezed


def test_positions_follow_each_editions_own_order(write_brief: Callable[..., Path]) -> None:
    """The executive edition leaves out the arguments: the source whose first note was in an
    argument gets its full note at its first appearance there, in the judgments."""
    from counterpoint.cite.resolve import resolve
    from counterpoint.render.templates import find, search_roots

    text = MINIMAL.replace(
        "summary: It is settled [@petrova-2025, para. 2].",
        "summary: It is settled [@lin-2024, p. 2].",
    ) + (
        "judgments:\n  - text: Trade holds [@petrova-2025, para. 9].\n"
        "    likelihood: likely\n    confidence: moderate\n"
    )
    brief = validate(write_brief(text))
    roots = search_roots(None, brief.path)
    analyst = resolve(brief, find("analyst", roots).sections).notes
    executive = resolve(brief, find("executive", roots).sections).notes
    assert str(analyst[1].body).startswith("Irina Petrova, “Rivers")  # the argument: full
    assert str(analyst[-1].body).startswith("Petrova, “Rivers")  # the judgment: short
    assert [str(n.body)[:22] for n in executive] == [
        "Institute for Border S",
        "Irina Petrova, “Rivers",
    ]


def test_narrative_citation_in_a_note_style_keeps_the_author_and_a_note(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    text = MINIMAL.replace(
        "summary: It is settled [@petrova-2025, para. 2].",
        'summary: "@petrova-2025 [para. 2] finds it settled."',
    )
    (html,) = build(write_brief(text), tmp_path / "out", formats=["html"])
    page = html.path.read_text(encoding="utf-8")
    summary = page[page.index('id="summary"') :]
    assert re.search(r"Petrova<span class=\"fn\"><a class=\"fn-call\"[^>]*><sup>1</sup>", summary)
    # the author stands in the sentence, so the note leaves the name out
    assert page_notes(page)[0].startswith("“Rivers, Treaties and Trade on a Long Border")


def test_cited_in_is_one_note_with_the_locator_in_the_source_read(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    sources = SOURCES + (
        "  - id: wire-2023\n    type: article-newspaper\n    title: Leaked Plans\n"
        "    container-title: The Daily Ledger\n    issued: 2023\n    cited-in: lin-2024\n"
    )
    text = MINIMAL.replace("[@lin-2024, p. 4]", "[@wire-2023, p. 9]")
    (html,) = build(write_brief(text, sources=sources), tmp_path / "out", formats=["html"])
    page = html.path.read_text(encoding="utf-8")
    assert page_notes(page)[-1] == (
        "“Leaked Plans,” The Daily Ledger, 2023, cited in Institute for Border Studies, "
        "Migration and Memory in the Amur Basin (Institute for Border Studies, 2024), 9."
    )
    entry = re.findall(r"<li id=\"src-wire-2023\">(.*?)</li>", page, re.S)[0]
    assert "Cited in Institute for Border Studies, <em>Migration and Memory" in entry


def test_zotero_csl_json_is_read_as_zotero_writes_it(tmp_path: Path) -> None:
    brief = validate(CORPUS / "zotero-brief.yaml")
    keyed = [s for s in brief.sources.values() if not s.id.startswith("http")]
    assert len(keyed) == 5
    assert all(s.csl["id"] == s.id for s in brief.sources.values())
    languages = {s.language for s in brief.sources.values() if s.language}
    assert languages <= {"en", "ru"} and "en" in languages
    (html,) = build(CORPUS / "zotero-brief.yaml", tmp_path / "out", formats=["html"])
    assert len(page_notes(html.path.read_text(encoding="utf-8"))) >= 4


def test_bib_file_is_read_and_located(tmp_path: Path) -> None:
    brief = validate(CORPUS / "bib-brief.yaml")
    assert len(brief.sources) == 6
    where = next(iter(brief.sources.values())).where
    assert where.file.endswith("refs.bib") and where.line >= 1
    (html,) = build(CORPUS / "bib-brief.yaml", tmp_path / "out", formats=["html"])
    assert len(page_bibliography(html.path.read_text(encoding="utf-8"))) == 6


def test_bib_syntax_error_names_the_line(write_brief: Callable[..., Path], tmp_path: Path) -> None:
    (tmp_path / "refs.bib").write_text("@book{a,\n title = {x\n}\n@article{b, title={y}}\n")
    path = write_brief(MINIMAL.replace("[sources.yaml]", "[refs.bib]"))
    with pytest.raises(InvalidInput) as info:
        validate(path)
    assert str(info.value) == f"{tmp_path / 'refs.bib'}:4:1: BibTeX syntax error: unexpected '@'"


def test_a_key_used_twice_in_a_bib_file_names_both_entries(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    (tmp_path / "refs.bib").write_text(
        "@book{petrova-2025, title={T}, year=2020}\n\n"
        "@book{lin-2024, title={U}, year=2021}\n"
        "@book{petrova-2025, title={V}, year=2022}\n"
    )
    path = write_brief(MINIMAL.replace("[sources.yaml]", "[refs.bib]"))
    with pytest.raises(InvalidInput) as info:
        validate(path)
    bib = tmp_path / "refs.bib"
    assert str(info.value) == (
        f"{bib}:4:7: id: duplicate source id 'petrova-2025' (also defined at {bib}:1:7)"
    )


def test_an_in_text_citation_links_only_to_an_entry_the_style_prints(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    """Chicago author-date prints no reference-list entry for an encyclopedia article with
    neither date nor address (the flagship's Wikipedia articles); its in-text citation
    stays, but is not a link to nowhere (the PDF warned "No anchor #src-...")."""
    from selectolax.lexbor import LexborHTMLParser

    from .conftest import SOURCES

    sources = SOURCES + (
        "  - id: amur-entry\n    type: entry-encyclopedia\n    title: Amur Annexation\n"
        "    container-title: Wikipedia\n"
    )
    text = MINIMAL.replace("Trade grew [@petrova-2025, para. 6].", "Trade grew [@amur-entry].")
    path = write_brief(text + "csl: chicago-author-date\n", sources=sources)
    html, pdf = build(path, tmp_path / "out", formats=["html", "pdf"])
    tree = LexborHTMLParser(html.path.read_text(encoding="utf-8"))
    links = [a.attributes["href"] or "" for a in tree.css('a[href^="#src-"]')]
    assert sorted(set(links)) == ["#src-lin-2024", "#src-petrova-2025"]
    assert all(tree.css_first(f"[id='{h[1:]}']") for h in links)
    assert "Amur Annexation" in tree.body.text() and not pdf.warnings


def test_a_file_type_that_cannot_be_read_says_so(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    (tmp_path / "refs.ris").write_text("TY  - BOOK\n")
    path = write_brief(MINIMAL.replace("[sources.yaml]", "[refs.ris]"))
    with pytest.raises(InvalidInput) as info:
        validate(path)
    assert str(info.value) == (
        f"{tmp_path / 'refs.ris'}: counterpoint cannot read '.ris' files as a bibliography; "
        "use CSL YAML (.yaml), CSL JSON (.json) or BibTeX/BibLaTeX (.bib)"
    )


def test_unknown_style_is_a_located_error(write_brief: Callable[..., Path]) -> None:
    path = write_brief(MINIMAL + "csl: chicago-notes-bibliografy\n")
    with pytest.raises(InvalidInput) as info:
        validate(path)
    assert str(info.value) == (
        f"{path}:18:6: csl: unknown CSL style 'chicago-notes-bibliografy' (did you mean "
        "'chicago-notes-bibliography'?); name one from the CSL repository or a .csl file"
    )


def test_style_file_beside_the_brief(write_brief: Callable[..., Path], tmp_path: Path) -> None:
    (tmp_path / "house.csl").write_bytes(csl.find("apa", []).path.read_bytes())
    (html,) = build(write_brief(MINIMAL + "csl: house.csl\n"), tmp_path / "out", formats=["html"])
    page = html.path.read_text(encoding="utf-8")
    assert "(Petrova, 2025, para. 2)" in " ".join(page_citations(page))


def test_unknown_key_names_the_closest_keys(write_brief: Callable[..., Path]) -> None:
    path = write_brief(MINIMAL.replace("[@lin-2024, p. 4]", "[@lin-2042, p. 4]"))
    with pytest.raises(InvalidInput) as info:
        validate(path)
    assert "unknown source '@lin-2042' (did you mean 'lin-2024'?)" in str(info.value)


def test_native_semicolons_separate_citations(write_brief: Callable[..., Path]) -> None:
    for semicolon in ("；", "؛"):
        text = MINIMAL.replace(
            "[@lin-2024, p. 4]", f"[@lin-2024, p. 4{semicolon} @petrova-2025, para. 1]"
        )
        brief = validate(write_brief(text))
        (cite,) = brief.views[1].arguments[0].citations
        assert [i.key for i in cite.items] == ["lin-2024", "petrova-2025"]


def test_unicode_citation_keys(write_brief: Callable[..., Path], tmp_path: Path) -> None:
    sources = SOURCES.replace("id: lin-2024", "id: Лин-2024")
    text = MINIMAL.replace("@lin-2024", "@Лин-2024")
    (html,) = build(write_brief(text, sources=sources), tmp_path / "out", formats=["html"])
    assert "@Лин" not in html.path.read_text(encoding="utf-8")


def test_an_edit_that_leaves_citations_alone_runs_no_pandoc(
    write_brief: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from counterpoint.cite import server as citeserver

    path = write_brief()
    build(path, tmp_path / "out", formats=["html"])
    runs: list[bytes] = []  # the text of each request to Pandoc
    job = citeserver.Job
    monkeypatch.setattr(citeserver, "Job", lambda text, *a: runs.append(text) or job(text, *a))
    path.write_text(path.read_text().replace("label: Settled", "label: Quite settled"))
    (html,) = build(path, tmp_path / "out", formats=["html"])
    assert runs == [] and "Quite settled" in html.path.read_text(encoding="utf-8")
    # a changed citation is formatted again (so the spy above is where requests go)
    path.write_text(path.read_text().replace("[@lin-2024, p. 4]", "[@lin-2024, p. 5]"))
    (html,) = build(path, tmp_path / "out", formats=["html"])
    assert len(runs) == 1 and b"p. 5" in runs[0]
    assert page_notes(html.path.read_text(encoding="utf-8"))[-1].endswith(", 2024), 5.")


def test_cited_in_after_a_quoted_title_has_one_stop(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    """A host whose short form ends inside quotation marks ("Title.”) takes no second
    period in the bibliography's "Cited in" (the flagship printed .”.)."""
    sources = SOURCES + (
        "  - id: digest-2022\n    type: article-magazine\n    title: Notes from the Border\n"
        "    container-title: Border Digest\n    issued: 2022\n"
        "  - id: wire-2023\n    type: article-newspaper\n    title: Leaked Plans\n"
        "    container-title: The Daily Ledger\n    issued: 2023\n    cited-in: digest-2022\n"
    )
    text = MINIMAL.replace("[@lin-2024, p. 4]", "[@wire-2023, p. 9]")
    (html,) = build(write_brief(text, sources=sources), tmp_path / "out", formats=["html"])
    page = html.path.read_text(encoding="utf-8")
    entry = re.findall(r"<li id=\"src-wire-2023\">(.*?)</li>", page, re.S)[0]
    cited_in = 'class="cited-in">Cited in <em>Border Digest</em>, “Notes from the Border.”</span>'
    assert cited_in in entry, entry


# -- issue 25: the source types and date forms, in the eight style and locale pairs --------
FORMS = CORPUS / "forms-brief.yaml"
PAIRS = [
    ("chicago-notes-bibliography", "en-US"),
    ("chicago-notes-bibliography", "fr-FR"),
    ("chicago-notes-bibliography", "ja-JP"),
    ("apa", "en-US"),
    ("modern-language-association", "en-US"),
    ("oscola", "en-GB"),
    ("ieee", "en-US"),
    ("china-national-standard-gb-t-7714-2015-note", "zh-CN"),
]


def footnotes(data: bytes) -> list[str]:
    from .test_docx import footnotes as word_footnotes

    return word_footnotes(data)


def _unspaced_joiner(text: str, locale: str) -> str:
    """Chinese and Japanese set the locale's "and" between two CJK names with no spaces
    (docs/format.md); Pandoc spaces it."""
    if locale[:2] not in ("zh", "ja"):
        return text
    cjk = r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]"
    return re.sub(rf"(?<={cjk})(?:,\s*|\s+)(和|と)\s+(?={cjk})", r"\1", text)


@pytest.mark.parametrize(("style", "locale"), PAIRS)
def test_source_types_and_date_forms_equal_pandoc_citeproc(
    style: str, locale: str, items: list[dict], tmp_path: Path
) -> None:
    text = FORMS.read_text(encoding="utf-8") + f"\ncsl: {style}\nlocale: {locale}\n"
    brief = tmp_path / "forms.yaml"
    brief.write_text(text, encoding="utf-8")
    (tmp_path / "corpus.yaml").write_text(
        (CORPUS / "corpus.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    notes_style = csl.find(style, []).notes
    # the Word edition's footnotes are compared for a note style (an in-text style's Word
    # edition has no notes to compare)
    html, *docx = build(brief, tmp_path / "out", formats=["html", "docx"][: 1 + notes_style])
    page = html.path.read_text(encoding="utf-8")
    citations = _citations(brief, _sections(page))
    assert len(citations) >= 25
    notes, in_text, entries = oracle(citations, items, csl.find(style, []).path, locale, tmp_path)
    notes = [_unspaced_joiner(n, locale) for n in notes]
    entries = [_unspaced_joiner(e, locale) for e in entries]
    if notes_style:
        assert page_notes(page) == notes
        assert footnotes(docx[0].path.read_bytes()) == notes  # the Word edition's footnotes
    else:
        assert page_citations(page) == in_text
    assert page_bibliography(page) == entries
    assert len(entries) >= 20


@pytest.mark.pdf
@pytest.mark.slow
def test_source_types_pdf_notes_equal_pandoc_citeproc(items: list[dict], tmp_path: Path) -> None:
    import pypdf

    from .oracle import pdf_notes

    (pdf,) = build(FORMS, tmp_path / "out", formats=["pdf"])
    pages = [p.extract_text() for p in pypdf.PdfReader(pdf.path).pages]
    title = validate(FORMS).title
    citations = _citations(FORMS, _sections(""))
    expected, _, _ = oracle(citations, items, csl.default().path, "en-US", tmp_path)
    notes = pdf_notes(pages, ("Page ", title[:30]), len(expected))
    assert [_comparable(n) for n in notes] == [
        _comparable(f"{i}. {n}") for i, n in enumerate(expected, 1)
    ]


@pytest.mark.parametrize(("language", "style"), [("fr", "chicago"), ("zh", "")])
def test_a_bib_file_in_a_brief_in_another_language_keeps_its_titles_case(
    tmp_path: Path, language: str, style: str
) -> None:
    """Pandoc reads a .bib for the document's language: only in English does it store
    titles in sentence case for the style to case again. A French or Chinese brief's
    bibliography is Pandoc's own for the .bib file ("Pricing Water: Tariffs, Equity and
    the Urban Poor", not "Pricing water: Tariffs, equity and the urban poor")."""
    text = (CORPUS / "bib-brief.yaml").read_text(encoding="utf-8")
    text = text.replace("language: en\n", f"language: {language}\n")
    if style:
        text += f"csl: {style}\n"
    (tmp_path / "brief.yaml").write_text(text, encoding="utf-8")
    shutil.copy(CORPUS / "refs.bib", tmp_path / "refs.bib")
    (html,) = build(tmp_path / "brief.yaml", tmp_path / "out", formats=["html"])
    entries = page_bibliography(html.path.read_text(encoding="utf-8"))
    chosen = (
        csl.find(style, [])
        if style
        else csl.find("china-national-standard-gb-t-7714-2015-note", [])
    )
    keys = re.findall(r"^@\w+\{([^,]+),", (CORPUS / "refs.bib").read_text(), re.M)
    document = "---\nnocite: '" + ", ".join(f"@{k}" for k in keys) + "'\n---\n"
    page = subprocess.run(
        [pandoc.binary(), "-t", "html", "--citeproc", "--bibliography", str(tmp_path / "refs.bib"),
         "--csl", str(chosen.path), "-M", f"lang={language}"],
        input=document.encode(), capture_output=True, check=True,
    ).stdout.decode()  # fmt: skip
    expected = [" ".join(e.split()) for e in bibliography_entries(page)]

    def unnumbered(texts: list[str]) -> list[str]:  # GB/T numbers entries by citation
        return sorted(re.sub(r"^\[\d+\] ", "", t) for t in texts)

    assert unnumbered(entries) == unnumbered(expected)
    assert any("Pricing Water: Tariffs, Equity and the Urban Poor" in e for e in entries)
