"""The set's reference.docx as the Word edition reads it: found along the set's chain, read
as a set file under the size limit, cleaned; and a set file's name as messages show it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from counterpoint.errors import BuildError, display_path
from counterpoint.process.limits import MAX_SET_FILE_BYTES
from counterpoint.publish.docx.reference import Reference, clean_reference
from counterpoint.render.templates import TemplateSet, builtin_root

REFERENCE = "reference.docx"
"""The file a template set gives its Word styles in (Pandoc's --reference-doc)."""


def reference_doc(tset: TemplateSet) -> Path:
    """The first reference.docx along the set's chain (the set's own, else a parent's), else
    the base set's. Like any set file, it may be a link only to a file inside its set."""
    for s in tset.chain:
        path = s.folder / REFERENCE
        if not os.path.lexists(path):
            continue
        real = path.resolve()
        if not real.is_relative_to(s.folder.resolve()):
            raise BuildError(
                f"{set_file(path)} links to a file outside its template set; refusing "
                "(see docs/security.md)"
            )
        if real.is_dir():
            continue
        return path
    return builtin_root() / "base" / REFERENCE


def set_file(path: Path) -> str:
    """A set file's path as messages show it: the link's own name when it is a link."""
    return str(Path(display_path(path.parent), path.name))


def read_reference(path: Path) -> bytes:
    """A reference.docx's bytes: a regular file within the size limit of a set file, opened
    without following a link swapped in after the check."""
    label = set_file(path)
    try:
        fd = os.open(path.resolve(), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK)
    except OSError as exc:
        raise BuildError(f"{label}: cannot read: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise BuildError(f"{label} is not a regular file; refusing (see docs/security.md)")
        if info.st_size > MAX_SET_FILE_BYTES:
            raise BuildError(
                f"{label}: {info.st_size:,} bytes is over the limit of {MAX_SET_FILE_BYTES:,} "
                "bytes for a file in a template set"
            )
        return f.read(MAX_SET_FILE_BYTES + 1)[:MAX_SET_FILE_BYTES]


def clean_reference_doc(tset: TemplateSet) -> Reference:
    """The set's reference.docx, read under the limits and cleaned (publish/docx/reference.py)."""
    path = reference_doc(tset)
    return clean_reference(read_reference(path), set_file(path))
