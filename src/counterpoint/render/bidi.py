"""Isolation of mixed-direction runs in the CSL processor's HTML (notes, bibliography).

A Latin title in an Arabic note, or an Arabic name in an English one, must read as a unit
in its own direction. Browsers isolate a `<bdi>` or `dir=` element, but WeasyPrint 70 does
not know `unicode-bidi: isolate` (nor `dir="auto"`): it lays out each inline box on its
own, in the direction of its parent, and orders the boxes of a right-to-left line from
right to left. So "Miller, "Brine..." <em>Marine Policy</em>, 2024." came out as
".2024 ,Marine Policy ."Miller, ...". What WeasyPrint does honour is the `direction` of
an element, which `dir="ltr"` sets: its boxes are ordered left to right and its text is
laid out left to right, as one unit in the line. So every run of the opposite direction
is wrapped in a `<span dir="...">` (the same markup means the same in a browser):

- in a right-to-left paper, an entry that starts with a Latin letter, three in four of its
  letters Latin, is wrapped whole left to right (a Latin note in an Arabic paper), and runs
  of the paper's direction inside it are wrapped in turn; in a left-to-right paper a note
  keeps the paper's direction even when all its words are Arabic, because its punctuation,
  year and page number are the English style's;
- otherwise each run that starts and ends with a letter of the opposite direction and has
  none of the paper's direction in between (spaces, punctuation, digits, and elements
  holding only such text may be inside) is wrapped; European digits right after a Latin
  run belong to it, as in the Unicode bidi algorithm; a run never holds one bracket of a
  pair.

The input is the CSL processor's own markup (a few inline elements, escaped text); markup
that does not nest is returned unchanged.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field

from markupsafe import Markup

_TOKEN = re.compile(r"<!--.*?-->|<(/?)([A-Za-z][A-Za-z0-9-]*)\b[^>]*>", re.S)
_VOID = frozenset({"br", "wbr", "img", "hr"})
_CHAR = re.compile(r"&#?\w+;|.", re.S)


@dataclass
class _Element:
    start: str  # the start tag as written
    name: str
    children: list[_Element | str] = field(default_factory=list)
    end: str = ""

    def html(self) -> str:
        return self.start + "".join(_html(c) for c in self.children) + self.end

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)


def _html(node: _Element | str) -> str:
    return node if isinstance(node, str) else node.html()


def _parse(fragment: str) -> list[_Element | str] | None:
    root = _Element("", "")
    stack = [root]
    at = 0
    for m in _TOKEN.finditer(fragment):
        if m.start() > at:
            stack[-1].children.append(fragment[at : m.start()])
        at = m.end()
        closing, name = m.group(1), (m.group(2) or "").lower()
        if not name or m.group().endswith("/>") or name in _VOID:
            stack[-1].children.append(_Element(m.group(), name or "!--"))
        elif closing:
            if stack[-1].name != name or len(stack) == 1:
                return None
            stack.pop().end = m.group()
        else:
            element = _Element(m.group(), name)
            stack[-1].children.append(element)
            stack.append(element)
    if len(stack) != 1:
        return None
    if at < len(fragment):
        root.children.append(fragment[at:])
    return root.children


def _class(ch: str) -> str:
    """L, R (strong), D (a European digit), N (anything else)."""
    kind = unicodedata.bidirectional(ch)
    if kind == "L":
        return "L"
    if kind in ("R", "AL"):
        return "R"
    if kind == "EN":
        return "D"
    return "N"


def _strong(text: str) -> set[str]:
    return {c for c in map(_class, html.unescape(text)) if c in "LR"}


def _pieces(text: str) -> list[tuple[str, str]]:
    """Text split where its direction class changes: (class, raw text)."""
    out: list[tuple[str, str]] = []
    for m in _CHAR.finditer(text):
        raw = m.group()
        ch = html.unescape(raw)
        c = _class(ch[0]) if len(ch) == 1 else "N"
        if out and out[-1][0] == c:
            out[-1] = (c, out[-1][1] + raw)
        else:
            out.append((c, raw))
    return out


def _isolate(nodes: list[_Element | str], base: str) -> list[_Element | str]:
    """Wrap the runs of the direction opposite to `base` ("L" or "R") among `nodes`."""
    other = "R" if base == "L" else "L"
    items: list[tuple[str, _Element | str]] = []
    for node in nodes:
        if isinstance(node, str):
            items += _pieces(node)
            continue
        strong = _strong(node.text())
        if strong == {other}:
            items.append((other, node))
        elif not strong:
            items.append(("N", node))
        elif strong == {base}:
            items.append((base, node))
        else:  # both directions inside: its own runs, and a break here
            node.children = _isolate(node.children, base)
            items.append(("M", node))
    out: list[_Element | str] = []
    i = 0
    while i < len(items):
        if items[i][0] != other:
            out.append(items[i][1])
            i += 1
            continue
        end = last = i
        for j in range(i + 1, len(items)):
            c = items[j][0]
            if c == other:
                end = last = j
            elif c == "D" and other == "L":
                end = j
            elif c not in ("N", "D"):
                break
        if end > last and not _balanced(items[i : end + 1]):
            end = last  # digits after a bracket or quote stay outside: "(Title, 2025), 7"
        while end > i and not _balanced(items[i : end + 1]):
            # a run never takes half a bracket pair: "name, title (publisher" stops at the
            # title, and the publisher is a run of its own inside the brackets
            end -= 1
            while end > i and items[end][0] != other:
                end -= 1
        run = "".join(_html(node) for _, node in items[i : end + 1])
        out.append(_Element(f'<span dir="{_DIR[other]}">', "span", [run], "</span>"))
        i = end + 1
    return out


_DIR = {"L": "ltr", "R": "rtl"}
_OPENS, _CLOSES = "([{«‹“‘", ")]}»›”’"


def _balanced(items: list[tuple[str, _Element | str]]) -> bool:
    """Whether a run holds each bracket and quotation mark with its partner."""
    text = html.unescape("".join(n if isinstance(n, str) else n.text() for _, n in items))
    depth = 0
    for ch in text:
        depth += (ch in _OPENS) - (ch in _CLOSES)
        if depth < 0:
            return False
    return depth == 0 and text.count('"') % 2 == 0


def isolate(fragment: Markup, direction: str) -> Markup:
    """The fragment with its opposite-direction runs in `<span dir>`s, for a paper written
    in `direction` ("rtl" or "ltr"). Text of one direction only is returned unchanged.

    A mixed entry is wrapped whole in the direction it reads in: left to right when the
    paper is right to left and the entry starts with a Latin letter, three in four of its
    letters Latin (a Latin note in an Arabic paper), else the paper's. A note of an English
    paper that is all Arabic keeps the paper's direction, its Arabic names and titles
    isolated: the English style's commas, year and page number stay where English puts
    them ("هدى سالم, تبادل... (مركز..., 2025), 22."), not reversed to "22. ,(2025" beside
    the note's number. The explicit `dir` makes a browser's `<bdi>` agree with the PDF."""
    text = str(fragment)
    if direction != "rtl" and text.isascii():
        return fragment
    letters = [c for c in map(_class, html.unescape(_TOKEN.sub("", text))) if c in "LR"]
    base = "R" if direction == "rtl" else "L"
    other = "L" if base == "R" else "R"
    if other not in letters:
        return fragment
    nodes = _parse(text)
    if nodes is None:
        return fragment
    mostly_other = letters[0] == other and 4 * letters.count(other) >= 3 * len(letters)
    reads = other if mostly_other and direction == "rtl" else base
    inner = "".join(_html(n) for n in _isolate(nodes, reads))
    return Markup(f'<span dir="{_DIR[reads]}">{inner}</span>')
