"""The Pandoc bridge reads Pandoc's JSON by type: the request's Divs by id, the bibliography
by its id, the API version checked first (cite/pandocjson.py, docs/format.md)."""

from __future__ import annotations

import json
import os
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
    doc = {"pandoc-api-version": api or [1, 23, 1, 1], "meta": {}, "blocks": blocks}
    return {"ast": doc, "log": []}


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


def test_an_inline_of_a_known_kind_in_another_shape_is_an_error_a_new_kind_is_left_out() -> None:
    from counterpoint.cite.inlinehtml import html

    words = [{"t": "Str", "c": "Seen"}, {"t": "Space"}]
    assert html([*words, {"t": "Highlight", "c": [{"t": "Str", "c": "new"}]}]) == "Seen "
    with pytest.raises(ShapeError) as caught:
        html([*words, {"t": "Link", "c": [[], "https://example.org"]}])
    assert str(caught.value) == (
        "expected a Pandoc inline element, found {'t': 'Link', 'c': [[], 'https://example.org']}"
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


def test_a_pandoc_of_another_api_version_stops_the_build_with_one_line(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    """A Pandoc (through COUNTERPOINT_PANDOC) whose JSON is pandoc-api-version 1.24.0 and
    that cannot serve (no `pandoc lua`): the command line says so in one line."""
    import subprocess
    import sys

    fake = tmp_path / "pandoc"
    fake.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = lua ]; then exit 2; fi\n'
        f'if [ "$1" = --version ]; then exec "{pandoc.binary()}" "$@"; fi\n'
        f'"{pandoc.binary()}" "$@" | '
        'sed \'s/"pandoc-api-version":\\[1,23,[0-9,]*\\]/"pandoc-api-version":[1,24,0]/\'\n',
        encoding="utf-8",
    )
    fake.chmod(0o755)
    brief = write_brief()
    env = {**os.environ, pandoc.ENVIRONMENT: str(fake)}
    done = subprocess.run(
        [sys.executable, "-m", "counterpoint", "build", str(brief), "--format", "html"],
        capture_output=True, text=True, cwd=tmp_path, env=env,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"Pandoc {fake} ({pandoc.version()}) writes pandoc-api-version 1.24.0; counterpoint "
        "reads 1.23 (Pandoc 3.9, from pypandoc-binary 1.17): install that, or point "
        "COUNTERPOINT_PANDOC at a Pandoc 3.9",
        "1 of 1 brief(s) failed",
    ]


def test_the_pinned_pandoc_writes_the_api_version_the_reader_knows() -> None:
    from counterpoint.cite.pandocjson import API_VERSIONS

    out = json.loads(pandoc.run(["-f", "markdown", "-t", "json"], b"x", "probe").stdout)
    assert tuple(out["pandoc-api-version"][:2]) in API_VERSIONS


# -- "cited in" from the catalogs --------------------------------------------------------
def _cited_in_catalogs() -> list[tuple[str, str]]:
    """(catalog, its "cited in") for every catalog that translates it."""
    from babel.messages.pofile import read_po

    from counterpoint.brief.i18n import LOCALE_DIR

    out = []
    for po in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/counterpoint.po")):
        message = read_po(po.open("rb")).get("cited in")
        if message is not None and message.string:
            out.append((po.parents[1].name, str(message.string)))
    return out


CATALOGS = _cited_in_catalogs()


def test_the_catalogs_translate_cited_in_for_the_languages_that_had_words() -> None:
    names = {name for name, _ in CATALOGS}
    # the 17 languages the words were written for, and Hindi (English before and now)
    expected = {"fr", "de", "es", "it", "pt", "nl", "ru", "uk", "pl", "zh_Hans", "ja", "ko"}
    assert names == expected | {"ar", "fa", "he", "tr", "hi"}


@pytest.mark.parametrize(("catalog", "words"), CATALOGS)
def test_cited_in_is_the_catalogs_in_notes_and_bibliography(
    write_brief: Callable[..., Path], catalog: str, words: str
) -> None:
    locale = catalog.replace("_Hans", "-CN")
    text = MINIMAL.replace("[@lin-2024, p. 4]", "[@wire-2023, p. 9]") + f"locale: {locale}\n"
    brief = validate(write_brief(text, sources=SOURCES + CITED_IN))
    doc = resolve.resolve(brief, style=csl.default_for("en"), locale=locale)
    note = str(doc.notes[-1].body)
    assert f", {words} " in note, note
    entry = next(str(e.html) for e in doc.bibliography if e.id == "wire-2023")
    assert f'<span class="cited-in">{words[:1].upper()}{words[1:]} ' in entry, entry


def test_a_language_without_catalog_words_says_cited_in(
    write_brief: Callable[..., Path],
) -> None:
    text = MINIMAL.replace("[@lin-2024, p. 4]", "[@wire-2023, p. 9]") + "locale: cs-CZ\n"
    brief = validate(write_brief(text, sources=SOURCES + CITED_IN))
    doc = resolve.resolve(brief, style=csl.default_for("en"), locale="cs-CZ")
    assert ", cited in " in str(doc.notes[-1].body)


# -- warnings by structure ---------------------------------------------------------------
ENTRY = (
    "  - id: amur-entry\n    type: entry-encyclopedia\n    title: Amur Annexation\n"
    "    container-title: Wikipedia\n"
)


def test_warnings_are_told_apart_in_a_real_pandoc_log() -> None:
    """Pandoc's own `--log` (a Background run writes one): the CiteprocWarning about an item
    the style prints no entry for is left out, the one about a missing item stays."""
    from counterpoint.cite.reading import warnings

    refs = [
        {"id": "entry", "type": "entry-encyclopedia", "title": "Amur", "container-title": "W"},
        {"id": "book", "type": "book", "title": "Rivers", "author": [{"family": "Li"}]},
    ]
    run = pandoc.Background(
        ["-f", "markdown", "-t", "json", "--citeproc", "--bibliography", "{refs.json}",
         "--csl", "{style.csl}", "{text.md}"],
        [("refs.json", json.dumps(refs).encode()), ("style.csl", csl.default().xml),
         ("text.md", b"[@entry]\n\n[@book]\n\n[@gone]\n")],
        "test",
    )  # fmt: skip
    log = run.result().log
    cited = [m for m in log if m.get("type") == "CiteprocWarning"]
    assert len(cited) == 2 and {m["verbosity"] for m in cited} == {"WARNING"}
    missing = [m["pretty"] for m in cited if "gone" in m["message"]]
    assert warnings(log, {"entry"}) == missing
    assert warnings(log, set()) == [m["pretty"] for m in cited]  # no entry left out: both


def test_a_log_of_another_shape_is_one_error() -> None:
    from counterpoint.cite.reading import warnings

    with pytest.raises(ShapeError) as caught:
        warnings([{"pretty": "odd"}], set())
    assert str(caught.value) == "expected a Pandoc log message, found {'pretty': 'odd'}"


def test_an_entry_the_style_does_not_print_gives_no_warning(
    write_brief: Callable[..., Path],
) -> None:
    text = MINIMAL.replace("[@lin-2024, p. 4]", "[@amur-entry] [@wire-2023, p. 9]")
    brief = validate(write_brief(text, sources=SOURCES + ENTRY + CITED_IN))
    started = resolve.start(brief, style=csl.default_for("en"), locale="en-US")
    doc = started.finish()
    assert "amur-entry" not in [e.id for e in doc.bibliography]
    assert doc.warnings == []
    log = usercache.read_json(started.pending.cache_file)["log"]
    about = [m["message"] for m in log if m["type"] == "CiteprocWarning"]
    assert any(m.endswith(": amur-entry") for m in about), about  # Pandoc did warn


@pytest.mark.own_session
def test_the_server_and_a_run_of_its_own_log_the_same_warnings() -> None:
    """The citation server answers with the messages `--log` writes for a run of its own."""
    from counterpoint.cite.server import Citations, Job

    refs = [{"id": "entry", "type": "entry-encyclopedia", "title": "Amur", "container-title": "W"}]
    args = (b"[@entry]\n", json.dumps(refs).encode(), csl.default().xml, "en-US", False, "t")
    alone = Job(*args)
    assert alone.server is None  # no session's server active: a run of its own
    served = Citations()
    try:
        job = Job(*args, citations=served)
        assert job.server is not None
        log = job.result().log
    finally:
        served.close()

    def warned(messages: list[Any]) -> list[Any]:
        return [m for m in messages if m["verbosity"] == "WARNING"]

    assert warned(log) and warned(log) == warned(alone.result().log)
