"""BibTeX and BibLaTeX files through Pandoc: converted to CSL JSON, placed back at their entries.

Pandoc converts a .bib file as it does for its own citations (cached in the user's cache);
each entry's line is found in the .bib text, so records, syntax errors and every problem in
the converted form are located at their entry in the file the writer edits.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from counterpoint.brief.load import Document, Source
from counterpoint.errors import InvalidInput, Location, Problem, display_path

_BIB_ENTRY = re.compile(
    r"(?:^|(?<=[})]))[ \t]*@[A-Za-z]+[ \t]*[{(][ \t]*([^,\s{}()]+)[ \t]*,", re.M
)
"""An entry's start: at the start of a line, or after the entry before it on the same line.
A key holds no brace or parenthesis: with them, each of 20,000 `@comment{}` on one line
read on to the line's end (200 KB took 42 s)."""
_PANDOC_ERROR = re.compile(r'Error at (?:".*?" )?\(line (\d+), column (\d+)\):\s*(.*)', re.S)


def read_bibtex(
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


Spans = tuple[list[int], list[tuple[int, str, int]]]
"""Each converted item's first line, and its last line, key and repeat (its nth entry)."""


def entry_spans(doc: Document) -> Spans:
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


def entry_at(
    spans: Spans, where: Location, lines: dict[str, list[Location]], path: Path
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
