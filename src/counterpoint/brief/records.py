"""A source record's schema: a CSL item with counterpoint's keys (stance, grade, cited-in...).

Each record, from CSL YAML, CSL JSON or a converted .bib entry, becomes a located
`model.SourceRecord`, with the item as the CSL processor will get it (its citation key as
its id, every CSL date form kept, a short title for Chicago's short notes).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import yaml

from counterpoint.brief.datefield import DATE, DATE_EXPECTED, EDTF, csl_date
from counterpoint.brief.mdfield import md
from counterpoint.brief.model import GRADES, Date, Name, Reliability, SourceRecord
from counterpoint.brief.schema import (
    INVALID,
    SOURCE_ID,
    Checker,
    Field,
    any_value,
    choice,
    describe,
    is_null,
    object_schema,
    one_line,
    pattern,
    plain,
    seq,
)
from counterpoint.brief.vocab import CSL_DATE_VARS, CSL_NAME_VARS, CSL_TEXT_VARS, CSL_TYPES

NAME_FIELDS = {
    "family": Field(one_line, expected="family name"),
    "given": Field(one_line, expected="given names"),
    "literal": Field(one_line, expected="an organisation's name"),
    "non-dropping-particle": Field(one_line),
    "dropping-particle": Field(one_line),
    "suffix": Field(one_line),
    "comma-suffix": Field(any_value),
    "static-ordering": Field(any_value),
    "parse-names": Field(any_value),
}


@describe(lambda: {"anyOf": [{"type": "string"}, object_schema(NAME_FIELDS, "a CSL name", False)]})
def name(c: Checker, node: yaml.Node, path: str) -> Any:
    """A CSL name: {family, given} or {literal}; a plain string is taken as literal."""
    if isinstance(node, yaml.ScalarNode):
        value = one_line(c, node, path)
        return INVALID if value is INVALID else Name(literal=value)
    got = c.mapping(node, path, NAME_FIELDS, "a name ({family: ..., given: ...} or {literal: ...})")
    if got is None:
        return INVALID
    if not (got.get("family") or got.get("literal")):
        return c.fail(node, path, "a name needs 'family' (a person) or 'literal' (an organisation)")
    particle = " ".join(
        p for p in (got.get("dropping-particle"), got.get("non-dropping-particle")) if p
    )
    return Name(
        family=got.get("family", ""),
        given=got.get("given", ""),
        literal=got.get("literal", ""),
        particle=particle,
        suffix=got.get("suffix", ""),
    )


RELIABILITY_FIELDS: dict[str, Field] = {
    "grade": Field(
        describe({"enum": [*GRADES, *(g.lower() for g in GRADES)]})(
            choice([g.lower() for g in GRADES], "an Admiralty grade")
        ),
        required=True,
        expected="a grade A-F",
    ),
    "note": Field(md, expected="why this grade (Markdown)"),
}


@describe(lambda: object_schema(RELIABILITY_FIELDS, "an Admiralty source grade"))
def reliability(c: Checker, node: yaml.Node, path: str) -> Any:
    got = c.record(node, path, RELIABILITY_FIELDS)
    if got is None:
        return INVALID
    return Reliability(got["grade"].upper(), got.get("note"))


@describe({"type": "string"})
def source_language(c: Checker, node: yaml.Node, path: str) -> Any:
    """A BCP 47 tag (en, zh-Hans), or a language's English name as Zotero writes it
    ("English"), which becomes its tag."""
    value = one_line(c, node, path)
    if value is INVALID or LANGUAGE_TAG.fullmatch(value):
        return value
    from babel import Locale  # only for records that name a language in words

    names = {name.casefold(): code for code, name in Locale("en").languages.items()}
    code = names.get(value.strip().casefold())
    if code is None:
        return c.fail(
            node,
            path,
            f"'{value}' is not a BCP 47 language tag (en, ru, zh-Hans) or a language name",
        )
    return code


SHA256 = pattern(r"[0-9A-Fa-f]{64}", "a SHA-256 (64 hexadecimal digits)")

LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")

COUNTERPOINT_SOURCE_KEYS = ("stance", "reliability", "cited-in", "snapshot", "snapshot-sha256")
"""The keys counterpoint adds to a CSL item (FORMAT.md); they never reach the processor."""

SOURCE_FIELDS: dict[str, Field] = {
    "id": Field(SOURCE_ID, required=True, expected="a unique id such as petrova-2025"),
    "type": Field(choice(CSL_TYPES, "a CSL type"), required=True, expected="a CSL type"),
    "title": Field(one_line, expected="the source's title"),
    "author": Field(seq(name), expected="CSL names"),
    "container-title": Field(one_line, expected="outlet, journal or site"),
    "publisher": Field(one_line),
    "issued": Field(csl_date, expected=DATE_EXPECTED),
    "accessed": Field(csl_date, expected=DATE_EXPECTED),
    "URL": Field(one_line, expected="a web address"),
    "language": Field(source_language),
    "stance": Field(one_line, expected="one line"),
    "reliability": Field(reliability),
    "note": Field(plain),
    "cited-in": Field(SOURCE_ID, expected="the id of the source this one is cited through"),
    "snapshot": Field(one_line, expected="the archived copy's path, relative to this file"),
    "snapshot-sha256": Field(SHA256, expected="the archived copy's SHA-256, 64 hex digits"),
    "custom": Field(any_value),
    **{k: Field(seq(name)) for k in CSL_NAME_VARS},
    **{k: Field(csl_date) for k in CSL_DATE_VARS},
    **{k: Field(any_value) for k in CSL_TEXT_VARS},
}

SOURCE_FIELDS_YAML = {
    **SOURCE_FIELDS,
    "title": Field(one_line, required=True, expected="the source's title"),
}
"""Hand-written records (FORMAT.md) need a title; exports from Zotero may lack one."""

MODEL_KEYS = frozenset(
    k
    for k in SOURCE_FIELDS
    if k.replace("-", "_").lower() in {f.name for f in dataclasses.fields(SourceRecord)}
)
"""The keys with a field of `SourceRecord` (derived from the model); others go to `extra`."""

_CITATION_KEY_LINE = re.compile(r"^\s*Citation Key:\s*(\S+)\s*$", re.M | re.I)


def _data(node: yaml.Node) -> Any:
    """A YAML node as CSL JSON data: mappings, lists, and scalars as written (whole
    numbers as numbers, so date-parts stay numeric)."""
    if isinstance(node, yaml.MappingNode):
        return {k.value: _data(v) for k, v in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [_data(v) for v in node.value]
    if node.tag.endswith(":int") and re.fullmatch(r"-?\d+", node.value):
        return int(node.value)
    if node.tag.endswith(":null"):
        return None
    return node.value


def _csl_date(node: yaml.Node) -> Any:
    """A date as the processor gets it, every CSL form kept: a range
    (`{date-parts: [[1776], [1789]]}`, `1776/1789`), an open range (`2020/`), `circa`,
    `season`, `literal`, `raw`, and years before the common era (-44)."""
    if isinstance(node, yaml.MappingNode):
        data = _data(node)
        parts = data.get("date-parts")
        if isinstance(parts, list):  # Zotero writes some parts as strings: ["2020", "05"]
            data["date-parts"] = [
                [_number(p) for p in part] if isinstance(part, list) else part for part in parts
            ]
        return data
    text = str(node.value).strip()
    plain_date = DATE.match(text)
    if plain_date and not (plain_date[2] and plain_date[3] is None and int(plain_date[2]) > 20):
        return {"date-parts": [[int(p) for p in plain_date.groups() if p is not None]]}
    m = EDTF.match(text)
    if m is None:
        return {"raw": text}  # the processor parses it (an export's free-text date)
    out: dict[str, Any] = {}
    start = _edtf_parts(m["start"])
    if len(start) > 1 and start[1] > 20:  # EDTF seasons: 21 spring ... 24 winter
        out["season"] = start[1] - 20
        start = start[:1]
    ranges = [start]
    if m["end"] == ".." or (m["end"] is None and "/" in text):
        ranges.append([0])  # an open range, as Pandoc writes one: "2020–"
    elif m["end"]:
        end = _edtf_parts(m["end"])
        ranges.append(end[:1] if len(end) > 1 and end[1] > 20 else end)
    out["date-parts"] = ranges
    if m["circa"] or m["circa_end"]:
        out["circa"] = True
    return out


def _edtf_parts(text: str) -> list[int]:
    sign = -1 if text.startswith("-") else 1
    parts = [int(p) for p in text.lstrip("-").split("-")]
    return [sign * parts[0], *parts[1:]]


def _number(part: Any) -> Any:
    return int(part) if isinstance(part, str) and re.fullmatch(r"\s*-?\d+\s*", part) else part


_COLON = re.compile(r"\s*(?::(?=\s)|[\uff1a\ufe55\ufe13])")
_QUESTION = re.compile(r"[?\u061f\u2e2e](?=\s)|[\uff1f\ufe56](?=.)")
"""Where a main title ends and its subtitle begins: a colon (`:` before a space, or the
full-width `：`), or a question mark (`?` or Arabic `؟` before a space, or the full-width
`？`), which stays with the main title."""


def short_title(title: str) -> str:
    """The main title of a title with a subtitle ("Winter Range Loss" for "Winter Range
    Loss: Evidence from Five Northern Cities"), or "" when it has none."""
    ends = [m.start() for m in (_COLON.search(title),) if m]
    ends += [m.end() for m in (_QUESTION.search(title),) if m]
    if not ends or min(ends) == 0:
        return ""
    main = title[: min(ends)].rstrip()
    return main if main and main != title.strip() else ""


def citation_key(got: dict[str, Any]) -> str:
    """The key a source is cited by: Better BibTeX's `citation-key`, the `Citation Key:`
    line Zotero writes in `note`, else the item's id."""
    key = got.get("citation-key")
    if isinstance(key, yaml.ScalarNode):
        key = key.value
    if isinstance(key, str) and key.strip():
        return key.strip()
    m = _CITATION_KEY_LINE.search(got.get("note", "") or "")
    return m[1] if m else str(got["id"])


@describe(lambda: object_schema(SOURCE_FIELDS_YAML, "a source record: a CSL item"))
def source_record(c: Checker, node: yaml.Node, path: str) -> Any:
    before = len(c.problems)
    fields = SOURCE_FIELDS if c.lenient else SOURCE_FIELDS_YAML
    got = c.mapping(node, path, fields, "a source record (a CSL item)")
    if got is None or len(c.problems) > before or not {"id", "type"} <= got.keys():
        if got and "id" in got:
            c.broken.add(citation_key(got))
        return INVALID
    key = citation_key(got)
    csl: dict[str, Any] = {}
    for k_node, v_node in node.value:
        k = k_node.value
        if k in COUNTERPOINT_SOURCE_KEYS or is_null(v_node):
            continue
        if k in CSL_DATE_VARS or k in ("issued", "accessed"):
            csl[k] = _csl_date(v_node)
        elif k == "author" or k in CSL_NAME_VARS:  # a plain string is an organisation
            csl[k] = [{"literal": n} if isinstance(n, str) else n for n in _data(v_node)]
        else:
            csl[k] = _data(v_node)
    csl["id"] = key
    if isinstance(csl.get("title-short"), str):  # Pandoc's .bib reader writes "Titre "
        csl["title-short"] = csl["title-short"].strip()
        if not csl["title-short"]:  # an export's empty Short Title: none given
            del csl["title-short"]
    if "title-short" not in csl and isinstance(csl.get("title"), str) and short_title(csl["title"]):
        csl["title-short"] = short_title(csl["title"])  # Chicago's short notes (docs/format.md)
    if "language" in got:
        csl["language"] = got["language"]
    extra = {
        k: (v.value if isinstance(v, yaml.ScalarNode) else v)
        for k, v in got.items()
        if k not in MODEL_KEYS
    }
    return SourceRecord(
        id=key,
        type=got["type"],
        title=got.get("title", ""),
        where=c.doc.at(node),
        author=got.get("author", []),
        editor=got.get("editor", []),
        container_title=got.get("container-title", ""),
        publisher=got.get("publisher", ""),
        issued=got["issued"] if isinstance(got.get("issued"), Date) else None,
        url=got.get("URL", ""),
        accessed=got["accessed"] if isinstance(got.get("accessed"), Date) else None,
        language=got.get("language", ""),
        stance=got.get("stance", ""),
        reliability=got.get("reliability"),
        note=got.get("note", ""),
        cited_in=got.get("cited-in", ""),
        snapshot=str(got.get("snapshot", "")),
        snapshot_sha256=str(got.get("snapshot-sha256", "")).lower(),
        extra=extra,
        csl=csl,
    )
