"""The page cleaner: a parsed page's scripts, script URLs and refused loads removed, every
URL it loads checked against the fetch policy, project images embedded in the web page."""

from __future__ import annotations

import base64
import mimetypes
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit


class Page:
    """What sanitize_html needs to know about where a page's relative URLs point."""

    def __init__(
        self,
        check: Callable[[str], str | None],
        base: Path,
        allow_remote: bool,
        max_data_url: int,
    ):
        self.check = check  # the fetch policy: None, or why a URL may not be loaded
        self.base_url = base.resolve().as_uri() + "/"
        self.allow_remote = allow_remote
        self.max_data_url = max_data_url


# Attributes that make a browser (or WeasyPrint) load something, and on which elements
# (None: any element).
_LOADS: dict[str, frozenset[str] | None] = {
    "src": None,
    "srcset": None,
    "imagesrcset": frozenset({"link"}),
    "poster": None,
    "background": None,
    "lowsrc": None,
    "dynsrc": None,
    "ping": None,
    "data": frozenset({"object"}),
    "manifest": frozenset({"html"}),
    "href": frozenset({"link", "image", "use", "feimage", "script"}),
    "xlink:href": frozenset({"image", "use", "feimage", "script"}),
}
_NAVIGATES = {"href", "xlink:href", "action", "formaction", "src", "data"}
_SCRIPT_SCHEME = re.compile(r"^(javascript|vbscript|livescript):", re.I)
_URL_JUNK = re.compile(r"[\x00-\x20\x7f]")  # browsers drop tabs and newlines inside URLs
_CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s*(['"])(.*?)\3""", re.I | re.S)
_CSS_IMAGE_SET = re.compile(r"image-set\(([^)]*)\)", re.I)
_CSS_STRING = re.compile(r"""(['"])(.*?)\1""", re.S)
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})[ \t\n\r\f]?|\\(.)", re.S)
_ANIMATES = frozenset({"set", "animate"})  # SVG animation can set href="javascript:..."
_ANIMATED = frozenset({"to", "from", "by", "values"})
_SCRIPT_ANYWHERE = re.compile(r"(javascript|vbscript|livescript):", re.I)
_LINKS = frozenset({"a", "area"})  # elements WeasyPrint turns into PDF links
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")


def _relative(url: str) -> bool:
    """A link that WeasyPrint would resolve against the build folder (a file: URL)."""
    url = _URL_JUNK.sub("", url)
    return bool(url) and not url.startswith("#") and not _SCHEME.match(url)


_EMBEDDED = {"img", "image", "source", "input", "video", "feimage"}
_MEDIA = ("image/", "video/", "audio/")


def _data_type(url: str) -> str:
    """The media type of a data: URL ("data:image/png;base64,..." -> "image/png")."""
    return url[5:].split(",", 1)[0].split(";", 1)[0].strip().lower()


_DROP: Any = object()


def _css_char(m: re.Match[str]) -> str:
    if m.group(2) is not None:
        return m.group(2)
    code = int(m.group(1), 16)
    return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"


def css_urls(css: str) -> list[str]:
    """Every URL a stylesheet (or a style attribute) asks for: url(), @import strings and
    image-set() strings, after CSS escapes (`\\75rl(`) are read as the browser reads them."""
    if "\\" in css:
        css = _CSS_ESCAPE.sub(_css_char, css)
    urls = [
        m.group(2) if m.group(2) is not None else m.group(4) or "" for m in _CSS_URL.finditer(css)
    ]
    for m in _CSS_IMAGE_SET.finditer(css):
        urls += [s.group(2) for s in _CSS_STRING.finditer(m.group(1))]
    return [u.strip() for u in urls]


# Encoding labels that name UTF-8 (the WHATWG Encoding Standard): a template's declaration
# of one of these is removed silently, any other with a warning.
_UTF8_LABELS = frozenset(
    {"utf-8", "utf8", "unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "x-unicode20utf8"}
)
_CONTENT_CHARSET = re.compile(r"""charset\s*=\s*["']?([^"';\s]*)""", re.I)
_HTML_WS = " \t\n\f\r"


def _declared_charset(attrs: dict[str, str | None]) -> str | None:
    """The charset a <meta> declares ("" for none named), or None if it declares none."""
    if "charset" in attrs:
        return (attrs["charset"] or "").strip(_HTML_WS).lower()
    if (attrs.get("http-equiv") or "").lower() == "content-type":
        found = _CONTENT_CHARSET.search(attrs.get("content") or "")
        return found.group(1).lower() if found else ""
    return None


_RAW_TEXT = frozenset({"xmp", "iframe", "noembed", "noframes", "plaintext"})
"""Elements whose content a browser of today reads as text, written out as it is. Inside
`<select>` an older parser (WeasyPrint's, browsers before 2025) ignores their start tag
and reads the same content as markup, so a `<` in it could become an element there."""
_ELEMENTS = frozenset({"script", "noscript", "base", "meta", "style", *_RAW_TEXT})
"""Elements Cleaner removes or reads the text of (the parser writes these in lower case)."""
_WATCHED = frozenset({*_NAVIGATES, *_ANIMATED, *_LOADS, "srcdoc", "style"})
"""Attribute names Cleaner._attribute acts on (besides on...=, and values with "(")."""


def _watched(attribute: tuple[str, str | None]) -> bool:
    """False if Cleaner._attribute surely keeps this attribute as it is, silently.

    The parser lower-cases names, so only SVG's camelCase ones (`viewBox`) are not lower
    case, and none of those is watched; they are checked in full all the same."""
    name, value = attribute
    if value is not None and "(" in value:
        return True
    if name in _WATCHED:  # but a link to a place in the page: no script, nothing loaded
        return name not in _LINK_NAMES or not value or value[0] != "#" or value != value.strip()
    return name[:2] == "on" or not name.islower()


_LINK_NAMES = frozenset({"href", "xlink:href"})


def _following(node: Any) -> int | None:
    """The mem_id of the first element after `node` and its descendants, if any."""
    while node is not None:
        after = node.next
        while after is not None and not after.is_element_node:
            after = after.next
        if after is not None:
            return int(after.mem_id)
        node = node.parent
    return None


class Cleaner:
    """The page policy, applied in place to a parsed page (a selectolax lexbor tree)."""

    def __init__(self, page: Page, medium: str):
        self.page = page
        self.web = medium == "web"
        self.warnings: list[str] = []
        self.changes = 0
        self.attachment = False  # is the element being read <a rel=attachment>?
        self.escapes: list[Any] = []  # <style> text nodes holding "<", rewritten after the walk

    def clean(self, tree: Any) -> int:
        """Apply the policy to the document and its <template> contents; how many changes."""
        before = self.changes
        doomed: list[Any] = []
        html = tree.root
        for node in list(html.iter(include_text=True)):  # nothing but <head> before <head>
            if node.tag == "head":
                break
            doomed.append(node)
        roots = [html]
        while roots:
            root = roots.pop()
            self._walk(root, doomed)
            roots.extend(root.template_fragments())
        for node in doomed:
            node.decompose()
        self.changes += len(doomed)
        for text in self.escapes:  # "\3c " is CSS's own "<": the same style, no "<" to misread
            text.replace_with(text.text().replace("<", "\\3c "))
        self.changes += len(self.escapes)
        self.escapes = []
        return self.changes - before

    def _walk(self, root: Any, doomed: list[Any]) -> None:
        skip, until = False, None  # inside a removed element, up to the element `until`
        for node in root.traverse():
            if skip:
                if until is None or node.mem_id != until:
                    continue
                skip = False
            tag = node.tag  # lower case but SVG's camelCase names; "-comment" for comments
            if tag in _ELEMENTS and self._remove(node, tag):
                doomed.append(node)
                skip, until = True, _following(node)
            elif tag[0] != "-":
                attrs = node.attributes
                if any(map(_watched, attrs.items())):  # most elements have none to check
                    self._attributes(node, tag.lower(), attrs)

    def _remove(self, node: Any, tag: str) -> bool:
        """Check one of _ELEMENTS; True if it is to be removed."""
        if tag == "script":
            self.warnings.append("removed a <script> element: pages never run scripts")
            return True
        if tag == "noscript":
            self.warnings.append(
                "removed a <noscript> element: a browser reads its content as markup or as "
                "text, depending on its settings"
            )
            return True
        if tag == "base":
            self.warnings.append("removed a <base> element: links stay relative to the page")
            return True
        if tag == "meta":
            attrs = node.attributes
            if (attrs.get("http-equiv") or "").lower() == "refresh":
                self.warnings.append("removed a <meta http-equiv=refresh>: pages never redirect")
                return True
            charset = _declared_charset(attrs)
            if charset is not None:
                if charset and charset not in _UTF8_LABELS:
                    self.warnings.append(
                        f"removed a <meta> declaring the charset {_short(charset)}: "
                        "every page is UTF-8, declared first"
                    )
                return True
        if tag in _RAW_TEXT:
            if "<" in (node.text(deep=True) or ""):
                article = "an" if tag in ("xmp", "iframe") else "a"
                self.warnings.append(
                    f"removed {article} <{tag}> element holding '<': a parser that does not take "
                    "its content as text (inside <select>, an older one) reads markup there"
                )
                return True
            return False
        if tag == "style":  # in SVG and MathML too: a browser applies its text as CSS
            text = node.text(deep=True) or ""
            self._css(text)
            if "<" in text:
                self.escapes += [t for t in node.iter(include_text=True) if t.tag == "-text"]
        return False

    def _attributes(self, node: Any, tag: str, attrs: dict[str, str | None]) -> None:
        """Clean an element's attributes in place."""
        rel = (attrs.get("rel") or "").lower().split()
        self.attachment = "attachment" in rel  # WeasyPrint embeds the file: a load, not a link
        for name, value in attrs.items():
            if not _watched((name, value)):
                continue
            new = self._attribute(tag, name.lower(), value)
            if new is _DROP:
                del node.attrs[name]
            elif new is not value:
                node.attrs[name] = new
            else:
                continue
            self.changes += 1

    def _attribute(self, tag: str, name: str, value: str | None) -> Any:
        """The attribute's new value: `value` to keep it, _DROP to remove it."""
        if name.startswith("on"):
            self.warnings.append(f"removed an {name}= attribute: pages never run scripts")
            return _DROP
        if value is None:
            return value
        if name in _NAVIGATES and _SCRIPT_SCHEME.match(_URL_JUNK.sub("", value)):
            scheme = _URL_JUNK.sub("", value).split(":", 1)[0].lower()
            self.warnings.append(f"removed a {scheme}: URL: pages never run scripts")
            return _DROP
        if name == "srcdoc":
            self.warnings.append("removed a srcdoc attribute: pages embed no other documents")
            return _DROP
        if tag in _ANIMATES and name in _ANIMATED:
            found = _SCRIPT_ANYWHERE.search(_URL_JUNK.sub("", value))
            if found:
                self.warnings.append(f"removed a {found[1].lower()}: URL: pages never run scripts")
                return _DROP
        relative = not self.web and tag in _LINKS and name == "href" and _relative(value)
        if relative and not self.attachment:
            self.warnings.append(
                f"removed the link to {_short(value.strip())} from the PDF, keeping its text: "
                "a relative link would point into the folder the PDF was built in"
            )
            return _DROP
        if name == "style" or "(" in value:  # style="", and SVG's fill="url(...)" and kin
            self._css(value)
        if name == "style":
            return value
        elements = _LOADS.get(name, frozenset())
        if elements is not None and tag not in elements:
            return value
        if name in ("srcset", "imagesrcset"):  # never needed: the page embeds through src
            if self.web:
                article = "an" if name.startswith("i") else "a"
                self.warnings.append(f"removed {article} {name} attribute: the page uses src only")
                return _DROP
            return value
        new = self._url(tag, value)
        return _DROP if new is None else value if new == value else new

    def _url(self, tag: str, url: str) -> str | None:
        """A loaded URL: kept, replaced by a data: URL (web page), or None (refused)."""
        url = url.strip()
        if not url or url.startswith("#"):
            return url
        absolute = urljoin(self.page.base_url, url)
        scheme = urlsplit(absolute).scheme.lower()
        reason = self.page.check(absolute)
        if reason is not None:
            self.warnings.append(f"refused to load {_short(url)}: {reason}")
            return url if not self.web else None
        if scheme == "data" and not (tag in _EMBEDDED and _data_type(url).startswith(_MEDIA)):
            self.warnings.append(
                f"refused to load a data: URL in <{tag}>: only images, video and audio are embedded"
            )
            return None
        if not self.web or scheme in ("data", "http", "https"):
            return url
        # a project file on the web page: embed it, so the page stands alone
        path = Path(unquote(urlsplit(absolute).path))
        mime = mimetypes.guess_type(path.name)[0] or ""
        if tag not in _EMBEDDED or not mime.startswith(("image/", "video/", "audio/")):
            self.warnings.append(f"refused to load {_short(url)}: only images can be embedded")
            return None
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.warnings.append(f"cannot load {_short(url)}: {exc.strerror}")
            return None
        encoded = f"data:{mime};base64,{base64.b64encode(data).decode()}"
        if len(encoded) > self.page.max_data_url:
            self.warnings.append(
                f"refused to load {_short(url)}: too large to embed "
                f"({len(encoded):,} bytes as a data: URL, limit {self.page.max_data_url:,})"
            )
            return None
        return encoded

    def _css(self, css: str) -> None:
        for url in css_urls(css):
            if not url or url.startswith("#"):
                continue
            absolute = urljoin(self.page.base_url, url)
            reason = self.page.check(absolute)
            if reason is not None:
                self.warnings.append(f"refused to load {_short(url)}: {reason}")
            elif self.web and urlsplit(absolute).scheme.lower() == "file":
                self.warnings.append(
                    f"refused to load {_short(url)}: CSS on the web page may load only data: URLs"
                )


def _short(url: str) -> str:
    return url if len(url) < 120 else url[:117] + "..."
