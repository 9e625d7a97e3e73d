"""What Pandoc is asked to format: an edition's citations as one Pandoc Markdown document.

A paragraph per note, in reading order (a citation, or a discursive note with the
citations it holds), so that Pandoc numbers and positions them (first, subsequent, ibid)
as a reader meets them; then, for each source another was read in, a citation of its own
for its short form. Each part is a fenced Div with an id of its own (`NOTE`, `HOST`), so
that the result is read back by those ids (citeproc.read), not by counting blocks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from counterpoint.brief.model import Citation, SourceRecord
from counterpoint.cite.locators import localize_locator
from counterpoint.cite.names import handed
from counterpoint.errors import InvalidInput, Problem

MARK = "\ue000"
"""Marks the source a cited-in item was read in (private use: never in a user's text)."""

SEPARATOR_ID = "\ue001counterpoint-separator"
"""A throwaway item cited between the bibliography's extra citations (so none is 'ibid')."""

NOTE = "counterpoint-note-{}"
"""The id of the Div that holds the request's note number N (from 0)."""
HOST = "counterpoint-host-{}"
"""The id of the Div that holds the citation giving host number N its short form."""
REFS = "refs"
"""The id of the Div Pandoc's citeproc writes the bibliography into."""

Groups = list[tuple[bool, list[int]]]
"""An edition's notes in order: (a discursive note?, the indexes of its citations)."""


def document(
    sources: dict[str, SourceRecord],
    citations: Sequence[Citation],
    notes: bool,
    locale: str = "en-US",
    groups: Groups | None = None,
    pages_only: bool = False,
) -> tuple[str, list[str]]:
    """The Markdown document Pandoc formats, and the hosts whose short form is asked for;
    locator labels in the locale's terms (localize_locator). A paragraph per note: a
    citation, or a discursive note (`^[...]`) with the citations it holds, so that Pandoc
    numbers and positions (ibid, subsequent) them as the reader meets them."""
    hosts: dict[str, None] = {}
    written = [_citation(sources, cite, locale, hosts, pages_only) for cite in citations]
    parts: list[str] = []
    for n, (aside, indexes) in enumerate(groups if groups is not None else plain(len(citations))):
        if aside:
            text = "^[" + (" ".join(written[i] for i in indexes) or "-") + "]"
        else:
            text = written[indexes[0]]
        parts.append(_div(NOTE.format(n), text))
    extras = sorted(hosts)
    for n, host in enumerate(extras):
        parts.append(f"[{_key(SEPARATOR_ID)}]")
        parts.append(_div(HOST.format(n), f"[{_key(host)}]" if notes else _key(host)))
    return "\n\n".join(parts) + "\n", extras


def _div(ident: str, paragraph: str) -> str:
    """A fenced Div around one paragraph (which never starts with a colon: it is a
    citation, `[...]` or `@{...}`, or a note, `^[...]`)."""
    return f"::: {{#{ident}}}\n{paragraph}\n:::"


def plain(count: int) -> Groups:
    """`count` citations, each its own note."""
    return [(False, [i]) for i in range(count)]


def _key(key: str) -> str:
    return "@{" + key + "}"


def _clean(text: str) -> str:
    return text.replace(MARK, "").replace("\n", " ")


def _citation(
    sources: dict[str, SourceRecord],
    cite: Citation,
    locale: str,
    hosts: dict[str, None],
    pages_only: bool = False,
) -> str:
    """One citation in Pandoc's Markdown."""
    items = cite.items
    if len(items) == 1 and items[0].mode == "author-in-text" and not host(sources, items[0].key):
        item = items[0]
        suffix = localize_locator(_clean(item.suffix).lstrip(", ").strip(), locale, pages_only)
        return _key(item.key) + (f" [{suffix}]" if suffix else "")
    parts = []
    for item in items:
        prefix = _clean(item.prefix)
        dash = "-" if item.mode == "suppress-author" else ""
        head = f"{prefix} {dash}{_key(item.key)}".strip()
        read_in = host(sources, item.key)
        suffix = localize_locator(_clean(item.suffix), locale, pages_only)
        if read_in:
            hosts[read_in] = None
            # the locator points into the source read: it goes with the host
            parts.append(head)
            parts.append(f"{MARK} {_key(read_in)}{suffix}")
        else:
            parts.append(head + suffix)
    return "[" + "; ".join(parts) + "]"


def host(sources: dict[str, SourceRecord], key: str) -> str:
    """The source the source `key` was read in (its `cited-in`), or ""."""
    read_in = sources[key].cited_in
    return read_in if read_in and read_in in sources and read_in != key else ""


def items(sources: dict[str, SourceRecord], citations: Sequence[Citation]) -> list[dict[str, Any]]:
    """The CSL items Pandoc is given: every cited source and every source one was read in
    (names marked: names.handed), and the separator when there is a host."""
    keys: set[str] = set()
    for cite in citations:
        for item in cite.items:
            keys.add(item.key)
            read_in = host(sources, item.key)
            if read_in:
                keys.add(read_in)
    out = [handed(sources[k].csl or {"id": k, "type": sources[k].type}) for k in sorted(keys)]
    if any(host(sources, k) for k in keys):
        out.append({"id": SEPARATOR_ID, "type": "document", "title": "-"})
    return out


MAX_CITATION_MARKS = 200
"""Quotation marks, emphasis marks and brackets in the text around one source of a
citation (`[see "x" @a, p. 4]`): each may open a level of Pandoc's result (_too_deep)."""
_MARKS = re.compile("[*_\"'\u2018\u2019\u201c\u201d\u00ab\u00bb\\[\\]^~]")


def check_marks(citations: Sequence[Citation]) -> None:
    """Refuse, at the citation, text around a source marked up or quoted hundreds of
    times, which Pandoc would nest too deep for its result to be read."""
    for cite in citations:
        for item in cite.items:
            marks = len(_MARKS.findall(item.prefix + item.suffix))
            if marks > MAX_CITATION_MARKS:
                raise InvalidInput(
                    [
                        Problem(
                            cite.where,
                            f"the citation's text around @{item.key} has {marks:,} quotation "
                            "marks, emphasis marks and brackets, over the limit of "
                            f"{MAX_CITATION_MARKS}; a citation's prefix and locator are short",
                        )
                    ]
                )
