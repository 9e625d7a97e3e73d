"""The Word package policy: a set's reference.docx is unpacked under limits and cleaned
before Pandoc sees it, and every .docx counterpoint writes is checked again after Pandoc.

A .docx is a zip of XML parts tied together by relationships. Word follows some of them
when it opens the file: an attached template, a linked image or frame, an INCLUDETEXT or
INCLUDEPICTURE field, a subdocument. Pandoc copies a reference.docx's styles, settings,
headers, footers, their relationships and its media into every .docx it writes, so a
set's reference.docx reaches every reader of every Word edition the set makes.

What each class of content gets (docs/security.md, "The Word edition"):

- refused, one line naming the file and the part: a package over the limits (members,
  unpacked bytes, compression ratio), a damaged or encrypted one, a part name that leaves
  the package or is given twice, a DTD in a part, and active content: macros (VBA, a
  macro-enabled type, macro key bindings, form-field macros), ActiveX controls, OLE
  objects, and DDE, DDEAUTO and MACROBUTTON fields. A style file has no use for code, and
  a file that carries it is not cleaned into one that is trusted.
- removed, with a warning naming the file and the part: every external relationship but
  a hyperlink to http:, https: or mailto: (an attached template, a linked image, a frame,
  a subdocument, a mail-merge source...), every field that is not on a short list of
  fields that only show the document's own facts (INCLUDEPICTURE, INCLUDETEXT, IMPORT,
  LINK, DATABASE, a HYPERLINK to anything else...), imported parts (altChunk), mail-merge
  settings, schema libraries, the base address for relative links, and images that are
  not PNG, JPEG or GIF. A removed field keeps its last result as plain text, as Word's
  "unlink field" does.

Only the parts Pandoc takes from a reference.docx are kept (its body is read no further
than its first section's properties, as a stream); every member is read through a stream
with a byte cap, so a zip bomb costs what the cap allows and no more.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
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

WEB_SCHEMES = ("http:", "https:", "mailto:")
"""The only addresses a .docx may link to (a reader has to click them; nothing loads them)."""

SAFE_FIELDS = frozenset(
    {"PAGE", "NUMPAGES", "SECTIONPAGES", "SECTION", "TITLE", "SUBJECT", "AUTHOR", "KEYWORDS",
     "COMMENTS", "DOCPROPERTY", "DOCVARIABLE", "INFO", "TEMPLATE", "FILENAME", "FILESIZE",
     "LASTSAVEDBY", "USERNAME", "USERINITIALS", "USERADDRESS", "CREATEDATE", "SAVEDATE",
     "PRINTDATE", "DATE", "TIME", "EDITTIME", "REVNUM", "NUMWORDS", "NUMCHARS", "STYLEREF",
     "REF", "PAGEREF", "NOTEREF", "SEQ", "TOC", "TOA", "TC", "TA", "XE", "INDEX", "LISTNUM",
     "AUTONUM", "AUTONUMLGL", "AUTONUMOUT", "BIDIOUTLINE", "SYMBOL", "EQ", "ADVANCE", "QUOTE",
     "IF", "COMPARE", "SET", "=", "CITATION", "BIBLIOGRAPHY", "HYPERLINK", "FORMTEXT",
     "FORMCHECKBOX", "FORMDROPDOWN"}
)  # fmt: skip
"""Fields that show the document's own text and facts (and the reader's name, the file's
name and dates). Every other field is removed: those that include, import or link other
files or addresses (INCLUDEPICTURE, INCLUDETEXT, IMPORT, LINK, RD, DATABASE), insert
building blocks of a template (AUTOTEXT, GLOSSARY), prompt the reader (ASK, FILLIN), send
codes to the printer (PRINT), merge mail, and any Word may add later."""

RUNNING_FIELDS = frozenset({"DDE", "DDEAUTO", "MACROBUTTON"})
"""Fields that start a program or a macro: refused, not cleaned."""

LOADING_FIELDS = frozenset({"INCLUDEPICTURE", "INCLUDETEXT", "IMPORT", "LINK", "RD", "DATABASE"})

# relationship types, by the last segment of their URI
MACRO_TYPES = frozenset({"vbaproject", "wordvbadata", "attachedtoolbars", "vbaprojectsignature"})
ACTIVEX_TYPES = frozenset({"control", "activexcontrolbinary"})
OLE_TYPES = frozenset({"oleobject", "package"})
LOADING_TYPES = frozenset(
    {"attachedtemplate", "afchunk", "subdocument", "frame", "mailmergesource",
     "mailmergeheadersource", "recipientdata", "transform"}
)  # fmt: skip
"""Internal relationships Word follows to load or import something: removed, with a warning."""

HEADER_FOOTER = frozenset({"header", "footer"})
DOCUMENT_PARTS = {
    "styles": "styles.xml", "numbering": "numbering.xml", "settings": "settings.xml",
    "webSettings": "webSettings.xml", "fontTable": "fontTable.xml", "theme": "theme/theme1.xml",
    "footnotes": "footnotes.xml", "comments": "comments.xml",
}  # fmt: skip
"""The document's relationships a cleaned reference.docx keeps (Pandoc makes its own)."""

KEPT_PARTS = (
    "word/styles.xml", "word/numbering.xml", "word/settings.xml", "word/theme/theme1.xml",
    "word/fontTable.xml", "word/webSettings.xml", "word/footnotes.xml", "word/comments.xml",
    "docProps/app.xml",
)  # fmt: skip
"""The parts of a reference.docx Pandoc reads or copies, besides the first section's
properties in word/document.xml, the headers and footers and their images."""

_OXML = "application/vnd.openxmlformats-officedocument."
_WML = _OXML + "wordprocessingml."
CONTENT_TYPES = {
    "word/document.xml": _WML + "document.main+xml",
    "word/styles.xml": _WML + "styles+xml",
    "word/numbering.xml": _WML + "numbering+xml",
    "word/settings.xml": _WML + "settings+xml",
    "word/theme/theme1.xml": _OXML + "theme+xml",
    "word/fontTable.xml": _WML + "fontTable+xml",
    "word/webSettings.xml": _WML + "webSettings+xml",
    "word/footnotes.xml": _WML + "footnotes+xml",
    "word/comments.xml": _WML + "comments+xml",
    "docProps/app.xml": _OXML + "extended-properties+xml",
    "header": _WML + "header+xml",
    "footer": _WML + "footer+xml",
}

IMAGES = {"png": b"\x89PNG\r\n\x1a\n", "jpeg": b"\xff\xd8\xff", "gif": b"GIF8"}
"""The images a reference.docx may hold, by their first bytes."""

_POINTERS = (
    "attachedTemplate", "subDoc", "altChunk", "headerReference", "footerReference",
    "sourceFileName", "dataSource", "headerSource", "saveThroughXslt", "printerSettings",
    "embedRegular", "embedBold", "embedItalic", "embedBoldItalic",
)  # fmt: skip
SVG_BLIP = "{http://schemas.microsoft.com/office/drawing/2016/SVG/main}svgBlip"
REFERENCE_ELEMENTS = (
    frozenset(f"{{{W}}}{name}" for name in _POINTERS)
    | {f"{{{A}}}{name}" for name in ("hlinkClick", "hlinkHover", "videoFile", "audioFile")}
    | {SVG_BLIP}
)
"""Elements that exist only to point at a relationship: removed with a removed one."""

ALWAYS_REMOVED = {
    f"{{{W}}}attachedTemplate": "",
    f"{{{W}}}linkStyles": "",
    f"{{{W}}}altChunk": "",
    f"{{{W}}}subDoc": "",
    f"{{{W}}}frameset": "",
    f"{{{W}}}saveThroughXslt": "",
    f"{{{W}}}mailMerge": "mail-merge settings (a data source and its query)",
    f"{{{SCHEMA_LIBRARY}}}schemaLibrary": "a schema library (files Word may load)",
    f"{{{APP}}}HyperlinkBase": "the base address of relative links (HyperlinkBase)",
    f"{{{APP}}}HLinks": "",
}
"""Elements removed wherever they are; those with a text are said in a warning (the others
point at a relationship, whose removal is said)."""

REFUSED_ELEMENTS = {
    f"{{{W}}}control": "an ActiveX control",
    f"{{{OFFICE}}}OLEObject": "an OLE object",
    f"{{{W}}}objectEmbed": "an OLE object",
    f"{{{W}}}objectLink": "an OLE object",
    f"{{{W}}}entryMacro": "a macro run by a form field",
    f"{{{W}}}exitMacro": "a macro run by a form field",
}

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


def _resolve(part: str, target: str) -> str:
    """An internal target as a part name (relative to the part's folder, or from the root)."""
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))


def web_link(target: str) -> bool:
    """A link a .docx may hold: an http:, https: or mailto: address."""
    return target.strip().lower().startswith(WEB_SCHEMES)


def _short(text: str, limit: int = 120) -> str:
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
            raise BuildError(f"{label}: not a Word file (.docx): {_short(str(exc))}") from None
        self.infos = self.zip.infolist()
        self.names: dict[str, zipfile.ZipInfo] = {}
        self._check_members()

    def error(self, message: str, part: str = "") -> BuildError:
        where = f"{self.label}: {_short(part, 200)}: " if part else f"{self.label}: "
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
                raise self.error(f"part name {_short(repr(name))} leaves the package {SECURITY}")
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
            raise self.error(f"cannot be read: {_short(str(exc))}", name) from None
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
            raise self.error(f"damaged: {_short(str(exc))}", name) from None
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


def _serialize(root: Any) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


# -- what a package holds ------------------------------------------------------------------
@dataclass
class Report:
    """What cleaning found: warnings (what was removed), by the file they are about."""

    label: str
    warnings: list[str] = field(default_factory=list)
    labelled: Callable[[str], bool] = lambda part: True
    """Whether a warning about a part names the set file (parts Pandoc copied from it)."""

    def warn(self, part: str, message: str) -> None:
        part = _short(part, 200)
        line = f"{self.label}: {part}: {message}" if self.labelled(part) else message
        if line not in self.warnings:
            self.warnings.append(line)

    def refuse(self, part: str, what: str) -> BuildError:
        return BuildError(
            f"{self.label}: {_short(part, 200)}: {what}; a Word file counterpoint uses or "
            "writes holds no macros, ActiveX controls, OLE objects or fields that run programs "
            + SECURITY
        )


def refuse_active(pkg: Package, report: Report, used: set[str] | None = None) -> None:
    """Refuse macros anywhere in the package (part names, content types, relationship
    types), and ActiveX controls and OLE objects in the parts in `used` (every part when
    None): a reference.docx's body, which Pandoc never reads, may hold a chart's workbook."""
    every = used is None
    extensions = {name.rsplit(".", 1)[-1].lower() for name in pkg.names if "." in name}
    for name in pkg.names:
        low = name.lower()
        if low.rsplit("/", 1)[-1] in ("vbaproject.bin", "vbadata.xml", "attachedtoolbars.bin"):
            raise report.refuse(name, "macros (VBA)")
        if every and "/activex/" in low:
            raise report.refuse(name, "an ActiveX control")
        if every and "/embeddings/" in low:
            raise report.refuse(name, "an embedded OLE object or package")
    for what, ctype in pkg.content_types():
        low = ctype.lower()
        if not what.startswith("/") and what.lower() not in extensions:
            continue  # a Default for an extension no part has
        where = what.lstrip("/") if what.startswith("/") else "[Content_Types].xml"
        if "macroenabled" in low or "vbaproject" in low or "vbadata" in low:
            raise report.refuse(where, f"macros ({_short(ctype)})")
        if every and "activex" in low:
            raise report.refuse(where, f"an ActiveX control ({_short(ctype)})")
        if every and "oleobject" in low:
            raise report.refuse(where, f"an OLE object ({_short(ctype)})")
    for name in pkg.names:
        if not name.endswith(".rels"):
            continue
        source = name.replace("_rels/", "")[: -len(".rels")]
        for rel in read_rels(pkg.xml(name)):
            if rel.kind in MACRO_TYPES:
                raise report.refuse(name, f"macros ({_short(rel.type_name)} {_short(rel.target)})")
            if used is not None and source not in used:
                continue
            if rel.kind in ACTIVEX_TYPES:
                raise report.refuse(name, f"an ActiveX control ({_short(rel.target)})")
            if rel.kind in OLE_TYPES:
                raise report.refuse(name, f"an OLE object ({_short(rel.target)})")


def field_name(instruction: str) -> str:
    """A field's keyword ("INCLUDETEXT"), upper case; '' when it does not start with one
    (a keyword made by a nested field is not trusted)."""
    m = re.match(r"\s*([^\s\"\\\0]+)", instruction)
    return m[1].upper() if m else ""


def hyperlink_target(instruction: str) -> str:
    """The address of a HYPERLINK field: its first argument that is not a switch ('' when
    it only jumps to a place in the document, with \\l)."""
    tokens = re.findall(r'"[^"]*"|[^\s"]+', re.sub(r'^\s*[^\s"\\\0]+', "", instruction))
    skip = False
    for token in tokens:
        if skip:
            skip = False
            continue
        if token.startswith("\\"):
            skip = token[1:2].lower() in ("l", "o", "t") and len(token) == 2
            continue
        return token.strip('"').strip()
    return ""


def _field_verdict(instruction: str) -> str:
    """'' when a field may stay, 'refuse' for one that runs a program, else the removal's
    reason."""
    name = field_name(instruction)
    if name in RUNNING_FIELDS:
        return "refuse"
    if name == "HYPERLINK":
        target = hyperlink_target(instruction)
        if not target or web_link(target):
            return ""
        return "links to something other than an http:, https: or mailto: address"
    if name in SAFE_FIELDS:
        return ""
    if name in LOADING_FIELDS:
        return "loads a file or address"
    return "is not one counterpoint allows"


@dataclass
class _Field:
    begin: Any
    instruction: list[str] = field(default_factory=list)
    runs: list[Any] = field(default_factory=list)
    marks: list[Any] = field(default_factory=list)  # its fldChar and instrText elements
    result: bool = False


W_R, W_FLDCHAR, W_FLDSIMPLE = f"{{{W}}}r", f"{{{W}}}fldChar", f"{{{W}}}fldSimple"
W_INSTR = (f"{{{W}}}instrText", f"{{{W}}}delInstrText")
W_HYPERLINK = f"{{{W}}}hyperlink"


LINK_ELEMENTS = frozenset({W_HYPERLINK, f"{{{A}}}hlinkClick", f"{{{A}}}hlinkHover"})
"""The elements that may name a web link's relationship: a reader clicks them."""


def misused_links(root: Any, part: str, links: Iterable[Rel], report: Report) -> dict[str, Rel]:
    """The part's web links (`links`) that an element other than a link names: an image or
    a shape (`<a:blip r:link>`, `<v:imagedata r:id>`), which Word and LibreOffice load when
    the file is opened, whatever the relationship's type. Each is said in a warning."""
    web = {r.id: r for r in links}
    found: dict[str, Rel] = {}
    for el in root.iter():
        if not web or not isinstance(el.tag, str) or el.tag in LINK_ELEMENTS:
            continue
        for name, value in el.attrib.items():
            named = name.startswith(f"{{{R}}}") or name == f"{{{OFFICE}}}relid"  # VML's too
            if named and value in web and value not in found:
                found[value] = web[value]
                local = el.tag.rsplit("}", 1)[-1]
                shown = f"{el.prefix}:{local}" if el.prefix else local
                report.warn(
                    part,
                    f"removed the link to {_short(web[value].target)}: <{shown}> names it, "
                    "which would load it when the file is opened (a link is only ever clicked)",
                )
    return found


def clean_xml(root: Any, part: str, dropped: dict[str, Rel], report: Report) -> bool:
    """Clean one XML part in place; True when it changed. `dropped` are the part's
    relationships being removed (what points at them goes too)."""
    changed = False
    removals: list[Any] = []
    unwraps: list[Any] = []
    fields: list[_Field] = []
    open_fields: list[_Field] = []
    for el in root.iter():
        tag = el.tag
        if not isinstance(tag, str):
            continue
        if tag in REFUSED_ELEMENTS:
            raise report.refuse(part, REFUSED_ELEMENTS[tag])
        if tag in ALWAYS_REMOVED:
            if ALWAYS_REMOVED[tag]:
                report.warn(part, f"removed {ALWAYS_REMOVED[tag]}")
            removals.append(el)
            continue
        # references to removed relationships
        for name, value in list(el.attrib.items()):
            if name.startswith(f"{{{R}}}") and value in dropped:
                if tag in REFERENCE_ELEMENTS:
                    removals.append(el)
                elif tag == W_HYPERLINK:
                    unwraps.append(el)
                else:
                    del el.attrib[name]
                    changed = True
        if tag.startswith((f"{{{VML}}}", f"{{{OFFICE}}}")):
            for name, value in list(el.attrib.items()):
                local = name.rsplit("}", 1)[-1]
                if local in ("src", "althref") or (local == "href" and not web_link(value)):
                    report.warn(part, f"removed a link to {_short(value)} ({local} of a shape)")
                    del el.attrib[name]
                    changed = True
        # fields
        if tag == W_FLDSIMPLE:
            verdict = _field_verdict(el.get(f"{{{W}}}instr") or "")
            shown = _short(el.get(f"{{{W}}}instr") or "")
            if verdict == "refuse":
                raise report.refuse(part, f"a field that runs a program ({shown})")
            if verdict:
                report.warn(part, f"removed a field that {verdict}, keeping its text: {shown}")
                unwraps.append(el)
        elif tag == W_R:
            for f in open_fields:
                if not f.result:
                    f.runs.append(el)
        elif tag == W_FLDCHAR:
            kind = el.get(f"{{{W}}}fldCharType")
            if kind == "begin":
                if open_fields and not open_fields[-1].result:
                    open_fields[-1].instruction.append("\0")  # a field inside the instruction
                open_fields.append(_Field(el, marks=[el]))
            elif kind == "separate" and open_fields:
                open_fields[-1].result = True
                open_fields[-1].marks.append(el)
            elif kind == "end" and open_fields:
                f = open_fields.pop()
                f.marks.append(el)
                fields.append(f)
        elif tag in W_INSTR and open_fields and not open_fields[-1].result:
            open_fields[-1].instruction.append(el.text or "")
            open_fields[-1].marks.append(el)
        elif tag in W_INSTR:
            removals.append(el)  # an instruction outside any field's: no reader agrees on it
    fields += open_fields
    for f in fields:
        instruction = "".join(f.instruction)
        verdict = _field_verdict(instruction)
        shown = _short(instruction.replace("\0", "{...}"))
        if verdict == "refuse":
            raise report.refuse(part, f"a field that runs a program ({shown})")
        if verdict:
            report.warn(part, f"removed a field that {verdict}, keeping its text: {shown}")
            begin_run = f.begin.getparent()
            removals += [r for r in f.runs if r is not begin_run] + f.marks
    for el in unwraps:
        _unwrap(el)
        changed = True
    emptied = set()
    for el in removals:
        parent = el.getparent()
        if parent is not None:
            parent.remove(el)
            emptied.add(parent)
            changed = True
    for parent in emptied:
        _end_with_paragraph(parent)
    return changed


BLOCK_CONTAINERS = frozenset(
    f"{{{W}}}{name}"
    for name in ("hdr", "ftr", "tc", "footnote", "endnote", "comment", "txbxContent")
)
W_P = f"{{{W}}}p"


def _end_with_paragraph(el: Any) -> None:
    """A header, footer, table cell, note or text box left without a last paragraph by a
    removal (an imported part was its only content) gets an empty one, as Word needs."""
    if el.tag not in BLOCK_CONTAINERS:
        return
    blocks = [c for c in el if isinstance(c.tag, str) and not c.tag.endswith("}tcPr")]
    if not blocks or (el.tag == f"{{{W}}}tc" and blocks[-1].tag != W_P):
        etree.SubElement(el, W_P)


def _unwrap(el: Any) -> None:
    """Replace an element by its children (a link or a field becomes its text)."""
    parent = el.getparent()
    if parent is None:
        return
    at = parent.index(el)
    for child in list(el):
        parent.insert(at, child)
        at += 1
    parent.remove(el)  # lxml keeps the removed element's tail in place


def image_kind(data: bytes) -> str:
    """'png', 'jpeg' or 'gif' by the first bytes, else ''."""
    return next((k for k, magic in IMAGES.items() if data.startswith(magic)), "")


# -- the reference.docx -------------------------------------------------------------------------
@dataclass
class Reference:
    """A cleaned reference.docx: the package Pandoc is given, the text column's width,
    and what cleaning removed."""

    data: bytes
    width: str
    warnings: list[str]
    label: str
    """The set file, as messages name it."""


def clean_reference(data: bytes, label: str) -> Reference:
    """The parts of a set's reference.docx Pandoc uses, cleaned, as a new package."""
    pkg = Package(data, label)
    report = Report(label)
    out: dict[str, bytes] = {}
    overrides: dict[str, str] = {}

    # the document: its relationships to headers and footers, and its first section
    doc_rels = pkg.rels("word/document.xml")
    kept_doc_rels: list[Rel] = []
    parts: list[tuple[str, str]] = [(p, "") for p in KEPT_PARTS if pkg.has(p)]
    for rel in doc_rels:
        if rel.kind in HEADER_FOOTER and rel.external:
            _say_dropped(rel, "word/document.xml", report)
        elif rel.kind in HEADER_FOOTER:
            if not re.fullmatch(r"[A-Za-z0-9_.-]+\.xml", rel.target):
                raise pkg.error(
                    f"a {rel.kind} at {_short(repr(rel.target))}, which is not a part in "
                    f"word/ {SECURITY}",
                    "word/_rels/document.xml.rels",
                )
            if "word/" + rel.target in (*KEPT_PARTS, "word/document.xml"):
                raise pkg.error(
                    f"a {rel.kind} at {_short(repr(rel.target))}, a part Pandoc writes "
                    f"itself {SECURITY}",
                    "word/_rels/document.xml.rels",
                )
            if pkg.has("word/" + rel.target):
                kept_doc_rels.append(rel)
                parts.append(("word/" + rel.target, rel.kind))
    kept_ids = {r.id for r in kept_doc_rels}
    refuse_active(pkg, report, {p for p, _ in parts})
    section = first_section(pkg)
    if section is not None:
        dropped = {r.id: r for r in doc_rels if r.id not in kept_ids}
        for ref in section.iter(f"{{{W}}}headerReference", f"{{{W}}}footerReference"):
            rid = ref.get(f"{{{R}}}id") or ""
            if rid not in kept_ids:
                dropped.setdefault(rid, Rel(rid, "", "", False, None))
        clean_xml(section, "word/document.xml", dropped, report)
    out["word/document.xml"] = _document(section)
    overrides["word/document.xml"] = CONTENT_TYPES["word/document.xml"]
    rels = [(r.id, r.type, r.target) for r in kept_doc_rels]
    for kind, target in DOCUMENT_PARTS.items():
        if pkg.has("word/" + target):
            rels.append((f"rIdCounterpoint{kind}", f"{R}/{kind}", target))
    out["word/_rels/document.xml.rels"] = _rels_xml(rels)

    # every other relationships file Pandoc would copy: external ones are said
    for name in sorted(pkg.names):
        if re.fullmatch(r"word/_rels/[^/]+\.xml\.rels", name) and name not in (
            "word/_rels/document.xml.rels",
            "word/_rels/footnotes.xml.rels",
        ):
            source = "word/" + name[len("word/_rels/") : -len(".rels")]
            if not any(source == p for p, _ in parts):
                for rel in read_rels(pkg.xml(name)):
                    _say_dropped(rel, source, report)

    # the parts Pandoc uses, cleaned
    media: dict[str, bytes] = {}
    for part, kind in parts:
        root = pkg.xml(part)
        keep_images = kind in HEADER_FOOTER or part == "word/numbering.xml"
        own = pkg.rels(part) if part != "word/footnotes.xml" else []
        kept: list[Rel] = []
        dropped = {}
        for rel in own:
            if keep_images and not rel.external and rel.kind == "image":
                target = _resolve(part, rel.target)
                if not re.fullmatch(r"word/media/[A-Za-z0-9_.-]+", target) or not pkg.has(target):
                    report.warn(part, f"removed an image outside word/media ({_short(rel.target)})")
                    dropped[rel.id] = rel
                    continue
                image = pkg.read(target)
                if not image_kind(image):
                    report.warn(
                        part,
                        f"removed the image {_short(rel.target)}: images in a reference.docx "
                        "must be PNG, JPEG or GIF",
                    )
                    dropped[rel.id] = rel
                    continue
                media[target] = image
                kept.append(rel)
            elif keep_images and rel.external and rel.kind == "hyperlink" and web_link(rel.target):
                kept.append(rel)
            else:
                _say_dropped(rel, part, report)
                dropped[rel.id] = rel
        misused = misused_links(root, part, [r for r in kept if r.external], report)
        kept = [r for r in kept if r.id not in misused]
        dropped.update(misused)
        changed = clean_xml(root, part, dropped, report)
        out[part] = _serialize(root) if changed else pkg.read(part)
        overrides[part] = CONTENT_TYPES[kind or part]
        if kept:
            out[rels_path(part)] = _rels_xml([(r.id, r.type, r.target, r.external) for r in kept])
    out.update(media)
    out["[Content_Types].xml"] = _content_types(overrides)
    out["_rels/.rels"] = _rels_xml([("rId1", f"{R}/officeDocument", "word/document.xml")])
    return Reference(_zip(out), text_width(section), report.warnings, label)


def _say_dropped(rel: Rel, part: str, report: Report) -> None:
    if rel.external:
        report.warn(
            part,
            f"removed an external relationship to {_short(rel.target)} ({_short(rel.type_name)})",
        )
    elif rel.kind in LOADING_TYPES:
        report.warn(
            part, f"removed a relationship to {_short(rel.target)} ({_short(rel.type_name)})"
        )


def first_section(pkg: Package) -> Any:
    """The first section's properties (w:sectPr) of word/document.xml, which Pandoc takes
    the page from; read as a stream, the body before it forgotten as it goes."""
    if not pkg.has("word/document.xml"):
        return None
    cap = MAX_DOCX_UNPACKED
    stream = pkg.stream("word/document.xml", cap)
    fail = lambda m: pkg.error(m, "word/document.xml")  # noqa: E731
    events = etree.iterparse(
        stream, events=("start", "end"), resolve_entities=False, no_network=True,
        load_dtd=False, huge_tree=False,
    )  # fmt: skip
    checked, inside = False, 0
    try:
        for event, el in events:
            if not checked:
                checked = True
                if el.getroottree().docinfo.doctype:
                    raise fail(f"a DTD (<!DOCTYPE>); the parts of a Word file have none {SECURITY}")
            if el.tag == f"{{{W}}}sectPr":
                if event == "end":
                    return _copy(el)
                inside += 1
            elif event == "end" and not inside:
                el.clear(keep_tail=True)  # what came before the section: forgotten
                parent = el.getparent()
                while parent is not None and el.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        raise fail(f"line {line}, column {column}: not well-formed XML: {exc.msg}") from None
    except ZIP_ERRORS as exc:
        raise fail(f"damaged: {_short(str(exc))}") from None
    return None


def _copy(el: Any) -> Any:
    """A copy of a section under a w:document that declares its namespaces once (Pandoc
    copies the section's own declarations into the .docx it writes)."""
    root = etree.Element(f"{{{W}}}document", nsmap=el.nsmap)
    body = etree.SubElement(root, f"{{{W}}}body")

    def copy(src: Any, parent: Any) -> None:
        new = etree.SubElement(parent, src.tag, attrib=dict(src.attrib))
        new.text, new.tail = src.text, src.tail
        for child in src:
            if isinstance(child.tag, str):
                copy(child, new)

    copy(el, body)
    return body[0]


def text_width(section: Any) -> str:
    """The width of the text column of a section, as a Pandoc length ("17cm")."""
    if section is None:
        return "16cm"
    size = section.find(f"{{{W}}}pgSz")
    margins = section.find(f"{{{W}}}pgMar")
    try:
        width = int(size.get(f"{{{W}}}w")) if size is not None else None
        left = int((margins.get(f"{{{W}}}left") if margins is not None else None) or 1440)
        right = int((margins.get(f"{{{W}}}right") if margins is not None else None) or 1440)
    except (TypeError, ValueError):
        return "16cm"
    if width is None or margins is None:
        return "16cm"
    twips = width - left - right
    return f"{max(twips, 1440) / 567:.2f}cm"


def _document(section: Any) -> bytes:
    """A word/document.xml of the first section's properties alone."""
    if section is None:
        root = etree.Element(f"{{{W}}}document", nsmap={"w": W, "r": R})
        etree.SubElement(root, f"{{{W}}}body")
        return _serialize(root)
    return _serialize(section.getroottree().getroot())


def _rels_xml(rels: Iterable[tuple[Any, ...]]) -> bytes:
    root = etree.Element(f"{{{PKG_RELS}}}Relationships", nsmap={None: PKG_RELS})
    for rid, rtype, target, *external in rels:
        el = etree.SubElement(root, f"{{{PKG_RELS}}}Relationship")
        el.set("Id", rid)
        el.set("Type", rtype)
        el.set("Target", target)
        if external and external[0]:
            el.set("TargetMode", "External")
    return _serialize(root)


def _content_types(overrides: dict[str, str]) -> bytes:
    root = etree.Element(f"{{{TYPES}}}Types", nsmap={None: TYPES})
    for ext, ctype in (
        ("rels", "application/vnd.openxmlformats-package.relationships+xml"),
        ("xml", "application/xml"),
        ("png", "image/png"),
        ("jpeg", "image/jpeg"),
        ("jpg", "image/jpeg"),
        ("gif", "image/gif"),
    ):
        el = etree.SubElement(root, f"{{{TYPES}}}Default")
        el.set("Extension", ext)
        el.set("ContentType", ctype)
    for part, ctype in overrides.items():
        el = etree.SubElement(root, f"{{{TYPES}}}Override")
        el.set("PartName", "/" + part)
        el.set("ContentType", ctype)
    return _serialize(root)


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in parts.items():
            entry = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            z.writestr(entry, data)
    return out.getvalue()


# -- the .docx written ---------------------------------------------------------------------
BRIEF_PARTS = frozenset(
    {"word/document.xml", "word/footnotes.xml", "word/comments.xml", "docProps/core.xml",
     "docProps/custom.xml"}
)  # fmt: skip
"""Parts Pandoc writes from the brief; the others come from the reference.docx."""


def check_written(
    data: bytes, label: str, figures: Iterable[bytes] = ()
) -> tuple[bytes, list[str]]:
    """The .docx Pandoc wrote, after the same checks as a reference.docx: what is found
    is removed with a warning (the set file named for parts copied from it) or refused.
    `figures` are the images counterpoint drew (the only SVG a .docx may hold). The
    result must pass the checks again unchanged."""
    drawn = {hashlib.sha256(f).hexdigest() for f in figures}
    cleaned, warnings = _check_written(data, label, drawn)
    if cleaned is not data:
        again, more = _check_written(cleaned, label, drawn)
        if more or again is not cleaned:
            raise BuildError(
                f"{label}: the Word edition still holds what the Word policy removes after "
                f"it was cleaned; refusing {SECURITY}"
            )
    return cleaned, warnings


def _brief_part(part: str) -> bool:
    base = part
    if "/_rels/" in part:
        folder, name = part.split("/_rels/", 1)
        base = f"{folder}/{name[: -len('.rels')]}"
    return base in BRIEF_PARTS


def _check_written(data: bytes, label: str, drawn: set[str]) -> tuple[bytes, list[str]]:
    pkg = Package(data, label, limits=False)
    report = Report(label, labelled=lambda part: not _brief_part(part))
    refuse_active(pkg, report)
    changed: dict[str, bytes] = {}
    # files that are not XML: images of the three kinds, and the figures counterpoint drew
    removed: set[str] = set()
    for name in pkg.names:
        if name.endswith((".xml", ".rels")):
            continue
        image = pkg.read(name)
        if not image_kind(image) and hashlib.sha256(image).hexdigest() not in drawn:
            removed.add(name)
    dropped_by_part: dict[str, dict[str, Rel]] = {}
    roots: dict[str, Any] = {}  # the XML parts, parsed once
    for name in pkg.names:
        if not name.endswith(".rels"):
            continue
        root = pkg.xml(name)
        source = name.replace("_rels/", "")[: -len(".rels")] if name != "_rels/.rels" else ""
        dropped: dict[str, Rel] = {}
        own = read_rels(root)
        links = [r for r in own if r.external and r.kind == "hyperlink" and web_link(r.target)]
        misused: dict[str, Rel] = {}
        if links and source in pkg.names:
            roots[source] = pkg.xml(source)
            misused = misused_links(roots[source], source, links, report)
        for rel in own:
            if rel.id in misused:
                pass  # said by misused_links
            elif rel.external and rel.kind == "hyperlink" and web_link(rel.target):
                continue
            elif rel.external and rel.kind == "hyperlink" and _brief_part(name):
                report.warn(
                    name,
                    f"removed the link to {_short(rel.target)}, keeping its text: the Word "
                    "edition links only to http:, https: and mailto: addresses (see docs/word.md)",
                )
            elif rel.external or rel.kind in LOADING_TYPES:
                _say_dropped(rel, source or name, report)
            elif _resolve(source, rel.target) in removed:
                report.warn(
                    source,
                    f"removed the image {_short(rel.target)}: a .docx may hold PNG, JPEG and GIF "
                    "images and the figures counterpoint draws",
                )
            else:
                continue
            dropped[rel.id] = rel
            root.remove(rel.element)
        if dropped:
            dropped_by_part[source] = dropped
            changed[name] = _serialize(root)
    for name in pkg.names:
        if not name.endswith(".xml"):
            continue
        root = roots[name] if name in roots else pkg.xml(name)
        if name == "[Content_Types].xml":
            gone = [el for el in root if (el.get("PartName") or "").lstrip("/") in removed]
            for el in gone:
                root.remove(el)
            if gone:
                changed[name] = _serialize(root)
        elif clean_xml(root, name, dropped_by_part.get(name, {}), report):
            changed[name] = _serialize(root)
    if not changed and not removed:
        return data, report.warnings
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in pkg.infos:
            if info.filename in removed:
                continue
            content = changed.get(info.filename)
            if content is None:
                content = pkg.read(info.filename)
            entry = zipfile.ZipInfo(info.filename, info.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            z.writestr(entry, content)
    return out.getvalue(), report.warnings
