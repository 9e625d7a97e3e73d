"""Every class of user mistake gets one exact, located message."""

from __future__ import annotations

from pathlib import Path

import pytest

from counterpoint import InvalidInput, validate
from counterpoint.brief.model import Date

from .conftest import MINIMAL


def problems(path: Path) -> list[str]:
    with pytest.raises(InvalidInput) as info:
        validate(path)
    return [str(p).replace(str(path.parent) + "/", "") for p in info.value.problems]


def test_sample_loads_every_key(sample: Path) -> None:
    brief = validate(sample)
    assert brief.title == "A Settled Frontier?"
    assert brief.subtitle == "Two readings of one border"
    assert brief.authors == ["A. Analyst", "B. Reviewer"]
    assert brief.date == Date(2026, 11, 22)
    assert [v.id for v in brief.views] == ["settled", "flashpoint"]
    assert len(brief.views[0].counterpoints) == 1
    assert brief.contested[0].point == "Area ceded in 1858-1864"
    assert [str(e.date) for e in brief.timeline] == ["1860", "1689-08"]
    assert brief.judgments[0].likelihood == "unlikely"
    assert brief.judgments[0].confidence == "moderate"
    # bibliography folder + `references:` list in a file, CSL date-parts, literal names
    assert set(brief.sources) == {"petrova-2025", "lin-2024", "daily-2023", "unused-2020"}
    assert brief.sources["lin-2024"].issued == Date(2024, 6)
    assert brief.sources["lin-2024"].author[0].literal == "Institute for Border Studies"
    assert brief.sources["daily-2023"].cited_in == "lin-2024"
    assert brief.sources["petrova-2025"].reliability.grade == "B"


def test_view_without_arguments(write_brief) -> None:
    path = write_brief(MINIMAL.replace("      - Memory persists [@lin-2024, p. 4].\n", ""))
    # `arguments:` with nothing after it is an empty value
    assert problems(path) == [
        "brief.yaml:16:15: views[1].arguments: is empty; expected a list of arguments"
    ]


def test_view_missing_arguments_key(write_brief) -> None:
    text = MINIMAL.replace("    arguments:\n      - Memory persists [@lin-2024, p. 4].\n", "")
    assert problems(write_brief(text)) == ["brief.yaml:13:5: views[1]: needs at least one argument"]


def test_unknown_key_suggests_the_right_one(write_brief) -> None:
    path = write_brief(MINIMAL.replace("summary:", "sumary:"))
    assert problems(path) == [
        "brief.yaml:1:1: summary: required key missing; expected the bottom line up front, in "
        "Markdown",
        "brief.yaml:6:1: sumary: unknown key (did you mean 'summary'?)",
    ]


def test_unknown_citation_names_key_and_closest(write_brief) -> None:
    path = write_brief(MINIMAL.replace("[@lin-2024, p. 4]", "[@lin-2042, p. 4]"))
    assert problems(path) == [
        "brief.yaml:17:26: views[1].arguments[0]: unknown source '@lin-2042' "
        "(did you mean 'lin-2024'?)"
    ]


def test_unknown_citation_in_braces_is_located_at_its_key(write_brief) -> None:
    """`@{key}` (Pandoc's form for keys with odd characters) is located like `@key`, not at
    the start of its field."""
    path = write_brief(
        MINIMAL.replace("Memory persists [@lin-2024, p. 4]", "Memory persists [@{lin-2042}, p. 4]")
    )
    assert problems(path) == [
        "brief.yaml:17:26: views[1].arguments[0]: unknown source '@lin-2042' "
        "(did you mean 'lin-2024'?)"
    ]


def test_bad_date_and_terms(write_brief) -> None:
    text = MINIMAL.replace("date: 2026-11-22", "date: 2026-13-01") + (
        "judgments:\n  - text: It holds.\n    likelihood: probable\n    confidence: hgh\n"
    )
    assert problems(write_brief(text)) == [
        "brief.yaml:4:7: date: '2026-13-01' is not a real date",
        "brief.yaml:20:17: judgments[0].likelihood: 'probable' is not an ICD 203 likelihood term; "
        "expected one of: almost no chance, very unlikely, "
        "unlikely, roughly even chance, likely, very likely, almost certain",
        "brief.yaml:21:17: judgments[0].confidence: 'hgh' is not a confidence level "
        "(did you mean 'high'?); expected one of: low, moderate, high",
    ]


def test_yaml_syntax_error_is_located(write_brief) -> None:
    path = write_brief(MINIMAL.replace("title: Test brief", "title: [Test brief"))
    (message,) = problems(path)
    assert message.startswith("brief.yaml:3:9: YAML syntax error: ")


def test_duplicate_keys_are_errors(write_brief) -> None:
    path = write_brief(MINIMAL + "title: Again\n")
    assert problems(path) == ["brief.yaml:18:1: duplicate key 'title' (first defined at line 2)"]


def test_aliases_are_refused(write_brief) -> None:
    text = MINIMAL.replace("title: Test brief", "title: &t Test brief") + "subtitle: *t\n"
    (message,) = problems(write_brief(text))
    assert message.startswith("brief.yaml:2:8: this value is repeated through a YAML alias")


def test_python_tags_are_refused(write_brief) -> None:
    text = MINIMAL.replace("title: Test brief", "title: !!python/object/apply:os.system [ls]")
    assert problems(write_brief(text)) == [
        "brief.yaml:2:8: unsupported YAML tag 'tag:yaml.org,2002:python/object/apply:os.system'; "
        "use plain values"
    ]


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "brief.yaml"
    path.write_bytes(b"brief: 1\ntitle: Caf\xe9\n")
    assert problems(path) == [
        "brief.yaml:2:11: is not valid UTF-8 (byte 0xe9); save the file as UTF-8"
    ]


def test_bom_and_crlf_work(write_brief) -> None:
    path = write_brief()
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    assert validate(path).title == "Test brief"


def test_unsupported_version_and_wrong_types(write_brief) -> None:
    text = MINIMAL.replace("brief: 1", "brief: 2").replace("title: Test brief", "title: [a, b]")
    assert problems(write_brief(text)) == [
        "brief.yaml:1:8: brief: format version 2 is not supported; "
        "this counterpoint reads version 1",
        "brief.yaml:2:8: title: expected text, found a list",
    ]


def test_source_record_mistakes(write_brief) -> None:
    bad = """\
references:
  - id: petrova-2025
    type: magazine
    titel: Rivers
  - id: lin-2024
    type: report
    title: Migration
    issued: May 2024
"""
    # the broken records' ids are not reported again as unknown citations
    assert problems(write_brief(sources=bad)) == [
        "sources.yaml:2:5: references[0].title: required key missing; expected the source's title",
        "sources.yaml:3:11: references[0].type: 'magazine' is not a CSL type (did you mean "
        "'article-magazine'?); expected a CSL type such as article-newspaper, article-magazine, "
        "report, book, webpage (see docs/format.md)",
        "sources.yaml:4:5: references[0].titel: unknown key (did you mean 'title'?)",
        "sources.yaml:8:13: references[1].issued: expected a date as YYYY, YYYY-MM or YYYY-MM-DD, "
        "found 'May 2024'",
    ]


def test_missing_bibliography_path(write_brief) -> None:
    path = write_brief(MINIMAL.replace("[sources.yaml]", "[nowhere/]"))
    found = problems(path)
    assert (
        found[0]
        == "brief.yaml:5:16: bibliography[0]: no file or folder 'nowhere/' (relative to the brief)"
    )


def test_every_problem_in_one_run_each_with_its_key_path(write_brief) -> None:
    """An empty argument list and a duplicate view id, and a missing key: all reported at
    once, each with its key path and one level of explanation (issue 29)."""
    text = (
        MINIMAL.replace("summary: It is settled [@petrova-2025, para. 2].\n", "")
        .replace("  - id: no\n", "  - id: yes\n")
        .replace("    arguments:\n      - Trade grew [@petrova-2025, para. 6].\n",
                 "    arguments: []\n")
    )  # fmt: skip
    found = problems(write_brief(text))
    assert found == [
        "brief.yaml:1:1: summary: required key missing; expected the bottom line up front, in "
        "Markdown",
        "brief.yaml:10:16: views[0].arguments: needs at least one argument, found 0",
        "brief.yaml:11:9: views[1].id: duplicate view id 'yes' (views[0] has it too)",
    ]
    assert all(line.count("(") <= 1 for line in found)
