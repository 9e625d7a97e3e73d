"""What a reader sees in the PDF: notes at the foot of their page, in order, and the sources."""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pytest

from counterpoint import BuildError, build
from counterpoint.cite.resolve import Note
from counterpoint.publish.pdfcheck import check_footnotes

from .oracle import csl_json, oracle, records_of

pytestmark = pytest.mark.pdf


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    out = tmp_path_factory.mktemp("pdf")
    sample = Path(__file__).parent / "samples" / "basic" / "brief.yaml"
    (result,) = build(sample, out, formats=["pdf"])
    assert result.notes == 16  # (pages: whatever the installed fonts make of it)
    return [page.extract_text() for page in pypdf.PdfReader(result.path).pages]


def footnotes(page_text: str) -> list[str]:
    """The footnote lines at the bottom of a page: '1. Irina Petrova, ...'."""
    lines = page_text.splitlines()
    notes: list[str] = []
    for line in lines:
        if re.match(r"^\d+\. \S", line):
            notes.append(line)
        elif notes and not line.startswith(("Page ", "A Settled Frontier?")):
            notes[-1] += " " + line
    return notes


SAMPLE = Path(__file__).parent / "samples" / "basic" / "brief.yaml"


@pytest.fixture(scope="module")
def expected(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], list[str]]:
    """Pandoc's own notes and bibliography for the sample's citations (tests/oracle.py)."""
    from counterpoint import validate
    from counterpoint.brief import csl
    from counterpoint.cite.resolve import FULL_PAPER, reading_order

    brief = validate(SAMPLE)
    timeline = sorted(brief.timeline, key=lambda e: e.date.ordinal())
    citations = []
    for text in reading_order(brief, timeline, FULL_PAPER):
        for cite in text.citations:
            raw = cite.raw
            for item in cite.items:  # cited-in: the source read is the oracle's second item
                host = brief.sources[item.key].cited_in
                if host:
                    raw = raw.replace(f"@{item.key}", f"@{item.key}; cited in @{host}")
            citations.append(raw)
    records = [r for f in sorted((SAMPLE.parent / "sources").iterdir()) for r in records_of(f)]
    notes, _, entries = oracle(
        citations, csl_json(records), csl.default().path, "en-US", tmp_path_factory.mktemp("o")
    )
    # "A; cited in B" is "A, cited in B", the comma inside a closing quotation mark in
    # en-US (the locale's punctuation-in-quote, as the style's own notes put it)
    joined = [re.sub("(\u201d?); cited in", lambda m: f",{m[1]} cited in", n) for n in notes]
    return joined, entries


def _unhyphenated(text: str) -> str:
    """PDF text with WeasyPrint's automatic hyphens (U+2010 at a line end) joined again."""
    return re.sub("\u2010 ", "", text)


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_notes_are_pandocs_in_order(sample_pdf: list[str], expected) -> None:
    """Every note as Pandoc's citeproc writes it (Chicago 18): full first, short later."""
    notes = [_unhyphenated(n) for page in sample_pdf for n in footnotes(page)]
    # a line break inside a URL reads as a space in the PDF's text: compare without spaces
    assert [_squeezed(n) for n in notes] == [
        _squeezed(f"{i}. {n}") for i, n in enumerate(expected[0], 1)
    ]
    assert notes[0].startswith("1. Irina Petrova, “Rivers, Treaties and Trade on a Long Border")
    assert notes[2].startswith("3. Petrova, “Rivers, Treaties and Trade")  # short form


def test_notes_are_numbered_in_reading_order_on_their_pages(sample_pdf: list[str]) -> None:
    numbers = [int(n.split(".")[0]) for page in sample_pdf for n in footnotes(page)]
    assert numbers == list(range(1, 17))
    # each call's number follows its sentence's full stop in the body text (the build's own
    # check after layout puts every note on its call's page or the next)
    text = "".join(sample_pdf)
    assert "grew by a third.5" in text and "Watch the migration figures.16" in text


def test_secondary_source_is_cited_in_the_one_read(sample_pdf: list[str]) -> None:
    text = _unhyphenated(" ".join(" ".join(footnotes(p)) for p in sample_pdf))
    assert (
        "“Leaked Plans Show Old Fears,” The Daily Ledger, 2023, cited in "
        "Institute for Border Studies, Migration and Memory" in text
    )


def test_bibliography_is_pandocs_and_omits_uncited(sample_pdf: list[str], expected) -> None:
    bib = "\n".join(sample_pdf[2:]).split("\nBibliography\n", 1)[1]
    lines = [line for line in bib.splitlines() if line and not line.startswith("Page")]
    joined = _unhyphenated(" ".join(lines))
    positions = [joined.index(entry[:40]) for entry in expected[1]]
    assert positions == sorted(positions) and len(positions) == 3
    assert "Nobody Cites" not in "".join(sample_pdf)


def test_raw_html_is_text_in_the_pdf(sample_pdf: list[str]) -> None:
    assert "Raw HTML such as <script>alert(1)</script> stays text." in sample_pdf[0]


def _note(n: int) -> Note:
    from markupsafe import Markup

    return Note(n, Markup(f"Source {n}."), None, [])  # type: ignore[arg-type]


def test_footnote_check_names_lost_and_misplaced_notes() -> None:
    pages = [{"fnref-1", "fn-1", "fnref-2"}, {"fnref-3"}, {"fn-3"}]  # the next page: not it
    assert check_footnotes(pages, [_note(1), _note(2), _note(3)]) == [
        "footnote 2 (Source 2.) was lost in PDF layout; its call is on page 1",
        "footnote 3 (Source 3.) is on page 3, not on its call's page 2",
    ]


def test_build_fails_when_weasyprint_drops_a_note(write_brief, tmp_path: Path) -> None:
    """A template set whose CSS hides one note body: the build must fail, naming it."""
    brief = write_brief()
    sets = tmp_path / "sets" / "analyst"
    sets.mkdir(parents=True)
    (sets / "manifest.yaml").write_text("name: analyst\nparent: analyst\ncss: [lose.css]\n")
    (sets / "lose.css").write_text("#fn-2 { display: none }\n")
    with pytest.raises(BuildError) as info:
        build(brief, tmp_path / "out", ["pdf"], templates=tmp_path / "sets")
    assert str(info.value) == (
        f"{tmp_path / 'out' / 'brief.pdf'}: footnote 2 (Petrova, “Rivers, Treaties and Trade on "
        "a Long Border,” p...) was lost in PDF layout; its call is on page 1"
    ).replace(str(Path.cwd()) + "/", "")
    assert not (tmp_path / "out" / "brief.pdf").exists()


@pytest.mark.slow
def test_hundreds_of_notes_all_reach_their_pages(write_brief, tmp_path: Path) -> None:
    """200 notes over ten pages, every body on the page of its call as a reader sees it.

    Scale is the point: full pages of notes one after another, note numbers of three
    digits (the check after layout must not take fn-1 for fn-10 or fn-100), and numbering
    that runs on from page to page. 400 notes, as this test once had, only add pages of the
    same kind (plain WeasyPrint loses none of these notes at either size: the traps of
    WeasyPrint 70 are tests/test_footnotes.py's)."""
    args = "\n".join(
        f"      - Claim {i} about the river trade and the treaty line, restated at some length "
        f"so that lines wrap [@{'petrova-2025' if i % 3 else 'lin-2024'}, para. {i}]."
        for i in range(100)
    )
    text = (
        "brief: 1\ntitle: Long\nquestion: Q?\nbibliography: [sources.yaml]\nsummary: S.\n"
        "views:\n  - id: a\n    label: A\n    thesis: T.\n    arguments:\n"
        + args
        + "\n  - id: b\n    label: B\n    thesis: T.\n    arguments:\n"
        + args
        + "\n"
    )
    (result,) = build(write_brief(text), tmp_path / "out", ["pdf"])
    assert (result.notes, result.warnings) == (200, [])  # no fallback: footnotes, not endnotes
    pages = [p.extract_text() for p in pypdf.PdfReader(result.path).pages]
    assert len(pages) >= 10
    calls = [[int(m) for m in re.findall(r"wrap\.(\d+)$", page, re.M)] for page in pages]
    notes = [
        [int(m) for m in re.findall(r"^(\d+)\. (?:Irina Petrova|Petrova|Institute)", page, re.M)]
        for page in pages
    ]
    assert [n for page in notes for n in page] == list(range(1, 201))
    assert notes == calls  # each page's notes are the notes of its own calls


def test_relative_links_leave_the_pdf_but_keep_their_text(write_brief, tmp_path: Path) -> None:
    """WeasyPrint would make `annex.pdf` a file: link naming the build folder."""
    from .conftest import MINIMAL

    text = MINIMAL.replace(
        "It is settled [@petrova-2025, para. 2].",
        "It is settled [@petrova-2025, para. 2]; see the [annex](annex/notes.pdf) and "
        "[the register](https://example.org/register).",
    )
    brief = write_brief(text)
    html, pdf = build(brief, tmp_path / "out", ["html", "pdf"])
    assert pdf.warnings == [
        "removed the link to annex/notes.pdf from the PDF, keeping its text: a relative link "
        "would point into the folder the PDF was built in"
    ]
    reader = pypdf.PdfReader(pdf.path)
    uris = [
        a.get_object()["/A"]["/URI"]
        for page in reader.pages
        for a in page.get("/Annots") or []
        if "/URI" in a.get_object().get("/A", {})
    ]
    assert uris == ["https://example.org/register"]
    assert "see the annex and the register" in " ".join(
        p.extract_text() for p in reader.pages
    ).replace("\n", " ")
    assert '<a href="annex/notes.pdf">annex</a>' in html.path.read_text()  # the page keeps it


@pytest.mark.pdf
def test_a_note_laid_out_too_small_to_see_fails_the_build(write_brief, tmp_path: Path) -> None:
    """The endnotes hack: note bodies drawn at zero size pass a check of where notes are;
    the build checks that each can be seen, and names the one that cannot."""
    sets = tmp_path / "sets" / "hide"
    sets.mkdir(parents=True)
    (sets / "manifest.yaml").write_text(
        "name: hide\nparent: analyst\naudience: hide\ncss: [hide.css]\n"
    )
    (sets / "hide.css").write_text("#fn-2 { font-size: 0 }\n")
    with pytest.raises(BuildError) as info:
        build(write_brief(), tmp_path / "out", formats=["pdf"], audience="hide",
              templates=tmp_path / "sets")  # fmt: skip
    assert re.search(r"footnote 2 \(.*\) cannot be seen on page \d+: its box is \d+ × 0 pt$",
                     str(info.value))  # fmt: skip
    assert not (tmp_path / "out" / "brief-hide.pdf").exists()


@pytest.mark.pdf
def test_text_a_set_positions_over_the_page_fails_the_build(write_brief, tmp_path: Path) -> None:
    """Text a set positions at the foot of the page, where the notes and the body's last
    lines are drawn: the build names the element and the page. The analyst edition of the
    same brief passes, so the check does not fire on ordinary pages."""
    sets = tmp_path / "sets" / "stamp"
    sets.mkdir(parents=True)
    (sets / "manifest.yaml").write_text(
        "name: stamp\nparent: analyst\naudience: stamp\ncss-print: [stamp.css]\n"
    )
    # the bottom line, moved to where page 1's footnote is drawn
    (sets / "stamp.css").write_text(
        "#summary p { position: absolute; top: 241mm; font-size: 30pt }\n"
    )
    brief = write_brief()
    with pytest.raises(BuildError) as info:
        build(brief, tmp_path / "out", formats=["pdf"], audience="stamp",
              templates=tmp_path / "sets")  # fmt: skip
    # named as the set's own doing: the positioned element, what it says (its note call
    # too: its note could not be placed, so the page was laid out with endnotes, whose calls
    # are text), its page
    assert re.fullmatch(r".*brief-stamp\.pdf: the absolute-positioned <p class=\"cited\"> "
                        r"\('It is settled\. 1'\) is drawn over body text on page 1",
                        str(info.value))  # fmt: skip
    assert not (tmp_path / "out" / "brief-stamp.pdf").exists()
    (ok,) = build(brief, tmp_path / "out", formats=["pdf"])
    assert ok.pages == 2 and ok.notes == 3
