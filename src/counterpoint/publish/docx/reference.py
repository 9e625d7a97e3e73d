"""A set's reference.docx cleaned into the parts Pandoc uses: its styles, settings, first
section, headers and footers and their images, as a new package."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lxml import etree

from counterpoint.process.limits import MAX_DOCX_UNPACKED
from counterpoint.publish.docx.clean import (
    Report,
    clean_xml,
    misused_links,
    refuse_active,
    say_dropped,
)
from counterpoint.publish.docx.package import (
    PKG_RELS,
    SECURITY,
    TYPES,
    ZIP_ERRORS,
    Package,
    R,
    Rel,
    W,
    read_rels,
    rels_path,
    resolve_target,
    serialize,
    short,
)
from counterpoint.publish.docx.policy import image_kind, web_link

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
            say_dropped(rel, "word/document.xml", report)
        elif rel.kind in HEADER_FOOTER:
            if not re.fullmatch(r"[A-Za-z0-9_.-]+\.xml", rel.target):
                raise pkg.error(
                    f"a {rel.kind} at {short(repr(rel.target))}, which is not a part in "
                    f"word/ {SECURITY}",
                    "word/_rels/document.xml.rels",
                )
            if "word/" + rel.target in (*KEPT_PARTS, "word/document.xml"):
                raise pkg.error(
                    f"a {rel.kind} at {short(repr(rel.target))}, a part Pandoc writes "
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
                    say_dropped(rel, source, report)

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
                target = resolve_target(part, rel.target)
                if not re.fullmatch(r"word/media/[A-Za-z0-9_.-]+", target) or not pkg.has(target):
                    report.warn(part, f"removed an image outside word/media ({short(rel.target)})")
                    dropped[rel.id] = rel
                    continue
                image = pkg.read(target)
                if not image_kind(image):
                    report.warn(
                        part,
                        f"removed the image {short(rel.target)}: images in a reference.docx "
                        "must be PNG, JPEG or GIF",
                    )
                    dropped[rel.id] = rel
                    continue
                media[target] = image
                kept.append(rel)
            elif keep_images and rel.external and rel.kind == "hyperlink" and web_link(rel.target):
                kept.append(rel)
            else:
                say_dropped(rel, part, report)
                dropped[rel.id] = rel
        misused = misused_links(root, part, [r for r in kept if r.external], report)
        kept = [r for r in kept if r.id not in misused]
        dropped.update(misused)
        changed = clean_xml(root, part, dropped, report)
        out[part] = serialize(root) if changed else pkg.read(part)
        overrides[part] = CONTENT_TYPES[kind or part]
        if kept:
            out[rels_path(part)] = _rels_xml([(r.id, r.type, r.target, r.external) for r in kept])
    out.update(media)
    out["[Content_Types].xml"] = _content_types(overrides)
    out["_rels/.rels"] = _rels_xml([("rId1", f"{R}/officeDocument", "word/document.xml")])
    return Reference(_zip(out), text_width(section), report.warnings, label)


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
        raise fail(f"damaged: {short(str(exc))}") from None
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
        return serialize(root)
    return serialize(section.getroottree().getroot())


def _rels_xml(rels: Iterable[tuple[Any, ...]]) -> bytes:
    root = etree.Element(f"{{{PKG_RELS}}}Relationships", nsmap={None: PKG_RELS})
    for rid, rtype, target, *external in rels:
        el = etree.SubElement(root, f"{{{PKG_RELS}}}Relationship")
        el.set("Id", rid)
        el.set("Type", rtype)
        el.set("Target", target)
        if external and external[0]:
            el.set("TargetMode", "External")
    return serialize(root)


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
    return serialize(root)


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in parts.items():
            entry = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            z.writestr(entry, data)
    return out.getvalue()
