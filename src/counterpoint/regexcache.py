"""Compiled regular expressions kept between runs, for the imports a build makes.

Importing counterpoint's dependencies compiles about 150 regular expressions, and
importing WeasyPrint about 150 more. Python compiles each one in pure Python, which costs
about 20 ms of an HTML build and 30 ms more for a PDF, every run. While those imports run,
`cached_regexes()` takes the compiled form from the user's cache folder and records what
it had to compile.

The cache holds exactly what `re` computes: each pattern's SRE code, keyed by the pattern,
its flags and the Python build. An entry is stored only after a pattern rebuilt from it
compares equal (code included) to the one `re` compiled, and `_sre.compile` checks the code
again when it is loaded. If `re`'s internals are not what this module expects, it steps
aside and `re` compiles as usual. The folder is trusted as Jinja's compiled templates
beside it are (docs/security.md).
"""

from __future__ import annotations

import marshal
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

# (no pathlib here: importing it compiles regular expressions before the cache is in place)

MAX_ENTRIES = 5000
"""The cache stops growing here (a run adds only what its imports compile)."""


def user_cache_dir(*parts: str) -> str:
    """counterpoint's folder in the user's cache ($XDG_CACHE_HOME or ~/.cache)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "counterpoint", *parts)


def _internals() -> tuple[Any, Any, Any] | None:
    try:
        # CPython's private regular-expression modules: typeshed has no stubs for them
        import _sre  # type: ignore[import-not-found]
        from re import _compiler, _parser  # type: ignore[attr-defined]

        for name in ("compile", "_code", "SRE_FLAG_DEBUG"):
            getattr(_compiler, name)
        _parser.parse, _sre.compile, _sre.MAGIC  # noqa: B018 - they must exist
    except (ImportError, AttributeError):
        return None
    return _sre, _compiler, _parser


def _header(sre: Any) -> str:
    return f"{sys.version}|{sre.MAGIC}|{sre.CODESIZE}|{sys.maxunicode}"


def _load(path: str, header: str) -> dict[Any, Any]:
    try:
        with open(path, "rb") as f:
            stored = marshal.loads(f.read())
    except (OSError, ValueError, EOFError, TypeError):
        return {}
    if not (isinstance(stored, tuple) and len(stored) == 2 and stored[0] == header):
        return {}
    return stored[1] if isinstance(stored[1], dict) else {}


def _save(path: str, header: str, entries: dict[Any, Any]) -> None:
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(tmp, "wb") as f:
            f.write(marshal.dumps((header, entries)))
        os.replace(tmp, path)
    except (OSError, ValueError):  # a read-only home, a full disk: only speed is lost
        with suppress(OSError):
            os.unlink(tmp)


@contextmanager
def cached_regexes() -> Iterator[None]:
    """While inside, regular expressions compiled for the first time in this process come
    from the cache when it has them; new ones are added to it on the way out."""
    parts = _internals()
    if parts is None:
        yield
        return
    sre, compiler, parser = parts
    header = _header(sre)
    path = user_cache_dir(f"regex-{sys.implementation.cache_tag}.marshal")
    known = _load(path, header)
    added: dict[Any, Any] = {}
    original = compiler.compile

    def entry(pattern: str | bytes, flags: int) -> tuple[Any, ...]:
        # what re._compiler.compile computes before it calls _sre.compile
        parsed = parser.parse(pattern, flags)
        code = compiler._code(parsed, flags)
        groupindex = dict(parsed.state.groupdict)
        indexgroup: list[str | None] = [None] * parsed.state.groups
        for name, i in groupindex.items():
            indexgroup[i] = name
        state = parsed.state
        return (int(flags | state.flags), [int(c) for c in code], state.groups - 1,
                groupindex, tuple(indexgroup))  # fmt: skip

    def compile(pattern: Any, flags: int = 0) -> Any:
        if type(pattern) not in (str, bytes) or flags & compiler.SRE_FLAG_DEBUG:
            return original(pattern, flags)
        key = (pattern, int(flags))
        hit = known.get(key)
        if hit is not None:
            try:
                return sre.compile(pattern, *hit)
            except Exception:  # a damaged entry: compile afresh below
                known.pop(key, None)
        compiled = original(pattern, flags)  # errors in the pattern are raised here, as usual
        try:
            new = entry(pattern, flags)
            if sre.compile(pattern, *new) == compiled:  # equal patterns have equal code
                added[key] = new
        except Exception:  # re's internals differ from what we expect: no caching
            pass
        return compiled

    compiler.compile = compile
    try:
        yield
    finally:
        if compiler.compile is compile:
            compiler.compile = original
        if added and len(known) + len(added) <= MAX_ENTRIES:
            _save(path, header, {**known, **added})
