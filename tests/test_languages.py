"""Papers wholly in the brief's language (issue 15): catalogs, dates, direction, scripts.

The briefs in tests/languages/ are written in Russian, Chinese, Arabic and German; each
plants one loaded word in its summary for the audit's language lint.
"""

from __future__ import annotations

import functools
import re
import shutil
import sys
from collections.abc import Callable
from html import unescape
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from counterpoint import build
from counterpoint.audit.checks import audit_brief
from counterpoint.audit.words import words
from counterpoint.brief.i18n import CATALOGS, LOCALE_DIR, Labels
from counterpoint.brief.model import Date
from counterpoint.brief.validate import validate

LANGUAGES = Path(__file__).parent / "languages"
ENGLISH_LABELS = [
    "Bottom line",
    "Contents",
    "The views at a glance",
    "The views",
    "View 1.",
    "Arguments",
    "Counterpoints",
    "Timeline",
    "Key judgments",
    "Likelihood:",
    "Confidence:",
    "Balance and sourcing",
    "Methods.",
    "Notes",
    "Bibliography",
    "The question",
    "of words",
    "of sources",
    "Figure 1.",
    "The order is not a ranking",
    "How to read this brief",
    "Experts disagree",
    "very likely",
    "moderate",
]


def page_text(html: str) -> str:
    """The page's text without tags, style and the brief's own words in attributes."""
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


Pages = Callable[[str], dict[str, str]]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Pages:
    """A sample's HTML in every edition (public: the reading guide), by file name; built
    once, by the first test that reads it."""
    out = tmp_path_factory.mktemp("languages")

    @functools.cache
    def editions(name: str) -> dict[str, str]:
        made = build(LANGUAGES / f"{name}.yaml", out, formats=["html"], audience="all")
        return {o.path.name: o.path.read_text(encoding="utf-8") for o in made}

    return editions


@pytest.mark.parametrize("name", ["ru", "zh-Hans", "ar", "de"])
@pytest.mark.parametrize("edition", ["", "-public", "-executive"])
def test_no_english_fixed_text(built: Pages, name: str, edition: str) -> None:
    text = page_text(built(name)[f"{name}{edition}.html"])
    found = [label for label in ENGLISH_LABELS if label in text]
    assert not found, f"{name}{edition}: English fixed texts {found}"


def test_catalogs_are_complete() -> None:
    """Every message of the template (the .pot) is translated in every catalog but English."""
    template = read_po((LOCALE_DIR / "counterpoint.pot").open("rb"))
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    for name in CATALOGS:
        catalog = read_po((LOCALE_DIR / name / "LC_MESSAGES" / "counterpoint.po").open("rb"))
        assert (LOCALE_DIR / name / "LC_MESSAGES" / "counterpoint.mo").is_file()
        got = {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in catalog if m.id}
        assert set(got) == ids, name
        if name != "en":
            empty = [k for k, v in got.items() if not (v if isinstance(v, str) else all(v))]
            assert not empty, f"{name}: untranslated {empty}"


def test_no_space_between_han_characters_from_a_line_break(built: Pages) -> None:
    html = built("zh-Hans")["zh-Hans.html"]
    # "削弱\n偏远" and "通勤时间\n呈负相关" are line breaks in the YAML
    assert "削弱偏远" in html and "通勤时间呈负相关" in html
    assert "削弱 偏远" not in html
    # a note call follows the full-width full stop, as after "."
    assert re.search(r"。<a class=\"fn-call\"|。<span class=\"fn\">", html)


def test_dates_in_the_language(built: Pages) -> None:
    page = {
        name: built(name)[f"{name}.html"].replace("\u202f", " ").replace("\xa0", " ")
        for name in ("ru", "zh-Hans", "ar", "de")
    }
    assert ">5 марта 2026 г.</time>" in page["ru"]
    assert ">июнь 2025 г.</time>" in page["ru"]
    assert ">2025年9月</time>" in page["zh-Hans"]
    assert ">15 يناير 2026</time>" in page["ar"]
    assert "300 ق.م" in page["ar"]  # CLDR's era name for a BCE year
    assert ">20. Mai 2026</time>" in page["de"]
    labels = Labels("de")
    assert labels.percent(0.4) == "40\xa0%"
    assert labels.number(1.5) == "1,5"
    assert Labels("en").date(Date(-44, 3, 15)) == "March 15, 44 BCE"


def test_unknown_language_gives_one_warning_and_english(write_brief, tmp_path: Path) -> None:
    from tests.conftest import MINIMAL

    path = write_brief(MINIMAL.replace("date: 2026-11-22", "date: 2026-11-22\nlanguage: sw"))
    outputs = build(path, tmp_path / "out", formats=["html"])
    (html,) = outputs
    warnings = [w for w in html.warnings if "'sw'" in w]
    assert len(warnings) == 1 and "no message catalog" in warnings[0]
    page = html.path.read_text(encoding="utf-8")
    assert "Bottom line" in page and "November 22, 2026" not in page  # CLDR's Swahili date
    assert "22 Novemba 2026" in page


def test_labels_override_the_catalog(write_brief, tmp_path: Path) -> None:
    from tests.conftest import MINIMAL

    brief = MINIMAL + "language: fr\nlabels:\n  Bottom line: En bref\n"
    (html,) = build(write_brief(brief), tmp_path / "out", formats=["html"])
    page = html.path.read_text(encoding="utf-8")
    assert "<h2>En bref</h2>" in page and "Sommaire" in page  # the rest from the catalog


@pytest.mark.parametrize(
    ("language", "byline"),
    [("en", "Ann Lee, Sam Roy, and Kim Ota"), ("ru", "Ann Lee, Sam Roy и Kim Ota"),
     ("zh-Hans", "Ann Lee、Sam Roy和Kim Ota"), ("ar", "Ann Lee وSam Roy وKim Ota")],
)  # fmt: skip
def test_authors_are_joined_in_the_language(
    write_brief, tmp_path: Path, language: str, byline: str
) -> None:
    from tests.conftest import MINIMAL

    brief = MINIMAL + f"language: {language}\nauthors: [Ann Lee, Sam Roy, Kim Ota]\n"
    (html,) = build(write_brief(brief), tmp_path / "out", formats=["html"])
    page = html.path.read_text(encoding="utf-8")
    assert f'<span class="authors">{byline}</span>' in page


def test_note_calls_before_punctuation(write_brief, tmp_path: Path) -> None:
    from tests.conftest import MINIMAL

    for rule, pattern in (("after", r"para\. 2\]|\.<span class=\"fn\""), ("before", r"</span>\.")):
        brief = MINIMAL + f"note_calls: {rule}\n"
        (html,) = build(write_brief(brief), tmp_path / rule, formats=["html"], force=True)
        summary = html.path.read_text(encoding="utf-8").split('id="summary"')[1][:1500]
        assert re.search(pattern, summary), (rule, summary)


def test_cjk_word_counts_do_not_depend_on_line_breaks(write_brief) -> None:
    brief = validate(LANGUAGES / "zh-Hans.yaml")
    counted = {v.id: words(v.arguments[0]) for v in brief.views}
    assert counted["cap"] >= 15 and counted["open"] >= 15  # characters, not YAML lines


PLANTED = [("ru", "очевидно"), ("zh-Hans", "显然"), ("ar", "بلا شك"), ("de", "zweifellos")]


@pytest.mark.parametrize(("name", "word"), PLANTED)
def test_loaded_words_found_in_every_catalog_language(name: str, word: str) -> None:
    report = audit_brief(validate(LANGUAGES / f"{name}.yaml"))
    assert report.lint_run
    assert any(f.code == "CP301" and word in f.message for f in report.findings)


def test_lint_says_it_did_not_run_without_word_lists(tmp_path: Path) -> None:
    text = (LANGUAGES / "de.yaml").read_text(encoding="utf-8")
    text = text.replace("language: de", "language: sw")
    path = tmp_path / "sw.yaml"
    path.write_text(text, encoding="utf-8")
    report = audit_brief(validate(path))
    assert not report.lint_run and "lint not run for 'sw'" in report.summary()
    (html,) = build(path, tmp_path / "out", formats=["html"])
    assert "language lint (loaded words, estimative terms) was not run" in html.path.read_text(
        encoding="utf-8"
    )


def test_make_catalogs_extracts_every_marked_text(tmp_path: Path) -> None:
    """The .pot in the repository is what `pybabel extract` makes of the sources now."""
    # pybabel is installed with the package (Babel), beside the interpreter running the tests
    pybabel = shutil.which("pybabel", path=str(Path(sys.executable).parent))
    assert pybabel is not None, "pybabel is not beside the interpreter"
    import subprocess

    root = Path(__file__).parents[1]
    out = tmp_path / "counterpoint.pot"
    subprocess.run(
        [pybabel, "extract", "-F", "babel.cfg", "-k", "N_", "--no-location", "--sort-output",
         "--omit-header", "-w", "100", "-o", str(out), "."],
        cwd=root, check=True, capture_output=True,
    )  # fmt: skip
    fresh = {m.id for m in read_po(out.open("rb")) if m.id}
    stored = {m.id for m in read_po((LOCALE_DIR / "counterpoint.pot").open("rb")) if m.id}
    assert fresh == stored


# -- right to left in the PDF: figures, mixed-direction runs, contents ----------------------
def test_latin_paper_keeps_svg_chart_labels(tmp_path: Path) -> None:
    (printed,) = build(LANGUAGES / "de.yaml", tmp_path, formats=["print-html"])
    html = printed.path.read_text(encoding="utf-8")
    assert '<div class="chart-canvas"' not in html and '<text class="bar-label"' in html


def test_isolate_wraps_runs_of_the_other_direction() -> None:
    from markupsafe import Markup

    from counterpoint.render.bidi import isolate

    latin = 'Sarah Miller, "Brine", <em>Marine Policy</em>, 2024.'
    assert isolate(Markup(latin), "rtl") == f'<span dir="ltr">{latin}</span>'
    assert isolate(Markup(latin), "ltr") == latin
    title = 'عمر ناصر, "Desalination Costs", <em>مجلة</em>, 2023.'
    assert isolate(Markup(title), "rtl") == (
        '<span dir="rtl">عمر ناصر, "<span dir="ltr">Desalination Costs</span>", '
        "<em>مجلة</em>, 2023.</span>"
    )
    name = "سامي حداد, <em>كلفة المياه</em> (Water Studies Centre, 2025), 7."
    assert isolate(Markup(name), "ltr") == (
        '<span dir="ltr"><span dir="rtl">سامي حداد, <em>كلفة المياه</em></span> '
        "(Water Studies Centre, 2025), 7.</span>"
    )
    assert isolate(Markup("<b>not nested</i> Latin عربي"), "rtl") == (
        "<b>not nested</i> Latin عربي"
    )


@pytest.mark.pdf
def test_arabic_name_in_an_english_pdf(write_brief, tmp_path: Path) -> None:
    import pypdf

    from tests.conftest import MINIMAL

    source = (
        "  - id: haddad-2025\n    type: book\n    title: كلفة المياه المحلاة\n"
        "    author: [{family: حداد, given: سامي}]\n    publisher: Water Studies Centre\n"
        "    issued: 2025\n"
    )
    brief = MINIMAL.replace("bibliography: [sources.yaml]", "references:\n" + source)
    brief = (
        brief.replace("@petrova-2025, para. 2", "@haddad-2025, 7")
        .replace("@petrova-2025, para. 6", "@haddad-2025, 9")
        .replace("@lin-2024, p. 4", "@haddad-2025, 11")
    )
    built = build(write_brief(brief), tmp_path / "out", formats=["print-html", "pdf"])
    printed = next(o for o in built if o.path.suffix == ".html").path.read_text(encoding="utf-8")
    assert (
        '<span dir="ltr"><span dir="rtl">سامي حداد, <em class="upright">كلفة المياه المحلاة</em>'
        "</span> (Water Studies Centre, 2025), 7.</span>" in printed
    )
    pdf = next(o for o in built if o.path.suffix == ".pdf").path
    text = "".join(p.extract_text() for p in pypdf.PdfReader(pdf).pages)
    assert "Water Studies Centre, 2025), 7." in text  # after the Arabic run, in order
    fonts = {
        str(f.get_object()["/BaseFont"]).split("+")[-1]
        for page in pypdf.PdfReader(pdf).pages
        for f in page["/Resources"]["/Font"].values()
    }
    assert "Amiri" in fonts and "Amiri-Italic" not in fonts  # the Arabic title upright


@pytest.fixture(scope="module")
def arabic(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The Arabic sample's page, print HTML and PDF."""
    out = tmp_path_factory.mktemp("arabic")
    formats = ["html", "print-html", "pdf"]
    built = build(LANGUAGES / "ar.yaml", out, formats=formats)
    return {o.path.name.split(".", 1)[1]: o.path for o in built}


@pytest.mark.pdf
def test_arabic_is_right_to_left_with_an_arabic_font(arabic: dict[str, Path]) -> None:
    import pypdf

    html = arabic["html"].read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in html
    fonts = set()
    for page in pypdf.PdfReader(arabic["pdf"]).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("Amiri" in f for f in fonts), fonts
    text = pypdf.PdfReader(arabic["pdf"]).pages[1].extract_text()
    assert "الصفحة" in text  # the running footer "Page 2 of 3", from the catalog


@pytest.mark.pdf
def test_arabic_chart_labels_are_shaped_text_in_the_pdf(arabic: dict[str, Path]) -> None:
    """WeasyPrint draws SVG text letter by letter (no shaping, no bidi): the print edition
    lays Arabic labels over the drawing as HTML; the web page keeps SVG text."""
    import pypdf

    printed = arabic["print.html"].read_text(encoding="utf-8")
    assert printed.count('<div class="chart-canvas"') == 2  # the timeline and the balance chart
    assert 'class="chart-label bar-label"' in printed and "<text " not in printed
    assert 'class="chart-label event-year"' in printed and ">300 ق.م</span>" in printed
    assert 'role="img"' in printed and 'aria-hidden="true"' in printed
    page = arabic["html"].read_text(encoding="utf-8")
    assert '<div class="chart-canvas"' not in page and '<text class="bar-label"' in page
    text = "".join(p.extract_text() for p in pypdf.PdfReader(arabic["pdf"]).pages)
    assert "من الكلمات" in text and "تاملكلا" not in text  # in order, not reversed
    assert "من المصادر" in text


@pytest.mark.pdf
def test_latin_runs_read_in_order_in_an_arabic_pdf(arabic: dict[str, Path]) -> None:
    import pypdf

    text = "".join(p.extract_text() for p in pypdf.PdfReader(arabic["pdf"]).pages)
    # a Latin bibliography entry and a Latin note: before isolation ".2024 ,Marine Policy ."
    assert 'Miller, Sarah. "Brine Discharge and Coastal Ecosystems". Marine Policy, 2024.' in text
    assert 'Sarah Miller, "Brine Discharge and Coastal Ecosystems", Marine Policy, 2024.' in text
    printed = arabic["print.html"].read_text(encoding="utf-8")
    assert '"<span dir="ltr">Desalination Costs in the Gulf</span>"' in printed  # in a note


@pytest.mark.pdf
def test_contents_page_numbers_line_up_right_to_left(arabic: dict[str, Path]) -> None:
    """Every contents entry's page number at the line's end (the left edge), not after
    its title."""
    import weasyprint

    html = arabic["print.html"].read_text(encoding="utf-8")
    page = weasyprint.HTML(string=html, base_url=str(arabic["pdf"].parent)).render().pages[0]

    def boxes(box):
        yield box
        for child in getattr(box, "children", None) or []:
            yield from boxes(child)

    numbers = [b for b in boxes(page._page_box) if getattr(b, "element_tag", "") == "a::after"]
    assert len(numbers) >= 9
    edge = page._page_box.margin_left
    assert {round(b.position_x, 1) for b in numbers} == {round(edge, 1)}
