"""Invisible characters: no control character or bidi override reaches a reader unseen."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from counterpoint import InvalidInput, build, validate

from .conftest import MINIMAL

RLO = "\u202e"


def _problems(path: Path) -> str:
    with pytest.raises(InvalidInput) as info:
        validate(path)
    return str(info.value)


def test_nul_in_a_value_is_refused_at_its_value(write_brief: Callable[..., Path]) -> None:
    path = write_brief(MINIMAL.replace("title: Test brief", 'title: "Test\\0brief"'))
    assert _problems(path) == f"{path}:2:8: NUL U+0000 is not allowed in text; remove it"


@pytest.mark.parametrize(
    ("raw", "column", "name"),
    [("\x00", 13, "NUL U+0000"), ("\x07", 13, "control character U+0007")],
)
def test_a_control_character_written_as_it_is_is_one_located_line(
    write_brief: Callable[..., Path], raw: str, column: int, name: str
) -> None:
    """Written into the file itself (not as a YAML escape), the YAML reader refuses it
    before any value is read; the message is the same, at the character."""
    path = write_brief(MINIMAL.replace("title: Test brief", f"title: Test {raw}brief"))
    assert _problems(path) == f"{path}:2:{column}: {name} is not allowed in text; remove it"


def test_bidi_override_in_a_title_is_refused_at_the_character(
    write_brief: Callable[..., Path],
) -> None:
    path = write_brief(MINIMAL.replace("title: Test brief", f"title: Test {RLO}brief"))
    assert _problems(path) == (
        f"{path}:2:13: bidi control U+202E (RIGHT-TO-LEFT OVERRIDE) is not allowed: it makes "
        "text display in another order than it is written; remove it"
    )


def test_bidi_override_in_a_source_record_is_refused(write_brief: Callable[..., Path]) -> None:
    from .conftest import SOURCES

    path = write_brief(sources=SOURCES.replace("Border Review", f"Border {RLO}Review"))
    assert "sources.yaml:6:29: bidi control U+202E" in _problems(path)
    assert "unknown source" not in _problems(path)  # not for every citation of that file


def test_unbalanced_isolate_is_refused_and_balanced_ones_pass(
    write_brief: Callable[..., Path],
) -> None:
    path = write_brief(MINIMAL.replace("title: Test brief", "title: Test \u2067brief"))
    assert "unbalanced bidi isolate" in _problems(path)
    validate(write_brief(MINIMAL.replace("title: Test brief", "title: Test \u2067brief\u2069")))


def test_output_names_carry_no_bidi_controls(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    path = write_brief(name=f"inv{RLO}exe.pdf.yaml")
    (html,) = build(path, tmp_path / "out", formats=["html"])
    assert [p.name for p in (tmp_path / "out").glob("*.html")] == ["invexe.pdf.html"]
    assert html.warnings[0] == (
        "the brief's file name 'inv\\u202eexe.pdf' has invisible or bidi control characters "
        "(U+202E); its outputs are named 'invexe.pdf' instead"
    )
