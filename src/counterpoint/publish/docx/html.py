"""A template set's own HTML in the Word edition: a section the set adds, rendered by its
template and read by Pandoc's HTML reader, with `data-custom-style` naming Word styles."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import mimetypes
from collections.abc import Callable
from pathlib import Path
from typing import Any

from counterpoint.cite import pandocjson
from counterpoint.cite.pandocast import _attr, _el
from counterpoint.process import pandoc

Block = dict[str, Any]


def blocks(
    html: str,
    figures: Path,
    what: str,
    warnings: list[str],
    marking: str = "",
    byline: bool = False,
) -> list[Block]:
    """The blocks of a fragment of HTML: its <h2> are Heading 1 (as a section's heading is
    in Word), `data-custom-style="NAME"` on a div or span is the Word style NAME, an
    `asset()` image (a data: URI) is a file beside the figures, and any other image is its
    text alternative (the Word edition fetches nothing)."""
    result = pandoc.run(
        ["-f", "html", "-t", "json", "--shift-heading-level-by=-1"],
        _prepared(html, marking, byline).encode("utf-8"),
        what,
    )
    found = pandocjson.blocks(json.loads(result.stdout), what)
    return _flat([_walk(b, figures, what, warnings) for b in found])


def _prepared(html: str, marking: str, byline: bool = False) -> str:
    """The HTML as Pandoc's reader should see it: what Word shows in its own way left out
    (the title, subtitle, byline and marking, which are Word's title block and header; a
    note's anchor), and each element with a Word style (`data-custom-style`, or a class of
    the built-in markup in STYLES) in a div that carries it, since Pandoc keeps the
    attributes of divs and spans only."""
    import lxml.html

    root = lxml.html.fragment_fromstring(html, create_parent="div")
    styles = {**STYLES, "byline": "Author"} if byline else STYLES  # the set's own byline
    dropped = DROPPED - {"byline"} if byline else DROPPED
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        classes = set((el.get("class") or "").split())
        text = " ".join(el.text_content().split())
        if (
            el.tag == "h1"
            or classes & dropped
            or ("marking" in classes and marking and text == " ".join(marking.split()))
        ):
            el.drop_tree()
            continue
        style = el.get("data-custom-style") or next(
            (styles[c] for c in sorted(classes) if c in styles), None
        )
        if style and el.tag not in ("div", "span"):
            wrapper = lxml.html.Element("div")
            wrapper.set("data-custom-style", style)
            el.addprevious(wrapper)
            wrapper.append(el)  # moves it, with its tail: give the tail back
            wrapper.tail, el.tail = el.tail, None
        elif style:
            el.set("data-custom-style", style)
    return lxml.html.tostring(root, encoding="unicode")


def _flat(blocks: list[Block]) -> list[Block]:
    """Divs without a Word style unwrapped (a section, a view's article), their id on
    their first heading: Word's contents field and links find headings at the top."""
    out: list[Block] = []
    for b in blocks:
        div = pandocjson.div(b)
        if div is None or "custom-style" in div.attributes:
            out.append(b)
            continue
        inner = _flat(div.blocks)
        for i, child in enumerate(inner):
            match child:
                case {"t": "Header", "c": [int(level), ["", list(classes), list(kv)], list(text)]}:
                    if div.ident:
                        inner[i] = _el("Header", [level, _attr(div.ident, classes, kv), text])
                    break
                case {"t": "Header"}:
                    break
        out += inner
    return out


STYLES = {"thesis": "Thesis", "question": "Question", "estimate": "Estimate"}
"""Classes of the built-in markup and the Word styles the built-in sections give them."""

DROPPED = {"fn-anchor", "subtitle", "byline", "backref"}
"""Classes whose element the Word edition shows in its own way: a note's anchor (Word
numbers its notes), the subtitle and byline (Word's title block)."""


def _walk(node: Any, figures: Path, what: str, warnings: list[str]) -> Any:
    if isinstance(node, list):
        return [_walk(n, figures, what, warnings) for n in node]
    if not isinstance(node, dict):
        return node
    match node:
        case {"t": "Span", "c": [[str(), list(classes), list()], list(inner)]} if (
            "footnote" in classes
        ):  # a print note: a Word footnote
            return _el("Note", [_el("Para", _walk(inner, figures, what, warnings))])
        case {"t": "Image", "c": [list(attr), list(alt), [str(url), str(title)]]}:
            return _image(attr, alt, url, title, figures, what, warnings)
    return {k: _walk(v, figures, what, warnings) for k, v in node.items()}


def _image(
    attr: list[Any], alt: list[Any], url: str, title: str, figures: Path, what: str,
    warnings: list[str],
) -> Any:  # fmt: skip
    """An image: a file beside the figures for an asset() image, else its text alternative."""
    local = _data_image(url, figures)
    if local is None:
        message = f"{what}: image {url[:60]!r} left out (only asset() images reach Word)"
        if message not in warnings:
            warnings.append(message)
        return _el("Span", [_attr(), _walk(alt, figures, what, warnings)])
    return _el("Image", [attr, _walk(alt, figures, what, warnings), [local, title]])


def _data_image(url: str, figures: Path) -> str | None:
    """A data: URI's image written into the figures folder (Pandoc's resource path): its
    file name, or None for anything else."""
    if not url.startswith("data:") or ";base64," not in url:
        return None
    head, _, payload = url[5:].partition(";base64,")
    suffix = mimetypes.guess_extension(head.strip()) or ""
    if suffix not in (".png", ".jpg", ".jpeg", ".gif"):  # no SVG: it may fetch or script
        return None
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        return None
    name = f"asset-{hashlib.sha256(data).hexdigest()[:16]}{suffix}"
    (figures / name).write_bytes(data)
    return name


SectionBlocks = Callable[[str], list[Block]]
"""Blocks of a set's own section by name (docxsections.Sections calls it)."""
