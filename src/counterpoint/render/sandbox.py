"""The template sandbox: Jinja's immutable sandbox with bounded arithmetic, arguments and
output, attributes of data only, and a loader that reads only files inside their set.

A template set is code from elsewhere (docs/security.md): it runs here.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
import stat
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import jinja2
import jinja2.compiler
import jinja2.nodes
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment

from counterpoint.errors import BuildError, display_path
from counterpoint.process.limits import (
    MAX_ARG,
    MAX_INT_BITS,
    MAX_STRING,
    MAX_TEMPLATE_BYTES,
    MAX_TEMPLATE_OUTPUT,
)


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
    if name == "do_indent" and isinstance(value, str):
        width = rest[0] if rest else kwargs.get("width", 4)
        width = len(width) if isinstance(width, str) else int(width or 0)
        _check_size(len(value) + (value.count("\n") + 1) * width, "an indented string")
    elif name in ("do_replace", "replace") and isinstance(value, str):
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

    def concat(self, parts: Iterable[str]) -> str:
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


# -- control characters -------------------------------------------------------------
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
"""C0 and C1 controls and DELETE, but HTML's white space: tab, line feed, form feed, CR."""
CONTROL_NAMES = {"\x00": " (NUL)", "\x1b": " (ESCAPE)", "\x7f": " (DELETE)"}
CONTROL_RULE = (
    "pages hold no control characters but tab, line feed, form feed and carriage return "
    "(see docs/security.md)"
)


def first_control(text: str) -> re.Match[str] | None:
    return _CONTROL.search(text)


def refuse_controls(text: str, filename: str) -> None:
    """Raise a BuildError at the first control character in a template file (`filename`)
    or, with filename "", in the page a template set rendered."""
    found = first_control(text)
    if found is None:
        return
    ch, at = found.group(), found.start()
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    what = f"control character U+{ord(ch):04X}{CONTROL_NAMES.get(ch, '')}"
    if filename:
        raise BuildError(f"{filename}:{line}:{column}: {what} in a template; {CONTROL_RULE}")
    context = repr(text[max(0, at - 30) : at + 30])
    raise BuildError(
        f"template: {what} at line {line}, column {column} of the page it writes, in "
        f"{context}; {CONTROL_RULE}"
    )
