"""The HTML page: note links that resolve both ways, Markdown rendered, raw HTML inert."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from counterpoint import build


class Page(HTMLParser):
    """Collects ids, links and tags of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.ids: dict[str, dict[str, str | None]] = {}
        self.links: list[dict[str, str | None]] = []
        self.tags: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        a["tag"] = tag
        self.tags.append(tag)
        if a.get("id"):
            self.ids[a["id"]] = a  # type: ignore[index]
        if tag == "a" and a.get("href"):
            self.links.append(a)


@pytest.fixture(scope="module")
def html(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("html")
    sample = Path(__file__).parent / "samples" / "basic" / "brief.yaml"
    (result,) = build(sample, out, formats=["html"])
    return result.path.read_text(encoding="utf-8")


def test_note_links_resolve_both_ways(html: str) -> None:
    page = Page(html)
    calls = [a for a in page.links if a.get("class") == "fn-call"]
    assert [a["href"] for a in calls] == [f"#fn-{n}" for n in range(1, 17)]
    for call in calls:
        note_id = call["href"][1:]  # type: ignore[index]
        assert page.ids[note_id]["tag"] == "li"
        back = [
            a for a in page.links if a.get("class") == "backref" and a["href"] == f"#{call['id']}"
        ]
        assert len(back) == 1


def test_notes_list_text_and_order(html: str) -> None:
    """The notes list: 1 to 16 in order, the first note of a source full, later ones short
    (the texts themselves are compared with Pandoc's in test_pdf.py and test_citations.py)."""
    from .oracle import page_notes

    notes = page_notes(html)
    assert re.findall(r'<li id="fn-(\d+)" value="\1"', html) == [str(i) for i in range(1, 17)]
    assert notes[0].startswith("Irina Petrova, “Rivers, Treaties and Trade on a Long Border: A ")
    # the short note: the main title, without the subtitle (docs/format.md, title-short)
    assert notes[2] == "Petrova, “Rivers, Treaties and Trade on a Long Border,” para. 12."


def test_markdown_renders_and_raw_html_is_escaped(html: str) -> None:
    assert "a <em>latent flashpoint</em> or a settled frontier?" in html
    assert '<a href="https://example.org/survey">institute’s survey</a>' in html or (
        '<a href="https://example.org/survey">institute\'s survey</a>' in html
    )
    assert "Raw HTML such as &lt;script&gt;alert(1)&lt;/script&gt; stays text." in html
    assert "script" not in Page(html).tags


def test_no_empty_sections(write_brief, tmp_path: Path) -> None:
    (result,) = build(write_brief(), tmp_path / "out", formats=["html"])
    text = result.path.read_text(encoding="utf-8")
    for heading in ("Background", "Contested facts", "Timeline", "Key judgments", "Implications"):
        assert f">{heading}</h2>" not in text
    assert ">Bottom line</h2>" in text and ">Bibliography</h2>" in text


def test_section_order(html: str) -> None:
    order = [
        "The question", "Bottom line", "Background", "The views at a glance", "The views",
        "Contested facts", "Timeline", "Key judgments", "Implications", "Notes", "Bibliography",
    ]  # fmt: skip
    positions = [html.index(f">{h}</h2>") for h in order]
    assert positions == sorted(positions)


def test_citation_at_the_start_of_a_line_follows_the_punctuation(
    write_brief, tmp_path: Path
) -> None:
    """A YAML line break before `[@x].` is not a space before the call, and the call still
    moves after the full stop, as it does on one line."""
    from .conftest import MINIMAL

    text = MINIMAL.replace(
        "summary: It is settled [@petrova-2025, para. 2].",
        "summary: |-\n  It took a measure of desperation\n"
        "  [@petrova-2025, para. 2]. Then it held.",
    )
    (result,) = build(write_brief(text), tmp_path / "out", formats=["html"])
    page = result.path.read_text(encoding="utf-8")
    summary = page[page.index('id="summary"') :]
    assert 'desperation.<span class="fn"><a class="fn-call"' in summary
    assert "desperation\n" not in summary and "desperation ." not in summary


@pytest.mark.parametrize("style", ["chicago-notes-bibliography", "apa"])
@pytest.mark.parametrize("audience", ["analyst", "executive", "public", "compare"])
def test_every_in_page_link_of_every_built_in_edition_lands(
    audience: str, style: str, tmp_path: Path
) -> None:
    """A note call, an in-text citation, a contents entry, a back link: each `#x` on the
    page names an element there (read as a browser reads the page). The executive edition
    lists no notes or sources of its own: its calls once linked to nothing."""
    from selectolax.lexbor import LexborHTMLParser

    root = Path(__file__).parent.parent
    text = (root / "briefs" / "russian-far-east.yaml").read_text(encoding="utf-8")
    brief = tmp_path / "briefs" / "brief.yaml"
    brief.parent.mkdir()
    brief.write_text(text.replace("\nbibliography:", f"\ncsl: {style}\nbibliography:", 1))
    (tmp_path / "seeds").symlink_to(root / "seeds")
    (page,) = build(brief, tmp_path / "out", formats=["html"], audience=audience)
    tree = LexborHTMLParser(page.path.read_text(encoding="utf-8"))
    targets = {a.attributes["href"] or "" for a in tree.css('a[href^="#"]')}
    assert len(targets) >= 5
    missing = [t for t in sorted(targets) if tree.css_first(f"[id='{t[1:]}']") is None]
    assert missing == []
