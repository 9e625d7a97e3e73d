"""The registry of sections (brief/sections.py): every built-in section has its template,
its Word builder, its texts and its advice label, and the brief's fields are walked in
reading order."""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from counterpoint import InvalidInput, validate
from counterpoint.brief.model import Brief, Text
from counterpoint.brief.sections import FULL_PAPER, REGISTRY, Section, texts
from counterpoint.cite.resolve import compare_groups
from counterpoint.publish.docx.sections import BUILDERS
from counterpoint.render.templates import builtin_root

from .conftest import MINIMAL, ROOT

FLAGSHIP = ROOT / "briefs" / "russian-far-east.yaml"


def _is_text(kind: Any) -> bool:
    """Whether a field's type is a Markdown field: Text, Text | None or list[Text]."""
    args = typing.get_args(kind)
    return kind is Text or (bool(args) and all(a in (Text, type(None)) for a in args))


def _names_a_text(path: str) -> bool:
    """Whether a key path pattern (`views[].arguments[]`) names a Markdown field of a brief."""
    kind: Any = Brief
    for part in path.split("."):
        hints = typing.get_type_hints(kind) if dataclasses.is_dataclass(kind) else {}
        name = part.removesuffix("[]")
        if name not in hints:
            return False
        kind = hints[name]
        if part.endswith("[]"):
            if typing.get_origin(kind) is not list:
                return False
            (kind,) = typing.get_args(kind)
    return _is_text(kind)


def problems(registry: Sequence[Section], builders: Mapping[str, object], base: Path) -> list[str]:
    """What each section of a registry lacks, one line each, naming the section."""
    out: list[str] = []
    for s in registry:
        if not (base / s.template).is_file():
            out.append(f"{s.name}: no template {s.template} in the base set")
        if s.builder not in builders:
            out.append(f"{s.name}: no Word builder '{s.builder}'")
        out += [f"{s.name}: {p} is not a Markdown field of a brief"
                for p in dict.fromkeys((*s.texts, *s.words)) if not _names_a_text(p)]  # fmt: skip
        if not s.label.strip():
            out.append(f"{s.name}: no label for the page-limit advice")
        if s.word not in ("template", "heading", ""):
            out.append(f"{s.name}: Word takes '{s.word}' of a set's template")
    names = [s.name for s in registry]
    out += [f"{n}: listed twice" for n in sorted({n for n in names if names.count(n) > 1})]
    return out


def test_every_section_has_its_template_word_builder_texts_and_label() -> None:
    assert problems(REGISTRY, BUILDERS, builtin_root() / "base") == []
    # and Word builds nothing that is not a section
    assert sorted(BUILDERS) == sorted(s.builder for s in REGISTRY)


def test_a_section_lacking_its_parts_is_reported_by_name() -> None:
    colophon = Section("colophon", (), "the colophon", "colophon")
    sloppy = Section("methods", ("views[].thesys", "title"), " ", "balance", word="all")
    assert problems([*REGISTRY, colophon, sloppy], BUILDERS, builtin_root() / "base") == [
        "colophon: no template sections/colophon.html in the base set",
        "colophon: no Word builder 'colophon'",
        "methods: no template sections/methods.html in the base set",
        "methods: views[].thesys is not a Markdown field of a brief",
        "methods: title is not a Markdown field of a brief",
        "methods: no label for the page-limit advice",
        "methods: Word takes 'all' of a set's template",
    ]
    assert problems([*REGISTRY, REGISTRY[0]], BUILDERS, builtin_root() / "base") == [
        "title: listed twice"
    ]


def _every_text(value: Any) -> Iterator[Text]:
    """Every Markdown field reachable from a brief's fields, found by their types."""
    if isinstance(value, Text):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _every_text(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            if f.name not in ("sources", "audit"):  # the records' fields are not the paper's
                yield from _every_text(getattr(value, f.name))


def _check_reading_order(brief: Brief) -> list[str]:
    paths = [path for path, _ in brief.texts()]
    where = {path: (t.where.line, t.where.col) for path, t in brief.texts()}
    # the brief is written in reading order: the fields' places in the file give it
    assert paths == sorted(paths, key=lambda p: where[p])
    # every field once, each reached by its own key path
    assert sorted(id(t) for _, t in brief.texts()) == sorted(id(t) for t in _every_text(brief))
    return paths


def test_the_flagship_texts_come_in_reading_order() -> None:
    brief = validate(FLAGSHIP)
    paths = _check_reading_order(brief)
    assert paths[:4] == ["question", "summary", "background", "views[0].thesis"]
    assert "contested[2].short" in paths and paths[-1] == "implications"


def test_short_forms_follow_their_fields(tmp_path: Path) -> None:
    lines, views = [], False
    for line in FLAGSHIP.read_text(encoding="utf-8").split("\n"):
        views = line.startswith("views:") or (views and line.startswith(" "))
        if views and line == "    summary: >-":  # a view's short thesis, after its thesis
            lines.append("    short: The view in a line.")
        if line.startswith("    likelihood:"):  # a judgment's short form, after its text
            lines.append("    short: The judgment in a line.")
        lines.append(line.replace("[../seeds]", f"[{ROOT / 'seeds'}]"))
    path = tmp_path / "brief.yaml"
    path.write_text("\n".join(lines), encoding="utf-8")
    brief = validate(path)
    paths = _check_reading_order(brief)
    assert paths[3:6] == ["views[0].thesis", "views[0].short", "views[0].summary"]
    first = paths.index("judgments[0].text")
    assert paths[first : first + 3] == [
        "judgments[0].text",
        "judgments[0].short",
        "judgments[1].text",
    ]


def test_compare_numbers_its_notes_in_the_order_its_table_shows_them() -> None:
    brief = validate(FLAGSHIP)
    shown = [t for _, rows in compare_groups(brief.views) for row in rows for cell in row
             for t in cell]  # fmt: skip
    assert [id(t) for _, t in texts(brief, "compare")] == [id(t) for t in shown]
    # views with fewer counterpoints leave their cells empty, row by row
    counts = [len(v.counterpoints) for v in brief.views]
    most = max(counts)
    last_row = [f"views[{i}].counterpoints[{most - 1}]" for i, n in enumerate(counts) if n == most]
    assert len(last_row) < len(counts)
    assert [p for p, _ in texts(brief, "compare")][-len(last_row) :] == last_row


def test_the_default_reading_order_leaves_out_the_other_forms_of_a_section() -> None:
    assert "views-table" not in FULL_PAPER and "compare" not in FULL_PAPER
    assert "views" in FULL_PAPER and FULL_PAPER[-1] == "bibliography"


def test_a_brief_may_mark_internal_only_the_sections_the_registry_allows(
    write_brief: Callable[..., Path],
) -> None:
    path = write_brief(MINIMAL + "internal: [views, timeline]\n")
    with pytest.raises(InvalidInput) as caught:
        validate(path)
    assert str(caught.value) == (
        f"{path}:18:12: internal[0]: 'views' is not a section that can be internal; "
        "expected one of: background, timeline, implications, balance"
    )
