"""The balance and sourcing audit: one brief where each finding must fire, one where it must not."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from counterpoint import BuildError, InvalidInput, build, validate
from counterpoint.audit.checks import audit_brief
from counterpoint.brief.codes import CHECKS
from counterpoint.brief.findings import AuditReport
from counterpoint.brief.lexicons import ICD203_ALTERNATIVE_ROW, LOADED_TERMS, OFF_SCALE_TERMS
from counterpoint.cite.resolve import resolve
from counterpoint.cli.main import main
from counterpoint.pipeline.builder import audit

from .conftest import MINIMAL, ROOT

SIX_SOURCES = """\
references:
  - {id: a, type: report, title: Trade on the Amur, container-title: Border Review, reliability: {grade: B}}
  - {id: b, type: report, title: Courts and the Line, publisher: Law Institute, reliability: {grade: C}}
  - {id: c, type: article-newspaper, title: Old Losses, container-title: Daily News, reliability: {grade: B}}
  - {id: d, type: article-newspaper, title: Old Maps, container-title: Map Quarterly, reliability: {grade: C}}
  - {id: e, type: report, title: Patrols, container-title: Defence Weekly, reliability: {grade: A}}
  - {id: f, type: report, title: New Bases, container-title: Base Journal, reliability: {grade: B}}
"""  # noqa: E501

# Three views of 14, 12 and 10 words, two sources each, two counterpoints each drawn from
# both rivals, one judgment with likelihood and confidence: the audit finds nothing.
CLEAN = """\
brief: 1
title: Audit test
question: Is the border settled?
date: 2026-11-22
bibliography: [sources.yaml]
summary: The border is settled, and a claim is unlikely [@a, p. 9].
views:
  - id: settled
    label: Settled
    thesis: It is settled [@a].
    arguments:
      - Trade grew by a third in two years [@a, p. 1].
      - Courts upheld the treaty line twice [@b, p. 2].
    counterpoints:
      - Memory of the old losses persists [@c, p. 3].
      - Patrols were doubled last spring [@e, p. 1].
  - id: open
    label: Open
    thesis: It is open [@c].
    arguments:
      - Memory of the old losses persists [@c, p. 3].
      - Old maps still show the claim [@d, p. 4].
    counterpoints:
      - Trade grew by a third in two years [@a, p. 1].
      - Both sides built new bases [@f, p. 2].
  - id: armed
    label: Armed
    thesis: It is armed [@e].
    arguments:
      - Patrols were doubled last spring [@e, p. 1].
      - Both sides built new bases [@f, p. 2].
    counterpoints:
      - Old maps still show the claim [@d, p. 4].
      - Courts upheld the treaty line twice [@b, p. 2].
judgments:
  - text: A formal claim before 2030 is unlikely [@a, p. 5].
    likelihood: unlikely
    confidence: moderate
"""

FLAGSHIP = ROOT / "briefs" / "russian-far-east.yaml"


@pytest.fixture
def run_audit(write_brief: Callable[..., Path]) -> Callable[..., AuditReport]:
    def run(text: str = CLEAN, sources: str = SIX_SOURCES) -> AuditReport:
        return audit(write_brief(text, sources=sources))

    return run


def found(report: AuditReport, code: str | None = None) -> list[str]:
    """The active findings as printed, with the temporary folder cut from their paths."""
    prefix = f"{report.path.parent}/"
    return [str(f).replace(prefix, "") for f in report.active if code in (None, f.code)]


def test_clean_brief_has_no_findings(run_audit) -> None:
    report = run_audit()
    assert found(report) == []
    rows = [(v.id, v.words, v.arguments, v.counterpoints, v.sources, v.notes) for v in report.views]
    assert rows == [
        ("settled", 14, 2, 2, 2, 5),
        ("open", 12, 2, 2, 2, 5),
        ("armed", 10, 2, 2, 2, 5),
    ]


# -- sourcing ------------------------------------------------------------------------------
def test_cp101_unsourced_argument(run_audit) -> None:
    report = run_audit(CLEAN.replace("line twice [@b, p. 2].", "line twice.", 1))
    assert found(report, "CP101") == [
        "brief.yaml:13:9: CP101 unsourced-argument: argument 2 of view 'settled' cites no source"
    ]


def test_cp102_unsourced_counterpoint(run_audit) -> None:
    report = run_audit(CLEAN.replace("spring [@e, p. 1].", "spring.", 1))
    assert found(report, "CP102") == [
        "brief.yaml:16:9: CP102 unsourced-counterpoint: counterpoint 2 of view 'settled' "
        "cites no source"
    ]


CONTESTED = """\
contested:
  - point: Area ceded
    accounts:
      - One million square kilometres [@a, p. 7].
      - 1.6 million square kilometres.
"""


def test_cp103_unsourced_account(run_audit) -> None:
    report = run_audit(CLEAN + CONTESTED)
    assert found(report, "CP103") == [
        "brief.yaml:43:9: CP103 unsourced-account: account 2 of contested point 'Area ceded' "
        "cites no source"
    ]
    assert found(run_audit(CLEAN + CONTESTED.replace("metres.", "metres [@c].")), "CP103") == []


def test_cp104_unsourced_event(run_audit) -> None:
    events = (
        "timeline:\n  - date: 1858\n    event: Treaty of Aigun [@a].\n"
        "  - date: 1860\n    event: Convention of Peking.\n"
    )
    assert found(run_audit(CLEAN + events), "CP104") == [
        "brief.yaml:43:12: CP104 unsourced-event: timeline event of 1860 cites no source"
    ]
    assert found(run_audit(CLEAN + events.replace("Peking.", "Peking [@b].")), "CP104") == []


def test_cp105_unknown_source(write_brief) -> None:
    """validate refuses these; the audit repeats the check for briefs made in Python."""
    brief = validate(write_brief(CLEAN, sources=SIX_SOURCES))
    assert found(audit_brief(brief), "CP105") == []
    del brief.sources["f"]
    assert found(audit_brief(brief), "CP105") == [
        "brief.yaml:25:37: CP105 unknown-source: citation names unknown source '@f'",
        "brief.yaml:31:37: CP105 unknown-source: citation names unknown source '@f'",
    ]


def test_cp106_uncited_source(run_audit) -> None:
    extra = "  - {id: g, type: report, title: Unread}\n"
    assert found(run_audit(sources=SIX_SOURCES + extra), "CP106") == [
        "sources.yaml:8:5: CP106 uncited-source: source 'g' is defined but never cited"
    ]
    # a source read only as the host of a cited secondary source is in use
    hosted = (
        "  - {id: g, type: report, title: Host}\n"
        "  - {id: g2, type: report, title: Quoted, cited-in: g}\n"
    )
    text = CLEAN.replace("treaty line twice [@b, p. 2]", "treaty line twice [@b; @g2]", 1)
    assert found(run_audit(text, SIX_SOURCES + hosted), "CP106") == []


def test_cp107_single_source_view(run_audit) -> None:
    assert found(run_audit(CLEAN.replace("[@b, p. 2]", "[@a, p. 2]", 1)), "CP107") == [
        "brief.yaml:8:5: CP107 single-source-view: view 'settled' rests on a single source, 'a'"
    ]
    quoted = "  - {id: a2, type: report, title: Quoted in a, cited-in: a}\n"
    report = run_audit(CLEAN.replace("[@b, p. 2]", "[@a2, p. 2]", 1), SIX_SOURCES + quoted)
    assert found(report, "CP107") == [
        "brief.yaml:8:5: CP107 single-source-view: view 'settled' rests on a single source: "
        "its 2 sources ('a', 'a2') are all read in one document, 'a'"
    ]


def test_cp108_single_outlet_view(run_audit) -> None:
    same = SIX_SOURCES.replace("publisher: Law Institute", "container-title: Border Review")
    assert found(run_audit(sources=same), "CP108") == [
        "brief.yaml:8:5: CP108 single-outlet-view: view 'settled' rests on a single outlet, "
        "Border Review: 'a', 'b'"
    ]


def test_cp109_weak_sources_view(run_audit) -> None:
    weak = SIX_SOURCES.replace("{grade: B}}", "{grade: D}}", 1).replace(
        "{grade: C}}", "{grade: E}}", 1
    )
    assert found(run_audit(sources=weak), "CP109") == [
        "brief.yaml:8:5: CP109 weak-sources-view: view 'settled' is supported only by sources "
        "graded D-F: 'a' (D), 'b' (E)"
    ]
    # a secondary source takes the grade of the source it is read through
    quoted = "  - {id: b2, type: report, title: Quoted in a, cited-in: a}\n"
    text = CLEAN.replace("[@b, p. 2]", "[@b2, p. 2]", 1)
    report = run_audit(text, weak + quoted)
    assert found(report, "CP109")[0].endswith("graded D-F: 'a' (D), 'b2' (D through 'a')")
    # one source graded C is enough
    assert found(run_audit(sources=weak.replace("{grade: E}}", "{grade: C}}")), "CP109") == []


def test_cp110_secondary_source(run_audit) -> None:
    quoted = "  - {id: a2, type: report, title: Quoted in a, cited-in: a}\n"
    text = CLEAN.replace("[@c, p. 3]", "[@c; @a2, p. 3]", 1)
    assert found(run_audit(text, SIX_SOURCES + quoted), "CP110") == [
        "sources.yaml:8:5: CP110 secondary-source: source 'a2' is cited only through 'a' "
        "(secondary, cited-in)"
    ]
    # not cited at all: listed as uncited, not as secondary
    report = run_audit(sources=SIX_SOURCES + quoted)
    assert found(report, "CP110") == []
    assert [f.code for f in report.active] == ["CP106"]


# -- parity --------------------------------------------------------------------------------
LONG_SUMMARY = "    summary: " + "word " * 19 + "end.\n    arguments:\n"


def test_cp201_word_imbalance_and_threshold(run_audit) -> None:
    text = CLEAN.replace("    arguments:\n", LONG_SUMMARY, 1)
    assert found(run_audit(text), "CP201") == [
        "brief.yaml:8:5: CP201 word-imbalance: view 'settled' has 34 words (summary and "
        "arguments), 3.40 times the 10 of view 'armed'; the brief allows 1.5 (audit.word_ratio)"
    ]
    relaxed = text + "audit: {word_ratio: 3.5}\n"
    assert found(run_audit(relaxed), "CP201") == []
    assert run_audit(relaxed).word_ratio == 3.5


def _drop_counterpoints(text: str, view: str) -> str:
    return re.sub(rf"(id: {view}\n(?:.*\n)*?)    counterpoints:\n(?:      - .*\n)+", r"\1", text)


def test_cp202_no_counterpoints(run_audit) -> None:
    text = _drop_counterpoints(CLEAN, "armed")
    assert found(run_audit(text), "CP202") == [
        "brief.yaml:26:5: CP202 no-counterpoints: view 'armed' has no counterpoints, while "
        "2 other views have some"
    ]
    for view in ("settled", "open"):
        text = _drop_counterpoints(text, view)
    assert "counterpoints" not in text
    assert found(run_audit(text), "CP202") == []


def test_cp203_single_rival_counterpoints(run_audit) -> None:
    text = CLEAN.replace(
        "      - Old maps still show the claim [@d, p. 4].\n      - Courts",
        "      - Trade grew by a third in two years [@a, p. 1].\n      - Courts",
    )
    assert found(run_audit(text), "CP203") == [
        "brief.yaml:33:9: CP203 single-rival-counterpoints: all 2 counterpoints of view 'armed' "
        "are drawn from the sources of one rival view, 'settled'"
    ]


def test_cp203_needs_three_views(run_audit) -> None:
    """With two views every counterpoint can only come from the one rival."""
    two = MINIMAL.replace(
        "      - Trade grew [@petrova-2025, para. 6].\n",
        "      - Trade grew [@petrova-2025, para. 6].\n    counterpoints:\n"
        "      - Memory persists [@lin-2024, p. 4].\n      - Memory runs deep [@lin-2024, p. 5].\n",
    )
    from .conftest import SOURCES

    report = run_audit(two, SOURCES)
    assert [v.counterpoints for v in report.views] == [2, 0]
    assert found(report, "CP203") == []


# -- language ------------------------------------------------------------------------------
def test_cp301_loaded_language_located_on_the_word(run_audit) -> None:
    text = CLEAN.replace(
        "summary: The border is settled,",
        "summary: Obviously the border is settled,\nbackground: >-\n  Trade is up. As everyone\n"
        "  knows, the line holds [@a].\n#",
    )
    assert found(run_audit(text), "CP301") == [
        "brief.yaml:6:10: CP301 loaded-language: loaded or absolute wording 'Obviously' in summary",
        "brief.yaml:8:19: CP301 loaded-language: loaded or absolute wording 'everyone knows' "
        "in background",
    ]


def test_cp301_not_in_the_views_own_words(run_audit) -> None:
    """Views report what their sources argue; only the analyst's text is checked."""
    text = CLEAN.replace("thesis: It is open [@c].", "thesis: It is obviously open [@c].")
    assert found(run_audit(text), "CP301") == []


def test_cp302_off_scale_estimate(run_audit) -> None:
    text = CLEAN.replace(
        "A formal claim before 2030 is unlikely", "A formal claim will perhaps come before 2030"
    )
    assert found(run_audit(text), "CP302") == [
        "brief.yaml:36:31: CP302 off-scale-estimate: judgment 1 uses 'perhaps', which is not an "
        "ICD 203 likelihood term; give the likelihood in its `likelihood` key"
    ]


def test_cp303_unqualified_judgment(run_audit) -> None:
    assert found(run_audit(CLEAN.replace("    confidence: moderate\n", "")), "CP303") == [
        "brief.yaml:36:5: CP303 unqualified-judgment: judgment 1 has no confidence"
    ]
    bare = CLEAN.replace("    likelihood: unlikely\n    confidence: moderate\n", "")
    assert found(run_audit(bare), "CP303") == [
        "brief.yaml:36:5: CP303 unqualified-judgment: judgment 1 has no likelihood and no "
        "confidence"
    ]


def test_cp304_mixed_estimative_rows(run_audit) -> None:
    text = CLEAN.replace("a claim is unlikely [@a, p. 9]", "a claim is improbable [@a, p. 9]")
    assert found(run_audit(text), "CP304") == [
        "brief.yaml:6:48: CP304 mixed-estimative-rows: 'improbable' in summary is from the ICD "
        "203 alternative row, while the brief uses the main row (judgments[0].text: "
        "'unlikely'); keep to one row"
    ]
    # the alternative row alone is consistent (CP303 asks for a likelihood instead)
    alone = text.replace("is unlikely [@a, p. 5]", "is improbable [@a, p. 5]").replace(
        "    likelihood: unlikely\n", ""
    )
    assert found(run_audit(alone), "CP304") == []


def test_cp304_counts_remote_only_as_an_estimate(run_audit) -> None:
    remote = CLEAN.replace(
        "The border is settled,", "The remote border is settled, a remote chance;"
    )
    assert [f.message.split(" in ")[0] for f in run_audit(remote).active] == ["'remote'"]


def test_cp305_confidence_in_the_likelihood_sentence(run_audit) -> None:
    text = CLEAN.replace(
        "A formal claim before 2030 is unlikely",
        "We judge with high confidence that a formal claim before 2030 is unlikely",
    )
    assert found(run_audit(text), "CP305") == [
        "brief.yaml:36:25: CP305 confidence-in-likelihood: judgment 1 states a confidence level "
        "('high confidence') in the same sentence as a likelihood ('unlikely'); ICD 203 keeps "
        "the two apart"
    ]
    apart = CLEAN.replace(
        "A formal claim before 2030 is unlikely",
        "A formal claim before 2030 is unlikely. We hold this with high confidence",
    )
    assert found(run_audit(apart), "CP305") == []


# -- ignoring findings ---------------------------------------------------------------------
def test_ignore_bare_code_or_name(run_audit) -> None:
    from .conftest import SOURCES

    assert [f.code for f in run_audit(MINIMAL, SOURCES).active] == ["CP107", "CP107"]
    for entry in ("CP107", "single-source-view", "cp107"):
        report = run_audit(MINIMAL + f"audit:\n  ignore: [{entry}]\n", SOURCES)
        assert report.active == []
        assert [(f.code, f.ignored, f.reason) for f in report.ignored] == [("CP107", True, "")] * 2


def test_ignore_with_reason_and_subject(run_audit) -> None:
    from .conftest import SOURCES

    text = MINIMAL + (
        "audit:\n  ignore:\n    - code: CP107\n      subject: [yes]\n"
        "      reason: Only one survey of trade exists.\n"
    )
    report = run_audit(text, SOURCES)
    assert found(report) == [
        "brief.yaml:13:5: CP107 single-source-view: view 'no' rests on a single source, 'lin-2024'"
    ]
    (ignored,) = report.ignored
    assert (ignored.subject, ignored.reason) == ("yes", "Only one survey of trade exists.")


def test_cp001_unused_ignore(run_audit) -> None:
    report = run_audit(CLEAN + "audit:\n  ignore:\n    - {code: CP203, reason: Old habit.}\n")
    assert found(report) == [
        "brief.yaml:41:7: CP001 unused-ignore: the ignore entry for CP203 silences no finding; "
        "remove it"
    ]


def test_audit_keys_are_validated_with_locations(write_brief, tmp_path: Path) -> None:
    text = CLEAN + "view_order: random\naudit:\n  ignore: [CP1O7, {reason: x}]\n  word_ratio: 0.5\n"
    with pytest.raises(InvalidInput) as info:
        validate(write_brief(text, sources=SIX_SOURCES))
    assert [str(p).replace(f"{tmp_path}/", "") for p in info.value.problems] == [
        "brief.yaml:39:13: view_order: 'random' is not a view order; expected one of: "
        "as-written, alphabetical, rotate",
        "brief.yaml:41:12: audit.ignore[0]: 'CP1O7' is not an audit finding code "
        "(did you mean 'CP107'?); see docs/audit.md",
        "brief.yaml:41:19: audit.ignore[1].code: required key missing; expected a finding code "
        "such as CP203",
        "brief.yaml:42:15: audit.word_ratio: expected a number of 1 or more, such as 1.5, found "
        "the number 0.5",
    ]


# -- view order ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("rule", "ids", "note"),
    [
        (
            "as-written",
            ["settled", "open", "armed"],
            "Views are presented in the order the brief lists them. The order is not a ranking.",
        ),
        (
            "alphabetical",
            ["armed", "open", "settled"],
            "Views are presented in alphabetical order of their labels. The order is not a "
            "ranking.",
        ),
        (
            "rotate",
            ["armed", "settled", "open"],
            "Views are presented in rotated order: the brief is dated November 22, 2026, day 326 "
            "of the year, and 326 modulo 3 views is 2, so the list as written starts at view 3, "
            "Armed. The order is not a ranking.",
        ),
    ],
)
def test_view_order(write_brief, rule: str, ids: list[str], note: str) -> None:
    brief = validate(write_brief(CLEAN + f"view_order: {rule}\n", sources=SIX_SOURCES))
    doc = resolve(brief, ["title", "summary", "views", "judgments"])
    assert [v.id for v in doc.views] == ids
    report = audit_brief(brief, doc)
    assert [v.id for v in report.views] == ids
    assert report.order_note == note
    # notes are numbered in the order the views are read
    first_thesis_note = doc.note_for(doc.views[0].thesis.citations[0])
    assert first_thesis_note is not None
    assert first_thesis_note.number == 2  # after the summary's note


def test_views_are_shown_in_the_resolved_order(write_brief, tmp_path: Path) -> None:
    path = write_brief(CLEAN + "view_order: alphabetical\n", sources=SIX_SOURCES)
    (out,) = build(path, tmp_path / "out", formats=["html"])
    html = out.path.read_text(encoding="utf-8")
    articles = re.findall(r'<article class="view" id="view-([a-z]+)"', html)
    glance = re.findall(r'<th scope="row"><a href="#view-([a-z]+)">', html)
    assert articles == glance == ["armed", "open", "settled"]
    calls = [int(n) for n in re.findall(r'href="#fn-(\d+)"', html)]
    assert calls == sorted(calls)


# -- the appendix in the built HTML --------------------------------------------------------
def test_balance_appendix_table_chart_and_ignored(write_brief, tmp_path: Path) -> None:
    text = CLEAN + "audit:\n  ignore:\n    - {code: CP106, reason: Kept for the next edition.}\n"
    extra = "  - {id: g, type: report, title: Unread}\n"
    path = write_brief(text, sources=SIX_SOURCES + extra)
    (out,) = build(path, tmp_path / "out", formats=["html"])
    html = out.path.read_text(encoding="utf-8")
    section = re.search(r'<section id="balance".*?</section>', html, re.S)
    assert section is not None
    appendix = section.group(0)
    assert '<h2 id="balance-title">Balance and sourcing</h2>' in appendix
    assert (
        "Views are presented in the order the brief lists them. The order is not a ranking."
        in appendix
    )
    rows = re.findall(r'<tr data-parity="(\w+)"><th scope="row">(\w+)</th>(.*?)</tr>', appendix)
    table = [
        (i, label, re.findall(r'<td class="num">(\d+)</td>', cells)) for i, label, cells in rows
    ]
    assert table == [
        ("settled", "Settled", ["14", "2", "2", "2", "5"]),
        ("open", "Open", ["12", "2", "2", "2", "5"]),
        ("armed", "Armed", ["10", "2", "2", "2", "5"]),
    ]
    svg = re.search(r"<svg .*?</svg>", appendix, re.S)
    assert svg is not None
    assert 'role="img"' in svg.group(0)
    assert (
        'aria-label="Share of words and sources by view: Settled, 39% of words and 33% of '
        "sources; Open, 33% of words and 33% of sources; Armed, 28% of words and 33% of "
        'sources."' in svg.group(0)
    )
    assert "<title>Each view's share of words and of sources</title>" in svg.group(0)
    bars = re.findall(
        r'<rect class="bar-(\w+)" data-bar="(\w+)" x="0" y="\d+" width="([\d.]+)"', svg.group(0)
    )
    assert bars == [
        ("words", "settled", "420.0"), ("sources", "settled", "360.0"),
        ("words", "open", "360.0"), ("sources", "open", "360.0"),
        ("words", "armed", "300.0"), ("sources", "armed", "360.0"),
    ]  # fmt: skip
    assert re.findall(r">(\d+% of \w+)</text>", svg.group(0)) == [
        "39% of words", "33% of sources", "33% of words", "33% of sources",
        "28% of words", "33% of sources",
    ]  # fmt: skip
    # each ignored finding in plain words, its subject by name, the code kept small
    assert (
        '<li data-finding="CP106">Sources listed but never cited: Unread. <span class="reason">'
        'Why: Kept for the next edition.</span> <small class="finding-code">CP106</small></li>'
        in appendix
    )
    # the appendix comes after the implications and before the notes
    assert html.index('id="balance"') < html.index('id="notes"')


# -- build and the command line ------------------------------------------------------------
def test_build_reports_findings_once_and_strict_fails(write_brief, tmp_path: Path) -> None:
    path = write_brief()
    result = CliRunner().invoke(
        main, ["build", str(path), "--out", str(tmp_path / "o"), "--format", "html", "-a", "all"]
    )
    assert result.exit_code == 0
    warnings = [line for line in result.stderr.splitlines() if "CP107" in line]
    assert warnings == [
        f"warning: {path}:8:5: CP107 single-source-view: view 'yes' rests on a single source, "
        "'petrova-2025'",
        f"warning: {path}:13:5: CP107 single-source-view: view 'no' rests on a single source, "
        "'lin-2024'",
    ]
    with pytest.raises(BuildError) as info:
        build(path, tmp_path / "strict", formats=["html"], strict=True)
    assert str(info.value).splitlines()[-1] == (
        f"{path}: failed under --strict: 2 audit findings (see docs/audit.md)"
    )
    assert not (tmp_path / "strict").exists()


def test_audit_command_text_and_strict(write_brief) -> None:
    path = write_brief()
    expected = (
        f"{path}:8:5: CP107 single-source-view: view 'yes' rests on a single source, "
        "'petrova-2025'\n"
        f"{path}:13:5: CP107 single-source-view: view 'no' rests on a single source, 'lin-2024'\n"
        f"{path}: 2 findings, 0 ignored\n"
    )
    result = CliRunner().invoke(main, ["audit", str(path)])
    assert (result.exit_code, result.output) == (0, expected)
    result = CliRunner().invoke(main, ["audit", str(path), "--strict"])
    assert (result.exit_code, result.stdout) == (1, expected)
    assert result.stderr == "failed under --strict: 2 findings\n"


def test_audit_command_invalid_brief_exits_1(write_brief) -> None:
    path = write_brief(MINIMAL.replace("summary:", "sumary:"))
    result = CliRunner().invoke(main, ["audit", str(path)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "1 of 1 brief(s) invalid"


def test_audit_json_matches_the_schema(write_brief) -> None:
    schema = json.loads((ROOT / "docs" / "audit.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    path = write_brief(CLEAN.replace("[@b, p. 2]", "[@a, p. 2]", 1), sources=SIX_SOURCES)
    result = CliRunner().invoke(main, ["audit", str(path), str(FLAGSHIP), "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    jsonschema.validate(data, schema)
    first, flagship = data["briefs"]
    assert first["findings"] == [
        {
            "code": "CP107",
            "name": "single-source-view",
            "severity": "warning",
            "message": "view 'settled' rests on a single source, 'a'",
            "file": str(path),
            "line": 8,
            "column": 5,
            "subject": "settled",
            "ignored": False,
            "reason": "",
        }
    ]
    assert first["views"][0] == {
        "id": "settled", "label": "Settled", "words": 14, "arguments": 2, "counterpoints": 2,
        "sources": 1, "notes": 5, "word_share": 0.3889, "source_share": 0.2,
        "quotations": 0, "quotations_verified": 0,
    }  # fmt: skip
    assert flagship["counts"] == {
        "findings": 0, "ignored": 17, "quotations": 11, "quotations_verified": 11,
    }  # fmt: skip
    assert {q["verdict"] for q in flagship["quotations"]} == {"verified"}


# -- the flagship brief and the documentation ----------------------------------------------
def test_flagship_findings_are_fixed_or_ignored_with_a_reason() -> None:
    report = audit(FLAGSHIP)
    assert report.active == []
    assert {f.code for f in report.ignored} == {"CP107", "CP110"}
    assert all(len(f.reason) > 40 for f in report.ignored)
    (single,) = [f for f in report.ignored if f.code == "CP107"]
    assert single.subject == "settled-frontier"
    assert [v.id for v in report.views] == [
        "long-game", "mutual-suspicion", "cooperation", "settled-frontier",
    ]  # fmt: skip


def test_every_code_term_and_key_is_documented() -> None:
    doc = (ROOT / "docs" / "audit.md").read_text(encoding="utf-8")
    for check in CHECKS.values():
        assert f"### {check.code} {check.name}" in doc, check.code
    for term in LOADED_TERMS + OFF_SCALE_TERMS + ICD203_ALTERNATIVE_ROW:
        assert f"`{term}`" in doc, term
    schema = json.loads((ROOT / "docs" / "audit.schema.json").read_text(encoding="utf-8"))
    assert schema["$defs"]["finding"]["properties"]["code"]["enum"] == list(CHECKS)
    for key in ("`view_order`", "`audit`", "`word_ratio`", "`ignore`"):
        assert key in (ROOT / "docs" / "format.md").read_text(encoding="utf-8"), key
    assert "docs/audit.md" in (ROOT / "README.md").read_text(encoding="utf-8")
