"""Glyph preflight: before the PDF is laid out, find the scripts no installed font can draw.

WeasyPrint draws a missing glyph as an empty box and text extraction still shows the
character, so tofu is invisible to every later check. WeasyPrint (through Pango) takes a
character from the first font of the CSS stack that has it, and when none has, from
whichever font fontconfig finds with it: so a character is drawn when any font fontconfig
knows has it. The check reads every font's character set from one `fc-list` run (about
10 ms) and says once per script what is missing, with the Debian package that draws it.
"""

from __future__ import annotations

import bisect
import functools
import html as html_lib
import re
import subprocess
import unicodedata
from pathlib import Path

from counterpoint.errors import Location

_STYLE = re.compile(r"<style\b.*?</style>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")


@functools.cache
def _fontconfig() -> tuple[tuple[str, str, str, str], ...]:
    """(families, style, file, charset) of every font fontconfig knows, from one `fc-list`
    run (about 12 ms) that the glyph preflight and the build cache's fingerprint share."""
    try:
        listing = subprocess.run(
            ["fc-list", "--format", "%{family}\t%{style}\t%{file}\t%{charset}\n"],
            capture_output=True, text=True, timeout=20, check=False,
        ).stdout  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return ()
    rows = (tuple(line.split("\t")) for line in listing.splitlines())
    return tuple(r for r in rows if len(r) == 4)


def fc_list() -> tuple[tuple[str, str, str], ...]:
    """(families, style, file) of every font fontconfig knows."""
    return tuple((family, style, file) for family, style, file, _ in _fontconfig())


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


def _needs_glyph(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return not (ch.isspace() or cat in ("Cc", "Cf", "Zs", "Zl", "Zp", "Mn") or ch == "\u00ad")


def drawn_characters(html: str) -> set[str]:
    """The characters a reader sees in an HTML document (text, not markup or CSS)."""
    text = html_lib.unescape(_TAG.sub(" ", _STYLE.sub(" ", html)))
    return {ch for ch in set(text) if _needs_glyph(ch)}


SCRIPT_PACKAGES = {
    "Latin": "fonts-dejavu-core",
    "Greek": "fonts-dejavu-core",
    "Cyrillic": "fonts-dejavu-core",
    "Arabic": "fonts-hosny-amiri",
    "Han": "fonts-wqy-microhei",
    "Bopomofo": "fonts-wqy-microhei",
    "Hiragana": "fonts-ipaexfont-mincho",
    "Katakana": "fonts-ipaexfont-mincho",
    "Hangul": "fonts-nanum",
    "Devanagari": "fonts-lohit-deva",
    "Bengali": "fonts-lohit-beng-bengali",
    "Tamil": "fonts-lohit-taml",
    "Thai": "fonts-tlwg-norasi",
    "Hebrew": "fonts-liberation2",
    "Ethiopic": "fonts-sil-abyssinica",
    "Georgian": "fonts-bpg-georgian",
}
"""The Debian package `make` installs for each script it supports (README: Fonts)."""


@functools.cache
def fontconfig_coverage() -> Coverage | None:
    """Every code point some font fontconfig knows can draw (WeasyPrint's last fallback),
    from one `fc-list` run; None when fontconfig cannot be asked."""
    points: list[tuple[int, int]] = []
    for token in " ".join(charset for *_, charset in _fontconfig()).split():
        first, _, last = token.partition("-")
        try:
            points.append((int(first, 16), int(last or first, 16)))
        except ValueError:
            continue
    if not points:
        return None
    merged: list[tuple[int, int]] = []
    for a, b in sorted(points):
        if merged and a <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return Coverage([tuple(merged)])


def _script_names(chars: list[str]) -> dict[str, str]:
    """Each character's script by name ("Devanagari"); a character shared by scripts (the
    danda, the Arabic comma) goes with one of the others found, else "symbols"."""
    from fontTools import unicodedata as ucd

    def name(code: str) -> str:
        return str(ucd.script_name(code, default=code)).replace("_", " ")

    codes = {ch: ucd.script(ch) for ch in chars}
    own = {c for c in codes.values() if c not in _SHARED}
    out = {}
    for ch, code in codes.items():
        if code in _SHARED:
            shared = sorted(set(ucd.script_extension(ch)) & own)
            out[ch] = name(shared[0]) if shared else "symbols"
        else:
            out[ch] = name(code)
    return out


_SHARED = ("Zyyy", "Zinh", "Zzzz")
"""Common, Inherited and Unknown: characters of no one script."""


def _locate(ch: str, files: list[Path]) -> str:
    for path in files:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue
        i = text.find(ch)
        if i >= 0:
            line = text.count("\n", 0, i) + 1
            col = i - (text.rfind("\n", 0, i) + 1) + 1
            return str(Location(str(path), line, col))
    return "the template set"


def preflight(html: str, css: str, files: list[Path]) -> list[str]:
    """One message per script that no installed font can draw, located at its first
    character in the user's files and naming the Debian package that draws it.

    `css` is kept for callers that pass the page's style sheet: the fonts it names are
    among those fontconfig knows, and it falls back to any of them."""
    chars = drawn_characters(html)
    if all(ord(ch) < 0x250 for ch in chars):  # Latin: every font has it
        return []
    covered = fontconfig_coverage()
    if covered is None:
        return []  # fontconfig unavailable: nothing to check against
    missing: dict[str, list[str]] = {}
    lacking = sorted(c for c in chars if ord(c) not in covered)
    for ch, script in _script_names(lacking).items():
        missing.setdefault(script, []).append(ch)
    problems = []
    for script, found in missing.items():
        ch = found[0]
        package = SCRIPT_PACKAGES.get(script.replace(" ", "_"))
        install = (
            f"install Debian's {package} (`make` installs it)"
            if package
            else "install a font that has it (Debian's fonts-noto-core and fonts-noto-extra "
            "cover most scripts)"
        )
        what = "symbols" if script == "symbols" else f"the {script} script"
        more = len(found) - 1
        others = f" and {more} other character{'s' if more > 1 else ''}" if more else ""
        problems.append(
            f"{_locate(ch, files)}: no installed font draws {what} ({ch!r}, U+{ord(ch):04X} "
            f"{unicodedata.name(ch, 'unnamed character')}{others}): the PDF would show empty "
            f"boxes; {install}"
        )
    return problems
