"""The Markdown field converter: a field's text parsed, each citation and note located at its key.

A citation is located at its `@key` (or `@{key}`) in the YAML source, a discursive note at
its `^[`, so a problem with either points at the place, not at the start of the field.
"""

from __future__ import annotations

from typing import Any

import yaml

from counterpoint.brief import markdown
from counterpoint.brief.model import Aside, Citation, CiteItem, Text
from counterpoint.brief.schema import INVALID, Checker, describe, plain


@describe({"type": "string", "description": "Markdown with Pandoc citations"})
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
        found = min(  # `@key` or Pandoc's braced `@{key}`, whichever comes first
            (i for i in (raw.find(f"@{items[0].key}", search_from),
                         raw.find(f"@{{{items[0].key}}}", search_from)) if i >= 0),
            default=-1,
        )  # fmt: skip
        if found < 0:
            where = text.where
        else:
            search_from = found + 1
            where = c.doc.source.location(base + found)
        cite = Citation(items, where, tok.meta["raw"])
        tok.meta["citation"] = cite
        text.citations.append(cite)
    _notes(c, text, raw, base)
    return text


def _notes(c: Checker, text: Text, raw: str, base: int) -> None:
    """Each discursive note `^[...]` of a field becomes an `Aside`, located at its `^[`,
    with the citations it holds."""
    search_from = 0
    for tok in markdown.iter_units(text.tokens):
        if tok.type != "note":
            continue
        found = raw.find("^[", search_from)
        if found < 0:
            where = text.where
        else:
            search_from = found + 2
            where = c.doc.source.location(base + found)
        children = tok.meta["children"]
        cites = [t.meta["citation"] for t in children if t.type == "citation"]
        tok.meta["note"] = Aside(where, children, cites)
