"""A .docx opened under the zip limits: members read through capped streams, parts parsed
as XML without DTDs, entities or network, relationships read with their targets' kind."""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lxml import etree

from counterpoint.errors import BuildError
from counterpoint.process.limits import (
    MAX_DOCX_MEMBERS,
    MAX_DOCX_PART_BYTES,
    MAX_DOCX_RATIO,
    MAX_DOCX_UNPACKED,
)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
VML = "urn:schemas-microsoft-com:vml"
OFFICE = "urn:schemas-microsoft-com:office:office"
APP = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
SCHEMA_LIBRARY = "http://schemas.openxmlformats.org/schemaLibrary/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"

RATIO_FLOOR = 1024 * 1024
"""The compression ratio is checked on members that unpack to more than this (a small
part of repeated XML can compress very well and still cost nothing)."""

SECURITY = "(see docs/security.md)"


ZIP_ERRORS = (
    zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError,
    NotImplementedError, RuntimeError, struct.error, KeyError, IndexError, UnicodeError,
)  # fmt: skip
"""What zipfile raises on a damaged or made-up zip (a bad version, a negative seek...)."""


# -- limits and streams -----------------------------------------------------------------------
class _Budget:
    """The bytes a package may still unpack (MAX_DOCX_UNPACKED in all)."""

    def __init__(self, total: int) -> None:
        self.left = total


class _Capped:
    """A member's stream that stops with an error at `cap` bytes (or the budget)."""

    def __init__(self, stream: Any, cap: int, budget: _Budget, fail: Callable[[str], Exception]):
        self.stream, self.cap, self.budget, self.fail = stream, cap, budget, fail
        self.read_so_far = 0

    def read(self, size: int = -1) -> bytes:
        size = 64 * 1024 if size is None or size < 0 else min(size, 64 * 1024)
        data = self.stream.read(size)
        self.read_so_far += len(data)
        self.budget.left -= len(data)
        if self.read_so_far > self.cap:
            raise self.fail(f"unpacks to more than {self.cap:,} bytes, the limit for one part")
        if self.budget.left < 0:
            raise self.fail(f"the package unpacks to more than {MAX_DOCX_UNPACKED:,} bytes")
        return data


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@dataclass
class Rel:
    """One relationship of a part."""

    id: str
    type: str
    target: str
    external: bool
    element: Any

    @property
    def kind(self) -> str:
        """The type's last segment, lowercased ("attachedtemplate", "image")."""
        return self.type.rstrip("/").rsplit("/", 1)[-1].lower()

    @property
    def type_name(self) -> str:
        return self.type.rstrip("/").rsplit("/", 1)[-1]


def rels_path(part: str) -> str:
    """The relationships part of a part: word/header1.xml -> word/_rels/header1.xml.rels."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve_target(part: str, target: str) -> str:
    """An internal target as a part name (relative to the part's folder, or from the root)."""
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))


def short(text: str, limit: int = 120) -> str:
    """Text from a Word file as a message shows it: one line, at most `limit` characters,
    control and format characters (an escape sequence, a bidi override) as \\uXXXX."""
    text = " ".join(text.split())
    text = text if len(text) <= limit else text[: limit - 3] + "..."
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)


# -- the package ----------------------------------------------------------------------------
class Package:
    """A .docx opened under the limits: members are read only through capped streams."""

    def __init__(self, data: bytes, label: str, limits: bool = True) -> None:
        self.label, self.limits = label, limits
        self.budget = _Budget(MAX_DOCX_UNPACKED if limits else 1 << 62)
        _check_end_record(data, label, limits)
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
        except ZIP_ERRORS as exc:
            raise BuildError(f"{label}: not a Word file (.docx): {short(str(exc))}") from None
        self.infos = self.zip.infolist()
        self.names: dict[str, zipfile.ZipInfo] = {}
        self._check_members()

    def error(self, message: str, part: str = "") -> BuildError:
        where = f"{self.label}: {short(part, 200)}: " if part else f"{self.label}: "
        return BuildError(where + message)

    def _check_members(self) -> None:
        if len(self.infos) > MAX_DOCX_MEMBERS:
            raise self.error(
                f"{len(self.infos):,} parts is over the limit of {MAX_DOCX_MEMBERS:,} for a "
                f"Word file {SECURITY}"
            )
        seen: set[str] = set()
        total = 0
        for info in self.infos:
            name = info.filename
            parts = name.split("/")
            if (
                not name or name.startswith("/") or "\\" in name or "\0" in name
                or any(p in ("", ".", "..") for p in parts[:-1]) or parts[-1] in (".", "..")
            ):  # fmt: skip
                raise self.error(f"part name {short(repr(name))} leaves the package {SECURITY}")
            if name.lower() in seen:  # part names are compared without case (OPC)
                raise self.error(
                    "the package holds two parts of this name; readers would disagree on "
                    f"which is meant {SECURITY}",
                    name,
                )
            seen.add(name.lower())
            if info.flag_bits & 0x1:
                raise self.error(
                    f"an encrypted part; a Word file is not encrypted {SECURITY}", name
                )
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise self.error(
                    f"compressed with method {info.compress_type}; Word files use deflate "
                    f"{SECURITY}",
                    name,
                )
            if self.limits and info.file_size > RATIO_FLOOR:
                ratio = info.file_size / max(info.compress_size, 1)
                if ratio > MAX_DOCX_RATIO:
                    raise self.error(
                        f"unpacks {ratio:,.0f} times its packed size ({info.file_size:,} "
                        f"bytes); the limit is {MAX_DOCX_RATIO} (a zip bomb?) {SECURITY}",
                        name,
                    )
            total += info.file_size
            if not name.endswith("/"):
                self.names[name] = info
        if self.limits and total > MAX_DOCX_UNPACKED:
            raise self.error(
                f"unpacks to {total:,} bytes, over the limit of {MAX_DOCX_UNPACKED:,} for a "
                f"Word file {SECURITY}"
            )

    def has(self, name: str) -> bool:
        return name in self.names

    def stream(self, name: str, cap: int) -> _Capped:
        """A member's bytes as a stream that stops at `cap` (and at the package's budget)."""
        try:
            raw = self.zip.open(self.names[name])
        except ZIP_ERRORS as exc:
            raise self.error(f"cannot be read: {short(str(exc))}", name) from None
        return _Capped(raw, cap, self.budget, lambda message: self.error(message, name))

    def read(self, name: str, cap: int | None = None) -> bytes:
        """A member's bytes, read through a capped stream."""
        if cap is None:
            cap = MAX_DOCX_PART_BYTES if self.limits else 1 << 62
        stream = self.stream(name, cap)
        chunks = []
        try:
            while chunk := stream.read(64 * 1024):
                chunks.append(chunk)
        except ZIP_ERRORS as exc:
            raise self.error(f"damaged: {short(str(exc))}", name) from None
        return b"".join(chunks)

    def xml(self, name: str) -> Any:
        """A part's XML root, parsed without DTDs, entities or network."""
        return parse_xml(self.read(name), lambda m: self.error(m, name))

    def rels(self, part: str) -> list[Rel]:
        """The relationships of `part` ([] when it has none)."""
        path = rels_path(part)
        if not self.has(path):
            return []
        return read_rels(self.xml(path))

    def content_types(self) -> list[tuple[str, str]]:
        """(part name or extension, content type) of [Content_Types].xml."""
        if not self.has("[Content_Types].xml"):
            return []
        root = self.xml("[Content_Types].xml")
        out = []
        for el in root:
            what = el.get("PartName") or el.get("Extension") or ""
            out.append((what, el.get("ContentType") or ""))
        return out


def _check_end_record(data: bytes, label: str, limits: bool) -> None:
    """Refuse a zip whose central directory lists too many members, before zipfile reads it."""
    tail = data[-(65536 + 22) :]
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        raise BuildError(f"{label}: not a Word file (.docx): no zip directory")
    count = int.from_bytes(tail[at + 10 : at + 12], "little")
    size = int.from_bytes(tail[at + 12 : at + 16], "little")
    if limits and (count > MAX_DOCX_MEMBERS or size > MAX_DOCX_MEMBERS * 1024):
        raise BuildError(
            f"{label}: its zip directory lists {count:,} parts in {size:,} bytes, over the "
            f"limit of {MAX_DOCX_MEMBERS:,} parts for a Word file {SECURITY}"
        )


def parse_xml(data: bytes, fail: Callable[[str], Exception]) -> Any:
    """An XML part's root; a DTD (which OOXML never has) or bad XML is refused."""
    if b"<!DOCTYPE" in data or "<!DOCTYPE".encode("utf-16-le") in data:
        raise fail(f"a DTD (<!DOCTYPE>); the parts of a Word file have none {SECURITY}")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        raise fail(f"line {line}, column {column}: not well-formed XML: {exc.msg}") from None
    if root.getroottree().docinfo.doctype:
        raise fail(f"a DTD (<!DOCTYPE>); the parts of a Word file have none {SECURITY}")
    return root


def read_rels(root: Any) -> list[Rel]:
    """A relationships part's relationships. One is external unless it says Internal (or
    nothing) and its target is a relative reference: an "internal" target with a scheme,
    or starting with // or \\, is an address all the same."""
    out = []
    for el in root.iter(f"{{{PKG_RELS}}}Relationship"):
        target = el.get("Target") or ""
        mode = (el.get("TargetMode") or "").strip().lower()
        external = mode not in ("", "internal") or bool(
            re.match(r"\s*(?:[A-Za-z][A-Za-z0-9+.-]*:|//|\\\\|/\\|\\/)", target)
        )
        out.append(Rel(el.get("Id") or "", el.get("Type") or "", target, external, el))
    return out


def serialize(root: Any) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))
