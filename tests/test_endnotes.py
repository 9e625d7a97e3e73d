"""`notes: endnotes`: one numbered list after the body, in the PDF as on the page, with the
after-layout check adapted (every note once, in order, after the body, and visible)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pypdf
import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from counterpoint import BuildError, InvalidInput, build

from .conftest import MINIMAL, SAMPLES

pytestmark = pytest.mark.pdf

ENDNOTES = "audiences:\n  analyst: {notes: endnotes}\n"


def _sample(tmp: Path, options: str = ENDNOTES) -> Path:
    """The basic sample brief (16 notes) with audience options added."""
    shutil.copytree(SAMPLES / "basic", tmp, dirs_exist_ok=True)
    path = tmp / "brief.yaml"
    path.write_text(path.read_text().replace("language: en\n", "language: en\n" + options))
    return path


def _set(root: Path, name: str, manifest: str, css: str = "") -> Path:
    (root / name).mkdir(parents=True)
    (root / name / "manifest.yaml").write_text(manifest, encoding="utf-8")
    if css:
        (root / name / f"{name}.css").write_text(css, encoding="utf-8")
    return root


def _texts(pdf: Path) -> list[str]:
    return [p.extract_text() for p in pypdf.PdfReader(pdf).pages]


def _numbered(text: str) -> list[tuple[int, str]]:
    """Lines that start a numbered note: (number, its first words)."""
    return [(int(n), rest) for n, rest in re.findall(r"^(\d+)\. (\S.*)$", text, re.M)]


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample with footnotes and with endnotes, HTML and PDF of each."""
    out: dict[str, Path] = {}
    for name, options in (("foot", ""), ("end", ENDNOTES)):
        folder = tmp_path_factory.mktemp(name)
        for o in build(_sample(folder, options), folder / "out", formats=["html", "pdf"]):
            out[f"{name}.{o.format}"] = o.path
    return out


def test_endnotes_are_one_list_after_the_body_in_the_pdf(editions: dict[str, Path]) -> None:
    pages = _texts(editions["end.pdf"])
    at = next(i for i, t in enumerate(pages) if re.search(r"^Notes$", t, re.M))
    before = "\n".join(pages[:at]) + pages[at].split("\nNotes\n")[0]
    assert _numbered(before) == []  # no note at the foot of any page of the body
    assert "Balance and sourcing" in before  # the whole body comes first
    after = "\n".join(pages[at:]).split("\nNotes\n", 1)[1].split("\nBibliography\n")[0]
    notes = _numbered(after)
    assert [n for n, _ in notes] == list(range(1, 17))
    # the same notes, word for word, as the footnotes of the footnote edition
    foot = [n for p in _texts(editions["foot.pdf"]) for n in _numbered(p)]
    assert [text[:40] for _, text in notes] == [text[:40] for _, text in foot]
    assert notes[0][1].startswith("Irina Petrova, “Rivers, Treaties and Trade")
    # a call is still a raised number after its sentence's full stop
    assert "grew by a third.5" in "".join(pages)


def test_pdf_calls_link_to_their_notes_and_back(editions: dict[str, Path]) -> None:
    reader = pypdf.PdfReader(editions["end.pdf"])
    targets: dict[int, list[str]] = {}
    for number, page in enumerate(reader.pages, 1):
        for annot in page.get("/Annots") or []:
            dest = annot.get_object().get("/Dest")
            if isinstance(dest, str) and dest.startswith(("fn-", "fnref-")):
                targets.setdefault(number, []).append(dest)
    calls = [d for ds in targets.values() for d in ds if d.startswith("fn-")]
    backs = [d for ds in targets.values() for d in ds if d.startswith("fnref-")]
    assert list(dict.fromkeys(calls)) == [f"fn-{n}" for n in range(1, 17)]
    assert list(dict.fromkeys(backs)) == [f"fnref-{n}" for n in range(1, 17)]
    # every back link sits on a page after the first call's page (the notes list)
    first_back = min(p for p, ds in targets.items() if any(d.startswith("fnref-") for d in ds))
    assert first_back > min(targets)


def test_html_calls_link_to_the_notes_list_and_back(editions: dict[str, Path]) -> None:
    tree = HTMLParser(editions["end.html"].read_text(encoding="utf-8"))
    calls = tree.css("main a.fn-call")
    assert [a.attributes["href"] for a in calls] == [f"#fn-{n}" for n in range(1, 17)]
    assert [a.text() for a in calls] == [str(n) for n in range(1, 17)]
    assert tree.css(".fn-pop") == []  # endnotes: no pop-up beside the call
    items = tree.css("section#notes > ol > li")
    assert [li.attributes["id"] for li in items] == [f"fn-{n}" for n in range(1, 17)]
    for n, li in enumerate(items, 1):
        (back,) = li.css("a.backref")
        assert back.attributes["href"] == f"#fnref-{n}"
        assert tree.css_first(f"#fnref-{n}") is not None
    assert tree.css_first("section#notes h2").text() == "Notes"
    assert tree.css_first('nav.toc a[href="#notes"]') is not None


def test_a_set_asks_for_endnotes_and_a_brief_asks_back_for_footnotes(
    tmp_path: Path,
) -> None:
    sets = _set(tmp_path / "sets", "news", "name: news\nparent: executive\naudience: news\n"
                "notes: endnotes\n")  # fmt: skip
    brief = _sample(tmp_path / "b", "")
    (page,) = build(brief, tmp_path / "a", formats=["html"], audience="news", templates=sets)
    tree = HTMLParser(page.path.read_text(encoding="utf-8"))
    # the executive sections have no notes list: endnotes bring one, at the end
    assert tree.css("main > section")[-1].attributes["id"] == "notes"
    assert len(tree.css("section#notes li")) == page.notes == 5
    pdf = build(brief, tmp_path / "a", formats=["pdf"], audience="news", templates=sets)[0]
    text = "\n".join(_texts(pdf.path))
    assert [n for n, _ in _numbered(text.split("\nNotes\n")[1])] == [1, 2, 3, 4, 5]

    brief.write_text(brief.read_text() + "audiences:\n  news: {notes: footnotes}\n")
    (page,) = build(brief, tmp_path / "b", formats=["html"], audience="news", templates=sets)
    html = page.path.read_text(encoding="utf-8")
    assert 'class="fn-pop"' in html  # footnotes: each note opens beside its call
    # and the page lists them too, for its calls' links (an executive set lists none)
    tree = HTMLParser(html)
    calls = [a.attributes["href"] or "" for a in tree.css("a.fn-call")]
    assert len(calls) == 5 and all(tree.css_first(f"li[id='{c[1:]}']") for c in calls)


def test_a_bad_notes_value_is_one_located_line(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    brief = write_brief(MINIMAL + "audiences:\n  analyst: {notes: sidenotes}\n")
    with pytest.raises(InvalidInput) as info:
        build(brief, tmp_path / "out", formats=["html"])
    assert str(info.value) == (
        f"{brief}:19:20: audiences.analyst.notes: 'sidenotes' is not a place for notes "
        "(did you mean 'endnotes'?); expected one of: footnotes, endnotes"
    ).replace(str(Path.cwd()) + "/", "")

    sets = _set(tmp_path / "sets", "x", "name: x\nparent: analyst\naudience: x\nnotes: margin\n")
    with pytest.raises(InvalidInput) as info:
        build(write_brief(), tmp_path / "out", formats=["html"], audience="x", templates=sets)
    assert str(info.value) == (
        f"{sets / 'x' / 'manifest.yaml'}:4:8: notes: 'margin' is not a place for notes; "
        "expected one of: footnotes, endnotes"
    ).replace(str(Path.cwd()) + "/", "")


def test_an_endnotes_build_fails_when_a_note_is_lost(tmp_path: Path) -> None:
    sets = _set(tmp_path / "sets", "lose", "name: lose\nparent: analyst\naudience: lose\n"
                "notes: endnotes\ncss: [lose.css]\n", "#fn-2 { display: none }\n")  # fmt: skip
    with pytest.raises(BuildError) as info:
        build(_sample(tmp_path / "b", ""), tmp_path / "out", formats=["pdf"], audience="lose",
              templates=sets)  # fmt: skip
    assert str(info.value) == (
        f"{tmp_path / 'out' / 'brief-lose.pdf'}: endnote 2 (Institute for Border Studies, "
        "Migration and Memory in the...) was lost in PDF layout; its call is "
        "on page 1"
    ).replace(str(Path.cwd()) + "/", "")
    assert not (tmp_path / "out" / "brief-lose.pdf").exists()


def test_endnotes_hidden_or_before_the_body_fail_the_build(tmp_path: Path) -> None:
    """The checks a notes list must pass: visible, after the last call, each note once."""
    brief = _sample(tmp_path / "b", "")
    sets = tmp_path / "sets"
    _set(sets, "tiny", "name: tiny\nparent: analyst\naudience: tiny\nnotes: endnotes\n"
         "css: [tiny.css]\n", "#fn-3 { font-size: 0 }\n")  # fmt: skip
    _set(sets, "early", "name: early\nparent: analyst\naudience: early\nnotes: endnotes\n"
         "sections: [title, notes, summary, views, contested, judgments]\n")  # fmt: skip
    _set(sets, "twice", "name: twice\nparent: analyst\naudience: twice\nnotes: endnotes\n"
         "sections: [title, summary, views, contested, judgments, notes, notes]\n")  # fmt: skip
    found = {}
    for name in ("tiny", "early", "twice"):
        with pytest.raises(BuildError) as info:
            build(brief, tmp_path / "out", formats=["pdf"], audience=name, templates=sets)
        found[name] = str(info.value).split(".pdf: ", 1)[1]
    assert re.fullmatch(r"endnote 3 \(.*\) cannot be seen on page \d: its box is \d+ × 0 pt",
                        found["tiny"])  # fmt: skip
    assert found["early"].startswith(
        "endnote 1 (Irina Petrova, “Rivers, Treaties and Trade on a Long Bord...) is on "
        "page 1, before the last note call (page "
    )
    assert found["early"].split("; ")[0].endswith("): endnotes go after the body")
    assert found["twice"].startswith(
        "endnote 1 (Irina Petrova, “Rivers, Treaties and Trade on a Long Bord...) appears 2 "
        "times in the PDF"
    )


def test_the_word_edition_keeps_footnotes_and_says_so(tmp_path: Path) -> None:
    (docx,) = build(_sample(tmp_path / "b"), tmp_path / "out", formats=["docx"])
    assert docx.notes == 16 and docx.path.stat().st_size > 0
    assert (
        "the Word edition has footnotes: Pandoc's docx writer writes no endnotes "
        "(notes: endnotes applies to the HTML and PDF)"
    ) in docx.warnings
