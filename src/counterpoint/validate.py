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
from .codes import CHECKS
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
        cite = Citation(items, where, tok.meta["raw"])
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


def csl_date(c: Checker, node: yaml.Node, path: str) -> Any:
    """A source record's date: what `date` takes, or any CSL date the processor reads on its
    own (`{literal: Spring 2020}`, a `raw` string it parses, `season`, `circa`). Those come
    back as their text: the model keeps only dates it can place."""
    if isinstance(node, yaml.MappingNode):
        keys = {k.value for k, _ in node.value}
        if "date-parts" not in keys and keys & {"literal", "raw"}:
            for k, v in node.value:
                if k.value in ("literal", "raw") and isinstance(v, yaml.ScalarNode):
                    if k.value == "raw" and _DATE.match(v.value.strip()):
                        return date(c, node, path)
                    return v.value
            return c.expect(node, path, DATE_EXPECTED + " or CSL date-parts")
    elif c.lenient and isinstance(node, yaml.ScalarNode) and not _DATE.match(node.value.strip()):
        return node.value  # a string date in an export: the processor parses it
    return date(c, node, path)


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


SOURCE_ID = pattern(
    r"[^\s\[\]{};,@\uff1b\u061b]+",
    "a valid id (no spaces, brackets, braces, commas, semicolons or @)",
)
VIEW_ID = pattern(r"[A-Za-z0-9_.:-]+", "a valid id (letters, digits and _ . : - only)")
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


LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")

COUNTERPOINT_SOURCE_KEYS = ("stance", "reliability", "cited-in")
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
    "custom": Field(_any),
    **{k: Field(seq(name)) for k in CSL_NAME_VARS},
    **{k: Field(csl_date) for k in CSL_DATE_VARS},
    **{k: Field(_any) for k in CSL_TEXT_VARS},
}

SOURCE_FIELDS_YAML = {
    **SOURCE_FIELDS,
    "title": Field(one_line, required=True, expected="the source's title"),
}
"""Hand-written records (FORMAT.md) need a title; exports from Zotero may lack one."""

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


def _csl_date(value: Any) -> Any:
    if isinstance(value, Date):
        parts = [p for p in (value.year, value.month, value.day) if p is not None]
        return {"date-parts": [parts]}
    return value


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
        if k in COUNTERPOINT_SOURCE_KEYS or _is_null(v_node):
            continue
        value = got.get(k, v_node)
        if isinstance(value, Date):
            csl[k] = _csl_date(value)
        elif isinstance(value, str) and (k in CSL_DATE_VARS or k in ("issued", "accessed")):
            csl[k] = _data(v_node) if isinstance(v_node, yaml.MappingNode) else {"raw": value}
        elif k == "author" or k in CSL_NAME_VARS:  # a plain string is an organisation
            csl[k] = [{"literal": n} if isinstance(n, str) else n for n in _data(v_node)]
        else:
            csl[k] = _data(v_node)
    csl["id"] = key
    if "language" in got:
        csl["language"] = got["language"]
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
        extra=extra,
        csl=csl,
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
    # added: citations (docs/format.md#citations)
    "csl": Field(one_line, expected="a CSL style name (apa, chicago-17...) or a .csl file"),
    "locale": Field(LANGUAGE, expected="a CSL locale such as en-GB, de-DE or ru-RU"),
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
YAML_FILES = (".yaml", ".yml")
JSON_FILES = (".json",)
BIBTEX_FILES = {".bib": "biblatex", ".bibtex": "bibtex"}
"""Pandoc's reading of the two: .bib as BibLaTeX, .bibtex as plain BibTeX."""
BIBLIOGRAPHY_FILES = (*YAML_FILES, *JSON_FILES, *BIBTEX_FILES)


def read_sources(
    path: Path, problems: list[Problem], broken: set[str] | None = None
) -> list[SourceRecord]:
    """Source records from one file: CSL YAML (an item, `references: [items]`, or a list),
    CSL JSON as Zotero and Better BibTeX write it, or a BibTeX/BibLaTeX .bib file."""
    suffix = path.suffix.lower()
    if suffix not in BIBLIOGRAPHY_FILES:
        problems.append(
            Problem(
                Location(str(path)),
                f"counterpoint cannot read '{suffix or path.name}' files as a bibliography; "
                "use CSL YAML (.yaml), CSL JSON (.json) or BibTeX/BibLaTeX (.bib)",
            )
        )
        if broken is not None:
            broken.add(UNREADABLE)
        return []
    try:
        if suffix in BIBTEX_FILES:
            doc, lines = _bibtex(path, BIBTEX_FILES[suffix])
        else:
            doc, lines = load(path), None
    except InvalidInput as exc:
        problems.extend(exc.problems)
        if broken is not None:
            broken.add(UNREADABLE)  # its ids are unknown: don't call its citations unknown too
        return []
    lenient = suffix not in YAML_FILES  # written by Zotero, Better BibTeX or Pandoc: kept
    c = Checker(doc, problems, broken, lenient=lenient)
    root = doc.root
    if root is None:
        problems.append(Problem(Location(str(path)), "is empty; expected a source record"))
        return []
    before = len(problems)
    if isinstance(root, yaml.MappingNode) and any(k.value == "references" for k, _ in root.value):
        got = c.mapping(root, "", {"references": Field(seq(source_record))})
        records = (got or {}).get("references", [])
    elif isinstance(root, yaml.SequenceNode):
        records = [r for r in seq(source_record)(c, root, "") if r is not INVALID]
    else:
        record = source_record(c, root, "")
        records = [] if record is INVALID else [record]
    if lines is not None:  # locate records and problems at their .bib entries, not the JSON
        for r in records:
            r.where = lines.get(r.id, Location(str(path)))
        for i in range(before, len(problems)):
            p = problems[i]
            problems[i] = Problem(_entry_at(doc, p.where, lines, path), p.message, p.path)
    return records


_BIB_ENTRY = re.compile(r"^[ \t]*@[A-Za-z]+[ \t]*[{(][ \t]*([^,\s]+)[ \t]*,", re.M)
_PANDOC_ERROR = re.compile(r'Error at (?:".*?" )?\(line (\d+), column (\d+)\):\s*(.*)', re.S)


def _bibtex(path: Path, dialect: str) -> tuple[Document, dict[str, Location]]:
    """A .bib file as CSL JSON (Pandoc converts it, as it does for its own citations),
    and the line of each entry, so records and mistakes are located in the .bib file."""
    import hashlib

    from . import pandoc
    from .load import Source, parse, read_text
    from .regexcache import user_cache_dir

    text = read_text(path)
    digest = hashlib.sha256(f"{pandoc.identity()}\0{dialect}\0{text}".encode()).hexdigest()
    cached = Path(user_cache_dir("bibtex", digest + ".json"))
    try:
        converted = cached.read_text(encoding="utf-8")
    except OSError:
        try:
            ran = pandoc.run(["-f", dialect, "-t", "csljson"], text.encode("utf-8"), str(path))
        except pandoc.PandocError as exc:
            m = _PANDOC_ERROR.search("\n".join(exc.lines))
            if m:
                where = Location(str(path), int(m[1]), int(m[2]))
                what = m[3].strip().splitlines()[0] if m[3].strip() else "cannot be read"
                raise InvalidInput([Problem(where, f"BibTeX syntax error: {what}")]) from None
            raise InvalidInput([Problem(Location(str(path)), str(exc))]) from None
        converted = ran.stdout.decode("utf-8")
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_text(converted, encoding="utf-8")
        except OSError:
            pass
    source = Source(path, text)
    lines = {m[1]: source.location(m.start(1)) for m in _BIB_ENTRY.finditer(text)}
    return parse(path, converted), lines


def _entry_at(doc: Document, where: Location, lines: dict[str, Location], path: Path) -> Location:
    """The .bib entry holding a problem found in its converted form."""
    root = doc.root
    if isinstance(root, yaml.SequenceNode):
        for item in root.value:
            if item.start_mark.line + 1 <= where.line <= item.end_mark.line + 1:
                ids = [v.value for k, v in getattr(item, "value", []) if k.value == "id"]
                if ids and ids[0] in lines:
                    return lines[ids[0]]
    return Location(str(path))


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
                record = f.suffix.lower() in BIBLIOGRAPHY_FILES and f.is_file()
                if record and _in_project(f.resolve(), base):  # a link may lead outside
                    found.append(f)
            found.sort()
            if not found:
                problems.append(
                    Problem(
                        where,
                        f"folder '{entry}' holds no source records (.yaml, .json or .bib)",
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
    if "csl" in got:  # a style that cannot be found is a mistake in the brief, located
        from . import csl

        try:
            csl.find(got["csl"], [path.parent])
        except csl.StyleError as exc:
            node = _value_node(doc.root, "csl")
            problems.append(Problem(doc.at(node) if node else doc.at(doc.root), str(exc), "csl"))
    if problems:
        raise InvalidInput(problems)
    return brief
