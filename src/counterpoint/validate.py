"""Stage 2, validate: turn YAML nodes into the typed model, collecting every problem with its place.

The schema is declared as tables of `Field`s below; docs/format.md documents the same keys.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from . import markdown
from .audit import CHECKS
from .errors import InvalidInput, Location, Problem, suggest
from .load import Document, load
from .model import (
    CONFIDENCE,
    GRADES,
    LIKELIHOOD,
    VIEW_ORDERS,
    AuditSettings,
    Brief,
    Citation,
    CiteItem,
    Contested,
    Date,
    Event,
    IgnoreRule,
    Judgment,
    Name,
    Reliability,
    SourceRecord,
    Text,
    View,
)

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


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class Checker:
    """Walks one document's nodes, converting values and recording problems."""

    def __init__(self, doc: Document, problems: list[Problem], broken: set[str] | None = None):
        self.doc = doc
        self.problems = problems
        self.broken = broken if broken is not None else set()
        """Ids of source records that failed validation (their citations are not reported)."""

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
                self.fail(key_node, _join(path, key), "unknown key" + suggest(key, fields))
                continue
            if _is_null(value_node):
                if f.required:
                    self.fail(value_node, _join(path, key), f"is empty; expected {f.expected}")
                continue
            value = f.convert(self, value_node, _join(path, key))
            if value is not INVALID:
                out[key] = value
        for key, f in fields.items():
            if f.required and not any(k.value == key for k, _ in node.value):
                message = f.missing or f"missing required key '{key}' ({f.expected})"
                self.fail(node, path, message)
        return out

    def located_text(self, node: yaml.Node) -> str:
        return self.doc.source.text[node.start_mark.index : node.end_mark.index]


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")


# -- converters ------------------------------------------------------------------------
def plain(c: Checker, node: yaml.Node, path: str) -> Any:
    """A line of plain text (numbers and yes/no words are taken as written)."""
    if not isinstance(node, yaml.ScalarNode):
        return c.expect(node, path, "text")
    value = node.value.strip()
    if not value:
        return c.fail(node, path, "is empty; expected text")
    return value


def one_line(c: Checker, node: yaml.Node, path: str) -> Any:
    value = plain(c, node, path)
    if value is not INVALID and "\n" in value:
        return c.fail(node, path, "expected one line of text, found several lines")
    return value


def md(c: Checker, node: yaml.Node, path: str) -> Any:
    """Markdown text; its citations are parsed and located here."""
    value = plain(c, node, path)
    if value is INVALID:
        return INVALID
    text = Text(value, c.doc.at(node))
    text.tokens = markdown.parse(value)
    raw = c.located_text(node)
    base = node.start_mark.index
    search_from = 0
    for tok in markdown.iter_citations(text.tokens):
        items = [CiteItem(**item) for item in tok.meta["items"]]
        found = raw.find("@" + items[0].key, search_from)
        if found < 0:
            where = text.where
        else:
            search_from = found + 1
            where = c.doc.source.location(base + found)
        cite = Citation(items, where)
        tok.meta["citation"] = cite
        text.citations.append(cite)
    return text


def integer(c: Checker, node: yaml.Node, path: str) -> Any:
    if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":int"):
        return int(node.value)
    return c.expect(node, path, "a whole number")


_DATE = re.compile(r"^(-?\d{1,4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
DATE_EXPECTED = "a date as YYYY, YYYY-MM or YYYY-MM-DD"


def _date_from(year: int, month: int | None, day: int | None) -> Date | None:
    return Date.checked(year, month, day)


def date(c: Checker, node: yaml.Node, path: str) -> Any:
    """YYYY, YYYY-MM, YYYY-MM-DD, or CSL `{date-parts: [[Y, M, D]]}` / `{raw: ...}`."""
    if isinstance(node, yaml.MappingNode):
        fields = {
            "date-parts": Field(_any, expected="[[YYYY, MM, DD]]"),
            "raw": Field(plain),
            "literal": Field(plain),
            "season": Field(_any),
            "circa": Field(_any),
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
                    _join(path, "date-parts"),
                    "expected [[YYYY]], [[YYYY, MM]] or [[YYYY, MM, DD]]",
                )
            result = _date_from(*parts)
            if result is None:
                return c.fail(parts_node, _join(path, "date-parts"), _not_real(parts[0]))
            return result
        if "raw" in got:
            m = _DATE.match(got["raw"])
            if m:
                result = _date_from(int(m[1]), _opt(m[2]), _opt(m[3]))
                if result:
                    return result
        return c.expect(node, path, DATE_EXPECTED + " or CSL date-parts")
    if not isinstance(node, yaml.ScalarNode):
        return c.expect(node, path, DATE_EXPECTED)
    m = _DATE.match(node.value.strip())
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


def _opt(s: str | None) -> int | None:
    return int(s) if s else None


def _date_parts(node: yaml.Node) -> tuple[int, int | None, int | None] | None:
    if not (isinstance(node, yaml.SequenceNode) and node.value):
        return None
    first = node.value[0]
    if not (isinstance(first, yaml.SequenceNode) and 1 <= len(first.value) <= 3):
        return None
    nums = []
    for part in first.value:
        if not (isinstance(part, yaml.ScalarNode) and re.fullmatch(r"-?\d+", part.value)):
            return None
        nums.append(int(part.value))
    nums += [None] * (3 - len(nums))
    return nums[0], nums[1], nums[2]


def _any(c: Checker, node: yaml.Node, path: str) -> Any:
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

    return convert_seq


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

    return convert_choice


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

    return convert_pattern


SOURCE_ID = pattern(r"[A-Za-z0-9_.:-]+", "a valid id (letters, digits and _ . : - only)")
VIEW_ID = SOURCE_ID
LANGUAGE = pattern(
    r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*", "a BCP 47 language tag such as en, ru or zh-Hans"
)

NAME_FIELDS = {
    "family": Field(one_line, expected="family name"),
    "given": Field(one_line, expected="given names"),
    "literal": Field(one_line, expected="an organisation's name"),
    "non-dropping-particle": Field(one_line),
    "dropping-particle": Field(one_line),
    "suffix": Field(one_line),
    "comma-suffix": Field(_any),
    "static-ordering": Field(_any),
    "parse-names": Field(_any),
}


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


CSL_TYPES = [
    "article",
    "article-journal",
    "article-magazine",
    "article-newspaper",
    "bill",
    "book",
    "broadcast",
    "chapter",
    "classic",
    "collection",
    "dataset",
    "document",
    "entry",
    "entry-dictionary",
    "entry-encyclopedia",
    "event",
    "figure",
    "graphic",
    "hearing",
    "interview",
    "legal_case",
    "legislation",
    "manuscript",
    "map",
    "motion_picture",
    "musical_score",
    "pamphlet",
    "paper-conference",
    "patent",
    "performance",
    "periodical",
    "personal_communication",
    "post",
    "post-weblog",
    "regulation",
    "report",
    "review",
    "review-book",
    "software",
    "song",
    "speech",
    "standard",
    "thesis",
    "treaty",
    "webpage",
]

CSL_NAME_VARS = [
    "chair",
    "collection-editor",
    "compiler",
    "composer",
    "container-author",
    "contributor",
    "curator",
    "director",
    "editorial-director",
    "editor",
    "executive-producer",
    "guest",
    "host",
    "illustrator",
    "interviewer",
    "narrator",
    "organizer",
    "original-author",
    "performer",
    "producer",
    "recipient",
    "reviewed-author",
    "script-writer",
    "series-creator",
    "translator",
]
CSL_DATE_VARS = ["available-date", "event-date", "original-date", "submitted"]
CSL_TEXT_VARS = [
    "abstract",
    "annote",
    "archive",
    "archive-collection",
    "archive-place",
    "archive_collection",
    "archive_location",
    "authority",
    "call-number",
    "chapter-number",
    "citation-key",
    "citation-label",
    "collection-number",
    "collection-title",
    "container-title-short",
    "dimensions",
    "division",
    "DOI",
    "edition",
    "event",
    "event-place",
    "event-title",
    "genre",
    "ISBN",
    "ISSN",
    "issue",
    "jurisdiction",
    "keyword",
    "locator",
    "medium",
    "number",
    "number-of-pages",
    "number-of-volumes",
    "original-publisher",
    "original-publisher-place",
    "original-title",
    "page",
    "page-first",
    "part-number",
    "part-title",
    "PMCID",
    "PMID",
    "printing-number",
    "publisher-place",
    "references",
    "reviewed-genre",
    "reviewed-title",
    "scale",
    "section",
    "source",
    "status",
    "title-short",
    "version",
    "volume",
    "volume-title",
    "year-suffix",
    "shortTitle",
    "journalAbbreviation",
]


def reliability(c: Checker, node: yaml.Node, path: str) -> Any:
    got = c.mapping(
        node,
        path,
        {
            "grade": Field(
                choice([g.lower() for g in GRADES], "an Admiralty grade"),
                required=True,
                expected="a grade A-F",
            ),
            "note": Field(md, expected="why this grade (Markdown)"),
        },
    )
    if got is None or "grade" not in got:
        return INVALID
    return Reliability(got["grade"].upper(), got.get("note"))


SOURCE_FIELDS: dict[str, Field] = {
    "id": Field(SOURCE_ID, required=True, expected="a unique id such as petrova-2025"),
    "type": Field(choice(CSL_TYPES, "a CSL type"), required=True, expected="a CSL type"),
    "title": Field(one_line, required=True, expected="the source's title"),
    "author": Field(seq(name), expected="CSL names"),
    "container-title": Field(one_line, expected="outlet, journal or site"),
    "publisher": Field(one_line),
    "issued": Field(date, expected=DATE_EXPECTED),
    "accessed": Field(date, expected=DATE_EXPECTED),
    "URL": Field(one_line, expected="a web address"),
    "language": Field(LANGUAGE),
    "stance": Field(one_line, expected="one line"),
    "reliability": Field(reliability),
    "note": Field(plain),
    "cited-in": Field(SOURCE_ID, expected="the id of the source this one is cited through"),
    **{k: Field(seq(name)) for k in CSL_NAME_VARS},
    **{k: Field(date) for k in CSL_DATE_VARS},
    **{k: Field(_any) for k in CSL_TEXT_VARS},
}


def source_record(c: Checker, node: yaml.Node, path: str) -> Any:
    before = len(c.problems)
    got = c.mapping(node, path, SOURCE_FIELDS, "a source record (a CSL item)")
    if got is None or len(c.problems) > before or not {"id", "type", "title"} <= got.keys():
        if got and "id" in got:
            c.broken.add(got["id"])
        return INVALID
    known = {
        "id", "type", "title", "author", "editor", "container-title", "publisher", "issued",
        "URL", "accessed", "language", "stance", "reliability", "note", "cited-in",
    }  # fmt: skip
    extra = {
        k: (v.value if isinstance(v, yaml.ScalarNode) else v)
        for k, v in got.items()
        if k not in known
    }
    return SourceRecord(
        id=got["id"],
        type=got["type"],
        title=got["title"],
        where=c.doc.at(node),
        author=got.get("author", []),
        editor=got.get("editor", []),
        container_title=got.get("container-title", ""),
        publisher=got.get("publisher", ""),
        issued=got.get("issued"),
        url=got.get("URL", ""),
        accessed=got.get("accessed"),
        language=got.get("language", ""),
        stance=got.get("stance", ""),
        reliability=got.get("reliability"),
        note=got.get("note", ""),
        cited_in=got.get("cited-in", ""),
        extra=extra,
    )


# -- the brief ------------------------------------------------------------------------
def view(c: Checker, node: yaml.Node, path: str) -> Any:
    got = c.mapping(node, path, VIEW_FIELDS, "a view (id, label, thesis, arguments)")
    if got is None or not {"id", "label", "thesis", "arguments"} <= got.keys():
        return INVALID
    return View(
        id=got["id"],
        label=got["label"],
        thesis=got["thesis"],
        where=c.doc.at(node),
        arguments=got["arguments"],
        summary=got.get("summary"),
        counterpoints=got.get("counterpoints", []),
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
}


def contested(c: Checker, node: yaml.Node, path: str) -> Any:
    got = c.mapping(
        node,
        path,
        {
            "point": Field(one_line, required=True, expected="the point in dispute"),
            "accounts": Field(
                seq(md, 2, "account"), required=True, expected="at least two accounts"
            ),
            "assessment": Field(md),
        },
    )
    if got is None or not {"point", "accounts"} <= got.keys():
        return INVALID
    return Contested(got["point"], got["accounts"], c.doc.at(node), got.get("assessment"))


def event(c: Checker, node: yaml.Node, path: str) -> Any:
    got = c.mapping(
        node,
        path,
        {
            "date": Field(date, required=True, expected=DATE_EXPECTED),
            "event": Field(md, required=True, expected="what happened (Markdown, cited)"),
        },
    )
    if got is None or not {"date", "event"} <= got.keys():
        return INVALID
    return Event(got["date"], got["event"], c.doc.at(node))


def judgment(c: Checker, node: yaml.Node, path: str) -> Any:
    got = c.mapping(
        node,
        path,
        {
            "text": Field(md, required=True, expected="the judgment (Markdown)"),
            "likelihood": Field(choice(LIKELIHOOD, "an ICD 203 likelihood term")),
            "confidence": Field(choice(CONFIDENCE, "a confidence level")),
        },
    )
    if got is None or "text" not in got:
        return INVALID
    return Judgment(
        got["text"], c.doc.at(node), got.get("likelihood", ""), got.get("confidence", "")
    )


def version(c: Checker, node: yaml.Node, path: str) -> Any:
    value = integer(c, node, path)
    if value is not INVALID and value != 1:
        return c.fail(
            node,
            path,
            f"format version {value} is not supported; this counterpoint reads version 1",
        )
    return value


def boolean(c: Checker, node: yaml.Node, path: str) -> Any:
    if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":bool"):
        return node.value.lower() in ("true", "yes", "on")
    return c.expect(node, path, "true or false")


def positive(c: Checker, node: yaml.Node, path: str) -> Any:
    value = integer(c, node, path)
    if value is not INVALID and value < 1:
        return c.fail(node, path, f"expected a whole number of 1 or more, found {value}")
    return value


INTERNAL_SECTIONS = ("background", "timeline", "implications", "balance")
"""Sections a brief may mark `internal:`; editions with `hide_internal` leave them out."""

AUDIENCE_OPTIONS: dict[str, Field] = {
    "judgments": Field(positive, expected="how many key judgments to show (the first N)"),
    "max_pages": Field(positive, expected="the most PDF pages this edition may have"),
    "show_grades": Field(boolean, expected="whether source reliability grades are shown"),
    "how_to_read": Field(boolean, expected="whether the 'How to read this brief' box is shown"),
    "hide_internal": Field(
        boolean, expected="whether the brief's `internal` sections are left out"
    ),
}
"""Per-audience options: set in a template set's manifest, overridden by a brief's `audiences`."""


def audiences(c: Checker, node: yaml.Node, path: str) -> Any:
    if not isinstance(node, yaml.MappingNode):
        return c.expect(node, path, "a mapping of audience names to options")
    out = {}
    for key, value in node.value:
        got = c.mapping(value, _join(path, key.value), AUDIENCE_OPTIONS, "audience options")
        if got is not None:
            out[key.value] = got
    return out


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


_CHECK_NAMES = {check.name: code for code, check in CHECKS.items()}


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


def ignore_rule(c: Checker, node: yaml.Node, path: str) -> Any:
    """`CP203`, or `{code: CP203, reason: ..., subject: [view-id]}`."""
    if isinstance(node, yaml.ScalarNode):
        code = finding_code(c, node, path)
        return INVALID if code is INVALID else IgnoreRule(code, c.doc.at(node))
    got = c.mapping(node, path, IGNORE_FIELDS, "a finding code such as CP203, or {code, reason}")
    if got is None or "code" not in got:
        return INVALID
    return IgnoreRule(got["code"], c.doc.at(node), got.get("reason", ""), got.get("subject", []))


AUDIT_FIELDS: dict[str, Field] = {
    "ignore": Field(seq(ignore_rule), expected="finding codes, or {code, reason} mappings"),
    "word_ratio": Field(ratio, expected="a number of 1 or more, such as 1.5"),
}


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
}


FORMAT_V1_KEYS = frozenset(
    [
        "brief",
        "title",
        "subtitle",
        "question",
        "date",
        "authors",
        "language",
        "bibliography",
        "references",
        "summary",
        "background",
        "views",
        "contested",
        "timeline",
        "judgments",
        "implications",
    ]
)
"""The keys of FORMAT.md; every other brief key (ours, added compatibly) lands in Brief.extra."""


# -- files ----------------------------------------------------------------------------
def read_sources(
    path: Path, problems: list[Problem], broken: set[str] | None = None
) -> list[SourceRecord]:
    """Source records from one file: an item, `references: [items]`, or a list of items."""
    try:
        doc = load(path)
    except InvalidInput as exc:
        problems.extend(exc.problems)
        if broken is not None:
            broken.add(UNREADABLE)  # its ids are unknown: don't call its citations unknown too
        return []
    c = Checker(doc, problems, broken)
    root = doc.root
    if root is None:
        problems.append(Problem(Location(str(path)), "is empty; expected a source record"))
        return []
    if isinstance(root, yaml.MappingNode) and any(k.value == "references" for k, _ in root.value):
        got = c.mapping(root, "", {"references": Field(seq(source_record))})
        return (got or {}).get("references", [])
    if isinstance(root, yaml.SequenceNode):
        return [r for r in seq(source_record)(c, root, "") if r is not INVALID]
    record = source_record(c, root, "")
    return [] if record is INVALID else [record]


UNREADABLE = "\0unreadable"
"""Marks, among the broken source ids, a bibliography file that could not be read at all."""

MAX_VIEWS = 100
"""More views than this is refused (docs/security.md lists every limit)."""

MAX_FOLDER_ENTRIES = 10_000
"""A bibliography folder is searched through at most this many files and folders."""


def _in_project(path: Path, base: Path) -> bool:
    """Source records are read only from the brief's project: the brief's folder, the folder
    above it (briefs/ beside seeds/), or the working folder, after following links. A brief
    from elsewhere cannot make counterpoint read the rest of your disk."""
    folder = base.resolve()
    roots = (folder, folder.parent, Path.cwd().resolve())
    return any(path.is_relative_to(r) for r in roots if r != Path(r.anchor))


def _bibliography_files(
    base: Path, entries: list[str], doc: Document, node: yaml.Node | None, problems: list[Problem]
) -> list[Path]:
    files: list[Path] = []
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    for i, entry in enumerate(entries):
        where = doc.at(items[i]) if node is not None and i < len(items) else doc.at(doc.root)
        p = (base / entry).resolve()
        if not _in_project(p, base):
            problems.append(
                Problem(
                    where,
                    f"'{entry}' is outside the brief's folder, the folder above it and the "
                    "working folder; source records must be inside one of them",
                    f"bibliography[{i}]",
                )
            )
            continue
        if p.is_dir():
            found = []
            for n, f in enumerate(p.rglob("*")):
                if n >= MAX_FOLDER_ENTRIES:
                    problems.append(
                        Problem(
                            where,
                            f"folder '{entry}' has more than {MAX_FOLDER_ENTRIES:,} entries; "
                            "name a smaller folder",
                            f"bibliography[{i}]",
                        )
                    )
                    break
                record = f.suffix in (".yaml", ".yml", ".json") and f.is_file()
                if record and _in_project(f.resolve(), base):  # a link may lead outside
                    found.append(f)
            found.sort()
            if not found:
                problems.append(
                    Problem(
                        where,
                        f"folder '{entry}' holds no .yaml source records",
                        f"bibliography[{i}]",
                    )
                )
            files += found
        elif p.is_file():
            files.append(p)
        else:
            problems.append(
                Problem(
                    where,
                    f"no file or folder '{entry}' (relative to the brief)",
                    f"bibliography[{i}]",
                )
            )
    return files


def _value_node(root: yaml.Node, key: str) -> yaml.Node | None:
    if isinstance(root, yaml.MappingNode):
        for k, v in root.value:
            if k.value == key:
                return v
    return None


def validate(path: str | Path, extra_fields: dict[str, Field] | None = None) -> Brief:
    """Load and check a brief and every source it names; raise InvalidInput listing all problems."""
    path = Path(path)
    problems: list[Problem] = []
    doc = load(path)
    if doc.root is None:
        raise InvalidInput([Problem(Location(str(path)), "is empty; expected a brief")])
    c = Checker(doc, problems)
    fields = {**BRIEF_FIELDS, **(extra_fields or {})}
    got = c.mapping(doc.root, "", fields, "a brief (a mapping of keys such as title, views)")
    if got is None:
        raise InvalidInput(problems)

    # the source registry: bibliography files first, then inline references
    records: list[SourceRecord] = []
    if "bibliography" in got:
        files = _bibliography_files(
            path.parent, got["bibliography"], doc, _value_node(doc.root, "bibliography"), problems
        )
        seen_files: set[Path] = set()
        for f in files:
            if f not in seen_files and f.resolve() != path.resolve():
                seen_files.add(f)
                records += read_sources(f, problems, c.broken)
    records += got.get("references", [])
    sources: dict[str, SourceRecord] = {}
    for r in records:
        if r.id in sources:
            first = sources[r.id].where
            problems.append(
                Problem(r.where, f"duplicate source id '{r.id}' (also defined at {first})", "id")
            )
            continue
        sources[r.id] = r
    for r in sources.values():
        if r.cited_in and r.cited_in not in sources:
            problems.append(
                Problem(
                    r.where,
                    f"cited-in names unknown source '{r.cited_in}'" + suggest(r.cited_in, sources),
                    "cited-in",
                )
            )
        elif r.cited_in == r.id:
            problems.append(Problem(r.where, "a source cannot be cited in itself", "cited-in"))

    views = got.get("views", [])
    seen_views: dict[str, View] = {}
    for i, v in enumerate(views):
        if v.id in seen_views:
            problems.append(Problem(v.where, f"duplicate view id '{v.id}'", f"views[{i}].id"))
        seen_views[v.id] = v
    if len(views) > MAX_VIEWS:  # a bound on the work a hostile brief can ask for
        node = _value_node(doc.root, "views")
        problems.append(
            Problem(
                doc.at(node) if node is not None else doc.at(doc.root),
                f"{len(views):,} views is over the limit of {MAX_VIEWS}; "
                "a brief compares a few views",
                "views",
            )
        )

    brief = Brief(
        path=path,
        bibliography=[(path.parent / e).resolve() for e in got.get("bibliography", [])],
        version=got.get("brief", 1),
        title=got.get("title", ""),
        question=got.get("question") or Text("", doc.at(doc.root)),
        summary=got.get("summary") or Text("", doc.at(doc.root)),
        views=views,
        sources=sources,
        subtitle=got.get("subtitle", ""),
        date=got.get("date"),
        authors=got.get("authors", []),
        language=got.get("language", "en"),
        background=got.get("background"),
        contested=got.get("contested", []),
        timeline=got.get("timeline", []),
        judgments=got.get("judgments", []),
        implications=got.get("implications"),
        audit=got.get("audit") or AuditSettings(),
        view_order=got.get("view_order", "as-written"),
        extra={k: v for k, v in got.items() if k not in FORMAT_V1_KEYS},
    )
    for key_path, text in brief.texts():
        for cite in text.citations:
            for item in cite.items:
                if item.key not in sources and not c.broken & {item.key, UNREADABLE}:
                    problems.append(
                        Problem(
                            cite.where,
                            f"unknown source '@{item.key}'"
                            + suggest(item.key, sources)
                            + ("" if sources else "; the brief has no bibliography or references"),
                            key_path,
                        )
                    )
    if problems:
        raise InvalidInput(problems)
    return brief
