"""Pandoc's inline elements as HTML: escaped, with live links only to the web and in-page."""

from __future__ import annotations

import html as html_module
import re
from typing import Any

from markupsafe import escape

from counterpoint.cite.pandocjson import ShapeError

_TAGS = {
    "Emph": "em",
    "Strong": "strong",
    "Underline": "u",
    "Strikeout": "s",
    "Superscript": "sup",
    "Subscript": "sub",
}
_QUOTES = {"DoubleQuote": ("\u201c", "\u201d"), "SingleQuote": ("\u2018", "\u2019")}


def html(inlines: list[Any], entries: set[str] | None = None) -> str:
    """HTML for Pandoc inline elements, escaped; only http(s), DOI and in-page links live,
    the in-page ones only to `entries` (the sources with a printed entry) when given."""
    out: list[str] = []
    for inline in inlines:  # words and spaces, most of a note, without a match
        tag = inline.get("t") if type(inline) is dict else None
        if tag == "Str" and type(text := inline.get("c")) is str:
            out.append(escape(text))
        elif tag == "Space" or tag == "SoftBreak":
            out.append(" ")
        else:
            out.append(_inline(inline, entries))
    return "".join(out)


def _inline(inline: Any, entries: set[str] | None) -> str:
    """One element, its content matched to the shape its tag has (`c`)."""
    tag = inline.get("t") if type(inline) is dict else None
    content = inline.get("c") if tag is not None else None
    if tag in _TAGS and type(content) is list:
        return f"<{_TAGS[tag]}>{html(content, entries)}</{_TAGS[tag]}>"
    match tag, content:
        case "LineBreak", None:
            return "<br>"
        case "SmallCaps", list(inner):
            return f'<span class="smallcaps">{html(inner, entries)}</span>'
        case "Quoted", [{"t": "DoubleQuote" | "SingleQuote" as kind}, list(inner)]:
            left, right = _QUOTES[kind]
            return left + html(inner, entries) + right
        case "Span", [[str(), list(classes), list()], list(inner)]:
            kept = [k for k in classes if k.startswith("csl-") or k in ("nocase", "smallcaps")]
            text = html(inner, entries)
            return f'<span class="{" ".join(kept)}">{text}</span>' if kept else text
        case "Link", [list(), list(inner), [str(target), str()]]:
            return _link(target, html(inner, entries), entries)
        case "Code" | "Math", [_, str(text)]:
            return str(escape(text))
        case "Cite", [list(), list(inner)]:
            return html(inner, entries)
        case "Note" | "RawInline" | "Image", _:
            return ""  # a note is read on its own; never markup from a source record
        case str(), _ if tag not in _KNOWN:
            return ""  # an element of a later Pandoc: its text is not guessed at
    raise ShapeError(f"expected a Pandoc inline element, found {repr(inline)[:60]}")


_KNOWN = {*_TAGS, "Str", "Space", "SoftBreak", "LineBreak", "SmallCaps", "Quoted", "Span"}
_KNOWN |= {"Link", "Code", "Math", "Cite"}
"""The elements `_inline` reads: one of them in another shape is an error, not dropped."""

_OTHER_SCHEME = re.compile(r"^(?!https?:)[A-Za-z][A-Za-z0-9+.-]*:(?!//)")


def _link(target: str, text: str, entries: set[str] | None = None) -> str:
    """A live link for http(s) addresses and in-page references only. Pandoc turns a URL
    without http(s) into https://...; if the text shows another scheme (javascript:), the
    address stays text."""
    if target.startswith("#ref-"):
        if entries is not None and target[5:] not in entries:
            return text  # the style prints no entry for it: no link to nowhere
        return f'<a href="#src-{escape(target[5:])}">{text}</a>'
    shown = html_module.unescape(re.sub(r"<[^>]*>", "", text)).strip()
    if target.startswith(("https://", "http://")) and not _OTHER_SCHEME.match(shown):
        return f'<a class="url" href="{escape(target)}">{text}</a>'
    return text
