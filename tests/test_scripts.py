"""Every script as its readers expect it (issue 28): line breaks, note calls, fonts, tags.

The samples in tests/languages/ are written in Korean, Hindi, Persian, Hebrew, Japanese and
English with names and titles in other scripts.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
import regex
from fontTools.unicodedata import Scripts
from hypothesis import given, settings
from hypothesis import strategies as st

from counterpoint import build
from counterpoint.brief import markdown
from counterpoint.errors import CounterpointError
from counterpoint.pipeline.session import Session
from counterpoint.publish.output import Output

LANGUAGES = Path(__file__).parent / "languages"

UNSPACED_CLASSES = ("ID", "CJ", "SA", "AK", "AP", "AS")
"""UAX #14's classes of letters written without spaces between words (ideographs and kana,
South-East Asian scripts, Brahmic scripts set without spaces); Hangul has its own (H2, H3,
JL, JV, JT) because Korean spaces its words."""
UNSPACED = regex.compile("[" + "".join(rf"\p{{Lb={c}}}" for c in UNSPACED_CLASSES) + "]")
"""A letter of one of UNSPACED_CLASSES."""


@functools.cache
def _letters() -> dict[str, str]:
    """Up to 64 letters of every script in Unicode's Scripts data (as the regex module
    reads it), keyed by the script's name."""
    every = "".join(
        chr(cp) for cp in range(0x110000) if unicodedata.category(chr(cp)) in ("Lo", "Ll", "Lu")
    )
    out: dict[str, str] = {}
    for name in Scripts.NAMES.values():
        try:
            found = regex.findall(rf"\p{{Script={name}}}", every)
        except regex.error:  # a script newer than the regex module's data
            continue
        if found:
            out[name] = "".join(found[:: max(1, len(found) // 64)][:64])
    return out


@functools.cache
def _written_without_spaces(script: str) -> bool:
    """The line-breaking data's answer for a script: most of its letters are in a class of
    letters set without spaces, and it is not Hangul."""
    letters = _letters()[script]
    unspaced = sum(1 for ch in letters if UNSPACED.match(ch))
    return script != "Hangul" and 2 * unspaced > len(letters)


def test_every_script_of_unicode_is_covered() -> None:
    letters = _letters()
    assert len(letters) > 150  # Latin to Tangut
    assert _written_without_spaces("Han") and _written_without_spaces("Thai")
    assert _written_without_spaces("Hiragana") and _written_without_spaces("Khmer")
    for spaced in ("Hangul", "Latin", "Devanagari", "Arabic", "Hebrew", "Ethiopic", "Georgian"):
        assert not _written_without_spaces(spaced), spaced


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_line_break_is_a_space_only_in_scripts_that_space_their_words(
    data: st.DataObject,
) -> None:
    script = data.draw(st.sampled_from(sorted(_letters())), label="script")
    letters = _letters()[script]
    first = data.draw(st.sampled_from(letters), label="first")
    second = data.draw(st.sampled_from(letters), label="second")
    if not all(
        _written_without_spaces(script) == bool(UNSPACED.match(ch)) for ch in (first, second)
    ):  # a letter classed unlike most of its script (a Latin full-width letter, say)
        return
    text = markdown.plain(markdown.parse(f"{first}{first}\n{second}{second}"))
    if _written_without_spaces(script):
        assert text == f"{first}{first}{second}{second}", script
    else:
        assert text == f"{first}{first} {second}{second}", script


def test_korean_keeps_its_spaces_and_japanese_joins() -> None:
    korean = "정책은 기능\n이전만으로는 부족하다.\n논쟁의 중심이다."
    html = markdown.render(markdown.parse(korean), str, inline=True)
    assert "기능\n이전만으로는" in html and "부족하다.\n논쟁의" in html
    japanese = "港湾の\n再編は、\n一九九〇年代に始まった。\nTesla"
    assert markdown.plain(markdown.parse(japanese)) == "港湾の再編は、一九九〇年代に始まった。Tesla"
    thai = "การค้า\nชายแดน เติบโต"
    assert markdown.plain(markdown.parse(thai)) == "การค้าชายแดน เติบโต"  # a Thai space stays


def _calls(text: str) -> str:
    tokens = markdown.parse(text)
    for token in markdown.iter_citations(tokens):
        token.meta["citation"] = token.meta["items"][0]["key"]
    return markdown.render(tokens, lambda key: f"<{key}>", inline=True)


def test_note_calls_follow_every_scripts_sentence_marks() -> None:
    assert _calls("नदी सूख रही है [@a]। फिर [@b]॥") == "नदी सूख रही है।<a> फिर॥<b>"
    assert _calls("ውሃ ጠፋ [@a]። ሌላ [@b]፣ ነው") == "ውሃ ጠፋ።<a> ሌላ፣<b> ነው"
    assert _calls("مرز [@a]؟ و [@b]،") == "مرز؟<a> و،<b>"
    assert _calls("港は閉じた[@a]。") == "港は閉じた。<a>"
    assert _calls("It closed [@a].") == "It closed.<a>"


# -- fonts: every script drawn, in its own face; a missing one said once -------------------
def _pdf_fonts(path: Path) -> set[str]:
    import pypdf

    fonts = set()
    for page in pypdf.PdfReader(path).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return fonts


def _pdf_text(path: Path) -> str:
    import pypdf

    return "".join(p.extract_text() for p in pypdf.PdfReader(path).pages)


Built = Callable[[str, str], Output]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """A sample's output in one format (with its warnings), built once, by the first test
    that reads it: a test worker lays out only the PDFs its own tests read."""
    out = tmp_path_factory.mktemp("scripts")

    @functools.cache
    def one(name: str, fmt: str) -> Output:
        (output,) = build(LANGUAGES / f"{name}.yaml", out / fmt, formats=[fmt])
        return output

    return one


@pytest.mark.pdf
@pytest.mark.parametrize(
    ("name", "face"),
    [("hi", "Lohit-Devanagari"), ("ja", "IPAexMincho"), ("ko", "NanumMyeongjo"),
     ("he", "Liberation-Serif"), ("fa", "Amiri")],
)  # fmt: skip
def test_each_script_is_set_in_its_face_without_font_warnings(
    built: Built, name: str, face: str
) -> None:
    pdf = built(name, "pdf")
    assert face in _pdf_fonts(pdf.path)
    assert not [w for w in pdf.warnings if "font" in w or "glyph" in w]


@pytest.mark.pdf
def test_japanese_is_not_set_in_a_chinese_face(built: Built) -> None:
    fonts = _pdf_fonts(built("ja", "pdf").path)
    assert "IPAexMincho" in fonts and "IPAexGothic" in fonts  # body and headings
    # nor its timeline's labels, letter by letter in whatever face has each (SVG text)
    assert not [f for f in fonts if f.startswith(("WenQuanYi", "Nanum"))], fonts
    text = _pdf_text(built("ja", "pdf").path)
    assert "赤字路線の多くは通学と通院を支えており" in text


@pytest.mark.pdf
def test_an_english_brief_draws_every_script_of_its_sources(built: Built) -> None:
    pdf = built("mixed", "pdf")
    fonts = _pdf_fonts(pdf.path)
    for face in ("Lohit-Devanagari", "Abyssinica-SIL", "NanumMyeongjo", "Amiri"):
        assert face in fonts
    assert not [w for w in pdf.warnings if "font" in w]


@pytest.mark.pdf
def test_foreign_titles_are_upright_and_in_their_face(built: Built) -> None:
    fonts = _pdf_fonts(built("mixed", "pdf").path)
    assert "Amiri" in fonts and "Amiri-Italic" not in fonts  # no slanted Arabic title
    assert "IPAexMincho" in fonts  # the Japanese entry in a Japanese face
    words = _pdf_text(built("mixed", "pdf").path)
    assert "2025), 22." in words and "22. ,(2025" not in words


@pytest.mark.pdf
def test_a_hindi_thesis_is_upright_not_a_slanted_devanagari(built: Built) -> None:
    """Devanagari has no italic: the thesis, italic in Latin scripts, is not drawn in a
    synthetic oblique of Lohit Devanagari (W3C's Indic layout requirements)."""
    fonts = _pdf_fonts(built("hi", "pdf").path)
    assert "Lohit-Devanagari" in fonts and not [f for f in fonts if "Oblique" in f], fonts


@pytest.mark.pdf
@pytest.mark.parametrize("name", ["ja", "hi"])
def test_a_latin_title_in_a_paper_without_italics_is_italic_not_bold(
    built: Built, name: str
) -> None:
    """The page sets a Japanese or Hindi paper's emphasis bold; an English journal's title
    in its notes stays italic, as the style sets it (and as Word sets it)."""
    fonts = _pdf_fonts(built(name, "pdf").path)
    assert "Liberation-Serif-Italic" in fonts, fonts


@pytest.mark.pdf
def test_a_script_no_font_draws_is_one_warning_and_fails_strict(
    write_brief, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a Devanagari font (simulated: fontconfig's coverage less Devanagari), the
    Hindi sample is one warning naming the script and the package, not one per letter."""
    from counterpoint.publish import fonts

    real = fonts.fontconfig_coverage()
    assert real is not None
    without = fonts.Coverage(
        [tuple(r for a, b in real.fonts[0] for r in _cut(a, b, 0x0900, 0x097F))]
    )
    monkeypatch.setattr(fonts, "fontconfig_coverage", lambda: without)
    (pdf,) = build(LANGUAGES / "hi.yaml", tmp_path / "o", formats=["pdf"])
    drawn = [w for w in pdf.warnings if "font" in w or "glyph" in w]
    assert len(drawn) == 1
    assert re.match(r"\S*hi\.yaml:2:\d+: ", drawn[0])
    assert "no installed font draws the Devanagari script" in drawn[0]
    assert drawn[0].endswith("install Debian's fonts-lohit-deva (`make` installs it)")
    from tests.conftest import MINIMAL

    hindi = write_brief(
        MINIMAL.replace("title: Test brief", "title: नदियों का पानी") + "audit: {ignore: [CP107]}\n"
    )
    with pytest.raises(CounterpointError, match=r"failed under --strict: .*Devanagari"):
        build(hindi, tmp_path / "s", formats=["pdf"], strict=True)


def _cut(a: int, b: int, lo: int, hi: int) -> list[tuple[int, int]]:
    """The range a-b less lo-hi."""
    if b < lo or a > hi:
        return [(a, b)]
    return [r for r in ((a, lo - 1), (hi + 1, b)) if r[0] <= r[1]]


# -- the fixed texts: said once, spaced as the language spaces sentences ------------------
def test_the_fallback_warning_is_said_once_per_command(
    shared_session: Session, tmp_path: Path
) -> None:
    """A language without a catalog (Swahili) is said once for all of a brief's editions
    and formats, and once for all the briefs of a command."""
    from click.testing import CliRunner

    from counterpoint.cli.main import main

    text = (LANGUAGES / "de.yaml").read_text(encoding="utf-8")
    briefs = [tmp_path / "a.yaml", tmp_path / "b.yaml"]
    for path in briefs:
        path.write_text(text.replace("language: de", "language: sw"), encoding="utf-8")
    outputs = build(
        briefs[0], tmp_path / "o", formats=["html", "print-html", "docx"], audience="all"
    )
    said = [w for o in outputs for w in o.warnings if "no message catalog" in w]
    assert len(outputs) >= 9 and len(said) == 1, said
    ran = CliRunner().invoke(
        main,
        ["build", *map(str, briefs), "--format", "html,print-html", "--out", str(tmp_path / "c")],
        obj=shared_session,  # the command's session, as the console script's run() makes one
    )
    assert ran.exit_code == 0, ran.output
    assert ran.stderr.count("no message catalog") == 1, ran.stderr


def test_sentences_of_the_methods_note_are_spaced_in_every_language(
    built: Built, tmp_path: Path
) -> None:
    text = (
        (LANGUAGES / "de.yaml").read_text(encoding="utf-8").replace("language: de", "language: sw")
    )
    path = tmp_path / "sw.yaml"
    path.write_text(text, encoding="utf-8")
    (page,) = build(path, tmp_path / "o", formats=["html"])
    methods = re.search(
        r'<p class="methods">(.*?)</p>', page.path.read_text(encoding="utf-8"), re.S
    )
    assert methods is not None
    assert "another. The language lint" in methods.group(1)
    assert re.search(r"</strong> \S", methods.group(1))
    ja = built("ja", "html").path.read_text(encoding="utf-8")
    methods = re.search(r'<p class="methods">(.*?)</p>', ja, re.S)
    assert (
        methods is not None
        and "。 " not in methods.group(1)
        and "</strong> " not in methods.group(1)
    )


# -- language tags and digits -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("language", "attribute"),
    [("fa", 'w:bidi="fa-IR"'), ("he", 'w:bidi="he-IL"'), ("hi", 'w:bidi="hi-IN"'),
     ("ja", 'w:eastAsia="ja-JP"'), ("ko", 'w:eastAsia="ko-KR"')],
)  # fmt: skip
def test_word_marks_the_language_in_the_attribute_of_its_script(
    built: Built, language: str, attribute: str
) -> None:
    import zipfile

    with zipfile.ZipFile(built(language, "docx").path) as z:
        styles = z.read("word/styles.xml").decode("utf-8")
    default = re.search(r"<w:rPrDefault>.*?<w:lang\b[^>]*>", styles, re.S)
    assert default is not None and attribute in default.group(), default
    if "bidi" in attribute:  # the reference document's Arabic, replaced
        assert "ar-SA" not in default.group()


@pytest.mark.parametrize(("name", "italic"), [("ja", False), ("ko", False), ("hi", True)])
def test_word_sets_a_cjk_thesis_upright(built: Built, name: str, italic: bool) -> None:
    """Word's w:i slants Han, Kana and Hangul (East Asian runs); it leaves complex scripts
    such as Devanagari alone (w:iCs), so the Thesis style keeps it there."""
    import zipfile

    styles = zipfile.ZipFile(built(name, "docx").path).read("word/styles.xml").decode("utf-8")
    thesis = re.search(r'<w:style\b[^>]*w:styleId="Thesis".*?</w:style>', styles, re.S)
    assert thesis is not None
    assert bool(re.search(r"<w:i\s*/>", thesis.group())) is italic


def test_persian_writes_its_own_digits_unless_told(built: Built, tmp_path: Path) -> None:
    html = built("fa", "html").path.read_text(encoding="utf-8")
    assert '<html lang="fa" dir="rtl">' in html
    assert '<time datetime="2026-02-20">۲۰ فوریه ۲۰۲۶</time>' in html
    assert "<sup>۱</sup>" in html  # the note calls
    assert "شکل ۱. رویدادهای زیر" in html  # a catalog text's own digit
    latin = tmp_path / "fa-latin.yaml"
    text = (LANGUAGES / "fa.yaml").read_text(encoding="utf-8")
    latin.write_text(text.replace("language: fa", "language: fa\nnumbers: latin"), "utf-8")
    (page,) = build(latin, tmp_path / "latin", formats=["html"])
    html = page.path.read_text(encoding="utf-8")
    assert '<time datetime="2026-02-20">20 فوریه 2026</time>' in html and "<sup>1</sup>" in html
    assert "شکل 1. رویدادهای زیر" in html


@pytest.mark.pdf
def test_native_digits_number_the_pages_and_notes_of_the_pdf(tmp_path: Path) -> None:
    text = (LANGUAGES / "ar.yaml").read_text(encoding="utf-8")
    path = tmp_path / "ar.yaml"
    path.write_text(text.replace("language: ar", "language: ar\nnumbers: native"), "utf-8")
    (pdf,) = build(path, tmp_path / "o", formats=["pdf"])
    words = _pdf_text(pdf.path)  # (pypdf reads runs of Arabic-Indic digits backwards)
    assert "2026" not in words and ("٢٠٢٦" in words or "٦٢٠٢" in words)  # the date
    assert re.search("الصفحة [٠-٩] من [٠-٩]", words)  # the running footer
    assert "٪" in words and "%" not in words  # the balance chart's shares


def test_a_numbering_system_is_checked(write_brief) -> None:
    from counterpoint.brief.validate import validate
    from tests.conftest import MINIMAL

    path = write_brief(MINIMAL + "numbers: roman\n")
    with pytest.raises(CounterpointError) as err:
        validate(path)
    assert "numbers: " in str(err.value) and "arabext" in str(err.value)


# -- catalogs: Persian, Hebrew, Korean, Hindi; English read in order elsewhere --------------
Pages = Callable[[str], dict[str, str]]


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Pages:
    """A catalog language's sample as HTML in every edition, by file name; built once, by
    the first test that reads it."""
    out = tmp_path_factory.mktemp("catalogs")

    @functools.cache
    def editions(name: str) -> dict[str, str]:
        made = build(LANGUAGES / f"{name}.yaml", out, formats=["html"], audience="all")
        return {o.path.name: o.path.read_text(encoding="utf-8") for o in made}

    return editions


@pytest.mark.parametrize("name", ["ko", "hi", "fa", "he"])
@pytest.mark.parametrize("edition", ["", "-public", "-executive"])
def test_new_catalogs_leave_no_english(pages: Pages, name: str, edition: str) -> None:
    from tests.test_languages import ENGLISH_LABELS, page_text

    text = page_text(pages(name)[f"{name}{edition}.html"])
    found = [label for label in ENGLISH_LABELS if label in text]
    assert not found, f"{name}{edition}: English fixed texts {found}"


@pytest.mark.parametrize(
    ("name", "heading", "likelihood"),
    [("ko", "핵심 결론", "가능성 높음"), ("hi", "मुख्य बात", "संभावित"),
     ("fa", "نتیجهٔ اصلی", "محتمل"), ("he", "השורה התחתונה", "סיכוי שקול בערך")],
)  # fmt: skip
def test_headings_and_estimates_in_the_language(
    pages: Pages, name: str, heading: str, likelihood: str
) -> None:
    page = pages(name)[f"{name}.html"]
    assert f">{heading}</h2>" in page and likelihood in _plain_text(page)


def _plain_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize(
    ("name", "word"),
    [("ko", "분명히"), ("hi", "निस्संदेह"), ("fa", "بدون شک"), ("he", "ללא ספק"), ("ja", "明らかに")],
)
def test_loaded_words_found_in_the_new_languages(name: str, word: str) -> None:
    from counterpoint.audit.checks import audit_brief
    from counterpoint.brief.validate import validate

    report = audit_brief(validate(LANGUAGES / f"{name}.yaml"))
    assert report.lint_run
    (found,) = [f for f in report.findings if f.code == "CP301"]
    assert word in found.message
    line = (
        (LANGUAGES / f"{name}.yaml")
        .read_text(encoding="utf-8")
        .splitlines()[found.location.line - 1]
    )
    assert line[found.location.col - 1 :].startswith(word)


def test_persian_and_hebrew_words_match_as_people_write_them() -> None:
    from counterpoint.brief.lexicons import lexicon_for

    persian = lexicon_for("fa")
    hebrew = lexicon_for("he")
    hindi = lexicon_for("hi")
    assert persian is not None and hebrew is not None and hindi is not None
    for written in ("بی\u200cشک", "بی شک", "بیشک", "بي شک"):  # ZWNJ, space, none, Arabic yeh
        assert persian.loaded.search(f"این {written} درست است"), written
    assert hebrew.loaded.search("והם ותמיד צודקים")  # "and always", a joined prefix
    # "it is clear that": ש is joined to the next word; "there" (שם) and "of" (של) are not it
    found = hebrew.loaded.search("ברור שהביקוש למים יגדל")
    assert found is not None and found.group(0) == "ברור שהביקוש"
    assert hebrew.loaded.search("וברור כי המחיר יעלה")
    assert not hebrew.loaded.search("המסר ברור שם") and not hebrew.loaded.search("מסר ברור לכולם")
    assert not hindi.loaded.search("हमेशाओं")  # a vowel sign continues the word


@pytest.mark.pdf
def test_english_fallback_reads_in_order_in_a_right_to_left_pdf(tmp_path: Path) -> None:
    """Urdu has no catalog: its English fixed texts keep their order on the page."""
    text = (
        (LANGUAGES / "ar.yaml").read_text(encoding="utf-8").replace("language: ar", "language: ur")
    )
    path = tmp_path / "ur.yaml"
    path.write_text(text, encoding="utf-8")
    (pdf,) = build(path, tmp_path / "o", formats=["pdf"])
    words = _pdf_text(pdf.path).replace("\u200e", "")
    for fixed in ("Methods.", "Likelihood:", "Figure 1. The events below", "Page 2 of 3",
                  "was not run: it has no word lists for the language ur."):  # fmt: skip
        assert fixed in words, fixed
    for scrambled in (".Methods", ":Likelihood", ".Figure 1", ".event"):
        assert scrambled not in words, scrambled
    # a label and its value, and a paragraph's first words, read in order on their line
    lines = [line.strip() for line in words.splitlines()]
    assert "Likelihood: very likely Confidence: moderate" in lines  # was "moderate Confidence:…"
    assert any(line.startswith("Methods. Views are presented") for line in lines)


# -- a source's language on its notes and entries --------------------------------------------
def test_notes_and_entries_carry_their_sources_language(built: Built) -> None:
    html = built("mixed", "print-html").path.read_text(encoding="utf-8")
    note = re.search(r'id="fn-4"[^>]*>(.*?)</span></li>', html, re.S)
    assert note is not None and note.group(1).startswith('<span lang="ar">')
    # the English style's brackets, year and page stay in the paper's order
    assert '(<span dir="rtl">مركز دراسات المياه</span>, 2025), 22.' in note.group(1)
    entry = re.search(r'<li id="src-mori-2023">(.*?)</li>', html, re.S)
    assert entry is not None and '<span lang="ja">' in entry.group(1)
    osei = re.search(r'<li id="src-osei-2024">(.*?)</li>', html, re.S)
    assert osei is not None and "lang=" not in osei.group(1)  # no language given: the paper's


def test_word_marks_each_foreign_run_with_its_language(built: Built) -> None:
    import zipfile

    with zipfile.ZipFile(built("mixed", "docx").path) as z:
        notes = z.read("word/footnotes.xml").decode("utf-8")
    for mark in ('w:bidi="ar-EG"', 'w:bidi="hi-IN"', 'w:eastAsia="ja-JP"', 'w:eastAsia="ko-KR"'):
        assert mark in notes, mark
    assert 'w:val="ar"' not in notes


def test_word_follows_the_languages_note_call_rule(write_brief, tmp_path: Path) -> None:
    """French puts the call before the full stop in Word as on the page; Hindi after the
    danda."""
    import zipfile

    from tests.conftest import MINIMAL

    def body(brief: str, name: str) -> str:
        (docx,) = build(write_brief(brief), tmp_path / name, formats=["docx"])
        with zipfile.ZipFile(docx.path) as z:
            return z.read("word/document.xml").decode("utf-8")

    call = r'<w:footnoteReference w:id="\d+" ?/>'
    french = body(MINIMAL + "language: fr\n", "fr")
    assert re.search(rf"It is settled</w:t>.*?{call}.*?<w:t[^>]*>\.", french, re.S)
    hindi = MINIMAL.replace("It is settled [@petrova-2025, para. 2].", "यह तय है [@petrova-2025]।")
    assert re.search(rf"यह तय है।</w:t>.*?{call}", body(hindi + "language: hi\n", "hi"), re.S)


def test_a_timeline_label_keeps_no_space_where_its_citation_was(pages: Pages) -> None:
    labels = re.findall(r'<text class="event-label"[^>]*>([^<]*)</text>', pages("fa")["fa.html"])
    assert "آغاز طرح امانت دیجیتال در ده استان." in labels, labels
    assert not [label for label in labels if " ." in label]


def test_names_in_devanagari_and_ethiopic_are_spaced_given_name_first(
    pages: Pages, built: Built
) -> None:
    """Pandoc's citeproc sets a name in a script it does not count as Western family first
    with no space ("शर्माविवेक"): right for Chinese, Japanese and Korean, wrong for Hindi."""
    hindi = pages("hi")["hi.html"]
    assert "विवेक शर्मा, " in hindi and "शर्मा, विवेक." in hindi
    assert "शर्माविवेक" not in hindi and "\u200c" not in hindi
    html = built("mixed", "print-html").path.read_text(encoding="utf-8")
    assert "አበበ ተስፋዬ, " in html and "김하늘, " in html  # Korean stays family first, unspaced


def test_korean_line_breaks_stay_spaces_in_every_format(built: Built) -> None:
    import zipfile

    page = built("ko", "html").path.read_text(encoding="utf-8")
    with zipfile.ZipFile(built("ko", "docx").path) as z:
        word = re.sub(r"<[^>]+>", "", z.read("word/document.xml").decode("utf-8"))
    for text in (" ".join(_plain_text(page).split()), word):  # a line break shows as a space
        assert "이하의 자동차" in text and "출퇴근 시간 차량" in text
        assert "이하의자동차" not in text and "시간차량" not in text


def test_word_sets_titles_in_scripts_without_italics_upright(built: Built) -> None:
    import zipfile

    with zipfile.ZipFile(built("mixed", "docx").path) as z:
        notes = z.read("word/footnotes.xml").decode("utf-8")
    runs = re.findall(r"<w:r>(.*?)</w:r>", notes, re.S)
    japanese = [r for r in runs if "国際河川の水文観測と情報公開" in r]
    english = [r for r in runs if "Gauge Networks on the Volta" in r]
    assert japanese and not any("<w:i" in r for r in japanese)
    assert english and all("<w:i" in r for r in english)  # a Latin title stays italic


@pytest.mark.pdf
def test_chinese_is_not_set_in_a_korean_face(built: Built) -> None:
    """Nanum, before WenQuanYi for Hangul, draws some Han characters (KS X 1001 hanja) and
    the full-width marks ，。？: a Chinese paper takes none of them from it."""
    fonts = _pdf_fonts(built("zh-Hans", "pdf").path)
    assert "WenQuanYi-Micro-Hei" in fonts
    assert not [f for f in fonts if f.startswith("Nanum")], fonts
