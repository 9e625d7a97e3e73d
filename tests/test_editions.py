"""Editions a ministry would circulate (issue 29): the executive edition in whole sentences
and in the author's short forms."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from counterpoint import build
from counterpoint.cite.fields import first_sentences

from .conftest import MINIMAL, ROOT, Built

FLAGSHIP = ROOT / "briefs" / "russian-far-east.yaml"


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace(" .", ".")


def test_executive_contested_points_end_with_a_whole_sentence(
    flagship_editions: dict[tuple[str, str], Built],
) -> None:
    page = flagship_editions["executive", "html"].path.read_text(encoding="utf-8")
    items = re.findall(r'<li data-contested="\d+">(.*?)</li>', page, re.S)
    assert len(items) == 4
    for item in items:
        text = _text(item)
        assert "..." not in text and "…" not in text
        assert re.search(r"[.!?]\d*$", text), text
    # the first, cut to whole sentences; the third, the author's short form
    assert _text(items[0]).endswith("by about 160,000 km², some 11 percent.")
    assert _text(items[2]).startswith(
        "Whether Chinese migration into the Russian Far East is growing or overstated. "
        "No source gives migration figures; a population contrast"
    )


SHORT = MINIMAL.replace(
    "    thesis: It is settled.\n",
    "    thesis: It is settled, by every measure the sources offer, and has been for years.\n"
    "    short: Settled [@lin-2024, p. 9].\n",
) + (
    "contested:\n"
    "  - point: The treaty's name\n"
    "    accounts:\n"
    "      - Aigun [@lin-2024, p. 1].\n"
    "      - Argun [@petrova-2025, para. 3].\n"
    "    assessment: It is Aigun. The town is today part of Heihe, where it was signed in a\n"
    "      hall by the river, as the records of both sides agree in every detail we have.\n"
    "      More follows.\n"
    "    short: Aigun, after the town.\n"
    "judgments:\n"
    "  - text: The line will hold through 2036, as both governments say.\n"
    "    short: The line will hold.\n"
    "    likelihood: likely\n"
)


def test_short_forms_in_the_executive_edition_only(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    path = write_brief(SHORT)
    built = build(path, tmp_path / "o", formats=["html", "docx"], audience="all")
    pages = {o.audience: o.path.read_text(encoding="utf-8") for o in built if o.format == "html"}
    executive = _text(pages["executive"])
    row = re.search(r'<tr data-view="yes">.*?</tr>', pages["executive"]).group(0)
    assert re.search(r"<td>Settled\.<span class=\"fn\"><a [^>]*><sup>2</sup>", row)  # and its note
    assert "by every measure" not in executive
    assert "The treaty's name. Aigun, after the town." in executive
    assert "The line will hold." in executive and "through 2036" not in executive
    analyst = _text(pages["analyst"])
    assert "by every measure the sources offer" in analyst and "through 2036" in analyst
    assert "Aigun, after the town" not in analyst
    docx = next(o for o in built if o.audience == "executive" and o.format == "docx")
    with zipfile.ZipFile(docx.path) as z:
        body = re.sub(r"<[^>]+>", "", z.read("word/document.xml").decode())
    assert "Aigun, after the town." in body and "through 2036" not in body


def test_first_sentences() -> None:
    text = "The U.S. Army says so, p. 4. Dr. Li agrees. A third sentence runs on for a while."
    assert first_sentences(text, 45) == "The U.S. Army says so, p. 4. Dr. Li agrees."
    assert first_sentences(text, 10) == "The U.S. Army says so, p. 4."  # one sentence, however long
    assert first_sentences('He said "no." Then left.', 15) == 'He said "no."'
    assert first_sentences("第一句。第二句很长很长很长。", 6) == "第一句。"


def _visible(html: str) -> str:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    for node in tree.css("style, script"):
        node.decompose()
    return " ".join(tree.body.text(separator=" ").split())


def test_public_pages_have_no_codes_or_raw_ids(
    flagship_editions: dict[tuple[str, str], Built],
) -> None:
    from counterpoint import validate

    brief = validate(FLAGSHIP)
    # the source ids with a year, and the view an ignore entry names (others are plain words)
    ids = [s for s in brief.sources if re.search(r"-\d{4}$", s)] + ["settled-frontier"]
    assert len(ids) > 10
    built = [o for o in flagship_editions.values() if o.format != "pdf"]
    assert len(built) == 12  # every audience, in three formats
    for output in built:
        if output.format == "docx":
            with zipfile.ZipFile(output.path) as z:
                text = re.sub(r"<[^>]+>", " ", z.read("word/document.xml").decode())
        else:
            text = _visible(output.path.read_text(encoding="utf-8"))
        codes = re.findall(r"\bCP\d{3}\b", text)
        raw = [i for i in ids if re.search(rf"(?<![\w/.-]){re.escape(i)}(?![\w-])", text)]
        assert raw == [], (output.path.name, raw)  # no edition prints a raw id
        if output.audience == "public":
            assert codes == [] and "Findings deliberately ignored" not in text
        elif output.audience == "analyst":
            assert sorted(set(codes)) == ["CP107", "CP110"]
            assert "A view whose case rests on one source: A settled, integrating border." in text
            assert "Sources known only through another document (16)." in text
    page = next(o for o in built if o.audience == "analyst" and o.format == "html")
    assert '<small class="finding-code">CP110</small></li>' in page.path.read_text()


def empty_bands(pdf: Path) -> list[float]:
    """Each page's largest band with nothing printed across the text column (between the
    running head and the footer), as a share of the page's height."""
    import pypdfium2

    bands = []
    for page in pypdfium2.PdfDocument(pdf):
        image = page.render(scale=0.5).to_pil().convert("L")
        width, height = image.size
        pixels = image.load()
        run = best = 0
        for y in range(int(height * 0.07), int(height * 0.93)):
            if any(pixels[x, y] < 200 for x in range(int(width * 0.08), int(width * 0.92))):
                run = 0
            else:
                run += 1
                best = max(best, run)
        bands.append(best / height)
    return bands


@pytest.mark.pdf
def test_sections_flow_and_no_page_is_left_a_third_empty(
    flagship_editions: dict[tuple[str, str], Built],
) -> None:
    bands = empty_bands(flagship_editions["analyst", "pdf"].path)
    assert len(bands) >= 12
    assert max(bands[:-1]) < 0.25, [round(b, 2) for b in bands]  # the last page may end short


def test_the_balance_chart_is_set_in_the_papers_sans_and_its_caption_names_no_colour(
    flagship_editions: dict[tuple[str, str], Built],
) -> None:
    for output in (flagship_editions["analyst", fmt] for fmt in ("html", "print-html")):
        page = output.path.read_text(encoding="utf-8")
        chart = re.search(r'<svg [^>]*class="balance-figure".*?</svg>', page, re.S).group(0)
        families = set(re.findall(r'font-family="([^"]+)"', chart))
        assert families == {"Liberation Sans, DejaVu Sans, sans-serif"}
        caption = re.search(r'<figure class="balance-chart">.*?<figcaption>(.*?)<', page, re.S)
        assert "upper bar" in caption.group(1) and "dark" not in caption.group(1)


@pytest.mark.pdf
def test_the_readmes_sample_line_is_what_a_build_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """README's example of a build's report line has the shape, pages and notes of a real
    build of the flagship."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sample = re.search(r"`(wrote out/russian-far-east\.pdf \([^)]*\))`", readme).group(1)
    monkeypatch.chdir(tmp_path)
    (pdf,) = build(FLAGSHIP, "out", formats=["pdf"])
    printed = pdf.summary()
    shape = r"wrote out/russian-far-east\.pdf \((\d+) pages, (\d+) notes, \d+\.\d\d s\)"
    assert re.fullmatch(shape, printed), printed
    assert re.fullmatch(shape, sample).groups() == re.fullmatch(shape, printed).groups()


@pytest.mark.pdf
def test_compare_turns_only_its_table_to_landscape(
    write_brief: Callable[..., Path],
    tmp_path: Path,
    flagship_editions: dict[tuple[str, str], Built],
) -> None:
    import pypdf

    pdf = flagship_editions["compare", "pdf"]
    reader = pypdf.PdfReader(pdf.path)
    shapes = ["landscape" if p.mediabox.width > p.mediabox.height else "portrait"
              for p in reader.pages]  # fmt: skip
    texts = [p.extract_text() for p in reader.pages]
    wide = [i for i, s in enumerate(shapes) if s == "landscape"]
    assert shapes[0] == "portrait" and wide == list(range(1, wide[-1] + 1))  # one run
    assert all("Contested facts" not in texts[i] for i in wide)  # its lines stay readable
    assert "Contested facts" in texts[wide[-1] + 1] and shapes[-1] == "portrait"
    for i in wide:  # the column heads repeat on every landscape page
        assert "VIEW 1." in texts[i].upper().replace("\n", " ")
    bands = empty_bands(pdf.path)
    # no page a third empty but the paper's last: the table's rows run on over a page, so
    # its last landscape page is not left short either (62% empty when rows moved whole)
    assert max(bands[:-1]) < 1 / 3, [round(b, 2) for b in bands]
    # two views share a portrait page: no turn of the page, no page left short by one
    (short,) = build(write_brief(), tmp_path / "s", formats=["pdf"], audience="compare")
    reader = pypdf.PdfReader(short.path)
    assert all(p.mediabox.width < p.mediabox.height for p in reader.pages)
    assert len(reader.pages) == 2
