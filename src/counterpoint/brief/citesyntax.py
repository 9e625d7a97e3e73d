"""Pandoc's citation syntax as markdown-it rules: `[see @key, p. 2]`, `@key says`, `^[note]`.

Each rule pushes a token (`citation` or `note`) with its items in `meta`; brief/markdown.py
puts the rules into its parser and renders the tokens.
"""

from __future__ import annotations

import re

from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

# Pandoc's citation keys: a letter, digit or _ (any script), then letters, digits and
# internal punctuation; or any text in braces, @{like this}.
KEY = r"(?:\{[^{}\s]+\}|\w(?:[\w:.#$%&+?<>~/-]*\w)?)"
_ITEM = re.compile(
    rf"^\s*(?P<prefix>(?:.*?\s)??)(?P<suppress>-?)@(?P<key>{KEY})(?P<suffix>.*?)\s*$", re.S
)
SEMICOLONS = ";\uff1b\u061b"  # ; and the full-width (Chinese, Japanese) and Arabic semicolons
_SEPARATOR = re.compile(f"[{SEMICOLONS}]")
_BRACKET = re.compile(r"[\[\]]")
_NARRATIVE = re.compile(rf"@(?P<key>{KEY})(?:[ ]?\[(?P<suffix>[^\[\]@]*)\])?")


def _key(raw: str) -> str:
    return raw[1:-1] if raw.startswith("{") else raw


def _split_items(inner: str) -> list[dict[str, str]] | None:
    """The items of `[see @a, p. 2; -@b]`, or None when the brackets are not a citation.

    Each item is Pandoc's `prefix @key suffix`; `-@key` leaves the author out. A locator
    stays in the suffix (", p. 2"): the CSL processor reads it in the locale's terms.
    """
    items = []
    for part in _SEPARATOR.split(inner):
        m = _ITEM.match(part)
        if not m:
            return None
        items.append(
            {
                "key": _key(m["key"]),
                "prefix": m["prefix"].strip(),
                "suffix": m["suffix"].rstrip(),
                "mode": "suppress-author" if m["suppress"] else "normal",
            }
        )
    return items


def citation_rule(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if src[pos] != "[":
        return False
    # the next bracket must close this one; stopping there keeps `[[[[...` linear
    bracket = _BRACKET.search(src, pos + 1)
    if bracket is None or bracket.group() != "]":
        return False
    end = bracket.start()
    inner = src[pos + 1 : end]
    if "@" not in inner or src[end + 1 : end + 2] in ("(", "["):
        return False
    items = _split_items(inner)
    if items is None:
        return False
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"items": items, "raw": src[pos : end + 1]}
    state.pos = end + 1
    return True


def narrative_rule(state: StateInline, silent: bool) -> bool:
    """`@key says` or `@key [p. 4] says`: the author in the text (Pandoc's in-text form).

    Only where `@` does not follow a letter or digit, so e-mail addresses stay text; write
    `\\@` for a literal @ before a word.
    """
    src, pos = state.src, state.pos
    if src[pos] != "@" or (pos > 0 and (src[pos - 1].isalnum() or src[pos - 1] in "_@\\")):
        return False
    m = _NARRATIVE.match(src, pos)
    if m is None:
        return False
    if not silent:
        token = state.push("citation", "", 0)
        item = {
            "key": _key(m["key"]),
            "prefix": "",
            "suffix": f", {m['suffix'].strip()}" if m["suffix"] and m["suffix"].strip() else "",
            "mode": "author-in-text",
        }
        token.meta = {"items": [item], "raw": m.group()}
    state.pos = m.end()
    return True


def is_narrative(tok: Token) -> bool:
    """True for a narrative citation token (`@key says`: the author in the sentence)."""
    items = tok.meta.get("items") or []
    return len(items) == 1 and items[0].get("mode") == "author-in-text"


def note_rule(state: StateInline, silent: bool) -> bool:
    """`^[text]`: a discursive note (Pandoc's inline note), which may itself cite. Its
    text, up to the bracket that closes the opening one, is parsed as inline Markdown into
    the token's `meta["children"]`. Notes do not nest: a `^[` inside one is text."""
    src, pos = state.src, state.pos
    if not src.startswith("^[", pos) or state.env.get("in_note"):
        return False
    i = _closing_brackets(state).get(pos + 1, -1)
    if i < 0 or i >= state.posMax:
        return False
    if not silent:
        token = state.push("note", "", 0)
        children: list[Token] = []
        env = {**state.env, "in_note": True}
        state.md.inline.parse(src[pos + 2 : i], state.md, env, children)
        token.meta = {"children": children, "raw": src[pos : i + 1]}
    state.pos = i + 1
    return True


def _closing_brackets(state: StateInline) -> dict[int, int]:
    """For each `[` of the inline text, where its matching `]` is (backslash escapes
    skipped): found in one pass and kept for the text, so that many unclosed `^[` cost
    linear time, not quadratic."""
    cached = state.env.get("_brackets")
    if cached is not None and cached[0] is state.src:
        pairs: dict[int, int] = cached[1]
        return pairs
    pairs = {}
    stack: list[int] = []
    src, i = state.src, 0
    while i < len(src):
        char = src[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            stack.append(i)
        elif char == "]" and stack:
            pairs[stack.pop()] = i
        i += 1
    state.env["_brackets"] = (state.src, pairs)
    return pairs
