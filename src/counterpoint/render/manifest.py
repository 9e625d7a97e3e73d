"""A template set's manifest.yaml: its fields, read and checked with line marks, and the
sections it lists or adds."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from counterpoint.brief.i18n import labels
from counterpoint.brief.load import load
from counterpoint.brief.schema import (
    AUDIENCE_OPTIONS,
    INVALID,
    Checker,
    Field,
    choice,
    data,
    describe,
    object_schema,
    one_line,
    plain,
    seq,
)
from counterpoint.brief.sections import ALL_SECTIONS
from counterpoint.errors import InvalidInput, Location, Problem, suggest

MANIFEST = "manifest.yaml"


SECTION_NAME = r"[a-z][a-z0-9-]*"
"""What a section's name may be: a template `sections/NAME.html` and an HTML id."""


class SectionName(str):
    """A section named in a manifest's `sections`, with where it is written (checked once
    the set's chain, and so its own sections, is known)."""

    where: Location
    path: str


@describe(
    {"anyOf": [{"enum": list(ALL_SECTIONS)}, {"type": "string", "pattern": f"^{SECTION_NAME}$"}]}
)
def _section(c: Checker, node: yaml.Node, path: str) -> object:
    import re

    value = one_line(c, node, path)
    if value is INVALID:
        return value
    if value not in ALL_SECTIONS and not re.fullmatch(SECTION_NAME, value):
        return c.fail(
            node,
            path,
            f"unknown section '{value}'{suggest(value, ALL_SECTIONS)}; "
            f"known: {', '.join(ALL_SECTIONS)}",
        )
    name = SectionName(value)
    name.where, name.path = c.doc.at(node), path
    return name


@dataclass
class NewSection:
    """A section a set adds (`new-sections:`): its template is `sections/NAME.html`."""

    name: str
    title: str = ""
    """Its entry in the contents and its heading's text in Word ('' for no entry)."""
    owner: str = ""
    where: Location | None = None


NEW_SECTION_FIELDS = {
    "title": Field(one_line, expected="the section's title in the contents and in Word"),
}


@describe(
    lambda: {
        "type": "object",
        "propertyNames": {"pattern": f"^{SECTION_NAME}$"},
        "additionalProperties": {
            "anyOf": [{"type": "null"}, object_schema(NEW_SECTION_FIELDS)],
        },
    }
)
def _new_sections(c: Checker, node: yaml.Node, path: str) -> object:
    import re

    if not isinstance(node, yaml.MappingNode):
        return c.expect(node, path, "a mapping of section names to {title: ...}")
    out: dict[str, NewSection] = {}
    for key, value in node.value:
        name = str(key.value)
        where = f"{path}.{name}"
        if not isinstance(key, yaml.ScalarNode) or not re.fullmatch(SECTION_NAME, name):
            c.fail(key, where, "a section's name is lower-case letters, digits and -")
            continue
        if name in ALL_SECTIONS:
            c.fail(key, where, f"'{name}' is a built-in section; list it under sections:")
            continue
        got: dict[str, object] = {}
        if not (isinstance(value, yaml.ScalarNode) and value.value in ("", "~", "null")):
            got = c.mapping(value, where, NEW_SECTION_FIELDS, "a mapping ({title: ...})") or {}
        out[name] = NewSection(name, str(got.get("title", "")), where=c.doc.at(key))
    return out


MANIFEST_FIELDS = {
    "name": Field(one_line, required=True, expected="the set's name"),
    "description": Field(plain),
    "parent": Field(one_line, expected="the name of the set this one extends"),
    "audience": Field(one_line, expected="the audience this set serves"),
    "sections": Field(seq(_section), expected="the sections shown, in order"),
    "css": Field(seq(one_line), expected="CSS files for every output, after the parent's"),
    "css-web": Field(seq(one_line), expected="CSS files for the HTML page only"),
    "css-print": Field(seq(one_line), expected="CSS files for the PDF only"),
    "options": Field(
        describe(lambda: object_schema(AUDIENCE_OPTIONS))(lambda c, n, p: _options(c, n, p)),
        expected="audience options",
    ),
    "csl": Field(one_line, expected="a CSL style name or a .csl file in the set"),
    "notes": AUDIENCE_OPTIONS["notes"],
    "data": Field(data, expected="the set's own values for its templates (`set_data`)"),
    "new-sections": Field(
        _new_sections, expected="sections this set adds, each with sections/NAME.html"
    ),
    "format": Field(
        describe({"enum": [1, 2]})(choice(["1", "2"], "a set format version")),
        expected="the set format version: 1 (the default) or 2 (with new-sections)",
    ),
    "ejected-from": Field(one_line, expected="the set this one is a copy of (`templates eject`)"),
    "labels": Field(labels, expected="a mapping of English labels to the text shown instead"),
}


def _options(c: Checker, node: yaml.Node, path: str) -> object:
    return c.mapping(node, path, AUDIENCE_OPTIONS, "audience options") or {}


def read_manifest(folder: Path) -> dict[str, object]:
    """A set's manifest, checked: its fields by name (InvalidInput on a mistake)."""
    problems: list[Problem] = []
    doc = load(folder / MANIFEST)
    if doc.root is None:
        raise InvalidInput([Problem(Location(str(folder / MANIFEST)), "is empty")])
    got = Checker(doc, problems).mapping(doc.root, "", MANIFEST_FIELDS, "a template set manifest")
    if problems or got is None:
        raise InvalidInput(problems)
    return got
