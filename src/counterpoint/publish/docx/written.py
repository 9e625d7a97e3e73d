"""Every .docx counterpoint writes, checked after Pandoc by the Word policy: what is found
is removed with a warning or refused, and the cleaned file must pass the checks again."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterable
from typing import Any

from counterpoint.errors import BuildError
from counterpoint.publish.docx.clean import (
    Report,
    clean_xml,
    misused_links,
    refuse_active,
    say_dropped,
)
from counterpoint.publish.docx.package import (
    SECURITY,
    Package,
    Rel,
    read_rels,
    resolve_target,
    serialize,
    short,
)
from counterpoint.publish.docx.policy import LOADING_TYPES, image_kind, web_link

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
                    f"removed the link to {short(rel.target)}, keeping its text: the Word "
                    "edition links only to http:, https: and mailto: addresses (see docs/word.md)",
                )
            elif rel.external or rel.kind in LOADING_TYPES:
                say_dropped(rel, source or name, report)
            elif resolve_target(source, rel.target) in removed:
                report.warn(
                    source,
                    f"removed the image {short(rel.target)}: a .docx may hold PNG, JPEG and GIF "
                    "images and the figures counterpoint draws",
                )
            else:
                continue
            dropped[rel.id] = rel
            root.remove(rel.element)
        if dropped:
            dropped_by_part[source] = dropped
            changed[name] = serialize(root)
    for name in pkg.names:
        if not name.endswith(".xml"):
            continue
        root = roots[name] if name in roots else pkg.xml(name)
        if name == "[Content_Types].xml":
            gone = [el for el in root if (el.get("PartName") or "").lstrip("/") in removed]
            for el in gone:
                root.remove(el)
            if gone:
                changed[name] = serialize(root)
        elif clean_xml(root, name, dropped_by_part.get(name, {}), report):
            changed[name] = serialize(root)
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
