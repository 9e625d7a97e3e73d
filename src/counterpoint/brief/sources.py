"""Source records: CSL items with counterpoint's analytic keys, from every bibliography file.

Part of stage 2 (validate): CSL YAML, CSL JSON as Zotero and Better BibTeX write it, and
BibTeX/BibLaTeX files (converted by Pandoc) become `model.SourceRecord`s, each located in
its file, with the item as the CSL processor will get it.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import yaml

from counterpoint.brief.datefield import DATE, DATE_EXPECTED, EDTF, csl_date
from counterpoint.brief.load import Document, Source, load
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
from counterpoint.errors import InvalidInput, Location, Problem, display_path
from counterpoint.process.limits import MAX_FOLDER_ENTRIES

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
    got = c.mapping(node, path, RELIABILITY_FIELDS)
    if got is None or "grade" not in got:
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


# -- files ----------------------------------------------------------------------------
YAML_FILES = (".yaml", ".yml")
JSON_FILES = (".json",)
BIBTEX_FILES = {".bib": "biblatex", ".bibtex": "bibtex"}
"""Pandoc's reading of the two: .bib as BibLaTeX, .bibtex as plain BibTeX."""
BIBLIOGRAPHY_FILES = (*YAML_FILES, *JSON_FILES, *BIBTEX_FILES)


def read_sources(
    path: Path, problems: list[Problem], broken: set[str] | None = None, language: str = ""
) -> list[SourceRecord]:
    """Source records from one file: CSL YAML (an item, `references: [items]`, or a list),
    CSL JSON as Zotero and Better BibTeX write it, or a BibTeX/BibLaTeX .bib file (read
    for a brief in `language`, as Pandoc reads it for a document in that language)."""
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
            doc, lines = _bibtex(path, BIBTEX_FILES[suffix], language)
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
        seen: dict[str, int] = {}
        for r in records:  # in the file's order: a repeated key's records, its entries
            n = seen[r.id] = seen.get(r.id, -1) + 1
            at = lines.get(r.id, [])
            r.where = at[min(n, len(at) - 1)] if at else Location(str(path))
        spans = _entry_spans(doc)  # once: a problem in each of 80,000 entries is one pass
        for i in range(before, len(problems)):
            p = problems[i]
            problems[i] = Problem(_entry_at(spans, p.where, lines, path), p.message, p.path)
    return records


_BIB_ENTRY = re.compile(
    r"(?:^|(?<=[})]))[ \t]*@[A-Za-z]+[ \t]*[{(][ \t]*([^,\s{}()]+)[ \t]*,", re.M
)
"""An entry's start: at the start of a line, or after the entry before it on the same line.
A key holds no brace or parenthesis: with them, each of 20,000 `@comment{}` on one line
read on to the line's end (200 KB took 42 s)."""
_PANDOC_ERROR = re.compile(r'Error at (?:".*?" )?\(line (\d+), column (\d+)\):\s*(.*)', re.S)


def _bibtex(
    path: Path, dialect: str, language: str = ""
) -> tuple[Document, dict[str, list[Location]]]:
    """A .bib file as CSL JSON (Pandoc converts it, as it does for its own citations),
    and the line of each entry, so records and mistakes are located in the .bib file.

    Pandoc reads a .bib for a document in the document's language: only in English does
    it store titles in sentence case, for the style to case them again ("Rivers of oil"),
    and write a thesis type in English ("PhD thesis"). A brief in another language gets
    the titles as written ("Rivers of Oil"), as `pandoc --citeproc` prints them."""
    import hashlib

    from counterpoint import usercache
    from counterpoint.brief.load import parse, read_text
    from counterpoint.process import pandoc

    text = read_text(path)
    lang = "" if language.split("-")[0].lower() in ("", "en") else language
    key = f"{pandoc.identity()}\0{dialect}\0{lang}\0{text}"
    digest = hashlib.sha256(key.encode()).hexdigest()
    cached = Path(usercache.user_cache_dir("bibtex", digest + ".json"))
    stored = usercache.read(cached)
    source = Source(path, text)
    try:
        converted = "" if stored is None else stored.decode("utf-8")
    except UnicodeDecodeError:
        stored = None
    if stored is None:
        try:
            args = ["-f", dialect, "-t", "csljson"]
            ran = pandoc.run(args, text.encode("utf-8"), display_path(path), lang)
        except pandoc.OverLimit as exc:  # its memory ceiling or time limit
            raise InvalidInput([Problem(Location(str(path)), exc.reason)]) from None
        except pandoc.PandocError as exc:
            m = _PANDOC_ERROR.search("\n".join(exc.lines))
            if m:
                where = _syntax_error_at(source, int(m[1]), int(m[2]))
                what = m[3].strip().splitlines()[0] if m[3].strip() else "cannot be read"
                if where.line != int(m[1]):
                    what += " (an entry or a brace is left open)"
                raise InvalidInput([Problem(where, f"BibTeX syntax error: {what}")]) from None
            raise InvalidInput([Problem(Location(str(path)), str(exc))]) from None
        converted = ran.stdout.decode("utf-8")
        usercache.write(cached, converted.encode("utf-8"))
    lines: dict[str, list[Location]] = {}  # each key's entries, in order (keys may repeat)
    for m in _BIB_ENTRY.finditer(text):
        lines.setdefault(m[1], []).append(source.location(m.start(1)))
    try:
        return parse(path, converted), lines
    except InvalidInput as exc:  # found in the converted text: located at its .bib entry
        raise InvalidInput(
            [
                Problem(_converted_at(converted, p.where, lines, path), p.message)
                for p in exc.problems
            ]
        ) from None


def _syntax_error_at(source: Source, line: int, col: int) -> Location:
    """Where Pandoc's parser stopped, within the file: past its end (Pandoc reads on into
    the blank lines it adds), the last entry is the one left open."""
    where = Location(str(source.path), line, col)
    if line <= source.text.count("\n") + 1:
        return where
    entries = [m.start() + m[0].index("@") for m in _BIB_ENTRY.finditer(source.text)]
    entries = entries or [m.start() for m in re.finditer("@", source.text)]
    return source.location(entries[-1]) if entries else Location(str(source.path))


_CONVERTED_ITEM = re.compile(r"^  \{$", re.M)
_CONVERTED_ID = re.compile(r'^    "id": ("(?:[^"\\]|\\.)*")', re.M)


def _converted_at(
    converted: str, where: Location, lines: dict[str, list[Location]], path: Path
) -> Location:
    """The .bib entry holding a place in Pandoc's CSL JSON (each item opens with `  {`)."""
    import bisect
    import json

    starts = [m.start() for m in _CONVERTED_ITEM.finditer(converted)]
    offset = 0
    for _ in range(max(where.line - 1, 0)):
        offset = converted.find("\n", offset) + 1
    item = bisect.bisect_right(starts, offset) - 1 if offset or where.line == 1 else -1
    keys = []
    for start in starts[: item + 1]:
        m = _CONVERTED_ID.search(converted, start)
        keys.append(json.loads(m[1]) if m else "")
    if item < 0 or not keys[item]:
        return Location(str(path))
    entries = lines.get(keys[item], [])
    n = keys[:item].count(keys[item])  # a key used twice: its second entry
    return entries[min(n, len(entries) - 1)] if entries else Location(str(path))


_Spans = tuple[list[int], list[tuple[int, str, int]]]
"""Each converted item's first line, and its last line, key and repeat (its nth entry)."""


def _entry_spans(doc: Document) -> _Spans:
    """Where each item of a .bib file's converted form is, in order."""
    starts: list[int] = []
    spans: list[tuple[int, str, int]] = []
    seen: dict[str, int] = {}
    if isinstance(doc.root, yaml.SequenceNode):
        for item in doc.root.value:
            ids = [v.value for k, v in getattr(item, "value", []) if k.value == "id"]
            key = ids[0] if ids else ""
            n = seen[key] = seen.get(key, -1) + 1
            starts.append(item.start_mark.line + 1)
            spans.append((item.end_mark.line + 1, key, n))
    return starts, spans


def _entry_at(
    spans: _Spans, where: Location, lines: dict[str, list[Location]], path: Path
) -> Location:
    """The .bib entry holding a problem found in its converted form."""
    import bisect

    starts, items = spans
    i = bisect.bisect_right(starts, where.line) - 1
    if i >= 0 and where.line <= items[i][0]:
        _, key, n = items[i]
        at = lines.get(key, [])
        return at[min(n, len(at) - 1)] if at else Location(str(path))
    return Location(str(path))


UNREADABLE = "\0unreadable"
"""Marks, among the broken source ids, a bibliography file that could not be read at all."""


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
        try:
            p = (base / entry).resolve()
        except RuntimeError:  # pathlib's error for a link loop (Python 3.11, 3.12)
            problems.append(
                Problem(
                    where,
                    f"'{entry}' is a symbolic link that leads back to itself (a loop)",
                    f"bibliography[{i}]",
                )
            )
            continue
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
            what = (  # a FIFO or a device would block or never end: never opened
                f"'{entry}' is not a regular file or a folder"
                if p.exists()
                else f"no file or folder '{entry}' (relative to the brief)"
            )
            problems.append(Problem(where, what, f"bibliography[{i}]"))
    return files
