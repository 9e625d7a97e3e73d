"""The Pandoc bridge reads Pandoc's JSON by type: the request's Divs by id, the bibliography
by its id, the API version checked first (cite/pandocjson.py, docs/format.md)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from counterpoint import usercache, validate
from counterpoint.brief import csl
from counterpoint.cite import resolve
from counterpoint.cite.pandocjson import ShapeError
from counterpoint.cite.reading import read
from counterpoint.cite.request import plain
from counterpoint.errors import BuildError
from counterpoint.process import pandoc

from .conftest import MINIMAL, SOURCES

CITED_IN = (
    "  - id: wire-2023\n    type: article-newspaper\n    title: Leaked Plans\n"
    "    container-title: The Daily Ledger\n    issued: 2023\n    cited-in: lin-2024\n"
)
TEXT = MINIMAL.replace("[@lin-2024, p. 4]", "[@wire-2023, p. 9] ^[See @petrova-2025.]")


def _resolved(path: Path) -> tuple[resolve.Resolved, Path]:
    brief = validate(path)
    started = resolve.start(brief, style=csl.default_for("en"), locale="en-US")
    return started.finish(), started.pending.cache_file


def _shown(doc: resolve.Resolved) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    return (
        [str(n.body) for n in doc.notes],
        [str(doc.running[w]) for w in sorted(doc.running, key=str)],
        [(e.id, str(e.html)) for e in doc.bibliography],
    )


def _is_div(block: dict[str, Any], ident: str) -> bool:
    return block["t"] == "Div" and block["c"][0][0] == ident


def test_a_moved_bibliography_and_extra_blocks_read_the_same(
    write_brief: Callable[..., Path],
) -> None:
    path = write_brief(TEXT, sources=SOURCES + CITED_IN)
    first, cache = _resolved(path)
    notes, running, bibliography = _shown(first)
    assert any("cited in Institute for Border Studies" in n for n in notes), notes
    assert [i for i, _ in bibliography] == ["lin-2024", "petrova-2025", "wire-2023"]
    # Pandoc's result as cached, rearranged: the bibliography first, a block of Pandoc's
    # own before and between the request's notes, one more at the end
    data = usercache.read_json(cache)
    blocks = data["ast"]["blocks"]
    refs = next(b for b in blocks if _is_div(b, "refs"))
    blocks.remove(refs)
    extra = {"t": "Para", "c": [{"t": "Str", "c": "Added."}]}
    blocks[:] = [refs, extra, *blocks[:2], extra, *blocks[2:], {"t": "HorizontalRule"}]
    usercache.write_json(cache, data)
    again, same_cache = _resolved(path)
    assert same_cache == cache
    assert usercache.read_json(cache) == data  # read, not formatted anew
    assert _shown(again) == (notes, running, bibliography)


def _result(blocks: list[Any], api: list[int] | None = None) -> dict[str, Any]:
    return {"ast": {"pandoc-api-version": api or [1, 23, 1, 1], "meta": {}, "blocks": blocks}}


def _note(n: int, text: str) -> dict[str, Any]:
    note = {"t": "Note", "c": [{"t": "Para", "c": [{"t": "Str", "c": text}]}]}
    cite = {"t": "Cite", "c": [[], [note]]}
    return {"t": "Div", "c": [[f"counterpoint-note-{n}", [], []], [{"t": "Para", "c": [cite]}]]}


def test_a_missing_note_is_one_error_naming_it() -> None:
    with pytest.raises(ShapeError) as caught:
        read(_result([_note(0, "One."), _note(2, "Three.")]), 3, [], "en-US", plain(3), "apa")
    assert str(caught.value) == (
        "apa: Pandoc's result has no Div with the id counterpoint-note-1 (note 2 of 3) "
        "the request had"
    )


def test_an_element_of_another_shape_is_one_error_not_an_index_error() -> None:
    odd = {
        "t": "Div",
        "c": [["counterpoint-note-0", [], []], [{"t": "Para", "c": [{"t": "Cite"}]}]],
    }
    with pytest.raises(ShapeError) as caught:
        read(_result([odd]), 1, [], "en-US", plain(1), "apa")
    assert str(caught.value) == (
        "apa: expected a Cite element [citations, inlines], found {'t': 'Cite'}"
    )


def test_notes_read_by_id_in_any_order() -> None:
    formatted = read(_result([_note(1, "Two."), _note(0, "One.")]), 2, [], "en-US", plain(2), "apa")
    assert formatted.notes == ["One.", "Two."]


def test_another_pandoc_api_version_is_one_line_at_the_first_read() -> None:
    with pytest.raises(BuildError) as caught:
        read(_result([_note(0, "One.")], [1, 24, 0]), 1, [], "en-US", plain(1), "apa")
    assert str(caught.value) == (
        f"Pandoc {pandoc.binary()} ({pandoc.version()}) writes pandoc-api-version 1.24.0; "
        "counterpoint reads 1.23 (Pandoc 3.9, from pypandoc-binary 1.17): install that, or "
        "point COUNTERPOINT_PANDOC at a Pandoc 3.9"
    )


def test_the_pinned_pandoc_writes_the_api_version_the_reader_knows() -> None:
    from counterpoint.cite.pandocjson import API_VERSIONS

    out = json.loads(pandoc.run(["-f", "markdown", "-t", "json"], b"x", "probe").stdout)
    assert tuple(out["pandoc-api-version"][:2]) in API_VERSIONS
