"""Defences against hostile input: the template sandbox, the build's time limit, and the
content policy of every HTML page written.

Briefs and template sets are untrusted (docs/security.md). The brief is only data; a
template set is code, run in Jinja's immutable sandbox with the extra bounds below.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import mimetypes
import os
import re
import signal
import stat
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import jinja2
import jinja2.compiler
import jinja2.nodes
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
_BRACE_WIDTH = re.compile(r"\{[^{}]*?:[^{}]*?(\d+)[^{}]*\}")
_NESTED_SPEC = re.compile(r"\{[^{}]*?:[^{}]*?\{")


_PLAIN = (
    str, int, float, list, tuple, dict, set, frozenset, type(None),
    jinja2.runtime.LoopContext, jinja2.runtime.Macro, jinja2.runtime.BlockReference,
    jinja2.runtime.TemplateReference, jinja2.runtime.Undefined, jinja2.utils.Cycler,
    jinja2.utils.Joiner, jinja2.utils.Namespace, jinja2.environment.TemplateModule,
)  # fmt: skip
"""Types whose attributes templates may read besides the registered data (str covers Markup)."""


def _check_format(fmt: str) -> None:
    """Refuse %-formats and str.format specs with huge widths (each makes a huge string),
    one by one or summed over the format."""
    total = 0
    for m in _PERCENT_SPEC.finditer(fmt):
        for n in m.groups():
            if n == "*" or (n and int(n) > MAX_ARG):
                raise _refuse(f"a format width or precision over {MAX_ARG:,}")
            total += int(n) if n else 0
    if _BRACE_SPEC.search(fmt):
        raise _refuse(f"a format width or precision over {MAX_ARG:,}")
    total += sum(int(n) for n in _BRACE_WIDTH.findall(fmt))
    if total > MAX_STRING:
        raise _refuse(f"format widths that add up to {total:,} characters (limit {MAX_STRING:,})")
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


def _plus(left: Any, right: Any) -> Any:
    sizes = (_size(left), _size(right))
    if None not in sizes and sizes[0] + sizes[1] > MAX_STRING:  # type: ignore[operator]
        raise _refuse(f"a string or list of {sizes[0] + sizes[1]:,} items (limit {MAX_STRING:,})")  # type: ignore[operator]
    return left + right


def _check_size(size: int, what: str) -> None:
    if size > MAX_STRING:
        raise _refuse(f"{what} of about {size:,} characters (limit {MAX_STRING:,})")


def _amplification(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Refuse, before they run, the filters and string methods whose output can be far
    larger than their input: indent, replace, join, center and the like, tojson's indent."""
    value = args[0] if args else None
    rest = list(args[1:])
    if not isinstance(value, str) and name not in ("join", "do_join", "do_tojson"):
        return
    if name == "do_indent":
        width = rest[0] if rest else kwargs.get("width", 4)
        width = len(width) if isinstance(width, str) else int(width or 0)
        _check_size(len(value) + (value.count("\n") + 1) * width, "an indented string")
    elif name in ("do_replace", "replace"):
        old = rest[0] if rest else kwargs.get("old", "")
        new = rest[1] if len(rest) > 1 else kwargs.get("new", "")
        if isinstance(old, str) and isinstance(new, str):
            hits = value.count(old) if old else len(value) + 1
            _check_size(len(value) + hits * max(len(new) - len(old), 0), "a replaced string")
    elif name in ("do_join", "join"):
        items, sep = (rest[0], value) if name == "join" else (value, rest[0] if rest else "")
        if isinstance(items, (list, tuple)) and isinstance(sep, str):
            _check_size(
                sum(len(i) for i in items if isinstance(i, str)) + len(sep) * len(items),
                "a joined string",
            )
    elif name == "do_tojson":
        indent = rest[0] if rest else kwargs.get("indent")
        if isinstance(indent, int) and indent > 16:
            raise _refuse(f"tojson with an indent of {indent} (limit 16)")


def _bounded_filter(f: Callable[..., Any]) -> Callable[..., Any]:
    skip = 2 if getattr(f, "jinja_pass_arg", None) else 1  # the context, then the value

    @functools.wraps(f)
    def checked(*args: Any, **kwargs: Any) -> Any:
        _check_args(args[skip:])
        _check_args(kwargs.values())
        if f.__name__ == "do_format" and args and isinstance(args[skip - 1], str):
            _check_format(args[skip - 1])
        _amplification(f.__name__, args[skip - 1 :], kwargs)
        result = f(*args, **kwargs)
        if isinstance(result, str) and len(result) > MAX_TEMPLATE_OUTPUT:
            raise _refuse(f"a filter made {len(result):,} characters")
        return result

    return checked


class _CodeGenerator(jinja2.compiler.CodeGenerator):
    """Jinja's compiler, with `~` (string concatenation) checked like `*` and `+`."""

    def visit_Concat(self, node: jinja2.nodes.Concat, frame: Any) -> None:
        self.write("environment.checked_concat(")
        super().visit_Concat(node, frame)
        self.write(")")


GENERATOR_VERSION = "2"
"""Part of the compiled-template cache's file names: templates compiled by an earlier
code generator (without the `~` check) are never loaded."""


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

    intercepted_binops = frozenset({"*", "**", "%", "+"})
    code_generator_class = _CodeGenerator

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.binop_table.update({"*": _times, "**": _power, "%": _modulo, "+": _plus})
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
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str) and getattr(__obj, "__name__", "") in ("replace", "join"):
            _amplification(__obj.__name__, (owner, *args), kwargs)  # "x".replace, ",".join
        return super().call(__context, __obj, *args, **kwargs)

    @staticmethod
    def checked_concat(value: str) -> str:
        """The result of `a ~ b`, refused past MAX_STRING (thirty doublings make 1 GB)."""
        _check_size(len(value), "a concatenated string")
        return value

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
            refuse_controls(contents, display_path(filename))  # a browser may misread them
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
    cleaner = _Cleaner(page, medium)
    tree = LexborHTMLParser(html, scripting=True)
    cleaner.clean(tree)
    for _ in range(_ROUNDS):
        _put_policy(tree, policy)
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

_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
"""C0 and C1 controls and DELETE, but HTML's white space: tab, line feed, form feed, CR."""
_CONTROL_NAMES = {"\x00": " (NUL)", "\x1b": " (ESCAPE)", "\x7f": " (DELETE)"}
_CONTROL_RULE = (
    "pages hold no control characters but tab, line feed, form feed and carriage return "
    "(see docs/security.md)"
)


def _first_control(text: str) -> re.Match[str] | None:
    return _CONTROL.search(text)


def refuse_controls(text: str, filename: str) -> None:
    """Raise a BuildError at the first control character in a template file (`filename`)
    or, with filename "", in the page a template set rendered."""
    found = _first_control(text)
    if found is None:
        return
    ch, at = found.group(), found.start()
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    what = f"control character U+{ord(ch):04X}{_CONTROL_NAMES.get(ch, '')}"
    if filename:
        raise BuildError(f"{filename}:{line}:{column}: {what} in a template; {_CONTROL_RULE}")
    context = repr(text[max(0, at - 30) : at + 30])
    raise BuildError(
        f"template: {what} at line {line}, column {column} of the page it writes, in "
        f"{context}; {_CONTROL_RULE}"
    )


_META_CHARSET = '<meta charset="utf-8">'
_PRESCAN = 1024  # bytes in which a browser looks for the page's charset before parsing


def _check_written(out: str) -> None:
    """The page as written: no control characters (a reference such as `&#27;` makes one),
    and its charset declared where a browser's pre-scan finds it."""
    found = _first_control(out)
    if found is not None:
        ch = found.group()
        raise BuildError(
            f"template: a character reference in the page it writes makes control character "
            f"U+{ord(ch):04X}{_CONTROL_NAMES.get(ch, '')}; {_CONTROL_RULE}"
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
        second is not None
        and first.tag == "meta"
        and first.attributes == {"charset": "utf-8"}
        and second.tag == "meta"
        and second.attributes == {"http-equiv": "Content-Security-Policy", "content": policy}
    ):
        first.decompose()
        second.decompose()
        return True
    return False


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


_ELEMENTS = frozenset({"script", "noscript", "base", "meta", "style"})
"""Elements _Cleaner removes or reads the text of (the parser writes these in lower case)."""
_WATCHED = frozenset({*_NAVIGATES, *_ANIMATED, *_LOADS, "srcdoc", "style"})
"""Attribute names _Cleaner._attribute acts on (besides on...=, and values with "(")."""


def _watched(attribute: tuple[str, str | None]) -> bool:
    """False if _Cleaner._attribute surely keeps this attribute as it is, silently.

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


class _Cleaner:
    """The page policy, applied in place to a parsed page (a selectolax lexbor tree)."""

    def __init__(self, page: Page, medium: str):
        self.page = page
        self.web = medium == "web"
        self.warnings: list[str] = []
        self.changes = 0
        self.attachment = False  # is the element being read <a rel=attachment>?

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
        if tag == "style":  # in SVG and MathML too: a browser applies its text as CSS
            self._css(node.text(deep=True) or "")
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
