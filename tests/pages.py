"""What the page sanitizer writes, for tests that compare a page with it."""

from __future__ import annotations

import re

# What every page starts its <head> with: the serializer (lexbor) escapes only & " < > and
# no-break spaces in attribute values, so the policy's quotes stay as they are
CSP = (
    '<meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src '
    "'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; media-src data:; "
    "base-uri 'none'; form-action 'none'\">"
)


def untouched(html: str) -> str:
    """The page sanitize_html writes for `html` (no --allow-remote) if its policy changes
    nothing: the tree a browser builds from it, with the charset and policy first in <head>."""
    from selectolax.lexbor import LexborHTMLParser

    root = LexborHTMLParser(html, scripting=True).root
    assert root is not None
    return "<!DOCTYPE html>\n" + re.sub("(<head[^<]*>)", r"\1" + CSP, root.html, count=1) + "\n"


def unsanitized(page: str) -> str:
    """A page sanitize_html wrote, without the charset and policy it put first (nor the line
    end it added)."""
    assert page.count(CSP) == 1, page
    return page.replace(CSP, "", 1).removesuffix("\n")
