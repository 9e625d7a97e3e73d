"""Every note on its call's page, as a reader of the PDF sees it: the layouts on which
WeasyPrint 70 loses notes, the fallback ladder, and formats that fail alone."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner

from counterpoint import build
from counterpoint.cli.main import main
from counterpoint.publish.pdf import FALLBACK_WARNING

from .conftest import MINIMAL, SAMPLES

pytestmark = pytest.mark.pdf

LONG = (
    "see the long discussion of the treaty history and of the many ways in which the parties "
    "have understood the settlement over two centuries, including the disputes about the "
    "islands in the river and navigation rights, resolved only in 2004"
)
FILLER = " ".join(["The border question has many sides worth weighing."] * 39)
CLAIMS = " ".join(f"Claim {i} holds [{LONG}, @petrova-2025, para. {i}]." for i in range(1, 6))
DENSE = MINIMAL.replace(
    "summary: It is settled [@petrova-2025, para. 2].",
    f"summary: |\n  {CLAIMS}\n\n  {FILLER}\n\n  Exports rose [@lin-2024, p. 4]. {FILLER[:200]}",
)
"""Five long notes in one paragraph, then text that brings the next cited paragraph to the
foot of page 1: plain WeasyPrint 70 loses notes there (checked below)."""


def page_texts(pdf: Path) -> list[str]:
    """The text of each page of the PDF, as a reader copies it (read once a test)."""
    return [page.extract_text() for page in pypdf.PdfReader(pdf).pages]


def note_pages(texts: list[str], count: int) -> dict[int, int]:
    """The page (from 1) on which each of `count` footnotes' text starts, read from the
    PDF's `texts` (a line that starts with its number and a full stop)."""
    found: dict[int, int] = {}
    for number, text in enumerate(texts, start=1):
        for n in re.findall(r"^(\d+)\. \S", text, re.M):
            if int(n) <= count:  # not a year that starts a line of text ("2024. ")
                found.setdefault(int(n), number)
    return found


def text_page(texts: list[str], text: str) -> int:
    """The first page whose text holds `text` (spaces and line breaks aside)."""
    squeezed = re.sub(r"\s+", "", text)
    for number, page in enumerate(texts, start=1):
        if squeezed in re.sub(r"\s+", "", page):
            return number
    raise AssertionError(f"{text!r} is not in the PDF")


def lost_by_plain_weasyprint(print_html: Path) -> list[str]:
    """The notes WeasyPrint 70 loses from a print page without counterpoint's fixes."""
    import weasyprint

    html = print_html.read_text(encoding="utf-8")
    document = weasyprint.HTML(string=html, base_url=str(print_html.parent) + "/").render()
    laid = set().union(*(set(page.anchors) for page in document.pages))
    return [n for n in re.findall(r'id="(fn-\d+)"', html) if n not in laid]


def test_five_long_notes_in_one_paragraph_stay_on_their_calls_pages(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    brief = write_brief(DENSE)
    pdf, print_html = build(brief, tmp_path / "out", ["pdf", "print-html"])
    assert lost_by_plain_weasyprint(print_html.path)  # the trap is there...
    assert not [w for w in pdf.warnings if FALLBACK_WARNING in w]  # ...and needs no fallback
    texts = page_texts(pdf.path)
    pages = note_pages(texts, pdf.notes)
    assert sorted(pages) == list(range(1, pdf.notes + 1))
    calls = {i: text_page(texts, f"Claim {i} holds") for i in range(1, 6)}
    calls[6] = text_page(texts, "Exports rose")
    assert {n: pages[n] for n in calls} == calls


def test_a_sets_half_point_footnote_rule_loses_no_note(tmp_path: Path) -> None:
    """0.5pt / 3pt / 8pt separator values trip WeasyPrint 70's float comparison in the
    footnote area (Kozea/WeasyPrint#2502): plain WeasyPrint loses a note of the sample
    paper (every section, 16 notes over four pages), as it does one of the flagship's."""
    sets = tmp_path / "sets" / "thin"
    sets.mkdir(parents=True)
    (sets / "manifest.yaml").write_text(
        "name: thin\nparent: analyst\naudience: thin\ncss-print: [thin.css]\n"
    )
    (sets / "thin.css").write_text(
        "@page { @footnote { border-top: 0.5pt solid #888; padding-top: 3pt; margin-top: 8pt } }\n"
    )
    pdf, print_html = build(
        SAMPLES / "basic" / "brief.yaml", tmp_path / "out", ["pdf", "print-html"],
        audience="thin", templates=tmp_path / "sets",
    )  # fmt: skip
    assert lost_by_plain_weasyprint(print_html.path)
    assert not [w for w in pdf.warnings if FALLBACK_WARNING in w]
    assert pdf.notes == 16
    assert sorted(note_pages(page_texts(pdf.path), pdf.notes)) == list(range(1, 17))


def test_notes_no_layout_can_keep_become_endnotes_with_one_warning(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    """Notes set too large for any page: each step of the ladder is said, the last one
    once, and the PDF is written with every note in the list after the body."""
    sets = tmp_path / "sets" / "huge"
    sets.mkdir(parents=True)
    (sets / "manifest.yaml").write_text(
        "name: huge\nparent: analyst\naudience: huge\ncss-print: [huge.css]\n"
    )
    (sets / "huge.css").write_text(".medium-print .footnote { font-size: 90pt }\n")
    (pdf,) = build(write_brief(), tmp_path / "out", ["pdf"], "huge", tmp_path / "sets")
    fallbacks = [w for w in pdf.warnings if w.startswith(FALLBACK_WARNING)]
    assert len(fallbacks) == 2
    assert "; laid out again with footnote-policy: line" in fallbacks[0]
    assert fallbacks[1].endswith("; so this PDF lists its notes as endnotes (docs/weasyprint.md)")
    assert re.match(rf"{FALLBACK_WARNING} footnote \d+ \(.*\) is on page \d+, not on its call",
                    fallbacks[1])  # fmt: skip
    texts = page_texts(pdf.path)
    listed = [int(n) for t in texts for n in re.findall(r"^(\d+)\. \S", t, re.M)]
    assert listed == list(range(1, pdf.notes + 1))  # once each, in order, after the body
    assert text_page(texts, "Memory persists") <= next(
        i for i, t in enumerate(texts, 1) if re.search(r"^1\. \S", t, re.M)
    )


def test_a_failed_pdf_leaves_the_html_and_word_written(
    write_brief: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    long_summary = " ".join(["The border question has many sides worth weighing."] * 180)
    write_brief(
        MINIMAL.replace(
            "summary: It is settled [@petrova-2025, para. 2].", f"summary: {long_summary}"
        )
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        main, ["build", "brief.yaml", "--audience", "executive", "--format", "html,pdf,docx"]
    )
    assert result.exit_code == 1
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "brief-executive.docx", "brief-executive.html",
    ]  # fmt: skip
    assert result.stdout.splitlines()[-1] == "failed out/brief-executive.pdf (not written)"
    assert re.match(r"wrote out/brief-executive\.html .*\nwrote out/brief-executive\.docx ",
                    result.stdout)  # fmt: skip
    assert result.stderr.startswith(
        "out/brief-executive.pdf: the executive edition is 3 pages, over its 2-page limit"
    )
    assert result.stderr.endswith(
        "\n1 of 1 brief(s) failed (out/brief-executive.pdf not written)\n"
    )
    # nothing is cached: the next build tries the PDF again, and fails the same way
    again = CliRunner().invoke(
        main, ["build", "brief.yaml", "--audience", "executive", "--format", "html,pdf,docx"]
    )
    assert again.exit_code == 1 and "failed out/brief-executive.pdf" in again.stdout


@pytest.mark.parametrize(
    ("css", "message"),
    [
        (
            ".title { position: absolute; left: 250mm }",
            r'the absolute-positioned <h1 class="title"> \(\'Test brief\'\) falls off the page '
            r"on page 1",
        ),
        (
            "#summary p { float: left; margin-top: -2em; font-size: 20pt }",
            r"the floated <p class=\"cited\"> \('It is settled.'\) is drawn over body text on "
            r"page 1",
        ),
    ],
)
def test_placed_content_over_the_text_or_off_the_page_fails(
    write_brief: Callable[..., Path], tmp_path: Path, css: str, message: str
) -> None:
    from counterpoint import BuildError

    sets = tmp_path / "sets" / "placed"
    sets.mkdir(parents=True)
    (sets / "manifest.yaml").write_text(
        "name: placed\nparent: analyst\naudience: placed\ncss-print: [placed.css]\n"
    )
    (sets / "placed.css").write_text(css + "\n")
    with pytest.raises(BuildError) as info:
        build(write_brief(), tmp_path / "out", ["pdf"], "placed", tmp_path / "sets")
    assert re.fullmatch(rf".*brief-placed\.pdf: {message}", str(info.value))


def test_endnotes_in_two_columns_are_read_column_by_column(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    """A set that sets its page in two columns: the notes list runs down the first column
    and on in the second, which is their order (not the height on the page)."""
    sets = tmp_path / "sets" / "cols"
    sets.mkdir(parents=True)
    (sets / "manifest.yaml").write_text(
        "name: cols\nparent: analyst\naudience: cols\nnotes: endnotes\ncss-print: [cols.css]\n"
    )
    (sets / "cols.css").write_text(".medium-print main { column-count: 2; column-gap: 8mm }\n")
    (pdf,) = build(write_brief(DENSE), tmp_path / "out", ["pdf"], "cols", tmp_path / "sets")
    texts = page_texts(pdf.path)
    listed = [int(n) for t in texts for n in re.findall(r"^(\d+)\. \S", t, re.M)]
    assert [n for n in listed if n <= pdf.notes] == list(range(1, pdf.notes + 1))


def test_a_table_cells_notes_are_not_drawn_over_the_rows_other_cells() -> None:
    """A row first on its page: the first cell's lines reach the foot of the page, then the
    second cell's note would raise the footnote area over them. Plain WeasyPrint 70 draws
    the note over that text; with counterpoint's fixes the line goes on with its note."""
    import weasyprint
    from weasyprint.formatting_structure.boxes import FootnoteAreaBox, TextBox

    from counterpoint.publish.weasyfix import footnote_fixes

    long = "Plain words fill the first cell line after line. " * 20
    note = "A long note that takes many lines at the foot. " * 6
    html = (
        "<style>@page { size: A5 } .fn { float: footnote; footnote-policy: line }"
        " td { vertical-align: top; width: 50% }</style><table><tr>"
        f"<td>{long}</td><td>Some words. {'More words in the second cell. ' * 3}"
        f"Call<a id=fnref-1></a><span class=fn id=fn-1>{note}</span> then more.</td>"
        "</tr></table>"
    )

    def laid_out() -> tuple[int, int, bool]:
        """The pages of the call and the note, and whether the notes cover any text."""
        document = weasyprint.HTML(string=html).render()
        pages = [p for p in document.pages]
        call = next(i for i, p in enumerate(pages) if "fnref-1" in p.anchors)
        body = next(i for i, p in enumerate(pages) if "fn-1" in p.anchors)
        page = pages[body]._page_box
        top = min(c.position_y for c in page.children if isinstance(c, FootnoteAreaBox))
        texts = [t for t in page.children[0].descendants() if isinstance(t, TextBox)]
        return call, body, any(t.position_y + t.height > top + 1 for t in texts)

    assert laid_out() == (0, 0, True)  # plain WeasyPrint: the note is drawn over the text
    with footnote_fixes(covering=True):
        call, body, covered = laid_out()
    assert call == body == 1 and not covered
