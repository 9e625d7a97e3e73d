"""The content policy of every HTML page written: parsed as a browser parses it (lexbor),
cleaned of anything active, every load checked, the tree that was checked written out.

A page is read by other people's browsers; nothing in it may run or call the network
(docs/security.md).
"""

from __future__ import annotations

from typing import Any

from counterpoint.errors import BuildError
from counterpoint.publish.cleaner import Cleaner, Page
from counterpoint.render.sandbox import CONTROL_NAMES, CONTROL_RULE, first_control, refuse_controls


# -- the HTML page ---------------------------------------------------------------------
def content_policy(allow_remote: bool) -> str:
    """The Content-Security-Policy of every HTML page: no scripts, nothing from outside.

    The page is self-contained (its CSS inline, its images data: URLs), so a browser needs
    nothing else; remote images, fonts and stylesheets only with --allow-remote.
    """
    remote = " http: https:" if allow_remote else ""
    return (
        f"default-src 'none'; style-src 'unsafe-inline'{remote}; img-src data:{remote}; "
        f"font-src data:{remote}; media-src data:{remote}; base-uri 'none'; form-action 'none'"
    )


def sanitize_html(html: str, page: Page, medium: str) -> tuple[str, list[str]]:
    """Make a rendered page inert and self-contained; return it and what was removed.

    The page is parsed as a browser parses it (lexbor, the HTML Standard's tree building,
    with scripting on as in Chromium), the policy is applied to that tree, and the tree is
    what gets written: counterpoint serializes it, so no markup reaches the file that the
    check did not see as the browser will. The written page is parsed once more and must
    pass the check unchanged (serializing and parsing again can change a tree: "mutation
    XSS"); otherwise it is cleaned again, a few times at most.

    - `<script>` and `<noscript>` elements, `on...=` attributes, `javascript:` URLs, `<base>`
      and `<meta http-equiv=refresh>` are removed, and every page starts its `<head>` with
      `<meta charset="utf-8">` and a Content-Security-Policy forbidding scripts and outside
      loads; any other charset declaration is removed (with a warning unless it says UTF-8).
    - On the web page (`medium="web"`), every URL that would be loaded (images, media,
      stylesheets) is checked against the fetch policy: a project image becomes a data:
      URL, a refused one is removed with a warning. Print HTML keeps its URLs, because
      WeasyPrint loads them through the same policy; they are only checked, for warnings.
    - `url()` and `@import` in CSS are checked and reported; the policy blocks them.
    - Control characters other than white space are refused (a BuildError): a browser may
      read them as a change of encoding (ISO-2022-JP's escapes) or of markup.
    """
    refuse_controls(html, "")
    from selectolax.lexbor import LexborHTMLParser  # only builds need it (about 1.5 ms)

    policy = content_policy(page.allow_remote)
    cleaner = Cleaner(page, medium)
    tree = LexborHTMLParser(html, scripting=True)
    cleaner.clean(tree)
    for _ in range(_ROUNDS):
        _put_policy(tree, policy)
        assert tree.root is not None  # lexbor builds an <html> element for any input
        out = f"<!DOCTYPE html>\n{tree.root.html}\n"
        tree = LexborHTMLParser(out, scripting=True)  # what a browser builds from `out`
        ours = _take_policy(tree, policy)
        if cleaner.clean(tree) == 0 and ours:
            _check_written(out)
            return out, list(dict.fromkeys(cleaner.warnings))
    raise BuildError(
        "template: the page it writes reads differently each time it is parsed (markup "
        "built to change when read again); refusing (see docs/security.md)"
    )


_ROUNDS = 4
"""Times a page may be cleaned before it is refused (one pass settles any page but crafted
mutation markup, which settles after one more)."""

_META_CHARSET = '<meta charset="utf-8">'
_PRESCAN = 1024  # bytes in which a browser looks for the page's charset before parsing


def _check_written(out: str) -> None:
    """The page as written: no control characters (a reference such as `&#27;` makes one),
    and its charset declared where a browser's pre-scan finds it."""
    found = first_control(out)
    if found is not None:
        ch = found.group()
        raise BuildError(
            f"template: a character reference in the page it writes makes control character "
            f"U+{ord(ch):04X}{CONTROL_NAMES.get(ch, '')}; {CONTROL_RULE}"
        )
    end = out.find(_META_CHARSET) + len(_META_CHARSET)
    if len(out[:end].encode("utf-8")) > _PRESCAN:
        raise BuildError(
            f"template: the page's <html> and <head> start tags are too long: a page declares "
            f"its charset in its first {_PRESCAN:,} bytes; shorten their attributes"
        )


def _put_policy(tree: Any, policy: str) -> None:
    """<meta charset="utf-8"> and the Content-Security-Policy, first in <head>."""
    head = tree.head
    charset = tree.create_node("meta")
    charset.attrs["charset"] = "utf-8"
    csp = tree.create_node("meta")
    csp.attrs["http-equiv"] = "Content-Security-Policy"
    csp.attrs["content"] = policy
    first = head.first_child
    if first is None:
        head.insert_child(charset)
        head.insert_child(csp)
    else:
        first.insert_before(charset)
        first.insert_before(csp)


def _take_policy(tree: Any, policy: str) -> bool:
    """Remove the two elements _put_policy wrote; False if they are not first in <head>."""
    head = tree.head
    first = head.first_child if head is not None else None
    second = first.next if first is not None else None
    if (
        first is not None
        and second is not None
        and first.tag == "meta"
        and first.attributes == {"charset": "utf-8"}
        and second.tag == "meta"
        and second.attributes == {"http-equiv": "Content-Security-Policy", "content": policy}
    ):
        first.decompose()
        second.decompose()
        return True
    return False
