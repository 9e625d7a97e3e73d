"""Stage 1, load: read a YAML file into a node tree that keeps every line and column.

Everything here treats the file as hostile: it is read only if it is a regular file no
larger than `MAX_FILE_BYTES`, and a first streaming pass over libyaml's events refuses
aliases ("billion laughs"), deep nesting and huge node counts before any tree is built.
"""

from __future__ import annotations

import bisect
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from counterpoint.errors import InvalidInput, Location, Problem
from counterpoint.process.limits import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES, MAX_PROBLEMS

try:  # libyaml keeps node marks and is ~14x faster than the pure-Python loader
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}

ALIAS_MESSAGE = (
    "this value is repeated through a YAML alias (*{name}); "
    "anchors and aliases are not allowed, write the value out"
)


@dataclass
class Source:
    """The text of one loaded file, for mapping offsets back to lines and columns."""

    path: Path
    text: str
    _line_starts: list[int] = field(default_factory=list, init=False, repr=False, compare=False)

    def location(self, index: int) -> Location:
        """The 1-based line and column of a character offset in the file."""
        if not self._line_starts:
            starts = [0]
            find = self.text.find
            i = find("\n")
            while i >= 0:
                starts.append(i + 1)
                i = find("\n", i + 1)
            self._line_starts = starts
        index = max(0, min(index, len(self.text)))
        line = bisect.bisect_right(self._line_starts, index)
        return Location(str(self.path), line, index - self._line_starts[line - 1] + 1)


@dataclass
class Document:
    """A parsed file: its source text and the root YAML node (None for an empty file)."""

    source: Source
    root: yaml.Node | None

    def at(self, node: yaml.Node | None) -> Location:
        """Where a node starts; the file itself when there is no node (an empty file)."""
        if node is None:
            return Location(str(self.source.path))
        mark = node.start_mark
        return Location(str(self.source.path), mark.line + 1, mark.column + 1)


def read_text(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a user file as UTF-8 (a BOM is allowed, CRLF becomes LF), or raise InvalidInput.

    Only regular files are read (a FIFO or /dev/zero would block or never end), and never
    more than `max_bytes` + 1 bytes, whatever the file claims its size is.
    """
    where = Location(str(path))
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise InvalidInput([Problem(where, "is a folder, expected a YAML file")])
        if not stat.S_ISREG(info.st_mode):
            raise InvalidInput([Problem(where, "is not a regular file, expected a YAML file")])
        if info.st_size > max_bytes:
            raise InvalidInput([Problem(where, _too_big(info.st_size, max_bytes))])
        with open(path, "rb") as f:
            data = f.read(max_bytes + 1)
    except FileNotFoundError:
        raise InvalidInput([Problem(where, "no such file")]) from None
    except IsADirectoryError:
        raise InvalidInput([Problem(where, "is a folder, expected a YAML file")]) from None
    except OSError as exc:
        raise InvalidInput([Problem(where, f"cannot be read: {exc.strerror}")]) from None
    if len(data) > max_bytes:  # the file grew after stat()
        raise InvalidInput([Problem(where, _too_big(len(data), max_bytes, "over "))])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InvalidInput(
            [
                Problem(
                    Location(str(path), line, col),
                    f"is not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
                )
            ]
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _too_big(size: int, limit: int, prefix: str = "") -> str:
    return f"file is {prefix}{size:,} bytes; the limit is {limit:,} bytes"


def load(path: str | Path) -> Document:
    """Parse one YAML file; structural problems (syntax, aliases, duplicate keys) raise."""
    path = Path(path)
    return parse(path, read_text(path))


def parse(path: Path, text: str) -> Document:
    """Parse YAML (or JSON) text that `path` holds or stands for, with the checks of load."""
    source = Source(path, text)
    try:
        _prescan(path, text)
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(str(path), mark.line + 1, mark.column + 1) if mark else Location(str(path))
        what = exc.problem or exc.context or "invalid YAML"
        raise InvalidInput([Problem(where, f"YAML syntax error: {what}")]) from None
    except yaml.reader.ReaderError as exc:  # a control character written as it is (NUL...)
        ch = exc.character if isinstance(exc.character, str) else chr(exc.character)
        where = source.location(exc.position)
        raise InvalidInput([Problem(where, _control_message(ch))]) from None
    except yaml.YAMLError as exc:
        raise InvalidInput([Problem(Location(str(path)), f"YAML error: {exc}")]) from None
    doc = Document(source, root)
    if root is not None:
        _check_structure(doc, root)
    return doc


def _prescan(path: Path, text: str) -> None:
    """Stream libyaml's events once and stop at the first alias, or too much nesting or values.

    Nothing is built here, so memory stays flat and a hostile file costs at most one parse up
    to the point where it is refused: a "billion laughs" file stops at its first alias.
    """
    anchors: dict[str, tuple[int, int]] = {}  # name -> (line, column), from 1
    depth = count = index = 0
    events = yaml.parse(text, Loader=_Loader)
    while True:
        try:
            event = next(events, None)
        except yaml.MarkedYAMLError as exc:
            if "nesting depth" in str(exc.problem):
                # libyaml's scanner has a nesting limit of its own (1,000 in PyYAML 6.0.4),
                # met while it looks ahead, before the parser hands us the events counted here
                raise InvalidInput([_too_deep(path, text, index, depth)]) from None
            raise
        if event is None:
            break
        # the parser marks every event it emits; the stubs allow None for hand-made ones
        start, end = event.start_mark, event.end_mark
        assert start is not None and end is not None
        index = end.index
        if isinstance(event, yaml.AliasEvent):
            line, column = anchors.get(event.anchor or "", (start.line + 1, start.column + 1))
            where = Location(str(path), line, column)
            raise InvalidInput([Problem(where, ALIAS_MESSAGE.format(name=event.anchor))])
        if not isinstance(event, yaml.NodeEvent):
            if isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            continue
        count += 1
        if event.anchor is not None:
            anchors.setdefault(event.anchor, (start.line + 1, start.column + 1))
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                where = Location(str(path), start.line + 1, start.column + 1)
                raise InvalidInput([Problem(where, TOO_DEEP)])
        if count > MAX_NODES:
            where = Location(str(path), start.line + 1, start.column + 1)
            message = f"the file has more than {MAX_NODES:,} YAML values; refusing"
            raise InvalidInput([Problem(where, message)])


# C0 and C1 controls but tab and line feed (CR is gone by now), and the bidi embeddings
# and overrides, which make text display differently from its order in the file
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]")
_ISOLATES = re.compile("[\u2066-\u2069]")
_CONTROL_NAMES = {"\x00": "NUL", "\x1b": "ESCAPE", "\x7f": "DELETE"}


def _check_characters(doc: Document, node: yaml.ScalarNode, problems: list[Problem]) -> None:
    """Refuse control characters and bidi overrides in a value (NUL, U+202E...), located at
    the character itself when the file holds it as written (not as a YAML escape)."""
    value = node.value
    bad = _FORBIDDEN.search(value)
    if bad is None and _ISOLATES.search(value):
        depth = 0
        for m in _ISOLATES.finditer(value):
            depth += -1 if m.group() == "\u2069" else 1
            if depth < 0:
                break
        if depth != 0:
            where = doc.at(node)
            problems.append(
                Problem(
                    where,
                    "unbalanced bidi isolate (U+2066-U+2069): every isolate must be closed "
                    "by U+2069 in the same value",
                )
            )
        return
    if bad is None:
        return
    ch = bad.group()
    raw = doc.source.text.find(ch, node.start_mark.index, node.end_mark.index)
    where = doc.source.location(raw) if raw >= 0 else doc.at(node)
    problems.append(Problem(where, _control_message(ch)))


def _control_message(ch: str) -> str:
    if "\u202a" <= ch <= "\u202e":
        return (
            f"bidi control U+{ord(ch):04X} ({unicodedata.name(ch)}) is not allowed: it makes "
            "text display in another order than it is written; remove it"
        )
    name = _CONTROL_NAMES.get(ch, "control character")
    return f"{name} U+{ord(ch):04X} is not allowed in text; remove it"


TOO_DEEP = f"values are nested more than {MAX_DEPTH} deep; refusing"


def _too_deep(path: Path, text: str, start: int, depth: int) -> Problem:
    """Our refusal for a file libyaml found too deeply nested, located at the flow bracket
    past MAX_DEPTH: from the last event (at `start`, `depth` deep) only flow brackets can
    nest before the next event."""
    quote = ""
    for i in range(start, len(text)):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                line = text.count("\n", 0, i) + 1
                column = i - (text.rfind("\n", 0, i) + 1) + 1
                return Problem(Location(str(path), line, column), TOO_DEEP)
        elif ch in "]}":
            depth -= 1
    return Problem(Location(str(path)), TOO_DEEP)


def _check_structure(doc: Document, root: yaml.Node) -> None:
    """Refuse unknown tags, duplicate keys and aliases (again), without recursion."""
    problems: list[Problem] = []
    seen: set[int] = set()
    stack = [root]
    while stack and len(problems) < MAX_PROBLEMS:
        node = stack.pop()
        if id(node) in seen:  # _prescan stops aliases first; this is a second line of defence
            problems.append(Problem(doc.at(node), ALIAS_MESSAGE.format(name="...")))
            continue
        seen.add(id(node))
        if node.tag not in STANDARD_TAGS:
            problems.append(
                Problem(doc.at(node), f"unsupported YAML tag {node.tag!r}; use plain values")
            )
            continue
        if isinstance(node, yaml.ScalarNode):
            _check_characters(doc, node, problems)
        elif isinstance(node, yaml.MappingNode):
            keys: dict[str, yaml.Node] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    _check_characters(doc, key, problems)
                if isinstance(key, yaml.ScalarNode) and key.tag in STANDARD_TAGS:
                    if key.value in keys:
                        first = doc.at(keys[key.value])
                        problems.append(
                            Problem(
                                doc.at(key),
                                f"duplicate key '{key.value}' (first defined at line {first.line})",
                            )
                        )
                    keys[key.value] = key
                elif isinstance(key, yaml.ScalarNode):
                    problems.append(
                        Problem(doc.at(key), f"unsupported YAML tag {key.tag!r}; use plain values")
                    )
                else:
                    problems.append(Problem(doc.at(key), "a key must be a plain word"))
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    if problems:
        raise InvalidInput(problems)
