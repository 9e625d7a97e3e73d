"""The CSL processor: Pandoc's citeproc formats an edition's notes and bibliography.

counterpoint never formats a citation itself. For each edition it writes the citations, in
reading order, as a Pandoc Markdown document (cite/request.py), runs `pandoc --citeproc`
once with the style, the locale and the cited items (by the warm server, cite/server.py),
and reads the formatted notes (or in-text citations) and the bibliography back from
Pandoc's JSON (cite/reading.py). First, subsequent and ibid positions are Pandoc's, in the
edition's own reading order. Results are cached in the user's cache folder, keyed by
everything that goes into the run, so an edit that leaves the citations alone costs no
Pandoc run.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from counterpoint import usercache
from counterpoint.brief.csl import Style
from counterpoint.brief.model import Citation, SourceRecord
from counterpoint.cite import request
from counterpoint.cite import server as citeserver
from counterpoint.cite.pandocjson import ShapeError
from counterpoint.cite.reading import Formatted, read
from counterpoint.cite.request import Groups
from counterpoint.errors import BuildError, InvalidInput, Location, Problem
from counterpoint.process import pandoc

CACHE_VERSION = "3"
"""Part of every cache key: a change to how counterpoint runs Pandoc starts afresh."""


class Pending:
    """A Pandoc run under way (or a result from the cache), so a build can do other work
    while Pandoc formats."""

    def __init__(
        self,
        markdown: str,
        items: list[dict[str, Any]],
        hosts: list[str],
        count: int,
        style: Style,
        locale: str,
        groups: Groups | None = None,
        where: Sequence[Location | None] = (),
    ):
        self.count, self.hosts, self.style, self.locale = count, hosts, style, locale
        self.groups = groups if groups is not None else request.plain(count)
        self.where = where  # each item's record, to locate what Pandoc cannot read in it
        self.ids = [str(i.get("id", "")) for i in items]
        self.stdin = markdown.encode("utf-8")
        refs = json.dumps(items, ensure_ascii=False, sort_keys=True).encode("utf-8")
        link = not style.notes  # in-text citations link to their entries
        options = citeserver.options(locale, link)
        key = hashlib.sha256()  # everything the run depends on (the refs file's name aside)
        for part in (pandoc.identity(), style.digest, CACHE_VERSION, *options):
            key.update(part.encode() + b"\0")
        key.update(refs + b"\0")
        key.update(self.stdin)
        self.cache_file = _cache_folder() / f"{key.hexdigest()}.json"
        self.process: Any = None
        self.cached: dict[str, Any] | None = None
        self.job = (self.stdin, refs, style.xml, locale, link, style.what)
        cached = usercache.read_json(self.cache_file)
        self.cached = cached if isinstance(cached, dict) else None
        if self.cached is None and count:
            # formatted while the build goes on, by the warm server if it runs (citeserver)
            self.process = citeserver.Job(*self.job)

    def result(self) -> Formatted:
        if self.count == 0:
            return Formatted([], [], [])
        if self.cached is not None:
            try:
                return self._read()
            except ShapeError:
                # an entry of another shape (an older counterpoint's): format again
                self.process = citeserver.Job(*self.job)
        try:
            ran = self.process.result()
        except pandoc.PandocError as exc:
            raise _record_error(exc, self.where) from None
        try:
            ast = json.loads(ran.stdout)
        except RecursionError:  # Python's reader stops a few hundred levels down
            raise _too_deep(ran.stdout, self.ids, self.where, self.style) from None
        self.cached = {"ast": ast, "log": ran.log}
        usercache.write_json(self.cache_file, self.cached)
        return self._read()

    def _read(self) -> Formatted:
        assert self.cached is not None
        return read(
            self.cached, self.count, self.hosts, self.locale, self.groups, self.style.what, self.ids
        )


def pending(
    sources: dict[str, SourceRecord],
    citations: Sequence[Citation],
    style: Style,
    locale: str,
    groups: Groups | None = None,
) -> Pending:
    """Start formatting (or take the result from the cache); `.result()` waits for it.
    `groups`: the edition's notes (a note style's discursive notes among them)."""
    request.check_marks(citations)
    markdown, hosts = request.document(
        sources, citations, style.notes, locale, groups, pages_only=not style.labels_locators
    )
    items = request.items(sources, citations)
    where = [sources[i["id"]].where if i["id"] in sources else None for i in items]
    return Pending(markdown, items, hosts, len(citations), style, locale, groups, where)


_REFS_ERROR = re.compile(
    r"Error reading bibliography file \S*refs\.json: Error in \$\[(\d+)\](\S*): "
)


def _record_error(exc: pandoc.PandocError, where: Sequence[Location | None]) -> Exception:
    """A record Pandoc cannot read, located in the user's file (not the run's refs.json)."""
    text = " ".join(line.strip() for line in exc.lines)
    m = _REFS_ERROR.search(text)
    at = where[int(m[1])] if m and int(m[1]) < len(where) else None
    if m is None or at is None:
        return exc
    detail = text[m.end() :].strip()
    field = f" (at {m[2]})" if m[2] else ""
    message = f"Pandoc's citeproc cannot read this record{field}: {detail}"
    return InvalidInput([Problem(at, message)])


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_CITATION_ID = re.compile(r'"citationId":("(?:[^"\\]|\\.)*")')


def _too_deep(
    out: bytes, ids: Sequence[str], where: Sequence[Location | None], style: Style
) -> Exception:
    """Pandoc's result nests deeper than Python reads JSON: text in a record (or in the
    brief's citation) nests markup or quotation marks hundreds deep. Located at the records
    of the citation, or the bibliography entry, where it does."""
    text = out.decode("utf-8", "replace")
    depth = deepest = at = 0
    for m in _JSON_TOKEN.finditer(text):
        if m[0] in "[{":
            depth += 1
            if depth > deepest:
                deepest, at = depth, m.start()
        elif m[0] in "]}":
            depth -= 1
    cite, entry = text.rfind('{"t":"Cite"', 0, at), text.rfind('"ref-', 0, at)
    if entry > cite:
        named = re.match(r'"ref-((?:[^"\\]|\\.)*)"', text[entry:])
        keys = [json.loads(f'"{named[1]}"')] if named else []
    else:
        keys = [json.loads(k) for k in _CITATION_ID.findall(text, max(cite, 0), at)]
    message = (
        "its text nests markup or quotation marks too deep: Pandoc's formatted citation is "
        f"{deepest:,} levels deep, and counterpoint reads a few hundred at most"
    )
    located = [where[ids.index(k)] for k in dict.fromkeys(keys) if k in ids]
    problems = [Problem(w, message) for w in located if w is not None]
    if problems:
        return InvalidInput(problems)
    return BuildError(
        f"{style.what}: Pandoc's formatted citations nest {deepest:,} levels deep (markup or "
        "quotation marks in a citation or a record), and counterpoint reads a few hundred at most"
    )


def _cache_folder() -> Path:
    return Path(usercache.user_cache_dir("citeproc"))
