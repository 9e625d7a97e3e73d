"""Bibliography files: which files a brief's `bibliography` names, and their source records.

Part of stage 2 (validate): CSL YAML, CSL JSON as Zotero and Better BibTeX write it, and
BibTeX/BibLaTeX files (converted by Pandoc, brief/bibtex.py) become `model.SourceRecord`s
(brief/records.py), each located in its file. Only files inside the brief's project are read.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from counterpoint.brief.bibtex import entry_at, entry_spans, read_bibtex
from counterpoint.brief.load import Document, load
from counterpoint.brief.model import SourceRecord
from counterpoint.brief.records import source_record
from counterpoint.brief.schema import INVALID, Checker, Field, seq
from counterpoint.errors import InvalidInput, Location, Problem
from counterpoint.process.limits import MAX_FOLDER_ENTRIES

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
            doc, lines = read_bibtex(path, BIBTEX_FILES[suffix], language)
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
        spans = entry_spans(doc)  # once: a problem in each of 80,000 entries is one pass
        for i in range(before, len(problems)):
            p = problems[i]
            problems[i] = Problem(entry_at(spans, p.where, lines, path), p.message, p.path)
    return records


UNREADABLE = "\0unreadable"
"""Marks, among the broken source ids, a bibliography file that could not be read at all."""


def _in_project(path: Path, base: Path) -> bool:
    """Source records are read only from the brief's project: the brief's folder, the folder
    above it (briefs/ beside seeds/), or the working folder, after following links. A brief
    from elsewhere cannot make counterpoint read the rest of your disk."""
    folder = base.resolve()
    roots = (folder, folder.parent, Path.cwd().resolve())
    return any(path.is_relative_to(r) for r in roots if r != Path(r.anchor))


def bibliography_files(
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
