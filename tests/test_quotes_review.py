"""Quotations as a fact-checker's corpus writes them: news pages and sentences that
ordinary briefs hold (issue 27)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from .test_quotes import quotations_in_summary

NEWS_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Ports</title>
<script>var lead = "The ministry did not raise tariffs";</script></head><body>
<div id="onetrust-banner-sdk"><p>We use cookies to improve your experience.</p></div>
<header class="site-header"><nav><ul><li><a href="/">Home</a></li></ul></nav></header>
<div class="wrapper">
<article class="story">
<header><h1>Ports reopen after talks</h1><p class="byline">By A. Writer</p></header>
<p>Exports grew by <em>12</em>% in 2023.&nbsp;The ministry did <b>not</b> raise tariffs.</p>
<p>Officials <a href="/x">never</a> admitted the er<span>ror</span>. The treaty was
signed<br>in 1858 but was never rati&shy;fied.</p>
<blockquote><p>“We will not give up the north bank,” the governor said.</p></blockquote>
</article>
<div class="more-stories">
<article class="teaser"><p>New port opens in the east, officials say.</p></article>
<article class="teaser"><p>Exports fell by 40% last year.</p></article></div>
</div>
<footer><p>© 2024 News Corp.</p></footer>
</body></html>"""


@pytest.mark.parametrize(
    ("quote", "cited", "verdict", "place"),
    [
        ("Exports grew by 12% in 2023", "para. 1", "verified", "para. 1"),
        ("the ministry did not raise tariffs", "para. 1", "verified", "para. 1"),
        ("was signed in 1858 but was never ratified", "para. 2", "verified", "para. 2"),
        ("We will not give up the north bank", "para. 3", "verified", "para. 3"),
        ("We will not give up the north bank", "para. 2", "wrong-locator", "para. 3"),
        ("By A. Writer", "para. 1", "verified", ""),  # the byline, counted by whoever counts it
        ("Exports fell by 40% last year", "", "not-found", ""),  # a related story's teaser
        ("We use cookies to improve your experience", "", "not-found", ""),
    ],
)
def test_a_news_page_numbers_the_storys_paragraphs(
    quote: str, cited: str, verdict: str, place: str
) -> None:
    from counterpoint.audit.quotes.htmltext import from_html
    from counterpoint.audit.quotes.index import Index, locator
    from counterpoint.audit.quotes.match import check

    got = check(quote, Index.of(from_html(NEWS_PAGE)), locator(f", {cited}"), ["en"])
    assert (got.verdict, got.place) == (verdict, place)


@pytest.mark.parametrize(
    "written",
    [
        '"The border is closed," the U.S. ambassador said [@s, para. 1].',
        '"The border is closed," said Dr. Petrov [@s, para. 1].',
        '"The border is closed", i.e. shut for good [@s, para. 1].',
        '"The border is closed," write Lin et al. [@s, para. 1].',
    ],
)
def test_an_abbreviation_does_not_end_the_quotations_sentence(written: str, tmp_path: Path) -> None:
    from counterpoint.pipeline.builder import audit

    (tmp_path / "s.txt").write_text("The border is closed, he said.\n", encoding="utf-8")
    (tmp_path / "sources.yaml").write_text("- {id: s, type: report, title: S, snapshot: s.txt}\n")
    brief = textwrap.dedent(f"""\
        brief: 1
        title: Q
        question: Q?
        bibliography: [sources.yaml]
        summary: {json.dumps(written)}
        views:
          - {{id: a, label: A, thesis: A., arguments: ["A [@s]"]}}
          - {{id: b, label: B, thesis: B., arguments: ["B [@s]"]}}
    """)
    (tmp_path / "b.yaml").write_text(brief, encoding="utf-8")
    got = [(q.text.rstrip(","), q.verdict) for q in audit(tmp_path / "b.yaml").quotations]
    assert got == [("The border is closed", "verified")]


@pytest.mark.parametrize(
    ("quote", "verdict"),
    [
        ("the governor agreed", "altered"),  # the words are in "disagreed"
        ("agreed […]", "altered"),
        ("2% in 2023", "altered"),  # "12% in 2023"
        ("Exports grew by 12% in 202", "altered"),
        ("It was a reck plan", "altered"),
        ("[T]he committee met", "verified"),  # an editorial capital
        ("the governor disagree[d]", "verified"),
        ("It was a reck[less] plan", "verified"),
        ("The committee met in the harbour", "verified"),  # a note's number after the word
        ("精算は完了した", "verified"),  # no spaces between words
    ],
)
def test_words_are_matched_whole(quote: str, verdict: str) -> None:
    from counterpoint.audit.quotes.extract import from_text
    from counterpoint.audit.quotes.index import Index
    from counterpoint.audit.quotes.match import check

    source = (
        "The governor disagreed. Exports grew by 12% in 2023. The committee met in the "
        "harbour2 today. It was a reckless plan. 会社の精算は完了した。"
    )
    assert check(quote, Index.of(from_text(source)), None, ["en"]).verdict == verdict


@pytest.mark.parametrize(
    ("quote", "verdict"),
    [
        ("in 1991", "verified"),  # a dash between words is a word's end
        ("and it held", "verified"),
        ("the town stayed", "verified"),
        ("engineers left", "verified"),  # hyphenated at the line's end
        ("binding agreement", "omission-review"),  # leaves out "non-"
    ],
)
def test_a_dash_between_words_ends_one(quote: str, verdict: str) -> None:
    from counterpoint.audit.quotes.extract import from_text
    from counterpoint.audit.quotes.index import Index
    from counterpoint.audit.quotes.match import check

    source = (
        "They signed a non-binding agreement in 1991—and it held. The well-known engi-\n"
        "neers left – the town stayed."
    )
    assert check(quote, Index.of(from_text(source)), None, ["en"]).verdict == verdict


def test_snapshot_from_a_saved_page_replaces_an_old_snapshot_before_the_id(
    tmp_path: Path,
) -> None:
    from click.testing import CliRunner

    from counterpoint.cli.main import main
    from counterpoint.pipeline.builder import audit

    saved = tmp_path / "saved.html"  # as SingleFile saves a page: one file, styles inline
    saved.write_text(
        "<!DOCTYPE html><html><!--\n Page saved with SingleFile \n url: https://x.example/a\n-->"
        "<style>.a{background:url(data:image/png;base64,iVBORw0KGgo=)}</style><body>"
        + NEWS_PAGE.split("<body>")[1],
        encoding="utf-8",
    )
    records = tmp_path / "sources.yaml"
    records.write_text(
        "# sources\nreferences:\n"
        "  - type: article-newspaper   # the id comes second\n"
        "    snapshot: snapshots/old.html  # saved by Lin\n"
        "    snapshot-sha256: " + "0" * 64 + "\n"
        "    id: news\n"
        "    title: Ports   # keep me\n",
        encoding="utf-8",
    )
    brief = tmp_path / "b.yaml"
    brief.write_text(
        textwrap.dedent("""\
            brief: 1
            title: Q
            question: Q?
            bibliography: [sources.yaml]
            summary: 'It "did not raise tariffs" [@news, para. 1].'
            views:
              - {id: a, label: A, thesis: A., arguments: ["A [@news]"]}
              - {id: b, label: B, thesis: B., arguments: ["B [@news]"]}
        """),
        encoding="utf-8",
    )
    got = CliRunner().invoke(
        main, ["snapshot", str(brief), "--source", "news", "--from", str(saved)]
    )
    assert got.exit_code == 0, got.output
    digest = __import__("hashlib").sha256(saved.read_bytes()).hexdigest()
    assert records.read_text(encoding="utf-8") == (
        "# sources\nreferences:\n"
        "  - type: article-newspaper   # the id comes second\n"
        "    id: news\n"
        "    snapshot: snapshots/news.html  # saved by Lin\n"
        f"    snapshot-sha256: {digest}\n"
        "    title: Ports   # keep me\n"
    )
    assert [q.verdict for q in audit(brief).quotations] == ["verified"]


@pytest.mark.parametrize(
    ("quote", "diff"),
    [
        ("did cross the river", "did [-not-] cross the river"),
        ("Армия переходила реку", "Армия [-не-] переходила реку"),
        ("the army crossed the river", "The army [-did not cross-] {+crossed+} the river"),
        ("the governor agreed", "The governor [-disagreed-] {+agreed+}"),
    ],
)
def test_the_difference_shows_the_words_that_differ(quote: str, diff: str) -> None:
    from counterpoint.audit.quotes.extract import from_text
    from counterpoint.audit.quotes.index import Index
    from counterpoint.audit.quotes.match import check

    source = "The army did not cross the river. Армия не переходила реку. The governor disagreed."
    got = check(quote, Index.of(from_text(source)), None, ["en", "ru"])
    assert (got.verdict, got.diff) == ("altered", diff)


@pytest.mark.pdf
@pytest.mark.parametrize(
    ("quote", "cited", "verdict", "place"),
    [
        ("the office is not independent", "p. i", "verified", "p. i"),
        ("the committee did not approve the sale", "p. ii", "verified", "p. ii"),
        ("the committee did not approve the sale", "p. 2", "verified", "p. ii"),  # the sheet
        ("the harbour remains closed", "p. ii", "wrong-locator", "p. iii"),
        # running on to the next page, over the printed number
        ("did not approve the sale. The next page says", "pp. ii-iii", "verified", "pp. ii-iii"),
    ],
)
def test_a_pdf_without_page_labels_is_cited_by_its_printed_numbers(
    quote: str, cited: str, verdict: str, place: str
) -> None:
    from weasyprint import HTML

    from counterpoint.audit.quotes.index import Index, locator
    from counterpoint.audit.quotes.match import check
    from counterpoint.audit.quotes.pdftext import from_pdf

    pdf = HTML(
        string="<style>@page { size: A7; @bottom-center { content: counter(page, lower-roman) } }"
        "p { break-after: page }</style><p>The preface says the office is not independent.</p>"
        "<p>The first chapter says the committee did not approve the sale.</p>"
        "<p>The next page says the harbour remains closed.</p>"
    ).write_pdf()  # WeasyPrint prints the numbers but writes no /PageLabels
    got = check(quote, Index.of(from_pdf(pdf)), locator(f", {cited}"), ["en"])
    assert (got.verdict, got.place) == (verdict, place)


def test_a_page_without_main_or_article_leaves_out_banners_contents_tags_and_teasers() -> None:
    from counterpoint.audit.quotes.htmltext import from_html

    page = """<html><body><div class="top-bar"><p>Subscribe today for $1!</p></div>
      <div id="gdpr-consent"><p>We value your privacy.</p></div>
      <div class="content"><h1>Ports</h1>
      <div class="toc"><ol><li>Intro</li><li>Trade</li></ol></div>
      <p>First paragraph.</p><p>Second paragraph.</p>
      <ul class="tags"><li>Politics</li><li>Trade</li></ul>
      <div class="recommended"><ul><li>Exports fell by 40% last year.</li></ul></div>
      <div class="taboola-feed"><p>You won't believe this.</p></div>
      </div></body></html>"""
    got = [(b.para, b.text) for b in from_html(page).blocks]
    assert got == [(0, "Ports"), (1, "First paragraph."), (2, "Second paragraph.")]


@pytest.mark.parametrize(
    ("quote", "verdict"),
    [
        ("He said “no” to the plan", "verified"),  # <q>: the marks a browser shows
        ("政府は関税を引き上げない", "verified"),  # <ruby>: the reading is not the text
    ],
)
def test_what_a_browser_shows_is_what_is_quoted(quote: str, verdict: str) -> None:
    from counterpoint.audit.quotes.htmltext import from_html
    from counterpoint.audit.quotes.index import Index
    from counterpoint.audit.quotes.match import check

    page = (
        "<main><p>He said <q>no</q> to the plan.</p><p><ruby>政府<rp>(</rp><rt>せいふ</rt>"
        "<rp>)</rp></ruby>は関税を引き上げないと述べた。</p></main>"
    )
    assert check(quote, Index.of(from_html(page)), None, ["en", "ja"]).verdict == verdict


@pytest.mark.parametrize(
    ("record_url", "archived_url"),
    [
        (
            "https://ru.example.org/wiki/Россия",
            "https://ru.example.org/wiki/%D0%A0%D0%BE%D1%81%D1%81%D0%B8%D1%8F",
        ),
        ("http://президент.рф/news/1", "http://xn--d1abbgf6aiiy.xn--p1ai/news/1"),
        ("https://example.org/a/", "<https://www.example.org/a>"),  # wget's WARC 1.0
    ],
)
def test_a_warc_page_is_found_by_the_url_a_browser_shows(
    record_url: str, archived_url: str
) -> None:
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from counterpoint.audit.quotes.extract import read

    out = io.BytesIO()
    warc = WARCWriter(out, gzip=True)
    for url, body in (
        (archived_url, "<p>Граница закрыта.</p>"),
        ("https://x.example/", "<p>Other.</p>"),
    ):
        headers = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=windows-1251")], protocol="HTTP/1.1"
        )
        record = warc.create_warc_record(
            url, "response", payload=io.BytesIO(body.encode("cp1251")), http_headers=headers
        )
        warc.write_record(record)
    assert [b.text for b in read("warc", out.getvalue(), record_url).blocks] == ["Граница закрыта."]


@pytest.mark.parametrize(
    ("quote", "verdict", "diff"),
    [
        (
            "The ministry [did] raise tariffs",
            "altered",
            "The ministry [-did not-] {+[did]+} raise tariffs",
        ),
        ("Exports grew by [21%] in 2023", "altered", "Exports grew by [-12%-] {+[21%]+} in 2023"),
        (
            "Exports grew [sharply] in 2023",
            "altered",
            "Exports grew [-by 12%-] {+[sharply]+} in 2023",
        ),
        ("He said the plan was [not] sound", "altered", "He said the plan was {+[not]+} sound"),
        (
            "Он сказал, что армия [всё же] отступит",
            "altered",
            "Он сказал, что армия [-не-] {+[всё же]+} отступит",
        ),
        ("政府[将]提高关税", "altered", "政府 [-不会-] {+[将]+} 提高关税"),
        ("[The government] did not raise tariffs", "verified", ""),
        ("Он сказал, что [войска] не отступит", "verified", ""),
        ("He said the [new] plan was sound", "verified", ""),
    ],
)
def test_an_insertion_may_not_stand_for_a_negation_or_a_number(
    quote: str, verdict: str, diff: str
) -> None:
    from counterpoint.audit.quotes.extract import from_text
    from counterpoint.audit.quotes.index import Index
    from counterpoint.audit.quotes.match import check

    source = (
        "The ministry did not raise tariffs in 2023. Exports grew by 12% in 2023. "
        "Он сказал, что армия не отступит. 政府不会提高关税。 He said the plan was sound."
    )
    got = check(quote, Index.of(from_text(source)), None, ["en", "ru", "zh"])
    assert (got.verdict, got.diff) == (verdict, diff)


@pytest.mark.parametrize(
    ("quote", "verdict", "diff"),
    [
        ("5% in 2023", "altered", "[--5% in 2023-] {+5% in 2023+}"),  # the minus sign
        ("inflation 12", "altered", "[-inflation 12.5-] {+inflation 12+}"),
        ("500 people left", "altered", "[-1,500 people left-] {+500 people left+}"),
        ("Growth was -5% in 2023", "verified", ""),
        ("-5% in 2023", "verified", ""),  # the quotation's own minus sign
        ("−5% in 2023", "verified", ""),
        ("inflation 12.5% in May", "verified", ""),
    ],
)
def test_a_number_is_quoted_whole(quote: str, verdict: str, diff: str) -> None:
    from counterpoint.audit.quotes.extract import from_text
    from counterpoint.audit.quotes.index import Index
    from counterpoint.audit.quotes.match import check

    source = "Growth was -5% in 2023, and inflation 12.5% in May. In 2023, 1,500 people left."
    got = check(quote, Index.of(from_text(source)), None, ["en"])
    assert (got.verdict, got.diff) == (verdict, diff)


@pytest.mark.parametrize(
    ("suffix", "values"),
    [
        (", S. 45 f.", {"45", "46"}),  # and the next page
        (", pp. 4, 7f.", {"4", "7", "8"}),
        (", p. 12f", {"12", "13"}),
        (", S. 45 ff.", None),  # and those after: not checked
        (", p. 12ff", None),
        (", S. 45 für", {"45"}),
    ],
)
def test_a_locator_and_the_following_page(suffix: str, values: set[str] | None) -> None:
    from counterpoint.audit.quotes.index import locator

    got = locator(suffix)
    assert (got.values if got else None) == values


@pytest.mark.parametrize(
    ("written", "found"),
    [
        ('他说"边界问题已经解决"[@s]。', ["边界问题已经解决"]),  # straight marks in Chinese
        ('He said,"it is over" [@s].', ["it is over"]),
        ('A 12" pipe, and "it is over" [@s].', ["it is over"]),  # an inch mark
        ("It's not \"over\" yet, isn't it [@s]?", ["over"]),
    ],
)
def test_straight_marks_open_after_punctuation_and_chinese(
    written: str, found: list[str], tmp_path: Path
) -> None:
    assert quotations_in_summary(written, tmp_path) == found


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("md", b"# Title\n\nThe line holds,[^1] the governor said.\n\n[^1]: A note.\n"),
        ("txt", "The line holds, the governor said.\n".encode("utf-16")),  # Notepad's Unicode
    ],
)
def test_text_snapshots_as_they_are_saved(kind: str, data: bytes) -> None:
    from counterpoint.audit.quotes.extract import read
    from counterpoint.audit.quotes.index import Index
    from counterpoint.audit.quotes.match import check

    got = check("the line holds, the governor said", Index.of(read(kind, data)), None, ["en"])
    assert (got.verdict, got.place) == ("verified", "para. 1")


def test_direction_marks_and_tatweel_are_not_words() -> None:
    from counterpoint.audit.quotes.htmltext import from_html
    from counterpoint.audit.quotes.index import Index
    from counterpoint.audit.quotes.match import check

    page = "<main><p>قال الوزير إن \u200fالحكـــومة لا تنوي رفع \u2067الرسوم\u2069.</p></main>"
    quote = "قال الوزير إن الحكومة لا تنوي رفع الرسوم"
    assert check(quote, Index.of(from_html(page)), None, ["ar"]).verdict == "verified"


def test_parts_in_another_order_are_altered_and_say_so() -> None:
    from counterpoint.audit.quotes.extract import from_text
    from counterpoint.audit.quotes.index import Index
    from counterpoint.audit.quotes.match import check

    source = "Exports grew by 12% in 2023.\n\nOfficials never admitted the error.\n"
    got = check(
        "Officials never admitted the error … Exports grew by 12% in 2023",
        Index.of(from_text(source)),
        None,
        ["en"],
    )
    assert (got.verdict, got.diff) == (
        "altered",
        "Officials never admitted the error … Exports grew by 12% in 2023 (the source has "
        "each part, but not in this order and close together)",
    )


@pytest.mark.parametrize(
    ("quote", "verdict"),
    [
        ("Exports grew by 12% in 2023 … The ministry did not raise tariffs", "omission-review"),
        ("Der Hafen … wurde geschlossen", "omission-review"),  # "drei"
        ("Exports grew by 12% in 2023 … three new ports opened", "verified"),
    ],
)
def test_an_omission_may_not_drop_a_number_written_as_a_word(quote: str, verdict: str) -> None:
    from counterpoint.audit.quotes.extract import from_text
    from counterpoint.audit.quotes.index import Index
    from counterpoint.audit.quotes.match import check

    source = (
        "Exports grew by 12% in 2023, and three new ports opened. The ministry did not raise "
        "tariffs.\n\nDer Hafen war drei Jahre lang offen und wurde geschlossen.\n"
    )
    assert check(quote, Index.of(from_text(source)), None, ["en", "de"]).verdict == verdict


@pytest.mark.parametrize(
    ("written", "found"),
    [
        ('"Is it over?" Lin asked [@s].', ["Is it over?"]),
        ('"We will not give up!" Governor Petrov said [@s].', ["We will not give up!"]),
        ("„Es ist vorbei.“ Lin schrieb das [@s].", ["Es ist vorbei."]),
        ('He said "it is over." Then it was [@s].', []),  # the next sentence's citation
    ],
)
def test_a_quotation_ending_its_own_sentence_then_said(
    written: str, found: list[str], tmp_path: Path
) -> None:
    assert quotations_in_summary(written, tmp_path) == found


def test_a_box_headed_related_articles_is_left_out() -> None:
    from counterpoint.audit.quotes.htmltext import from_html

    page = """<main><article><h1>Ports</h1><p>First paragraph.</p><p>Second paragraph.</p>
      <section><h2>Read more</h2><ul><li><a>Exports fell by 40% last year</a></li></ul></section>
      </article><div><h3>Читайте также</h3><p>Граница закрыта.</p></div></main>"""
    got = [(b.para, b.text) for b in from_html(page).blocks]
    assert got == [(0, "Ports"), (1, "First paragraph."), (2, "Second paragraph.")]


def test_a_warc_revisit_record_reads_as_the_response_it_repeats() -> None:
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from counterpoint.audit.quotes.extract import read

    out = io.BytesIO()
    warc = WARCWriter(out, gzip=True)

    def headers() -> StatusAndHeaders:
        return StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")

    first = None
    for url, body in (("https://x.example/a", b"<p>The line holds.</p>"),
                      ("https://x.example/other", b"<p>Other.</p>")):  # fmt: skip
        record = warc.create_warc_record(
            url, "response", payload=io.BytesIO(body), http_headers=headers()
        )
        warc.write_record(record)
        first = first or record
    assert first is not None
    warc.write_record(
        warc.create_revisit_record(
            "https://x.example/b",
            digest=first.rec_headers.get_header("WARC-Payload-Digest"),
            refers_to_uri="https://x.example/a",
            refers_to_date=first.rec_headers.get_header("WARC-Date"),
            http_headers=headers(),
        )
    )
    got = read("warc", out.getvalue(), "https://x.example/b")
    assert [b.text for b in got.blocks] == ["The line holds."]
