"""Stage 1, load: read a YAML file into a node tree that keeps every line and column."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import InvalidInput, Location, Problem

try:  # libyaml keeps node marks and is ~14x faster than the pure-Python loader
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_FILE_BYTES = 5 * 1024 * 1024
"""Files larger than this are refused before parsing (a brief is a few dozen KB)."""

MAX_NODES = 500_000
"""More YAML nodes than this in one file is refused (bounded work and memory)."""

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


@dataclass
class Source:
    """The text of one loaded file, for mapping offsets back to lines and columns."""

    path: Path
    text: str

    def location(self, index: int) -> Location:
        """The 1-based line and column of a character offset in the file."""
        index = max(0, min(index, len(self.text)))
        line = self.text.count("\n", 0, index) + 1
        col = index - (self.text.rfind("\n", 0, index) + 1) + 1
        return Location(str(self.path), line, col)


@dataclass
class Document:
    """A parsed file: its source text and the root YAML node (None for an empty file)."""

    source: Source
    root: yaml.Node | None

    def at(self, node: yaml.Node) -> Location:
        """Where a node starts."""
        mark = node.start_mark
        return Location(str(self.source.path), mark.line + 1, mark.column + 1)


def read_text(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a user file as UTF-8 (a BOM is allowed, CRLF becomes LF), or raise InvalidInput."""
    where = Location(str(path))
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InvalidInput(
                [Problem(where, f"file is {size:,} bytes; the limit is {max_bytes:,} bytes")]
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput([Problem(where, "no such file")]) from None
    except IsADirectoryError:
        raise InvalidInput([Problem(where, "is a folder, expected a YAML file")]) from None
    except OSError as exc:
        raise InvalidInput([Problem(where, f"cannot be read: {exc.strerror}")]) from None
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


def load(path: str | Path) -> Document:
    """Parse one YAML file; structural problems (syntax, aliases, duplicate keys) raise."""
    path = Path(path)
    text = read_text(path)
    source = Source(path, text)
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(str(path), mark.line + 1, mark.column + 1) if mark else Location(str(path))
        what = exc.problem or exc.context or "invalid YAML"
        raise InvalidInput([Problem(where, f"YAML syntax error: {what}")]) from None
    except yaml.YAMLError as exc:
        raise InvalidInput([Problem(Location(str(path)), f"YAML error: {exc}")]) from None
    doc = Document(source, root)
    if root is not None:
        _check_structure(doc, root)
    return doc


def _check_structure(doc: Document, root: yaml.Node) -> None:
    """Refuse aliases, unknown tags and duplicate keys, without recursion."""
    problems: list[Problem] = []
    seen: set[int] = set()
    stack = [root]
    count = 0
    while stack:
        node = stack.pop()
        count += 1
        if count > MAX_NODES:
            problems.append(
                Problem(doc.at(root), f"has more than {MAX_NODES:,} YAML values; refusing")
            )
            break
        if id(node) in seen:
            problems.append(
                Problem(
                    doc.at(node),
                    "this value is repeated through a YAML alias (*name); "
                    "anchors and aliases are not allowed, write the value out",
                )
            )
            continue
        seen.add(id(node))
        if node.tag not in STANDARD_TAGS:
            problems.append(
                Problem(doc.at(node), f"unsupported YAML tag {node.tag!r}; use plain values")
            )
            continue
        if isinstance(node, yaml.MappingNode):
            keys: dict[str, yaml.Node] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in keys:
                        first = doc.at(keys[key.value])
                        problems.append(
                            Problem(
                                doc.at(key),
                                f"duplicate key '{key.value}' (first defined at line {first.line})",
                            )
                        )
                    keys[key.value] = key
                else:
                    problems.append(Problem(doc.at(key), "a key must be a plain word"))
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    if problems:
        raise InvalidInput(problems)
