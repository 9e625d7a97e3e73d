"""The declarative schema engine: typed fields over YAML nodes, every problem located.

A mapping is read through a table of `Field`s (a converter, whether it is required, what
is expected); each converter turns one YAML node into a value of the model or records a
located problem and returns INVALID. Briefs (brief/brieffields.py), source records
(brief/records.py) and template-set manifests (render/manifest.py) are declared this way.
The generic converters are here; dates are brief/datefield.py, Markdown brief/mdfield.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import yaml

from counterpoint.brief.load import Document
from counterpoint.errors import Problem, suggest

INVALID: Any = object()
"""Returned by a converter that recorded a problem; the caller drops the value."""

Converter = Callable[["Checker", yaml.Node, str], Any]


@dataclass(frozen=True)
class Field:
    """One key of a mapping: how to read its value, whether it is required, what it is."""

    convert: Converter
    required: bool = False
    expected: str = ""
    missing: str = ""  # message when a required key is absent


JsonSchema = dict[str, Any]


def _one_level(text: str) -> str:
    """An explanation without brackets inside it, to follow a message's own words: "the
    bottom line up front (Markdown)" reads "the bottom line up front, in Markdown"."""
    text = re.sub(r"\s*\(Markdown\)", ", in Markdown", text)
    return re.sub(r"\s*\(([^()]*)\)", r", \1", text)


def describe(json: JsonSchema | Callable[[], JsonSchema]) -> Callable[[Converter], Converter]:
    """Attach the JSON Schema of what a converter accepts (for editors' completion and
    validation: json_schema() and `counterpoint schema`). A callable is for mappings whose
    field table is declared after the converter."""

    def mark(convert: Converter) -> Converter:
        convert.json_schema = json  # type: ignore[attr-defined]
        return convert

    return mark


def json_schema(convert: Converter) -> JsonSchema:
    """The JSON Schema of a converter's values ({} for anything)."""
    found = getattr(convert, "json_schema", {})
    return dict(found() if callable(found) else found)


def object_schema(fields: dict[str, Field], what: str = "", closed: bool = True) -> JsonSchema:
    """The JSON Schema of a mapping read through a field table: every key, its type and
    what it is, the required keys, and (closed) no others."""
    properties = {}
    for key, f in fields.items():
        prop = json_schema(f.convert)
        if f.expected:
            prop["description"] = f.expected
        properties[key] = prop
    out: JsonSchema = {"type": "object", "properties": properties}
    if what:
        out["description"] = what
    required = [k for k, f in fields.items() if f.required]
    if required:
        out["required"] = required
    if closed:
        out["additionalProperties"] = False
    return out


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping (key: value pairs)"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    tag = node.tag.rsplit(":", 1)[-1]
    if tag == "null":
        return "nothing"
    if tag in ("int", "float"):
        return f"the number {node.value}"
    if tag == "bool":
        return f"'{node.value}' (a yes/no value)"
    value = node.value if len(node.value) <= 40 else node.value[:37] + "..."
    return f"'{value}'"


def join_path(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class Checker:
    """Walks one document's nodes, converting values and recording problems."""

    def __init__(
        self,
        doc: Document,
        problems: list[Problem],
        broken: set[str] | None = None,
        lenient: bool = False,
    ):
        self.doc = doc
        self.problems = problems
        self.broken = broken if broken is not None else set()
        """Ids of source records that failed validation (their citations are not reported)."""
        self.lenient = lenient
        """Keep unknown keys instead of reporting them (CSL JSON as Zotero writes it)."""

    def fail(self, node: yaml.Node, path: str, message: str) -> Any:
        self.problems.append(Problem(self.doc.at(node), message, path))
        return INVALID

    def expect(self, node: yaml.Node, path: str, expected: str) -> Any:
        return self.fail(node, path, f"expected {expected}, found {_describe(node)}")

    # -- structure -------------------------------------------------------------------
    def mapping(
        self, node: yaml.Node, path: str, fields: dict[str, Field], what: str = "a mapping"
    ) -> dict[str, Any] | None:
        """Convert a mapping by its field table; unknown and missing keys are problems."""
        if not isinstance(node, yaml.MappingNode):
            self.expect(node, path, what)
            return None
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            f = fields.get(key)
            if f is None:
                if self.lenient:
                    out[key] = value_node
                else:
                    self.fail(key_node, join_path(path, key), "unknown key" + suggest(key, fields))
                continue
            if is_null(value_node):
                if f.required:
                    self.fail(value_node, join_path(path, key), f"is empty; expected {f.expected}")
                continue
            value = f.convert(self, value_node, join_path(path, key))
            if value is not INVALID:
                out[key] = value
        for key, f in fields.items():
            if f.required and not any(k.value == key for k, _ in node.value):
                expected = _one_level(f.expected)
                message = f.missing or f"required key missing; expected {expected}"
                self.fail(node, join_path(path, key) if not f.missing else path, message)
        return out

    def record(
        self, node: yaml.Node, path: str, fields: dict[str, Field], what: str = "a mapping"
    ) -> dict[str, Any] | None:
        """mapping(), or None when a required field is missing or invalid (its problem is
        reported): what a converter of an object with required keys builds from."""
        got = self.mapping(node, path, fields, what)
        if got is None or any(f.required and key not in got for key, f in fields.items()):
            return None
        return got

    def located_text(self, node: yaml.Node) -> str:
        return self.doc.source.text[node.start_mark.index : node.end_mark.index]


def is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")


# -- converters ------------------------------------------------------------------------
@describe({"type": ["string", "number", "boolean"]})
def plain(c: Checker, node: yaml.Node, path: str) -> Any:
    """A line of plain text (numbers and yes/no words are taken as written)."""
    if not isinstance(node, yaml.ScalarNode):
        return c.expect(node, path, "text")
    value = node.value.strip()
    if not value:
        return c.fail(node, path, "is empty; expected text")
    return value


@describe({"type": ["string", "number"]})
def one_line(c: Checker, node: yaml.Node, path: str) -> Any:
    value = plain(c, node, path)
    if value is not INVALID and "\n" in value:
        return c.fail(node, path, "expected one line of text, found several lines")
    return value


@describe({"type": "integer"})
def integer(c: Checker, node: yaml.Node, path: str) -> Any:
    if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":int"):
        return int(node.value)
    return c.expect(node, path, "a whole number")


def any_value(c: Checker, node: yaml.Node, path: str) -> Any:
    return node


def seq(convert: Converter, minimum: int = 0, what: str = "item", too_few: str = "") -> Converter:
    """A list of values; a single value is taken as a list of one."""

    def convert_seq(c: Checker, node: yaml.Node, path: str) -> Any:
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        out = []
        for i, item in enumerate(items):
            value = convert(c, item, f"{path}[{i}]")
            if value is not INVALID:
                out.append(value)
        if len(items) < minimum:
            message = too_few or f"needs at least {minimum} {what}{'s' if minimum > 1 else ''}"
            return c.fail(node, path, message + f", found {len(items)}")
        return out

    return describe(
        lambda: (
            {"type": "array", "items": json_schema(convert), "minItems": minimum}
            if minimum
            else {"anyOf": [{"type": "array", "items": json_schema(convert)}, json_schema(convert)]}
        )
    )(convert_seq)


def choice(values: Iterable[str], what: str) -> Converter:
    allowed = tuple(values)

    def convert_choice(c: Checker, node: yaml.Node, path: str) -> Any:
        value = plain(c, node, path)
        if value is INVALID:
            return INVALID
        if value.lower() in allowed:
            return value.lower()
        listed = (
            f"one of: {', '.join(allowed)}"
            if len(allowed) <= 12
            else f"{what} such as {', '.join(_COMMON_TYPES)} (see docs/format.md)"
        )
        return c.fail(
            node,
            path,
            f"'{value}' is not {what}{suggest(value.lower(), allowed)}; expected {listed}",
        )

    return describe({"enum": list(allowed)})(convert_choice)


_COMMON_TYPES = ("article-newspaper", "article-magazine", "report", "book", "webpage")


def pattern(regex: str, what: str) -> Converter:
    compiled = re.compile(regex)

    def convert_pattern(c: Checker, node: yaml.Node, path: str) -> Any:
        value = one_line(c, node, path)
        if value is INVALID:
            return INVALID
        if not compiled.fullmatch(value):
            return c.fail(node, path, f"'{value}' is not {what}")
        return value

    return describe({"type": "string", "pattern": f"^(?:{regex})$"})(convert_pattern)


SOURCE_ID = pattern(
    r"[^\s\[\]{};,@\uff1b\u061b]+",
    "a valid id (no spaces, brackets, braces, commas, semicolons or @)",
)
VIEW_ID = pattern(r"[A-Za-z0-9_.:-]+", "a valid id (letters, digits and _ . : - only)")
LANGUAGE = pattern(
    r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*", "a BCP 47 language tag such as en, ru or zh-Hans"
)


@describe({"type": "boolean"})
def boolean(c: Checker, node: yaml.Node, path: str) -> Any:
    if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":bool"):
        return node.value.lower() in ("true", "yes", "on")
    return c.expect(node, path, "true or false")


@describe({"type": "integer", "minimum": 1})
def positive(c: Checker, node: yaml.Node, path: str) -> Any:
    value = integer(c, node, path)
    if value is not INVALID and value < 1:
        return c.fail(node, path, f"expected a whole number of 1 or more, found {value}")
    return value


@describe({"type": "object"})
def data(c: Checker, node: yaml.Node, path: str) -> Any:
    """Any YAML mapping, as plain data (strings, numbers, booleans, lists, mappings), for a
    template set's own use (`set_data`)."""
    if not isinstance(node, yaml.MappingNode):
        return c.expect(node, path, "a mapping of your own keys and values")

    def plain_data(n: yaml.Node) -> Any:
        if isinstance(n, yaml.MappingNode):
            return {str(k.value): plain_data(v) for k, v in n.value}
        if isinstance(n, yaml.SequenceNode):
            return [plain_data(v) for v in n.value]
        if n.tag.endswith(":bool"):
            return n.value.lower() in ("true", "yes", "on")
        if n.tag.endswith(":int"):
            return int(n.value.replace("_", ""))
        if n.tag.endswith(":float"):
            return float(n.value.replace("_", ""))
        if n.tag.endswith(":null"):
            return None
        return n.value

    return plain_data(node)


NOTE_PLACEMENTS = ("footnotes", "endnotes")
"""Where an edition puts its notes (`notes:`): at the foot of each page, or in one numbered
list after the body."""

AUDIENCE_OPTIONS: dict[str, Field] = {
    "judgments": Field(positive, expected="how many key judgments to show (the first N)"),
    "max_pages": Field(positive, expected="the most PDF pages this edition may have"),
    "show_grades": Field(boolean, expected="whether source reliability grades are shown"),
    "how_to_read": Field(boolean, expected="whether the 'How to read this brief' box is shown"),
    "hide_internal": Field(
        boolean, expected="whether the brief's `internal` sections are left out"
    ),
    "data": Field(data, expected="values for the set's templates (`set_data`), over the set's"),
    "show_findings": Field(
        boolean, expected="whether the audit findings the brief ignores are listed"
    ),
    "short_forms": Field(
        boolean, expected="whether views and judgments are shown in their `short:` form"
    ),
    "notes": Field(
        choice(NOTE_PLACEMENTS, "a place for notes"),
        expected="footnotes (at the foot of each page) or endnotes (one list after the body)",
    ),
}
"""Per-audience options: set in a template set's manifest, overridden by a brief's `audiences`."""


@describe({"type": "number", "minimum": 1})
def ratio(c: Checker, node: yaml.Node, path: str) -> Any:
    """A number of 1 or more (a largest/smallest ratio)."""
    if isinstance(node, yaml.ScalarNode) and node.tag.endswith((":int", ":float")):
        try:
            value = float(node.value.replace("_", ""))
        except ValueError:
            value = 0.0
        if 1 <= value < float("inf"):
            return value
    return c.expect(node, path, "a number of 1 or more, such as 1.5")
