"""The brief's keys as tables of `Field`s: views, contested points, events, judgments, audit.

`BRIEF_FIELDS` is every top-level key (docs/format.md documents the same keys):
brief/validate.py reads a brief through it, and `counterpoint schema` derives the editors'
JSON Schema from it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import yaml

from counterpoint.brief.codes import CHECKS
from counterpoint.brief.datefield import DATE_EXPECTED, date
from counterpoint.brief.i18n import NOTE_CALLS, NUMBERS, labels
from counterpoint.brief.mdfield import md
from counterpoint.brief.model import (
    CONFIDENCE,
    LIKELIHOOD,
    VIEW_ORDERS,
    AuditSettings,
    Brief,
    Contested,
    Event,
    IgnoreRule,
    Judgment,
    View,
)
from counterpoint.brief.records import source_record
from counterpoint.brief.schema import (
    AUDIENCE_OPTIONS,
    INVALID,
    LANGUAGE,
    VIEW_ID,
    Checker,
    Field,
    choice,
    describe,
    integer,
    join_path,
    object_schema,
    one_line,
    plain,
    ratio,
    seq,
)
from counterpoint.brief.sections import INTERNAL_SECTIONS
from counterpoint.errors import suggest


@describe(lambda: object_schema(VIEW_FIELDS, "a view: one reading of the question"))
def view(c: Checker, node: yaml.Node, path: str) -> Any:
    got = c.record(node, path, VIEW_FIELDS, "a view (id, label, thesis, arguments)")
    if got is None:
        return INVALID
    return View(
        id=got["id"],
        label=got["label"],
        thesis=got["thesis"],
        where=c.doc.at(node),
        arguments=got["arguments"],
        summary=got.get("summary"),
        counterpoints=got.get("counterpoints", []),
        short=got.get("short"),
    )


VIEW_FIELDS: dict[str, Field] = {
    "id": Field(VIEW_ID, required=True, expected="a short id, unique in the brief"),
    "label": Field(one_line, required=True, expected="a short label"),
    "thesis": Field(md, required=True, expected="one sentence (Markdown)"),
    "summary": Field(md),
    "arguments": Field(
        seq(md, 1, too_few="needs at least one argument"),
        required=True,
        expected="a list of arguments",
        missing="needs at least one argument",
    ),
    "counterpoints": Field(seq(md)),
    "short": Field(md, expected="the thesis in a line, for the executive edition (Markdown)"),
}


CONTESTED_FIELDS: dict[str, Field] = {
    "point": Field(one_line, required=True, expected="the point in dispute"),
    "accounts": Field(seq(md, 2, "account"), required=True, expected="at least two accounts"),
    "assessment": Field(md),
    "short": Field(md, expected="the assessment in a line, for the executive edition (Markdown)"),
}


@describe(lambda: object_schema(CONTESTED_FIELDS, "a point where the sources disagree on facts"))
def contested(c: Checker, node: yaml.Node, path: str) -> Any:
    got = c.record(node, path, CONTESTED_FIELDS)
    if got is None:
        return INVALID
    return Contested(
        got["point"], got["accounts"], c.doc.at(node), got.get("assessment"), got.get("short")
    )


EVENT_FIELDS: dict[str, Field] = {
    "date": Field(date, required=True, expected=DATE_EXPECTED),
    "event": Field(md, required=True, expected="what happened (Markdown, cited)"),
    "label": Field(one_line, expected="a few words for the timeline figure"),
}


@describe(lambda: object_schema(EVENT_FIELDS, "a timeline event"))
def event(c: Checker, node: yaml.Node, path: str) -> Any:
    got = c.record(node, path, EVENT_FIELDS)
    if got is None:
        return INVALID
    return Event(got["date"], got["event"], c.doc.at(node), got.get("label", ""))


JUDGMENT_FIELDS: dict[str, Field] = {
    "text": Field(md, required=True, expected="the judgment (Markdown)"),
    "likelihood": Field(choice(LIKELIHOOD, "an ICD 203 likelihood term")),
    "confidence": Field(choice(CONFIDENCE, "a confidence level")),
    "short": Field(md, expected="the judgment in a line, for the executive edition (Markdown)"),
}


@describe(lambda: object_schema(JUDGMENT_FIELDS, "a key judgment"))
def judgment(c: Checker, node: yaml.Node, path: str) -> Any:
    got = c.record(node, path, JUDGMENT_FIELDS)
    if got is None:
        return INVALID
    return Judgment(
        got["text"],
        c.doc.at(node),
        got.get("likelihood", ""),
        got.get("confidence", ""),
        got.get("short"),
    )


@describe({"const": 1})
def version(c: Checker, node: yaml.Node, path: str) -> Any:
    value = integer(c, node, path)
    if value is not INVALID and value != 1:
        return c.fail(
            node,
            path,
            f"format version {value} is not supported; this counterpoint reads version 1",
        )
    return value


@describe(lambda: {"type": "object", "additionalProperties": object_schema(AUDIENCE_OPTIONS)})
def audiences(c: Checker, node: yaml.Node, path: str) -> Any:
    if not isinstance(node, yaml.MappingNode):
        return c.expect(node, path, "a mapping of audience names to options")
    out = {}
    for key, value in node.value:
        got = c.mapping(value, join_path(path, key.value), AUDIENCE_OPTIONS, "audience options")
        if got is not None:
            out[key.value] = got
    return out


_CHECK_NAMES = {check.name: code for code, check in CHECKS.items()}


@describe(lambda: {"enum": [*CHECKS, *_CHECK_NAMES]})
def finding_code(c: Checker, node: yaml.Node, path: str) -> Any:
    """An audit finding code (CP203) or name (single-rival-counterpoints); docs/audit.md."""
    value = one_line(c, node, path)
    if value is INVALID:
        return INVALID
    if value.upper() in CHECKS:
        return value.upper()
    if value.lower() in _CHECK_NAMES:
        return _CHECK_NAMES[value.lower()]
    hint = suggest(value.upper(), CHECKS) or suggest(value.lower(), _CHECK_NAMES)
    return c.fail(node, path, f"'{value}' is not an audit finding code{hint}; see docs/audit.md")


IGNORE_FIELDS: dict[str, Field] = {
    "code": Field(finding_code, required=True, expected="a finding code such as CP203"),
    "reason": Field(plain, expected="why the finding is accepted"),
    "subject": Field(seq(one_line), expected="the view ids, source ids or key paths it covers"),
}


@describe(lambda: object_schema(IGNORE_FIELDS, "an audit finding ignored, and why"))
def ignore_rule(c: Checker, node: yaml.Node, path: str) -> Any:
    """`CP203`, or `{code: CP203, reason: ..., subject: [view-id]}`."""
    if isinstance(node, yaml.ScalarNode):
        code = finding_code(c, node, path)
        return INVALID if code is INVALID else IgnoreRule(code, c.doc.at(node))
    got = c.record(node, path, IGNORE_FIELDS, "a finding code such as CP203, or {code, reason}")
    if got is None:
        return INVALID
    return IgnoreRule(got["code"], c.doc.at(node), got.get("reason", ""), got.get("subject", []))


AUDIT_FIELDS: dict[str, Field] = {
    "ignore": Field(seq(ignore_rule), expected="finding codes, or {code, reason} mappings"),
    "word_ratio": Field(ratio, expected="a number of 1 or more, such as 1.5"),
}


@describe(lambda: object_schema(AUDIT_FIELDS, "the balance and sourcing audit's settings"))
def audit_settings(c: Checker, node: yaml.Node, path: str) -> Any:
    got = c.mapping(node, path, AUDIT_FIELDS, "a mapping with the keys ignore and word_ratio")
    if got is None:
        return INVALID
    defaults = AuditSettings()
    return AuditSettings(got.get("ignore", []), got.get("word_ratio", defaults.word_ratio))


BRIEF_FIELDS: dict[str, Field] = {
    "brief": Field(version, required=True, expected="the format version, 1"),
    "title": Field(one_line, required=True, expected="the brief's title"),
    "subtitle": Field(one_line),
    "question": Field(md, required=True, expected="the question the views answer (Markdown)"),
    "date": Field(date, expected=DATE_EXPECTED),
    "authors": Field(seq(one_line), expected="a list of names"),
    "language": Field(LANGUAGE),
    "bibliography": Field(seq(plain), expected="files or folders of source records"),
    "references": Field(seq(source_record), expected="a list of source records"),
    "summary": Field(md, required=True, expected="the bottom line up front (Markdown)"),
    "background": Field(md),
    "views": Field(seq(view, 2, "view"), required=True, expected="at least two views"),
    "contested": Field(seq(contested)),
    "timeline": Field(seq(event)),
    "judgments": Field(seq(judgment)),
    "implications": Field(md),
    # added: audiences (docs/format.md)
    "audience": Field(one_line, expected="the audience built when none is named"),
    "marking": Field(one_line, expected="a distribution marking such as PUBLIC"),
    "internal": Field(
        seq(choice(INTERNAL_SECTIONS, "a section that can be internal")),
        expected="sections left out of editions for outside readers (public)",
    ),
    "audiences": Field(audiences, expected="options per audience"),
    # added: the balance and sourcing audit (docs/audit.md)
    "audit": Field(audit_settings, expected="audit settings: ignore, word_ratio"),
    "view_order": Field(choice(VIEW_ORDERS, "a view order"), expected="a view order rule"),
    # added: citations (docs/format.md#citations)
    "csl": Field(one_line, expected="a CSL style name (apa, chicago-17...) or a .csl file"),
    "locale": Field(LANGUAGE, expected="a CSL locale such as en-GB, de-DE or ru-RU"),
    # added: the paper's language (docs/format.md#languages)
    "labels": Field(labels, expected="a mapping of English labels to the text shown instead"),
    "note_calls": Field(choice(NOTE_CALLS, "a note-call rule"), expected="after or before"),
    "numbers": Field(
        choice(NUMBERS, "a numbering system"),
        expected="the digits of dates and numbers: default, native, latin or a CLDR system",
    ),
}


TYPED_KEYS = frozenset(
    k for k in BRIEF_FIELDS if k.replace("-", "_") in {f.name for f in dataclasses.fields(Brief)}
) | {"brief", "references"}
"""The brief keys with a field of the model (`brief` and `references` are read into others);
every other key, added by a caller's extra_fields, lands in Brief.more."""
