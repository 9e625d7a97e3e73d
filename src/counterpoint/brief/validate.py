"""Stage 2, validate: turn a brief's YAML nodes into the typed model, every problem located.

The brief's keys are declared in brief/brieffields.py (the engine is brief/schema.py, source
records are brief/records.py); here the brief is read through them, its sources gathered
from its bibliography files and references, and every cross-reference checked.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from counterpoint.brief.brieffields import BRIEF_FIELDS, TYPED_KEYS
from counterpoint.brief.load import load
from counterpoint.brief.model import ADDED_KEYS, AuditSettings, Brief, SourceRecord, Text
from counterpoint.brief.schema import Checker, Field
from counterpoint.brief.sources import UNREADABLE, bibliography_files, read_sources
from counterpoint.errors import InvalidInput, Location, Problem, suggest
from counterpoint.process.limits import MAX_VIEWS


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
        files = bibliography_files(
            path.parent, got["bibliography"], doc, _value_node(doc.root, "bibliography"), problems
        )
        seen_files: set[Path] = set()
        for f in files:
            if f not in seen_files and f.resolve() != path.resolve():
                seen_files.add(f)
                language = str(got.get("locale") or got.get("language") or "")
                records += read_sources(f, problems, c.broken, language)
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
    # ids are compared as written, so a view with another mistake is counted too
    listed = _value_node(doc.root, "views")
    seen_views: dict[str, int] = {}
    for i, item in enumerate(listed.value if isinstance(listed, yaml.SequenceNode) else []):
        node = _value_node(item, "id")
        if not isinstance(node, yaml.ScalarNode):
            continue
        if node.value in seen_views:
            earlier = seen_views[node.value]
            problems.append(
                Problem(
                    doc.at(node),
                    f"duplicate view id '{node.value}' (views[{earlier}] has it too)",
                    f"views[{i}].id",
                )
            )
        seen_views.setdefault(node.value, i)
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
        # realpath: a link loop stays as it is (Path.resolve raises; brief/sources.py says it)
        bibliography=[Path(os.path.realpath(path.parent / e)) for e in got.get("bibliography", [])],
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
        **{k: got[k] for k in ADDED_KEYS if k in got},
        more={k: v for k, v in got.items() if k not in TYPED_KEYS},
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
        from counterpoint.brief import csl

        try:
            csl.find(got["csl"], [path.parent])
        except csl.StyleError as exc:
            node = _value_node(doc.root, "csl")
            where = exc.where or (doc.at(node) if node else doc.at(doc.root))  # in the .csl
            problems.append(Problem(where, str(exc), "csl"))
    if problems:
        raise InvalidInput(problems)
    return brief
