"""Date converters: YYYY, YYYY-MM or YYYY-MM-DD, CSL date-parts, and a source's EDTF dates.

`date` reads a brief's dates; `csl_date` a source record's, which may also be any date the
CSL processor reads on its own (a range, a season, circa, a literal). Years are CSL's:
-44 is 44 BCE, and there is no year 0.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from counterpoint.brief.dates import Date
from counterpoint.brief.schema import (
    INVALID,
    Checker,
    Field,
    JsonSchema,
    any_value,
    describe,
    join_path,
    plain,
)

DATE = re.compile(r"^(-?\d{1,4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
DATE_EXPECTED = "a date as YYYY, YYYY-MM or YYYY-MM-DD"
_DATE_PARTS: JsonSchema = {
    "type": "array",
    "items": {"type": "array", "items": {"type": ["integer", "string"]}, "minItems": 1},
}
DATE_SCHEMA: JsonSchema = {
    "anyOf": [
        {"type": "integer"},
        {"type": "string", "pattern": r"^-?\d{1,4}(-\d{1,2}(-\d{1,2})?)?$"},
        {"type": "object", "properties": {"date-parts": _DATE_PARTS, "raw": {"type": "string"}}},
    ]
}
_EDTF_PATTERN = (
    r"^(?P<start>-?\d{1,4}(?:-\d{1,2}(?:-\d{1,2})?)?)(?P<circa>[~?%])?"
    r"(?:/(?P<end>-?\d{1,4}(?:-\d{1,2}(?:-\d{1,2})?)?|\.\.)?(?P<circa_end>[~?%])?)?$"
)
CSL_DATE_SCHEMA: JsonSchema = {
    "anyOf": [
        *DATE_SCHEMA["anyOf"][:2],
        {"type": "string", "pattern": re.sub(r"\?P<\w+>", "", _EDTF_PATTERN)},
        {
            "type": "object",
            "properties": {
                "date-parts": _DATE_PARTS,
                "raw": {"type": "string"},
                "literal": {"type": "string"},
                "season": {},
                "circa": {},
            },
        },
    ]
}


def _date_from(year: int, month: int | None, day: int | None) -> Date | None:
    return Date.checked(year, month, day)


@describe(lambda: DATE_SCHEMA)
def date(c: Checker, node: yaml.Node, path: str) -> Any:
    """YYYY, YYYY-MM, YYYY-MM-DD, or CSL `{date-parts: [[Y, M, D]]}` / `{raw: ...}`."""
    if isinstance(node, yaml.MappingNode):
        fields = {
            "date-parts": Field(any_value, expected="[[YYYY, MM, DD]]"),
            "raw": Field(plain),
            "literal": Field(plain),
            "season": Field(any_value),
            "circa": Field(any_value),
        }
        got = c.mapping(node, path, fields)
        if got is None:
            return INVALID
        if "date-parts" in got:
            parts_node = got["date-parts"]
            parts = _date_parts(parts_node)
            if parts is None:
                return c.fail(
                    parts_node,
                    join_path(path, "date-parts"),
                    "expected [[YYYY]], [[YYYY, MM]] or [[YYYY, MM, DD]]",
                )
            result = _date_from(*parts)
            if result is None:
                return c.fail(parts_node, join_path(path, "date-parts"), _not_real(parts[0]))
            return result
        if "raw" in got:
            m = DATE.match(got["raw"])
            if m:
                result = _date_from(int(m[1]), _opt(m[2]), _opt(m[3]))
                if result:
                    return result
        return c.expect(node, path, DATE_EXPECTED + " or CSL date-parts")
    if not isinstance(node, yaml.ScalarNode):
        return c.expect(node, path, DATE_EXPECTED)
    m = DATE.match(node.value.strip())
    if not m:
        return c.expect(node, path, DATE_EXPECTED)
    result = _date_from(int(m[1]), _opt(m[2]), _opt(m[3]))
    if result is None:
        return c.fail(node, path, f"'{node.value}' {_not_real(int(m[1]))}")
    return result


def _not_real(year: int) -> str:
    if year == 0:
        return "is not a real date: there is no year 0 (-1 is 1 BCE, as in CSL)"
    return "is not a real date"


@describe(lambda: CSL_DATE_SCHEMA)
def csl_date(c: Checker, node: yaml.Node, path: str) -> Any:
    """A source record's date: what `date` takes, or any CSL date the processor reads on its
    own (`{literal: Spring 2020}`, a `raw` string it parses, `season`, `circa`). Those come
    back as their text: the model keeps only dates it can place."""
    if isinstance(node, yaml.MappingNode):
        keys = {k.value for k, _ in node.value}
        if keys == {"date-parts"} and all(
            isinstance(v, yaml.SequenceNode) and not v.value for _, v in node.value
        ):  # what Pandoc's .bib reader writes for a year it cannot read ("2019--2021"):
            return ""  # no date, which Pandoc prints as undated (n.d.), as its own run does
        for k, parts_node in node.value:
            parts = _date_parts(parts_node) if k.value == "date-parts" else None
            if parts is not None and parts[1] is not None and 21 <= parts[1] <= 24:
                # a season as Pandoc's readers write one ([[2020, 21]]: spring 2020)
                result = _date_from(parts[0], None, None)
                where = join_path(path, "date-parts")
                return result or c.fail(parts_node, where, _not_real(parts[0]))
        if "date-parts" not in keys and keys & {"literal", "raw"}:
            for k, v in node.value:
                if k.value in ("literal", "raw") and isinstance(v, yaml.ScalarNode):
                    if k.value == "raw" and DATE.match(v.value.strip()):
                        return date(c, node, path)
                    return v.value
            return c.expect(node, path, DATE_EXPECTED + " or CSL date-parts")
    elif isinstance(node, yaml.ScalarNode) and not _plain_date(node.value.strip()):
        m = EDTF.match(node.value.strip())
        if m:  # a range, an open range, circa or a season: placed by its start
            start = DATE.match(m["start"])
            assert start is not None
            month = _opt(start[2])
            result = _date_from(int(start[1]), None if (month or 0) > 20 else month, _opt(start[3]))
            if result is None:
                return c.fail(node, path, f"'{node.value}' {_not_real(int(start[1]))}")
            return result
        if c.lenient:
            return node.value  # a string date in an export: the processor parses it
    return date(c, node, path)


EDTF = re.compile(_EDTF_PATTERN)
"""The EDTF dates a source record may give as text, as Pandoc's CSL YAML reader takes
them: `1776/1789` (a range), `2020/` or `2020/..` (open), `1858~` (circa), `2020-21` (a
season: 21-24 are spring to winter), and plain dates. Years are CSL's: -44 is 44 BCE."""


def _plain_date(text: str) -> bool:
    """YYYY, YYYY-MM or YYYY-MM-DD, not an EDTF season (YYYY-21 to YYYY-24)."""
    m = DATE.match(text)
    if m is None:
        return False
    return not (m[2] and m[3] is None and 21 <= int(m[2]) <= 24)


def _opt(s: str | None) -> int | None:
    return int(s) if s else None


def _date_parts(node: yaml.Node) -> tuple[int, int | None, int | None] | None:
    if not (isinstance(node, yaml.SequenceNode) and node.value):
        return None
    first = node.value[0]
    if not (isinstance(first, yaml.SequenceNode) and 1 <= len(first.value) <= 3):
        return None
    nums = []
    for part in first.value:  # Zotero writes some parts as strings: ["2020", "05"]
        if not (isinstance(part, yaml.ScalarNode) and re.fullmatch(r"-?\d+", part.value.strip())):
            return None
        nums.append(int(part.value))
    month, day = [*nums[1:], None, None][:2]
    return nums[0], month, day
