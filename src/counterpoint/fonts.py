"""Glyph preflight: before the PDF is laid out, find characters no font of the CSS stack can draw.

WeasyPrint draws a missing glyph as an empty box and text extraction still shows the
character, so tofu is invisible to every later check; this one looks at the fonts' cmaps.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import html as html_lib
import json
import re
import subprocess
import unicodedata
from pathlib import Path

from .errors import Location

_QUOTED = re.compile(r"""["']([^"']+)["']""")
_STYLE = re.compile(r"<style\b.*?</style>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")


def stack_families(css: str) -> list[str]:
    """Quoted family names in `font-family` declarations and font custom properties."""
    names: list[str] = []
    for decl in re.findall(
        r"(?:font-family|--[\w-]*(?:serif|sans|mono|font)[\w-]*)\s*:([^;}]*)", css
    ):
        for name in _QUOTED.findall(decl):
            if name not in names:
                names.append(name)
    return names


@functools.cache
def fc_list() -> tuple[tuple[str, str, str], ...]:
    """(families, style, file) of every font fontconfig knows, from one `fc-list` run
    (about 12 ms), shared by the glyph preflight and the build cache's font fingerprint."""
    try:
        listing = subprocess.run(
            ["fc-list", "--format", "%{family}\t%{style}\t%{file}\n"],
            capture_output=True, text=True, timeout=20, check=False,
        ).stdout  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return ()
    rows = (tuple(line.split("\t")) for line in listing.splitlines())
    return tuple(r for r in rows if len(r) == 3)


@functools.cache
def _installed() -> dict[str, Path]:
    """Family name -> the file of its regular style, from fontconfig."""
    files: dict[str, tuple[int, Path]] = {}
    for families, style, file in fc_list():
        rank = 0 if re.search(r"\b(Regular|Book|Roman|Normal)\b", style) else 1
        for family in families.split(","):
            family = family.strip()
            if family and (family not in files or rank < files[family][0]):
                files[family] = (rank, Path(file))
    return {k: v[1] for k, v in files.items()}


def _cache_dir() -> Path:
    from .usercache import user_cache_dir

    return Path(user_cache_dir("cmaps"))


@functools.cache
def _ranges(path: Path) -> tuple[tuple[int, int], ...]:
    """The code points a font file maps, as sorted (first, last) ranges.

    Reading a CJK font's cmap with fontTools costs about 0.3 s and 60 MB, so the ranges are
    kept in the user's cache folder, keyed by the file's path, size and modification time.
    """
    try:
        st = path.stat()
    except OSError:
        return ()
    key = hashlib.sha256(f"{path}\0{st.st_size}\0{st.st_mtime_ns}".encode()).hexdigest()[:24]
    cached = _cache_dir() / f"{key}.json"
    try:
        return tuple((a, b) for a, b in json.loads(cached.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        pass
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(str(path), fontNumber=0, lazy=True)
        points = sorted(font.getBestCmap() or {})
    except Exception:  # an unreadable font covers nothing
        points = []
    ranges: list[list[int]] = []
    for cp in points:
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(json.dumps(ranges), encoding="utf-8")
    except OSError:  # a read-only home: just compute it next time
        pass
    return tuple((a, b) for a, b in ranges)


class Coverage:
    """Membership in the union of several fonts' code point ranges."""

    def __init__(self, fonts: list[tuple[tuple[int, int], ...]]):
        self.fonts = fonts
        self.starts = [[a for a, _ in r] for r in fonts]

    def __contains__(self, cp: object) -> bool:
        if not isinstance(cp, int):
            return False
        for ranges, starts in zip(self.fonts, self.starts, strict=True):
            i = bisect.bisect_right(starts, cp) - 1
            if i >= 0 and ranges[i][0] <= cp <= ranges[i][1]:
                return True
        return False


def coverage(families: list[str]) -> tuple[Coverage, list[str]]:
    """Code points drawable by the named families that are installed, and those families."""
    installed = _installed()
    found = [f for f in families if f in installed]
    return Coverage([_ranges(installed[f]) for f in found]), found


def _needs_glyph(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return not (ch.isspace() or cat in ("Cc", "Cf", "Zs", "Zl", "Zp", "Mn") or ch == "\u00ad")


def drawn_characters(html: str) -> set[str]:
    """The characters a reader sees in an HTML document (text, not markup or CSS)."""
    text = html_lib.unescape(_TAG.sub(" ", _STYLE.sub(" ", html)))
    return {ch for ch in set(text) if _needs_glyph(ch)}


def preflight(html: str, css: str, files: list[Path]) -> list[str]:
    """One message per character no font of the stack can draw, located in the user's files."""
    chars = drawn_characters(html)
    if all(ord(ch) < 0x250 for ch in chars):  # Latin: every stack font has it
        return []
    covered, found = coverage(stack_families(css))
    if not found:
        return []  # fontconfig unavailable: nothing to check against
    problems = []
    for ch in sorted(c for c in chars if ord(c) not in covered):
        where = "the template set"
        for path in files:
            try:
                text = path.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError):
                continue
            i = text.find(ch)
            if i >= 0:
                line = text.count("\n", 0, i) + 1
                col = i - (text.rfind("\n", 0, i) + 1) + 1
                where = str(Location(str(path), line, col))
                break
        name = unicodedata.name(ch, "unnamed character")
        problems.append(
            f"{where}: no font in the stack ({', '.join(found)}) can draw {ch!r} "
            f"(U+{ord(ch):04X} {name}); install a font that has it and add it to the CSS"
        )
    return problems
