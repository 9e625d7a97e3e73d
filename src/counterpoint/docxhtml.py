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

from . import pandoc
from .pandocast import _el

Block = dict[str, Any]


def blocks(html: str, figures: Path, what: str, warnings: list[str]) -> list[Block]:
    """The blocks of a fragment of HTML: its <h2> are Heading 1 (as a section's heading is
    in Word), `data-custom-style="NAME"` on a div or span is the Word style NAME, an
    `asset()` image (a data: URI) is a file beside the figures, and any other image is its
    text alternative (the Word edition fetches nothing)."""
    result = pandoc.run(
        ["-f", "html", "-t", "json", "--shift-heading-level-by=-1"],
        html.encode("utf-8"),
        what,
    )
    tree = json.loads(result.stdout)
    return [_walk(b, figures, what, warnings) for b in tree.get("blocks", [])]


def _walk(node: Any, figures: Path, what: str, warnings: list[str]) -> Any:
    if isinstance(node, list):
        return [_walk(n, figures, what, warnings) for n in node]
    if not isinstance(node, dict):
        return node
    if node.get("t") == "Image":
        attr, alt, (url, title) = node["c"]
        local = _data_image(url, figures)
        if local is None:
            message = f"{what}: image {url[:60]!r} left out (only asset() images reach Word)"
            if message not in warnings:
                warnings.append(message)
            return _el("Span", [["", [], []], _walk(alt, figures, what, warnings)])
        return _el("Image", [attr, _walk(alt, figures, what, warnings), [local, title]])
    return {k: _walk(v, figures, what, warnings) for k, v in node.items()}


def _data_image(url: str, figures: Path) -> str | None:
    """A data: URI's image written into the figures folder (Pandoc's resource path): its
    file name, or None for anything else."""
    if not url.startswith("data:") or ";base64," not in url:
        return None
    head, _, payload = url[5:].partition(";base64,")
    suffix = mimetypes.guess_extension(head.strip()) or ""
    if suffix not in (".png", ".jpg", ".jpeg", ".gif", ".svg"):
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
