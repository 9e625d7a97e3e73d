"""Defences against hostile input: the template sandbox, the build's time limit, and the
content policy of every HTML page written.

Briefs and template sets are untrusted (docs/security.md). The brief is only data; a
template set is code, run in Jinja's immutable sandbox with the extra bounds below.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import html as _html
import mimetypes
import os
import re
import signal
import stat
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .errors import BuildError, display_path

TIME_LIMIT = 600.0
"""Seconds a build may take before it is stopped (`--time-limit`, 0 for none)."""

MAX_TEMPLATE_OUTPUT = 64 * 1024 * 1024
"""Characters one template render may produce (the 10,000-view brief makes about 15 MB)."""

MAX_TEMPLATE_BYTES = 1024 * 1024
"""Size of one template or stylesheet file."""

MAX_STRING = 1_000_000
"""Longest string or list a template may make with `*`."""

MAX_INT_BITS = 4096
"""Largest integer (in bits) a template may make with `*` or `**`."""

MAX_ARG = 10_000
"""Largest number a template may pass to a filter or function (width, count, length)."""


# -- the time limit ----------------------------------------------------------------------
class _Overtime(BaseException):
    """Raised by the alarm; a BaseException so that no `except Exception` swallows it."""


@contextmanager
def time_limit(seconds: float | None, what: str) -> Iterator[None]:
    """Stop the work inside after `seconds` with a BuildError naming `what`.

    Works in the main thread only (it uses SIGALRM); elsewhere, or with 0/None, no limit.
    """
    usable = (
        seconds
        and seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def alarm(signum: int, frame: Any) -> None:
        raise _Overtime

    previous = signal.signal(signal.SIGALRM, alarm)
    # re-fire every 0.5 s in case a library swallows the first one
    signal.setitimer(signal.ITIMER_REAL, float(seconds), 0.5)  # type: ignore[arg-type]
    try:
        yield
    except _Overtime:
        signal.setitimer(signal.ITIMER_REAL, 0)
        raise BuildError(
            f"{what}: stopped after {seconds:g} s, the build time limit "
            "(use --time-limit to allow longer)"
        ) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# -- the template sandbox --------------------------------------------------------------
def _refuse(message: str) -> SecurityError:
    return SecurityError(f"{message}; refusing (templates run in a sandbox, see docs/security.md)")


def _size(value: Any) -> int | None:
    return len(value) if isinstance(value, (str, list, tuple)) else None


_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_BRACE_SPEC = re.compile(r"\{[^{}]*?:[^{}]*?(\d{5,})")
_NESTED_SPEC = re.compile(r"\{[^{}]*?:[^{}]*?\{")


_PLAIN = (
    str, int, float, list, tuple, dict, set, frozenset, type(None),
    jinja2.runtime.LoopContext, jinja2.runtime.Macro, jinja2.runtime.BlockReference,
    jinja2.runtime.TemplateReference, jinja2.runtime.Undefined, jinja2.utils.Cycler,
    jinja2.utils.Joiner, jinja2.utils.Namespace, jinja2.environment.TemplateModule,
)  # fmt: skip
"""Types whose attributes templates may read besides the registered data (str covers Markup)."""


def _check_format(fmt: str) -> None:
    """Refuse %-formats and str.format specs with huge widths (each makes a huge string)."""
    for m in _PERCENT_SPEC.finditer(fmt):
        for n in m.groups():
            if n == "*" or (n and int(n) > MAX_ARG):
                raise _refuse(f"a format width or precision over {MAX_ARG:,}")
    if _BRACE_SPEC.search(fmt):
        raise _refuse(f"a format width or precision over {MAX_ARG:,}")
    if _NESTED_SPEC.search(fmt):  # "{:>{w}}" takes its width from an argument, unchecked
        raise _refuse("a format width or precision taken from a nested {field}")


def _check_args(args: Iterable[Any]) -> None:
    for a in args:
        if isinstance(a, int) and not isinstance(a, bool) and abs(a) > MAX_ARG:
            raise _refuse(f"the number {a} is over the limit of {MAX_ARG:,} for an argument")


def _times(left: Any, right: Any) -> Any:
    for seq, n in ((left, right), (right, left)):
        size = _size(seq)
        if size is not None and isinstance(n, int):
            if size * n > MAX_STRING:
                raise _refuse(f"a string or list of {size * n:,} items (limit {MAX_STRING:,})")
            return left * right
    both_int = isinstance(left, int) and isinstance(right, int)
    if both_int and left.bit_length() + right.bit_length() > MAX_INT_BITS:
        raise _refuse(f"an integer larger than {MAX_INT_BITS} bits")
    return left * right


def _power(left: Any, right: Any) -> Any:
    both_int = isinstance(left, int) and isinstance(right, int)
    if both_int and abs(left) > 1 and right > 0 and left.bit_length() * right > MAX_INT_BITS:
        raise _refuse(f"the result of {left} ** {right} is larger than {MAX_INT_BITS} bits")
    return left**right


def _modulo(left: Any, right: Any) -> Any:
    if isinstance(left, str):
        _check_format(left)
    return left % right


def _bounded_filter(f: Callable[..., Any]) -> Callable[..., Any]:
    skip = 2 if getattr(f, "jinja_pass_arg", None) else 1  # the context, then the value

    @functools.wraps(f)
    def checked(*args: Any, **kwargs: Any) -> Any:
        _check_args(args[skip:])
        _check_args(kwargs.values())
        if f.__name__ == "do_format" and args and isinstance(args[0], str):
            _check_format(args[0])
        return f(*args, **kwargs)

    return checked


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, with bounded arithmetic, arguments and output size.

    The sandbox already refuses private and internal attributes (`__class__`, `mro`...),
    mutating lists and dicts, and ranges over 100,000 items. On top of that: `*`, `**` and
    `%` cannot make huge strings or integers, filters and calls get no number over
    `MAX_ARG`, and one render stops at `MAX_TEMPLATE_OUTPUT` characters. Loops that never
    end are stopped by the build's time limit.

    Attributes are read only from data: Python's plain values, Jinja's own helpers and the
    types registered with allow_data() (counterpoint's model). Anything else the context
    reaches, such as the brief's Path, could read or write files, so its attributes are
    refused.
    """

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.binop_table.update({"*": _times, "**": _power, "%": _modulo})
        self.filters = {name: _bounded_filter(f) for name, f in self.filters.items()}
        self.globals.pop("lipsum", None)
        self.data_fields: dict[type, frozenset[str]] = {}

    def allow_data(self, types: Iterable[type]) -> None:
        """Let templates read the attributes of these dataclasses (fields and methods)."""
        for t in types:
            self.data_fields[t] = frozenset(f.name for f in dataclasses.fields(t))

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if type(obj) not in self.data_fields and not isinstance(obj, _PLAIN):
            return False
        return super().is_safe_attribute(obj, attr, value)

    def getattr(self, obj: Any, attribute: str) -> Any:
        fields = self.data_fields.get(type(obj))
        if fields is not None and attribute in fields:  # the common case, without the checks
            return getattr(obj, attribute)
        return super().getattr(obj, attribute)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        if __obj is not __self.globals.get("range"):
            _check_args(args)
            _check_args(kwargs.values())
        if getattr(__obj, "__name__", "") == "expandtabs" and isinstance(
            getattr(__obj, "__self__", None), str
        ):  # "\t" * 100000 with tabs of 10,000: a gigabyte from one call
            size = __obj.__self__.count("\t") * (args[0] if args else kwargs.get("tabsize", 8))
            if isinstance(size, int) and size > MAX_STRING:
                raise _refuse(f"a string of about {size:,} characters (limit {MAX_STRING:,})")
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:  # "{:>999999999}".format(x): refuse before formatting
            _check_format(value.__self__)
        return wrapped

    def concat(self, parts: Iterable[str]) -> str:  # type: ignore[override]
        """Join a render's output, stopping once it passes MAX_TEMPLATE_OUTPUT."""
        out: list[str] = []
        size = 0
        for part in parts:
            size += len(part)
            if size > MAX_TEMPLATE_OUTPUT:
                raise _refuse(f"its output is over {MAX_TEMPLATE_OUTPUT:,} characters")
            out.append(part)
        return "".join(out)


class SetLoader(jinja2.FileSystemLoader):
    """A FileSystemLoader that reads only regular files inside its folders.

    Jinja already refuses `..` in names; this also refuses symbolic links that lead out of
    the template set, devices and FIFOs, and files over MAX_TEMPLATE_BYTES.
    """

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)
        for folder in self.searchpath:
            filename = os.path.join(folder, *pieces)
            if not os.path.lexists(filename):
                continue
            real = Path(filename).resolve()
            if not real.is_relative_to(Path(folder).resolve()):
                raise _refuse(f"template '{template}' links to a file outside its template set")
            try:
                info = real.stat()
            except OSError:
                continue
            if stat.S_ISDIR(info.st_mode):
                continue
            if not stat.S_ISREG(info.st_mode):
                raise _refuse(f"template '{template}' is not a regular file")
            if info.st_size > MAX_TEMPLATE_BYTES:
                raise _refuse(
                    f"template '{template}' is {info.st_size:,} bytes "
                    f"(limit {MAX_TEMPLATE_BYTES:,})"
                )
            try:
                contents = real.read_text(encoding=self.encoding)
            except UnicodeDecodeError:
                raise SecurityError(
                    f"{display_path(filename)} is not UTF-8; save it as UTF-8"
                ) from None
            return (
                contents,
                os.path.normpath(filename),
                functools.partial(_unchanged, real, info.st_mtime),
            )
        raise jinja2.TemplateNotFound(template)


def _unchanged(path: Path, mtime: float) -> bool:
    try:
        return path.stat().st_mtime == mtime
    except OSError:
        return False


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
_GAP = " "  # what a removed element leaves: "<" + gap + "img ..." can never become a tag


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


class Page:
    """What harden_html needs to know about where a page's relative URLs point."""

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


def harden_html(html: str, page: Page, medium: str) -> tuple[str, list[str]]:
    """Make a rendered page inert and self-contained; return it and what was removed.

    - `<script>` elements, `on...=` attributes, `javascript:` URLs and `<meta
      http-equiv=refresh>` are removed, and a Content-Security-Policy forbidding scripts
      and outside loads is put first in `<head>`, so nothing a template or brief wrote can
      run or call out when the page is opened.
    - On the web page (`medium="web"`), every URL that would be loaded (images, media,
      stylesheets) is checked against the fetch policy: a project image becomes a data:
      URL, a refused one is removed with a warning. Print HTML keeps its URLs, because
      WeasyPrint loads them through the same policy; they are only checked, for warnings.
    - `url()` and `@import` in CSS are checked and reported; the policy blocks them.
    """
    if _inert(html):  # the usual page: nothing to remove or embed, no parse needed
        return _insert_policy(html, content_policy(page.allow_remote)), []
    scanner = _Scanner(html, page, medium)
    return scanner.result(), list(dict.fromkeys(scanner.warnings))


# The quick check. A page passes only if it is written in a strict subset of HTML where
# html.parser (the full scan below) and a browser read the same tags, and where the full
# scan would change nothing: every "<" opens a strictly formed tag (ASCII names, double-
# quoted values, ASCII white space) or closes one; no comments, scripts, <base>, <meta
# http-equiv>, CSS url()/@import, script URLs, on...= handlers, or loaded URLs other than
# "#fragments"; no <style> once SVG or MathML has begun (there a browser may read it as
# markup). Names are matched as ASCII only: Python's case-insensitive matching would take
# "ſ" (U+017F) for "s". Anything else, however harmless, goes to the full scan.
_WS = "[ \t\n\r\f]"
_QUICK_TAG = re.compile(
    rf"<(?:([a-zA-Z][a-zA-Z0-9]*)((?:{_WS}+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:=\"[^\"<]*\")?)*)"
    rf"{_WS}*(/?)>|/([a-zA-Z][a-zA-Z0-9]*){_WS}*>|!DOCTYPE html>|!doctype html>)"
)
_QUICK_ATTR = re.compile(rf"{_WS}+([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:=\"([^\"<]*)\")?")
_QUICK_RISKY = re.compile(  # a superset of what _inert_attribute can refuse
    rf"{_WS}(?:on|srcset|imagesrcset|srcdoc|style|href|xlink:href|src|data|action|formaction|poster"
    r"|background|lowsrc|dynsrc|ping|manifest)|[(&]",
    re.I,
)
_QUICK_STYLE_END = re.compile(rf"</[sS][tT][yY][lL][eE]{_WS}*>")
_NEVER_QUICK = frozenset({"script", "base", "iframe", "frame", "frameset", "object", "embed",
                          "applet", "noscript", "noembed", "noframes", "xmp", "plaintext",
                          "textarea", "template", "form", *_ANIMATES})  # fmt: skip


def _inert(html: str) -> bool:
    """True when the full scan of `html` would provably remove, embed and report nothing."""
    at, foreign = html.find("<"), False
    while at != -1:
        m = _QUICK_TAG.match(html, at)
        if m is None:
            return False
        end = m.end()
        if m.group(1):  # a start tag
            tag = m.group(1).lower()
            if tag in _NEVER_QUICK:
                return False
            attrs = m.group(2)
            if _QUICK_RISKY.search(attrs) and not all(
                _inert_attribute(tag, a) for a in _QUICK_ATTR.finditer(attrs)
            ):
                return False
            if tag == "meta" and "http-equiv" in attrs.lower():
                return False
            if tag in ("svg", "math"):
                foreign = True
            elif tag == "style":  # its CSS runs to </style>; it must hold no "<" and no URL
                if foreign or m.group(3):
                    return False
                close = _QUICK_STYLE_END.search(html, end)
                if close is None or "<" in html[end : close.start()]:
                    return False
                if css_urls(html[end : close.start()]):
                    return False
                end = close.end()
        at = html.find("<", end)
    return True


def _inert_attribute(tag: str, m: re.Match[str]) -> bool:
    """True when _Scanner._attribute would keep this attribute as it is, silently."""
    name, value = m.group(1).lower(), m.group(2)
    if name.startswith("on") or name in ("srcset", "imagesrcset", "srcdoc"):
        return False
    if value is None:
        return True
    if "&" in value:
        value = _html.unescape(value)  # as html.parser reads it
    if name in _NAVIGATES and _SCRIPT_SCHEME.match(_URL_JUNK.sub("", value)):
        return False
    if (name == "style" or "(" in value) and css_urls(value):
        return False
    if name == "href" and tag in _LINKS and _relative(value):  # the PDF drops these
        return False
    if name == "style":
        return True
    elements = _LOADS.get(name, frozenset())
    if elements is not None and tag not in elements:
        return True
    return value == "" or (value.startswith("#") and value == value.strip())


# The policy goes right after <head> (and <meta charset>) when the page begins with strictly
# formed tags; otherwise right after the doctype, or first, where a browser still reads it
# as part of the head. (A loose match once put it inside `<head data-x='a>'>`.)
_ATTRS = rf"(?:{_WS}+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:=\"[^\"'<>`=]*\")?)*{_WS}*"
_HEAD = re.compile(
    rf"\A({_WS}*(?:<!doctype html>)?{_WS}*(?:<html{_ATTRS}>)?{_WS}*<head{_ATTRS}>"
    rf"(?:{_WS}*<meta{_WS}+charset=\"?[-a-zA-Z0-9_]+\"?{_WS}*/?>)?)",
    re.I | re.A,
)
_DOCTYPE = re.compile(rf"\A{_WS}*<!doctype[^<>\"']*>", re.I | re.A)


def _insert_policy(html: str, policy: str) -> str:
    meta = f'\n<meta http-equiv="Content-Security-Policy" content="{_html.escape(policy)}">'
    m = _HEAD.match(html) or _DOCTYPE.match(html)
    at = m.end() if m else 0
    return html[:at] + meta + html[at:]


class _Scanner(HTMLParser):
    def __init__(self, html: str, page: Page, medium: str):
        super().__init__(convert_charrefs=True)
        self.html = html
        self.page = page
        self.web = medium == "web"
        self.warnings: list[str] = []
        self.edits: list[tuple[int, int, str]] = []
        self.script_start: int | None = None
        self.in_style = False
        self.style_start = 0  # where the CSS of the current <style> begins
        self.foreign = False  # has <svg> or <math> begun? (then <style> may be markup)
        self.attachment = False  # is the tag being read <a rel=attachment>?
        self.lines = [0] + [m.end() for m in re.finditer("\n", html)]
        self.feed(html)
        self.close()
        if self.script_start is not None:  # an unclosed <script> runs to the end
            self.edits.append((self.script_start, len(html), _GAP))
        if self.in_style:  # an unclosed <style> runs to the end; html.parser keeps it back
            self._css(html[self.style_start :])

    def result(self) -> str:
        out, last = [], 0
        for start, end, text in sorted(self.edits):
            if start < last:
                continue
            out += [self.html[last:start], text]
            last = end
        out.append(self.html[last:])
        return _insert_policy("".join(out), content_policy(self.page.allow_remote))

    def _offset(self) -> int:
        line, col = self.getpos()
        return self.lines[line - 1] + col

    # -- events --
    def set_cdata_mode(self, elem: str, *args: Any, **kwargs: Any) -> None:
        # In SVG and MathML a browser parses <style> content as markup (a known way to
        # smuggle <img onerror=...> past sanitizers). Nesting is easy to fake (`</math>`
        # inside <svg>, `</svg>` inside a <title>), so once either has begun, every later
        # <style> is scanned as markup, and its comments as CSS too.
        if self.foreign and elem == "style":
            return
        super().set_cdata_mode(elem, *args, **kwargs)  # type: ignore[misc]

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script" and self.script_start is not None:
            start = self.script_start
            self.script_start = None
            self.edits.append((start, start + len(self.get_starttag_text() or ""), _GAP))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.script_start is not None:
            return
        start = self._offset()
        raw = self.get_starttag_text() or ""
        if tag == "script":
            self.script_start = start
            self.warnings.append("removed a <script> element: pages never run scripts")
            return
        if tag in ("svg", "math"):
            self.foreign = True
        if tag == "style":
            self.in_style = True
            self.style_start = start + len(raw)
        if tag == "meta" and (dict(attrs).get("http-equiv") or "").lower() == "refresh":
            self.warnings.append("removed a <meta http-equiv=refresh>: pages never redirect")
            self.edits.append((start, start + len(raw), _GAP))
            return
        if tag == "base":
            self.warnings.append("removed a <base> element: links stay relative to the page")
            self.edits.append((start, start + len(raw), _GAP))
            return
        rel = (dict(attrs).get("rel") or "").lower().split()
        self.attachment = "attachment" in rel  # WeasyPrint embeds the file: a load, not a link
        kept, changed = [], False
        for name, value in attrs:
            new = self._attribute(tag, name, value)
            changed = changed or new is not value
            if new is not _DROP:
                kept.append((name, new))
        if changed:
            self.edits.append((start, start + len(raw), _tag(tag, kept, raw.endswith("/>"))))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self.script_start is not None:
            end = self.html.find(">", self._offset()) + 1 or len(self.html)
            self.edits.append((self.script_start, end, _GAP))
            self.script_start = None
        elif tag == "style":
            self.in_style = False

    def handle_data(self, data: str) -> None:
        if self.in_style and self.script_start is None:
            self._css(data)

    def handle_comment(self, data: str) -> None:
        if self.script_start is not None:
            return
        if data.startswith((">", "->")) or "--!>" in data:
            # a browser ends "<!-->", "<!--->" and "--!>" where html.parser does not, and
            # reads what follows as markup: remove all that html.parser took as comment
            start = self._offset()
            end = self.html.find(">", start + 4 + len(data)) + 1 or len(self.html)
            self.edits.append((start, end, _GAP))
            self.warnings.append("removed a comment that a browser would end early")
        elif self.in_style:  # a browser may read it as CSS
            self._css(data)

    def unknown_decl(self, data: str) -> None:
        # <![CDATA[...]]>: outside SVG a browser ends it at the first ">" and reads the rest
        # as markup, so all of it goes
        if self.script_start is not None:
            return
        start = self._offset()
        end = self.html.find(">", start + 3 + len(data)) + 1 or len(self.html)
        self.edits.append((start, end, _GAP))
        self.warnings.append("removed a <![ ]]> section")

    # -- checks --
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
        relative = tag in _LINKS and name == "href" and _relative(value)
        if not self.web and relative and not self.attachment:
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


def _tag(tag: str, attrs: list[tuple[str, str | None]], self_closing: bool) -> str:
    parts = [tag] + [
        name if value is None else f'{name}="{_html.escape(value, quote=True)}"'
        for name, value in attrs
    ]
    return "<" + " ".join(parts) + (" />" if self_closing else ">")


def _short(url: str) -> str:
    return url if len(url) < 120 else url[:117] + "..."
