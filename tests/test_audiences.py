"""One brief, many readers: built-in audiences, child template sets, eject, drift checks."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pypdf
import pytest

from counterpoint import BuildError, CounterpointError, build
from counterpoint.render.scaffold import eject

from .conftest import MINIMAL, Built

JUDGMENTS = """\
judgments:
  - text: First judgment [@lin-2024, p. 1].
    likelihood: likely
    confidence: moderate
  - text: Second judgment.
    likelihood: unlikely
    confidence: low
"""


@pytest.mark.pdf
def test_flagship_executive_fits_two_pages_without_background(
    flagship_editions: dict[tuple[str, str], Built],
) -> None:
    html, pdf = flagship_editions["executive", "html"], flagship_editions["executive", "pdf"]
    assert pdf.path.name == "russian-far-east-executive.pdf"
    reader = pypdf.PdfReader(pdf.path)
    assert len(reader.pages) <= 2
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Background" not in text
    assert "Key judgments" in text and "The views" in text
    page = html.path.read_text(encoding="utf-8")
    assert len(re.findall(r'data-judgment="\d+"', page)) == 5
    assert len(re.findall(r'data-view="[^"]+"', page)) == 4


def test_public_edition_hides_grades_and_explains_itself(
    flagship_editions: dict[tuple[str, str], Built],
) -> None:
    public, analyst = flagship_editions["public", "html"], flagship_editions["analyst", "html"]
    public_html = public.path.read_text(encoding="utf-8")
    analyst_html = analyst.path.read_text(encoding="utf-8")
    assert "Reliability" not in public_html
    assert "How to read this brief" in public_html
    assert "Reliability D (not usually reliable)" in analyst_html
    assert "How to read this brief" not in analyst_html


def test_audience_all_builds_every_edition(write_brief, tmp_path: Path) -> None:
    outputs = build(write_brief(), tmp_path / "out", formats=["html"], audience="all")
    assert [o.path.name for o in outputs] == [
        "brief.html",
        "brief-compare.html",
        "brief-executive.html",
        "brief-public.html",
    ]


def test_brief_chooses_judgments_per_audience(write_brief, tmp_path: Path) -> None:
    text = MINIMAL + JUDGMENTS + "audiences:\n  executive: {judgments: 1}\n"
    (out,) = build(write_brief(text), tmp_path / "o", formats=["html"], audience="executive")
    page = out.path.read_text(encoding="utf-8")
    assert "First judgment" in page and "Second judgment" not in page


def child_set(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "sets" / "house"
    folder.mkdir(parents=True)
    (folder / "manifest.yaml").write_text(
        "name: house\nparent: analyst\naudience: house\ncss: [house.css]\n"
    )
    (folder / "house.css").write_text(":root { --accent: #7a1f2b; }\n")
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return tmp_path / "sets"


def test_child_set_overrides_one_block_and_one_rule(write_brief, tmp_path: Path) -> None:
    sets = child_set(
        tmp_path,
        {
            "sections/title.html": '{% extends "!base/sections/title.html" %}'
            '{% block title_block %}<p class="banner">MINISTRY - PUBLIC</p>{{ super() }}'
            "{% endblock %}"
        },
    )
    (out,) = build(write_brief(), tmp_path / "o", ["html"], audience="house", templates=sets)
    page = out.path.read_text(encoding="utf-8")
    assert '<p class="banner">MINISTRY - PUBLIC</p>' in page
    assert '<h1 class="title">Test brief</h1>' in page  # the parent's block, via super()
    assert ":root { --accent: #7a1f2b; }" in page  # the child's CSS rule...
    assert page.index("/* style.css */") < page.index("/* house.css */")  # ...after the parent's
    assert ">Bottom line</h2>" in page and 'id="fn-1"' in page  # everything else inherited


def test_eject_then_build_is_identical(write_brief, tmp_path: Path, monkeypatch) -> None:
    brief = write_brief()
    (builtin,) = build(brief, tmp_path / "a", ["html"], audience="public")
    monkeypatch.chdir(tmp_path)
    ejected = eject("public", tmp_path / "mine" / "public")
    assert (ejected / "sections" / "views.html").is_file()  # the parents' files came along
    (mine,) = build(brief, tmp_path / "b", ["html"], audience="public", templates=tmp_path / "mine")
    assert mine.path.read_bytes() == builtin.path.read_bytes()
    with pytest.raises(Exception, match="already exists; not overwriting it"):
        eject("public", ejected)


def test_eject_refuses_a_link_out_of_the_set(tmp_path: Path, monkeypatch) -> None:
    """Copying would put the linked file's content into the project (found in a review)."""
    sets = tmp_path / "templates" / "leaky"
    sets.mkdir(parents=True)
    (sets / "manifest.yaml").write_text("name: leaky\nparent: base\n")
    (sets / "logo.png").symlink_to("/etc/hostname")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CounterpointError) as info:
        eject("leaky", tmp_path / "copy")
    assert str(info.value).replace(str(tmp_path) + os.sep, "") == (
        "templates/leaky/logo.png links to a file outside its template set; not copying it "
        "(remove the link, or copy the file into the set)"
    )
    assert not (tmp_path / "copy").exists()


def test_undefined_variable_names_template_file_and_line(write_brief, tmp_path: Path) -> None:
    sets = child_set(
        tmp_path, {"sections/summary.html": "<section>\n{{ brief.sumary }}\n</section>\n"}
    )
    with pytest.raises(BuildError) as info:
        build(write_brief(), tmp_path / "o", ["html"], audience="house", templates=sets)
    message = str(info.value).replace(str(tmp_path) + os.sep, "")
    where = "sets/house/sections/summary.html:2"
    assert message == f"{where}: 'counterpoint.brief.model.Brief object' has no attribute 'sumary'"


@pytest.mark.parametrize("fmt", ["html", "docx"])
def test_a_set_that_drops_a_judgment_fails(write_brief, tmp_path: Path, fmt: str) -> None:
    """In every format: a set's Word edition comes from the same templates (docx/html.py)."""
    sets = child_set(
        tmp_path,
        {
            "sections/judgments.html": "<ol>{% for j in brief.judgments[:1] %}"
            '<li data-judgment="{{ loop.index }}">{{ j.text | md_inline }}</li>{% endfor %}</ol>'
        },
    )
    with pytest.raises(BuildError) as info:
        build(write_brief(MINIMAL + JUDGMENTS), tmp_path / "o", [fmt], "house", templates=sets)
    assert str(info.value).endswith(
        "leaves out key judgment 2: every edition must show every view, contested point and "
        "key judgment the brief asks for"
    )
    assert not list((tmp_path / "o").glob("brief*"))


@pytest.mark.pdf
def test_executive_over_two_pages_says_what_to_cut(write_brief, tmp_path: Path) -> None:
    long_summary = " ".join(["The border question has many sides worth weighing."] * 180)
    text = MINIMAL.replace(
        "summary: It is settled [@petrova-2025, para. 2].", f"summary: {long_summary}"
    )
    with pytest.raises(BuildError) as info:
        build(write_brief(text), tmp_path / "o", ["pdf"], audience="executive")
    assert re.search(
        r"brief-executive\.pdf: the executive edition is 3 pages, over its 2-page limit; shorten "
        r"the bottom line \(summary\) \(1440 words\), the view theses \(6 words\)$",
        str(info.value),
    )
    assert not (tmp_path / "o" / "brief-executive.pdf").exists()
    # a set's own sections are what it advises cutting; fewer judgments only when there are
    from counterpoint import validate
    from counterpoint.cite.resolve import resolve
    from counterpoint.publish.writers import Edition, too_long_advice
    from counterpoint.render.templates import find, search_roots

    brief = validate(write_brief(text + JUDGMENTS))
    doc = resolve(brief, ["title", "summary", "background", "judgments"])
    tset = find("analyst", search_roots())
    advice = too_long_advice(Edition(doc, tset, "house", {}, None), 5, 2)  # type: ignore[arg-type]
    assert advice.startswith(
        "the house edition is 5 pages, over its 2-page limit; shorten the bottom line (summary) "
    )
    assert "the view theses" not in advice and "key judgments" in advice
    assert advice.endswith("or show fewer judgments with `audiences: {house: {judgments: N}}`")


@pytest.mark.pdf
def test_ministry_cover_with_marking_logo_and_colours(write_brief, tmp_path: Path) -> None:
    """The README walkthrough: a cover banner, a local logo, a colour scheme."""
    png = bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a2d0f1c30000000049454e44ae426082"
    )
    sets = child_set(
        tmp_path,
        {
            "sections/title.html": '{% extends "!base/sections/title.html" %}'
            '{% block title_block %}<p class="marking">OFFICIAL - FOR DISCUSSION</p>'
            '<img class="logo" src="{{ asset(\'logo.png\') }}" alt="Ministry crest">'
            "{{ super() }}{% endblock %}",
        },
    )
    (sets / "house" / "logo.png").write_bytes(png)
    html, pdf = build(write_brief(), tmp_path / "o", ["html", "pdf"], "house", templates=sets)
    page = html.path.read_text(encoding="utf-8")
    assert '<img class="logo" src="data:image/png;base64,iVBORw0KGgo' in page
    assert pdf.warnings == []
    assert "OFFICIAL - FOR DISCUSSION" in pypdf.PdfReader(pdf.path).pages[0].extract_text()


def test_public_edition_leaves_out_sections_marked_internal(write_brief, tmp_path: Path) -> None:
    text = (
        MINIMAL
        + "background: Internal notes on sourcing [@lin-2024, p. 9].\ninternal: [background]\n"
    )
    brief = write_brief(text)
    (public,) = build(brief, tmp_path / "o", ["html"], audience="public")
    (analyst,) = build(brief, tmp_path / "o", ["html"], audience="analyst")
    assert "Internal notes on sourcing" not in public.path.read_text(encoding="utf-8")
    assert "Internal notes on sourcing" in analyst.path.read_text(encoding="utf-8")
    assert public.notes == analyst.notes - 1  # its note is gone too, and numbering closes up


@pytest.mark.pdf
def test_an_in_text_style_adds_its_references_to_an_edition_without_them(
    write_brief, tmp_path: Path
) -> None:
    """The executive edition shows no bibliography: its notes say in full what they cite.
    "(Petrova 2025)" does not, so in an in-text style the reference list follows the paper,
    on a page of its own in the PDF, which the edition's page limit does not count; and
    every in-text citation links to an entry on the page."""
    from selectolax.lexbor import LexborHTMLParser

    text = MINIMAL + JUDGMENTS + "csl: apa\naudiences:\n  executive: {max_pages: 1}\n"
    html, pdf = build(write_brief(text), tmp_path / "out", ["html", "pdf"], "executive")
    tree = LexborHTMLParser(html.path.read_text(encoding="utf-8"))
    section = tree.css_first("section#bibliography")
    assert section is not None and "references-added" in (section.attributes["class"] or "")
    assert [h.text() for h in section.css("h2")] == ["References"]
    links = [a.attributes["href"] for a in tree.css('a[href^="#"]')]
    assert links and all(tree.css_first(f"[id='{h[1:]}']") for h in links), links
    reader = pypdf.PdfReader(pdf.path)
    assert len(reader.pages) == 2 and pdf.pages == 2  # one page of paper, one of references
    assert reader.pages[1].extract_text().startswith("References\nInstitute for Border")
    assert "References" not in reader.pages[0].extract_text()
    # in a note style the notes say it all: no list is added, and the page limit holds
    (notes,) = build(write_brief(text.replace("csl: apa\n", "")), tmp_path / "n", ["html"],
                     "executive")  # fmt: skip
    assert LexborHTMLParser(notes.path.read_text(encoding="utf-8")).css("#bibliography") == []
