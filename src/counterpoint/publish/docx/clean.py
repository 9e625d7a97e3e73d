"""Cleaning the parts of a .docx by the Word policy: active content refused, and fields,
links and elements that load something removed with a warning."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from counterpoint.errors import BuildError
from counterpoint.publish.docx.package import (
    OFFICE,
    SECURITY,
    VML,
    A,
    Package,
    R,
    Rel,
    W,
    read_rels,
    short,
)
from counterpoint.publish.docx.policy import (
    ACTIVEX_TYPES,
    ALWAYS_REMOVED,
    LOADING_TYPES,
    MACRO_TYPES,
    OLE_TYPES,
    REFERENCE_ELEMENTS,
    REFUSED_ELEMENTS,
    field_verdict,
    web_link,
)


@dataclass
class Report:
    """What cleaning found: warnings (what was removed), by the file they are about."""

    label: str
    warnings: list[str] = field(default_factory=list)
    labelled: Callable[[str], bool] = lambda part: True
    """Whether a warning about a part names the set file (parts Pandoc copied from it)."""

    def warn(self, part: str, message: str) -> None:
        part = short(part, 200)
        line = f"{self.label}: {part}: {message}" if self.labelled(part) else message
        if line not in self.warnings:
            self.warnings.append(line)

    def refuse(self, part: str, what: str) -> BuildError:
        return BuildError(
            f"{self.label}: {short(part, 200)}: {what}; a Word file counterpoint uses or "
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
            raise report.refuse(where, f"macros ({short(ctype)})")
        if every and "activex" in low:
            raise report.refuse(where, f"an ActiveX control ({short(ctype)})")
        if every and "oleobject" in low:
            raise report.refuse(where, f"an OLE object ({short(ctype)})")
    for name in pkg.names:
        if not name.endswith(".rels"):
            continue
        source = name.replace("_rels/", "")[: -len(".rels")]
        for rel in read_rels(pkg.xml(name)):
            if rel.kind in MACRO_TYPES:
                raise report.refuse(name, f"macros ({short(rel.type_name)} {short(rel.target)})")
            if used is not None and source not in used:
                continue
            if rel.kind in ACTIVEX_TYPES:
                raise report.refuse(name, f"an ActiveX control ({short(rel.target)})")
            if rel.kind in OLE_TYPES:
                raise report.refuse(name, f"an OLE object ({short(rel.target)})")


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
                    f"removed the link to {short(web[value].target)}: <{shown}> names it, "
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
                    report.warn(part, f"removed a link to {short(value)} ({local} of a shape)")
                    del el.attrib[name]
                    changed = True
        # fields
        if tag == W_FLDSIMPLE:
            verdict = field_verdict(el.get(f"{{{W}}}instr") or "")
            shown = short(el.get(f"{{{W}}}instr") or "")
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
        verdict = field_verdict(instruction)
        shown = short(instruction.replace("\0", "{...}"))
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


def say_dropped(rel: Rel, part: str, report: Report) -> None:
    """Warn of a removed relationship: an external one, or one Word follows to load something."""
    if rel.external:
        report.warn(
            part,
            f"removed an external relationship to {short(rel.target)} ({short(rel.type_name)})",
        )
    elif rel.kind in LOADING_TYPES:
        report.warn(part, f"removed a relationship to {short(rel.target)} ({short(rel.type_name)})")
