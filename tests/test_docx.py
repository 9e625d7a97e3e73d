"""The Word edition (publish/docx/): real footnotes equal to the HTML's notes, Word's heading
styles, real tables, properties, the marking in the header, and the same bytes twice."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest

from counterpoint import build
from counterpoint.audit.checks import audit_brief
from counterpoint.brief.validate import validate
from counterpoint.cite.resolve import Resolved, resolve
from counterpoint.pipeline.plan import style_of
from counterpoint.publish.docx.setfiles import reference_doc
from counterpoint.publish.docx.writer import write_docx
from counterpoint.render.templates import TemplateSet, builtin_root, find, search_roots

from .conftest import ROOT, SAMPLES, need
from .oracle import page_notes

FLAGSHIP = ROOT / "briefs" / "russian-far-east.yaml"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass
class WordEdition:
    """A Word edition as written, with what it was made from."""

    doc: Resolved
    tset: TemplateSet
    data: bytes


def edition(path: Path, audience: str) -> WordEdition:
    brief = validate(path)
    tset = find(audience, search_roots(None, path))
    doc = resolve(brief, tset.sections, style=style_of(brief, tset))
    data = write_docx(doc, tset, audience, tset.options, audit_brief(brief, doc), None)
    return WordEdition(doc, tset, data)


@pytest.fixture(scope="module")
def flagship() -> WordEdition:
    return edition(FLAGSHIP, "analyst")


@pytest.fixture(scope="module")
def basic() -> WordEdition:
    return edition(SAMPLES / "basic" / "brief.yaml", "analyst")


def footnotes(data: bytes) -> list[str]:
    """The text of word/footnotes.xml's notes (not the separators), in order."""
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        root = etree.fromstring(z.read("word/footnotes.xml"))
    out = []
    for note in root.iter(f"{W}footnote"):
        if note.get(f"{W}type") in ("separator", "continuationSeparator"):
            continue
        text = "".join(t.text or "" for t in note.iter(f"{W}t"))
        out.append(" ".join(text.split()))
    return out


def note_calls(data: bytes) -> list[int]:
    """The footnote ids of the note calls, in document order."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        body = z.read("word/document.xml").decode()
    return [int(n) for n in re.findall(r'<w:footnoteReference w:id="(\d+)"', body)]


def html_notes(path: Path, tmp: Path) -> list[str]:
    (html,) = build(path, tmp, formats=["html"], force=True)
    return page_notes(html.path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("which", ["flagship", "basic"])
def test_footnotes_equal_the_html_notes_in_number_order_and_text(
    which: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    ed: WordEdition = request.getfixturevalue(which)
    path = FLAGSHIP if which == "flagship" else SAMPLES / "basic" / "brief.yaml"
    expected = html_notes(path, tmp_path)
    assert expected, "the edition has notes"
    assert footnotes(ed.data) == expected
    calls = note_calls(ed.data)
    assert len(calls) == len(expected)
    assert calls == sorted(calls), "note calls come in the notes' order"


def test_note_calls_follow_punctuation(flagship: WordEdition) -> None:
    with zipfile.ZipFile(io.BytesIO(flagship.data)) as z:
        body = z.read("word/document.xml").decode()
    # the run before a note call ends with the punctuation, never a space before it
    before = re.findall(r'([^>])</w:t></w:r><w:r><w:rPr><w:rStyle w:val="FootnoteReference"', body)
    assert before and " " not in before
    assert not re.search(r'<w:footnoteReference w:id="\d+" /></w:r><w:r><w:t[^>]*>[.,;:]', body)


def test_headings_use_words_heading_styles(flagship: WordEdition) -> None:
    document = docx.Document(io.BytesIO(flagship.data))
    headings = [
        (p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")
    ]
    level1 = [t for s, t in headings if s == "Heading 1"]
    assert level1[:3] == ["Bottom line", "Background", "The views at a glance"]
    assert {"The views", "Contested facts", "Timeline", "Key judgments", "Bibliography"} <= set(
        level1
    )
    assert "Balance and sourcing" in level1
    views = [t for s, t in headings if s == "Heading 2" and t.startswith("View ")]
    assert views == [f"View {i}. {v.label}" for i, v in enumerate(flagship.doc.views, 1)]
    assert any(p.style.name == "Title" for p in document.paragraphs)
    body = zipfile.ZipFile(io.BytesIO(flagship.data)).read("word/document.xml").decode()
    assert ' TOC \\o "1-2"' in body  # a table of contents field, Word updates it


def test_glance_and_balance_are_word_tables(flagship: WordEdition) -> None:
    document = docx.Document(io.BytesIO(flagship.data))
    heads = [[c.text for c in t.rows[0].cells] for t in document.tables]
    assert ["View", "Thesis", "Arguments", "Counterpoints", "Sources"] in heads
    assert ["View", "Words", "Arguments", "Counterpoints", "Sources", "Notes"] in heads
    glance = document.tables[
        heads.index(["View", "Thesis", "Arguments", "Counterpoints", "Sources"])
    ]
    assert [r.cells[0].text for r in glance.rows[1:]] == [v.label for v in flagship.doc.views]


def test_figures_are_svg_with_a_png_fallback(flagship: WordEdition) -> None:
    with zipfile.ZipFile(io.BytesIO(flagship.data)) as z:
        media = sorted(n.rsplit(".", 1)[1] for n in z.namelist() if n.startswith("word/media/"))
        body = z.read("word/document.xml").decode()
    if shutil.which("rsvg-convert"):
        assert media == ["png", "png", "svg", "svg"]  # the timeline and the balance chart
    else:
        assert media == ["svg", "svg"]
    assert body.count("<pic:pic") == 2


def test_bibliography_has_the_hanging_indent_style(flagship: WordEdition) -> None:
    document = docx.Document(io.BytesIO(flagship.data))
    entries = [p for p in document.paragraphs if p.style.name == "Bibliography"]
    assert len(entries) == len(flagship.doc.bibliography)
    fmt = entries[0].style.paragraph_format
    assert fmt.first_line_indent < 0 < fmt.left_indent


def test_properties(flagship: WordEdition) -> None:
    props = docx.Document(io.BytesIO(flagship.data)).core_properties
    brief = flagship.doc.brief
    assert props.title == brief.title
    assert props.subject.startswith("Is the territory the Qing empire ceded")
    assert "[@" not in props.subject and "<" not in props.subject
    assert props.keywords == ", ".join(v.label for v in flagship.doc.views)
    assert props.language == brief.language
    assert props.author == "; ".join(brief.authors)


def test_marking_and_title_in_the_header_page_numbers_in_the_footer(write_brief) -> None:
    from .conftest import MINIMAL

    marking = "OFFICIAL - PUBLIC & <internal>"
    path = write_brief(MINIMAL.replace("brief: 1\n", f"brief: 1\nmarking: {marking}\n"))
    ed = edition(path, "analyst")
    document = docx.Document(io.BytesIO(ed.data))
    section = document.sections[-1]
    assert section.header.paragraphs[0].text == f"Test brief\t{marking}"
    assert section.first_page_header.paragraphs[0].text == marking
    footer = zipfile.ZipFile(io.BytesIO(ed.data)).read("word/footer1.xml").decode()
    assert " PAGE " in footer and " NUMPAGES " in footer
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297


def test_without_a_marking_the_header_has_none(basic: WordEdition) -> None:
    assert not basic.doc.brief.extra.get("marking")
    with zipfile.ZipFile(io.BytesIO(basic.data)) as z:
        headers = [z.read(n).decode() for n in z.namelist() if "header" in n]
    assert headers and not any("COUNTERPOINT-" in h for h in headers)


def test_two_builds_give_the_same_bytes(basic: WordEdition) -> None:
    again = edition(SAMPLES / "basic" / "brief.yaml", "analyst")
    assert again.data == basic.data


def test_in_text_style_has_no_notes(write_brief, tmp_path: Path) -> None:
    from .conftest import MINIMAL

    path = write_brief(MINIMAL.replace("brief: 1\n", "brief: 1\ncsl: apa\n"))
    ed = edition(path, "analyst")
    assert footnotes(ed.data) == []
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(ed.data)).paragraphs)
    assert "(Petrova, 2025" in text
    assert "References" in text


def test_reference_docx_comes_from_the_set_chain(tmp_path: Path) -> None:
    child = tmp_path / "templates" / "mine"
    child.mkdir(parents=True)
    (child / "manifest.yaml").write_text("name: mine\nparent: analyst\naudience: mine\n")
    tset = find("mine", [tmp_path / "templates", builtin_root()])
    assert reference_doc(tset) == builtin_root() / "base" / "reference.docx"
    shutil.copy(builtin_root() / "base" / "reference.docx", child / "reference.docx")
    assert reference_doc(tset) == child / "reference.docx"
    executive = find("executive", [builtin_root()])
    assert reference_doc(executive) == builtin_root() / "executive" / "reference.docx"


def test_reference_docx_is_what_the_script_makes() -> None:
    from tools.make_reference_docx import SETS, make

    for name in SETS:
        assert make(name) == (builtin_root() / name / "reference.docx").read_bytes(), name


@pytest.mark.pdf  # LibreOffice lays out the Word edition as a PDF
@pytest.mark.slow
def test_executive_edition_fits_two_pages_in_libreoffice(tmp_path: Path) -> None:
    need(shutil.which("soffice") is not None, "LibreOffice (soffice)")
    from pypdf import PdfReader

    source = tmp_path / "executive.docx"
    source.write_bytes(edition(FLAGSHIP, "executive").data)
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    assert len(PdfReader(tmp_path / "executive.pdf").pages) <= 2


# -- the paper's language (issue 15) ---------------------------------------------------------
def _package_text(data: bytes) -> dict[str, str]:
    """Each part's visible text (document, headers, footers, footnotes), by part name."""
    out = {}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if re.fullmatch(r"word/(document|header\d*|footer\d*|footnotes)\.xml", name):
                xml = z.read(name).decode("utf-8")
                out[name] = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml))
    return out


@pytest.mark.parametrize("name", ["ar", "ru", "zh-Hans"])
@pytest.mark.parametrize("audience", ["analyst", "public", "executive"])
def test_no_english_fixed_text_in_the_word_edition(name: str, audience: str) -> None:
    from .test_languages import ENGLISH_LABELS, LANGUAGES

    parts = _package_text(edition(LANGUAGES / f"{name}.yaml", audience).data)
    text = "\n".join(parts.values())
    english = [*ENGLISH_LABELS, "Page ", "Views are presented", "Reliability", "Date", "Event"]
    found = [label for label in english if label in text]
    assert not found, f"{name} ({audience}): English fixed texts {found}"
    footer = "".join(v for k, v in parts.items() if "footer" in k)
    assert {"ar": "الصفحة", "ru": "Страница", "zh-Hans": "第"}[name] in footer


def test_arabic_word_edition_is_right_to_left() -> None:
    from .test_languages import LANGUAGES

    data = edition(LANGUAGES / "ar.yaml", "analyst").data
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        body = z.read("word/document.xml").decode("utf-8")
        notes = z.read("word/footnotes.xml").decode("utf-8")
        footers = [z.read(n).decode() for n in z.namelist() if re.match(r"word/footer\d", n)]
    paragraphs = re.findall(r"<w:p>.*?</w:p>", body, re.S)
    assert paragraphs and all(re.search(r"<w:bidi ?/>", p) for p in paragraphs)
    assert "<w:rtl" in body and body.count("<w:bidiVisual/>") == body.count("<w:tbl>")
    assert all("<w:bidi/>" in f and ("<w:r>" not in f or "<w:rtl/>" in f) for f in footers)
    # a Latin note stays a left-to-right run inside the right-to-left document
    latin = re.search(r"<w:r>(?:(?!</w:r>).)*Sarah Miller(?:(?!</w:r>).)*</w:r>", notes, re.S)
    assert latin is not None and "<w:rtl" not in latin.group()
    plain = edition(LANGUAGES / "ru.yaml", "analyst").data
    with zipfile.ZipFile(io.BytesIO(plain)) as z:
        assert "<w:bidi" not in z.read("word/document.xml").decode("utf-8")


@pytest.mark.pdf  # LibreOffice lays out the Word edition as a PDF
@pytest.mark.slow
def test_word_tables_keep_rows_and_header_words_whole(tmp_path: Path) -> None:
    """Issue 29: a row of the views-at-a-glance, timeline or balance tables is never split
    over a page; the compare table's group labels stay with their first row; no column head
    breaks inside a word ("Counterpoint/s"); the appendix flows on, as in the PDF."""
    need(shutil.which("soffice") is not None, "LibreOffice (soffice)")
    from pypdf import PdfReader

    data = edition(FLAGSHIP, "analyst").data
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    rows = re.findall(r"<w:tr(?=[\s>]).*?</w:tr>", xml, re.S)
    assert len(rows) > 40 and all("<w:cantSplit/>" in r for r in rows)
    assert '<w:br w:type="page"/>' not in xml
    compare = edition(FLAGSHIP, "compare").data
    with zipfile.ZipFile(io.BytesIO(compare)) as z:
        cxml = z.read("word/document.xml").decode("utf-8")
    groups = [r for r in re.findall(r"<w:tr(?=[\s>]).*?</w:tr>", cxml, re.S) if "w:gridSpan" in r]
    assert groups and all("<w:keepNext/>" in r and "<w:cantSplit/>" in r for r in groups)
    source = tmp_path / "analyst.docx"
    source.write_bytes(data)
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    text = "\n".join(p.extract_text() for p in PdfReader(tmp_path / "analyst.pdf").pages)
    head = re.search(r"The views at a glance\s+View\s+Thesis\s+(.*?)\s+Sources", text, re.S)
    assert head is not None and head.group(1).split() == ["Arguments", "Counterpoints"]
