"""Where WeasyPrint's CSS messages and failures point in a template set's own files.

The print page holds the set's stylesheets one after another in one <style> element, each
headed `/* NAME */` (render/engine.py). WeasyPrint reports a line of that element ("Unsupported
@page selector ... at 257:1"); `Sheets` maps it back to the file, its line and the rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.S | re.I)
_AT = re.compile(r"\s+at (\d+):(\d+)")


@dataclass
class Sheet:
    """One of the set's stylesheets inside the page's <style> element."""

    path: str
    """The file, as a message shows it (display_path)."""
    first: int
    """The line of the <style> text that holds the file's first line (from 1)."""
    lines: list[str] = field(default_factory=list)


@dataclass
class Sheets:
    """The set's stylesheets of one print page, for locating what WeasyPrint says."""

    sheets: list[Sheet] = field(default_factory=list)

    @classmethod
    def of(cls, html: str, paths: dict[str, str]) -> Sheets:
        """The stylesheets of `html` whose header names a file in `paths` (stylesheet name
        -> the file's path as messages show it)."""
        match = _STYLE.search(html)
        if match is None or not paths:
            return cls()
        text = match.group(1).split("\n")
        sheets: list[Sheet] = []
        for number, line in enumerate(text, start=1):
            header = re.fullmatch(r"/\* (.+) \*/", line)
            if header and header.group(1) in paths:
                sheets.append(Sheet(paths[header.group(1)], number + 1))
            elif sheets:
                sheets[-1].lines.append(line)
        return cls(sheets)

    def at(self, line: int) -> tuple[Sheet, int] | None:
        """The stylesheet holding a line of the <style> text, and the line in that file."""
        for sheet in reversed(self.sheets):
            if sheet.first <= line < sheet.first + len(sheet.lines):
                return sheet, line - sheet.first + 1
        return None

    def message(self, text: str) -> str:
        """A WeasyPrint message that names a line of the <style> text, told as the set's
        file, line and rule: `house.css:3:1: Unsupported @page selector ... (in `@page
        :first, @page front:first {`)`. Other messages are returned as they are."""
        match = _AT.search(text)
        found = self.at(int(match.group(1))) if match else None
        if match is None or found is None:
            return text
        sheet, line = found
        said = (text[: match.start()] + text[match.end() :]).rstrip().rstrip(".")
        rule = _rule(sheet.lines, line)
        return f"{sheet.path}:{line}:{match.group(2)}: {said}" + (f" (in `{rule}`)" if rule else "")

    def mentioning(self, word: str) -> list[str]:
        """`file:line: `rule`` for each line of the set's CSS that holds `word`."""
        out = []
        for sheet in self.sheets:
            for number, line in enumerate(sheet.lines, start=1):
                if word and word in line:
                    out.append(f"{sheet.path}:{number}: `{_short(line.strip())}`")
        return out


def _rule(lines: list[str], line: int) -> str:
    """The text of a CSS line, shortened for a message."""
    if not 1 <= line <= len(lines):
        return ""
    return _short(lines[line - 1].strip())


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def culprit(exc: BaseException) -> Any:
    """The box WeasyPrint was laying out when it failed: the innermost frame of the
    traceback with a local `box` or `child` that belongs to an element (None if none)."""
    tb = exc.__traceback__
    found = None
    while tb is not None:
        for name in ("child", "box"):
            candidate = tb.tb_frame.f_locals.get(name)
            if getattr(candidate, "element", None) is not None and hasattr(candidate, "style"):
                found = candidate
                break
        tb = tb.tb_next
    return found


def element_name(box: Any) -> str:
    """`<span class="pull">`, `<h1 id="title">`: how a message names a box's element."""
    element = box.element
    tag = (getattr(box, "element_tag", "") or str(element.tag)).split("::")[0]
    name = f"<{tag}"
    if element.get("id"):
        name += f' id="{element.get("id")}"'
    elif element.get("class"):
        name += f' class="{element.get("class")}"'
    return name + ">"
