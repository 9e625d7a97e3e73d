"""Verified quotations (issue 27): each quotation checked against its source's snapshot."""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from counterpoint.cli.main import main
from counterpoint.pipeline.builder import audit

ROOT = Path(__file__).parent.parent

SOURCE_TEXT = """\
Rivers and Treaties

The army did not cross the river in 1858, but it held the north bank.

The treaty of 1860 ceded the coast to Russia. Its effi-
cient officials moved fast.

Trade rose by 23 percent between January and May, and only the ports gained.
"""

RECORDS = """\
references:
  # the one source with an archived copy
  - id: petrova
    snapshot: snapshots/petrova.txt
    type: article-magazine
    title: Rivers and Treaties
  - id: lin
    type: report
    title: Migration and Memory
"""

BRIEF = """\
brief: 1
title: Quotations
question: Is it settled?
date: 2026-11-22
bibliography: [sources.yaml]
audit: {ignore: [CP107, CP201]}
summary: >-
  The record says “The army did not cross the river in 1858” [@petrova, para. 1].
views:
  - id: yes
    label: Settled
    thesis: It is settled.
    arguments:
      - >-
        Petrova: "Trade rose by 32 percent between January and May" [@petrova,
        para. 3].
      - Its "efficient officials moved fast" [@petrova, para. 1].
      - She writes that "the army … held the north bank" [@petrova, para. 1].
  - id: no
    label: Open
    thesis: It is open.
    arguments:
      - Lin calls it «a border of memory» [@lin, p. 4].
      - Nobody wrote "the navy sailed up the coast" [@petrova].
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "snapshots").mkdir()
    (tmp_path / "snapshots" / "petrova.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    (tmp_path / "sources.yaml").write_text(RECORDS, encoding="utf-8")
    (tmp_path / "brief.yaml").write_text(BRIEF, encoding="utf-8")
    return tmp_path / "brief.yaml"


def _audit(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["audit", *args])
    return result.exit_code, result.stdout, result.stderr


def test_each_verdict_is_one_located_line(project: Path) -> None:
    code, out, _ = _audit(str(project))
    p = str(project)
    assert code == 0
    assert out.splitlines() == [
        f'{p}:15:18: CP401 quote-altered: quotation "Trade rose by 32 percent between January '
        "and May\" differs from 'petrova' at para. 3: Trade rose by [-23-] {+32+} percent between "
        "January and May",
        f'{p}:17:13: CP403 quote-wrong-locator: quotation "efficient officials moved fast" is in '
        "'petrova' at para. 2, not at para. 1 as cited",
        f'{p}:18:25: CP404 quote-omission-review: quotation "the army … held the north bank": its '
        "omission leaves out 'not', 'but', '1858' ('petrova', para. 1); check that the quotation "
        "keeps the source's meaning",
        f'{p}:23:22: CP405 quote-no-snapshot: quotation "a border of memory" cannot be checked: '
        "'lin' has no snapshot (counterpoint snapshot)",
        f'{p}:24:22: CP402 quote-not-found: quotation "the navy sailed up the coast" is not in the '
        f"snapshot of 'petrova', {project.parent / 'snapshots' / 'petrova.txt'}",
        f"{p}: 5 findings, 2 ignored; 1 of 6 quotations verified",
    ]


def test_json_lists_every_quotation_with_its_verdict(project: Path) -> None:
    code, out, _ = _audit(str(project), "--format", "json")
    assert code == 0
    data = json.loads(out)
    jsonschema.validate(data, json.loads((ROOT / "docs" / "audit.schema.json").read_text()))
    quotes = data["briefs"][0]["quotations"]
    assert [(q["line"], q["column"], q["source"], q["verdict"]) for q in quotes] == [
        (8, 19, "petrova", "verified"),
        (15, 18, "petrova", "altered"),
        (17, 13, "petrova", "wrong-locator"),
        (18, 25, "petrova", "omission-review"),
        (23, 22, "lin", "no-snapshot"),
        (24, 22, "petrova", "not-found"),
    ]
    assert quotes[0]["found_at"] == "para. 1" and quotes[0]["file"] == str(project)
    assert quotes[1]["diff"] == "Trade rose by [-23-] {+32+} percent between January and May"
    assert quotes[2]["found_at"] == "para. 2" and quotes[2]["locator"] == "para. 1"
    views = data["briefs"][0]["views"]
    assert [(v["quotations"], v["quotations_verified"]) for v in views] == [(3, 0), (2, 0)]


def test_strict_fails_on_all_but_no_snapshot(project: Path) -> None:
    code, _, err = _audit(str(project), "--strict")
    assert (code, err) == (1, "failed under --strict: 4 findings\n")
    fixed = (
        project.read_text(encoding="utf-8")
        .replace("32 percent", "23 percent")
        .replace('fast" [@petrova, para. 1]', 'fast" [@petrova, para. 2]')
        .replace("the army … held the north bank", "the army did not cross the river")
        .replace('Nobody wrote "the navy sailed up the coast" [@petrova]', "Nobody [@petrova]")
    )
    project.write_text(fixed, encoding="utf-8")
    code, out, err = _audit(str(project), "--strict")
    assert code == 0, out + err
    assert "CP405" in out and out.count("\n") == 2


def test_a_changed_snapshot_flags_every_quotation_of_its_source(project: Path) -> None:
    snap = project.parent / "snapshots" / "petrova.txt"
    digest = hashlib.sha256(snap.read_bytes()).hexdigest()
    records = project.parent / "sources.yaml"
    line = "snapshot: snapshots/petrova.txt"
    records.write_text(RECORDS.replace(line, f"{line}\n    snapshot-sha256: {digest}"))
    verdicts = [q.verdict for q in audit(project).quotations]
    assert verdicts.count("snapshot-changed") == 0
    snap.write_text(SOURCE_TEXT.replace("1858", "1859"), encoding="utf-8")
    report = audit(project)
    assert [q.verdict for q in report.quotations if "petrova" in q.sources] == [
        "snapshot-changed"
    ] * 5
    assert f"{snap} no longer matches the snapshot-sha256 of 'petrova'" in str(report.active[0])


def test_a_bad_snapshot_sha256_is_a_located_error(project: Path) -> None:
    records = project.parent / "sources.yaml"
    records.write_text(
        RECORDS.replace(
            "    type: article-magazine", "    snapshot-sha256: abc\n    type: article-magazine"
        )
    )
    result = CliRunner().invoke(main, ["validate", str(project)])
    assert result.exit_code == 1
    assert (
        f"{records}:5:22: references[0].snapshot-sha256: "
        "'abc' is not a SHA-256 (64 hexadecimal digits)" in result.stderr
    )


def test_block_quote_and_the_languages_marks(tmp_path: Path) -> None:
    (tmp_path / "s.md").write_text(
        "# Заголовок\n\nАрмия не переходила реку в 1858 году.\n\n"
        "„Grenzen sind nicht verhandelbar“, sagte er.\n\n边界问题已经彻底解决。\n",
        encoding="utf-8",
    )
    (tmp_path / "sources.yaml").write_text(
        "- {id: s, type: report, title: S, snapshot: s.md}\n", encoding="utf-8"
    )
    brief = textwrap.dedent("""\
        brief: 1
        title: Q
        question: Q?
        bibliography: [sources.yaml]
        summary: |-
          > Армия не переходила
          > реку в 1858 году.
          [@s, para. 1]
        views:
          - id: a
            label: A
            thesis: Er sagte „Grenzen sind nicht verhandelbar“ [@s, para. 2].
            arguments:
              - 外交部说「边界问题已经彻底解决」[@s, para. 3]。
          - id: b
            label: B
            thesis: „Grenzen sind verhandelbar“ [@s, para. 2].
            arguments: ["B [@s]"]
    """)
    (tmp_path / "b.yaml").write_text(brief, encoding="utf-8")
    got = [(q.where.line, q.where.col, q.verdict) for q in audit(tmp_path / "b.yaml").quotations]
    assert got == [
        (6, 3, "verified"),
        (12, 22, "verified"),
        (14, 13, "verified"),
        (17, 13, "altered"),
    ]


def test_html_main_text_and_paragraph_numbers(tmp_path: Path) -> None:
    from counterpoint.audit.quotes.htmltext import from_html

    page = """<html><body><header><nav><a>Home</a> Trade rose</nav></header>
      <main><h1>Trade</h1><p>Trade <b>rose</b> by a third.</p>
      <ul><li>Ports gained.</li><li>Farms lost.</li></ul>
      <blockquote><p>Nothing is settled.</p></blockquote>
      <aside class="related">Related: Trade fell</aside></main>
      <footer>Copyright</footer><div class="cookie-banner">Accept</div></body></html>"""
    got = from_html(page)
    assert [(b.para, b.heading, b.text) for b in got.blocks] == [
        (0, True, "Trade"),
        (1, False, "Trade rose by a third."),
        (2, False, "Ports gained."),
        (3, False, "Farms lost."),
        (4, False, "Nothing is settled."),
    ]


def test_pdf_pages_by_their_labels_and_warc_by_url(tmp_path: Path) -> None:
    from pypdf import PdfWriter
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from counterpoint.audit.quotes.extract import read
    from counterpoint.audit.quotes.index import Index, locator
    from counterpoint.audit.quotes.match import check

    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(200, 200)
    writer.set_page_label(0, 1, "/r")
    writer.set_page_label(2, 2, "/D", start=1)
    buf = io.BytesIO()
    writer.write(buf)
    pdf = read("pdf", buf.getvalue())
    assert [b.page for b in pdf.blocks] == ["i", "ii", "1"]

    out = io.BytesIO()
    warc = WARCWriter(out, gzip=True)
    for url, body in (
        ("https://example.org/a", b"<p>Other page.</p>"),
        ("https://example.org/b", b"<main><p>One.</p><p>The line holds.</p></main>"),
    ):
        headers = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
        )
        warc.write_record(
            warc.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers)
        )
    got = read("warc", out.getvalue(), "https://example.org/b")
    index = Index.of(got)
    assert check("the line holds", index, locator(", para. 2"), ["en"]).verdict == "verified"
    assert check("the line holds", index, locator(", para. 1"), ["en"]).place == "para. 2"


def test_reaudit_after_an_edit_matches_only_the_changed_quotation(project: Path) -> None:
    audit(project)
    project.write_text(project.read_text().replace("32 percent", "24 percent"))
    script = textwrap.dedent(f"""\
        from counterpoint.pipeline.builder import audit
        from counterpoint.audit.quotes import match
        calls, real = [], match.check
        match.check = lambda q, *a: calls.append(q) or real(q, *a)
        audit({str(project)!r})
        print(calls)
    """)  # a new command: what it knows of the first audit is in the user's cache alone
    again = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert again.stdout == "['Trade rose by 24 percent between January and May']\n", again.stderr


def test_build_audit_and_validate_never_touch_the_network(tmp_path: Path) -> None:
    """One new process, whose sockets refuse to connect before counterpoint is imported,
    runs each command in turn and then the preview: any of them that used the network
    would end it (SystemExit is no exception a command catches)."""
    script = textwrap.dedent("""\
        import contextlib, socket, sys
        def refuse(*args, **kwargs):
            raise SystemExit("network used: " + repr(args))
        socket.socket.connect = refuse
        socket.socket.connect_ex = refuse
        socket.create_connection = refuse
        socket.getaddrinfo = refuse
        from counterpoint.cli.main import main
        brief, out = sys.argv[1:]
        for args in (["validate", brief], ["audit", brief, "--strict"],
                     ["build", brief, "--format", "html", "--out", out]):
            with contextlib.redirect_stdout(sys.stderr):
                code = main(args, prog_name="counterpoint", standalone_mode=False)
            if code:
                raise SystemExit(f"{args[0]} exited with {code}")
        # the preview serves on 127.0.0.1 (it listens; it never connects), builds the same way
        from counterpoint.preview.app import Preview
        p = Preview(brief, pdf=False).start()
        print(p.state.page, p.state.findings, p.state.errors)
        p.stop()
        raise SystemExit(0)
    """)
    brief = str(ROOT / "briefs" / "russian-far-east.yaml")
    ran = subprocess.run(
        [sys.executable, "-c", script, brief, str(tmp_path)], capture_output=True, text=True
    )
    assert "network used" not in ran.stderr
    assert (ran.returncode, ran.stdout) == (0, "1 [] []\n"), ran.stderr
    assert "wrote " in ran.stderr  # the build ran (its report went to stderr here)


def test_the_balance_appendix_counts_each_views_verified_quotations(project: Path) -> None:
    from counterpoint.pipeline.builder import build

    fixed = project.read_text().replace("32 percent", "23 percent")
    project.write_text(fixed, encoding="utf-8")
    (html,) = build(project, out_dir=project.parent / "out", formats=["html"])
    page = html.path.read_text(encoding="utf-8")
    rows = re.findall(
        r'<tr data-quotations="(\w+)"><th scope="row">\w+</th><td class="num">(\d+)</td>'
        r'<td class="num">(\d+)</td></tr>',
        page,
    )
    assert rows == [("yes", "3", "1"), ("no", "2", "0")]
    assert "<caption>Quotations checked against archived sources</caption>" in page


@pytest.mark.browser
def test_the_preview_marks_an_altered_quotation_at_its_place(browser, project: Path) -> None:
    from counterpoint.preview.app import Preview

    preview = Preview(project, pdf=False).start()
    try:
        page = browser.new_page()
        page.goto(preview.url)
        page.wait_for_function("() => document.querySelector('mark.cp-altered') !== null")
        marked = page.locator("mark.cp-altered")
        assert marked.count() == 1
        assert marked.inner_text() == "Trade rose by 32 percent between"
        assert marked.get_attribute("title").startswith(
            'CP401 quote-altered: quotation "Trade rose by 32 percent between January and May"'
        )
        page.close()
    finally:
        preview.stop()


def test_the_word_edition_counts_them_too(project: Path) -> None:
    import docx

    from counterpoint.pipeline.builder import build

    (word,) = build(project, out_dir=project.parent / "out", formats=["docx"])
    tables = [
        [[c.text for c in row.cells] for row in t.rows] for t in docx.Document(word.path).tables
    ]
    assert [["View", "Quotations", "Verified"], ["Settled", "3", "0"], ["Open", "2", "0"]] in tables


SOURCE = (
    "Rivers\n\nThe ofﬁcials said “the line is settled” in 1991—and it held. Its well-\n"
    "known engineers\u00ad built a bridge; they did not build a port.\n\n"
    "国境問題は最終的に解決\nされた。\n\n"
    "Der Vertrag wurde 1860 unterzeichnet, aber nie ratifiziert."
)


@pytest.mark.parametrize(
    "quote",
    [
        "the officials said 'the line is settled' in 1991 – and it held",  # marks, dash, case
        "The officials said «the line is settled» in 1991 — and it held",
        "its well-known engineers built a bridge",  # line-end hyphen, soft hyphen
        "Its wellknown engineers  built\na bridge",
        "国境問題は最終的に解決された",  # a line break inside Japanese text
        "The officials said (...) in 1991",  # an omission that drops nothing that matters
        "[The engineers] built a bridge",  # an editorial insertion
        "Der Vertrag wurde 1860 unterzeichnet",
    ],
)
def test_benign_variants_are_verified(quote: str) -> None:
    from counterpoint.audit.quotes.extract import from_text
    from counterpoint.audit.quotes.index import Index
    from counterpoint.audit.quotes.match import check
    from counterpoint.audit.quotes.qualifiers import guess_languages

    index = Index.of(from_text(SOURCE))
    got = check(quote, index, None, guess_languages(SOURCE))
    assert got.verdict == "verified", got


@pytest.mark.parametrize(
    ("quote", "verdict"),
    [
        ("the officials said 'the line is settled' in 1992", "altered"),  # a number
        ("they did build a port", "altered"),  # a negation dropped
        ("the officials said 'the line is not settled'", "altered"),  # a negation added
        ("The Officials said", "altered"),  # a capital inside the quotation
        ("they built a port", "altered"),
        ("build a port", "omission-review"),  # begins right after "did not"
        ("Der Vertrag wurde 1860 unterzeichnet … ratifiziert", "omission-review"),  # "aber nie"
        ("国境問題は最終的に解決", "verified"),
        ("the navy sailed up the coast to the sea", "not-found"),
    ],
)
def test_changes_are_flagged(quote: str, verdict: str) -> None:
    from counterpoint.audit.quotes.extract import from_text
    from counterpoint.audit.quotes.index import Index
    from counterpoint.audit.quotes.match import check
    from counterpoint.audit.quotes.qualifiers import guess_languages

    index = Index.of(from_text(SOURCE))
    assert check(quote, index, None, guess_languages(SOURCE)).verdict == verdict


def test_a_wrapper_named_like_a_box_keeps_the_article() -> None:
    from counterpoint.audit.quotes.htmltext import from_html

    page = (
        "<body class='single'><div id='page' class='site has-comments'><div class='entry'>"
        "<p>One.</p><p>Two.</p><p>Three.</p></div><div class='comments'><p>Nice!</p></div>"
        "</div></body>"
    )
    assert [b.text for b in from_html(page).blocks] == ["One.", "Two.", "Three."]


def quotations_in_summary(written: str, tmp_path: Path) -> list[str]:
    """The quotations counterpoint finds in a brief whose summary is `written` (one source,
    `s`, two views): what a writer's text counts as quoted."""
    from counterpoint.audit.quotes.find import find
    from counterpoint.brief.validate import validate

    (tmp_path / "sources.yaml").write_text("- {id: s, type: report, title: S}\n")
    brief = textwrap.dedent(f"""\
        brief: 1
        title: Q
        question: Q?
        bibliography: [sources.yaml]
        summary: {json.dumps(written, ensure_ascii=False)}
        views:
          - {{id: a, label: A, thesis: A., arguments: ["A [@s]"]}}
          - {{id: b, label: B, thesis: B., arguments: ["B [@s]"]}}
    """)
    (tmp_path / "b.yaml").write_text(brief, encoding="utf-8")
    return [f.text for f in find(validate(tmp_path / "b.yaml").summary)]


@pytest.mark.parametrize(
    ("written", "found"),
    [
        ('He said "it is over" [@s].', ["it is over"]),
        ('He said "it is over". [@s]', ["it is over"]),  # the note after the full stop
        ('He said *"it is over"* [@s].', ["it is over"]),  # in emphasis
        ('"It is over," he said [@s].', ["It is over,"]),
        ('He said "it is over." Then it was [@s].', []),  # the next sentence's citation
        ('A "scare" word. It was [@s].', []),
        ("Er sagte „es ist vorbei“ und «fertig» [@s].", ["es ist vorbei", "fertig"]),
    ],
)
def test_what_counts_as_a_quotation(written: str, found: list[str], tmp_path: Path) -> None:
    assert quotations_in_summary(written, tmp_path) == found


@pytest.mark.parametrize(
    ("suffix", "kind", "values"),
    [
        (", paras. 3, 18-19", "para", {"3", "18", "19"}),
        (", pp. 112-14", "page", {"112", "113", "114"}),
        (", pp. iv-vi", "page", {"iv", "v", "vi"}),
        (", 45", "page", {"45"}),
        (", ¶ 3", "para", {"3"}),
        (", S. 45", "page", {"45"}),
        (", mild", None, None),  # a word is never a page
        (", chap. 3", None, None),  # not checked
    ],
)
def test_locators(suffix: str, kind: str | None, values: set[str] | None) -> None:
    from counterpoint.audit.quotes.index import locator

    got = locator(suffix)
    assert (got.kind, got.values) == (kind, values) if got else (kind, values) == (None, None)
