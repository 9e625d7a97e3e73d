"""Pandoc's JSON document read by type: its API version checked, elements matched by tag.

Pandoc's JSON (`-t json`) is its document model (the pandoc-types package) written out:
every element is `{"t": TAG, "c": CONTENT}`, a Div is `{"t": "Div", "c": [[id, classes,
attributes], blocks]}`. Pandoc promises the model of the API version the document names
(`pandoc-api-version`), not where in the document a block lands or how many there are.
So a document is read only after its version is checked (`blocks`), and then only
through elements matched by tag and attribute: a Div by its id (`by_id`), a
paragraph's inlines (`inlines`). A document of another shape is one BuildError that says
what was expected (ShapeError), never an IndexError.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from counterpoint.errors import BuildError
from counterpoint.process import pandoc

API_VERSIONS = ((1, 23),)
"""The pandoc-api-version (major, minor) this reader is written for: the pinned Pandoc 3.9
writes 1.23.1.1. A new minor version may change the model, so it is refused until read."""


class ShapeError(BuildError):
    """Pandoc's document is not of the shape counterpoint reads (the message says what was
    expected)."""


def blocks(doc: Any, what: str) -> list[Any]:
    """The blocks of a document Pandoc wrote for `what`, once its API version is one this
    reader knows; a BuildError naming the Pandoc and the versions otherwise."""
    if not isinstance(doc, dict) or "pandoc-api-version" not in doc:
        raise ShapeError(f"{what}: Pandoc's output is not a Pandoc JSON document")
    api = doc["pandoc-api-version"]
    if not (isinstance(api, list) and len(api) >= 2 and all(isinstance(n, int) for n in api)):
        raise ShapeError(f"{what}: Pandoc's output has no readable pandoc-api-version ({api!r})")
    if tuple(api[:2]) not in API_VERSIONS:
        raise BuildError(version_error(api))
    found = doc.get("blocks")
    if not isinstance(found, list):
        raise ShapeError(f"{what}: Pandoc's document has no list of blocks")
    return found


def version_error(api: list[int]) -> str:
    """The one line for a Pandoc whose JSON is of an API version this reader does not know."""
    supported = ", ".join(f"{major}.{minor}" for major, minor in API_VERSIONS)
    return (
        f"Pandoc {pandoc.binary()} ({_version()}) writes pandoc-api-version "
        f"{'.'.join(map(str, api))}; counterpoint reads {supported} (Pandoc 3.9, from "
        "pypandoc-binary 1.17): install that, or point COUNTERPOINT_PANDOC at a Pandoc 3.9"
    )


def _version() -> str:
    try:
        return pandoc.version()
    except BuildError:
        return "version unknown"


class Div(NamedTuple):
    """A Div element: its id, classes, attributes and blocks."""

    ident: str
    classes: list[str]
    attributes: dict[str, str]
    blocks: list[Any]


def div(block: Any) -> Div | None:
    """The Div a block is, or None for a block of another kind."""
    match block:
        case {"t": "Div", "c": [[str(ident), list(classes), list(pairs)], list(inner)]}:
            return Div(ident, classes, _pairs(pairs), inner)
        case {"t": str()}:
            return None
    raise ShapeError(f"expected a Pandoc block ({{'t': ..., 'c': ...}}), found {_brief(block)}")


def divs(found: list[Any]) -> Iterator[Div]:
    """Every Div among the blocks and inside them, in document order."""
    for block in found:
        d = div(block)
        if d is not None:
            yield d
            yield from divs(d.blocks)


def by_id(found: list[Any]) -> dict[str, Div]:
    """Every Div with an id, wherever it is among the blocks, by its id (the first of two
    with one id)."""
    index: dict[str, Div] = {}
    for d in divs(found):
        if d.ident:
            index.setdefault(d.ident, d)
    return index


def inlines(block: Any) -> list[Any]:
    """The inlines of a paragraph (Para, Plain) or of the paragraphs in a Div; none for a
    block of another kind."""
    match block:
        case {"t": "Para" | "Plain", "c": list(content)}:
            return content
    d = div(block)
    return [i for b in d.blocks for i in inlines(b)] if d is not None else []


def _pairs(pairs: list[Any]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        match pair:
            case [str(key), str(value)]:
                out[key] = value
            case _:
                raise ShapeError(f"expected an attribute [key, value], found {_brief(pair)}")
    return out


def _brief(node: Any) -> str:
    """A short description of a node of an unexpected shape, for an error line."""
    text = repr(node)
    return text if len(text) <= 60 else text[:57] + "..."
