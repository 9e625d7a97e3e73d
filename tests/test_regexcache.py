"""The cache of compiled regular expressions (regexcache.py) gives exactly what `re` gives."""

from __future__ import annotations

import marshal
import re
import sys
from pathlib import Path
from re import _compiler, _parser

import pytest

from counterpoint import regexcache

PATTERNS: list[tuple[str | bytes, int]] = [
    (r"(?P<year>\d{4})-(\d\d)?", 0),
    (r"hello\s+world", re.I),
    (r"^\s*-?@(?P<key>[A-Za-z0-9_]+)", re.M | re.S),
    (rb"[\x00-\x20]+", 0),
    ("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]", 0),
    ("(?x) a  # a comment\n b", 0),
    (r"(?<![\w-])(?:likely|almost\s+certainly)(?![\w-])", re.I),
]
SAMPLES = ["2026-11", "2026", "HELLO   World", " -@lin-2024", "\x01\x02 text", "ab", "a b",
           "\ufffe", "almost  Certainly", "un-likely"]  # fmt: skip


@pytest.fixture
def cache_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path / "counterpoint" / f"regex-{sys.implementation.cache_tag}.marshal"


def compile_all() -> list[re.Pattern]:
    re.purge()
    with regexcache.cached_regexes():
        return [re.compile(p, f) for p, f in PATTERNS]


def behaviour(pattern: re.Pattern) -> list[object]:
    seen: list[object] = [pattern.pattern, pattern.flags, pattern.groups, pattern.groupindex]
    for s in SAMPLES:
        text: str | bytes = s.encode() if isinstance(pattern.pattern, bytes) else s
        m = pattern.search(text)  # type: ignore[arg-type]
        seen.append(m and (m.span(), m.groups()))
    return seen


def test_cached_patterns_are_the_ones_re_compiles(cache_file: Path) -> None:
    first = compile_all()
    assert cache_file.is_file()
    re.purge()
    plain = [re.compile(p, f) for p, f in PATTERNS]
    with_cache = _second_run()
    for a, b, c in zip(first, with_cache, plain, strict=True):
        assert a == b == c  # equal patterns have equal SRE code
        assert behaviour(b) == behaviour(c)


def _second_run() -> list[re.Pattern]:
    original = _parser.parse

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("compiled again instead of taken from the cache")

    _parser.parse = refuse  # type: ignore[assignment]
    try:
        return compile_all()
    finally:
        _parser.parse = original


def test_re_compiles_as_usual_after_the_block(cache_file: Path) -> None:
    original = _compiler.compile
    compile_all()
    assert _compiler.compile is original
    with pytest.raises(re.error, match="unterminated character set"), regexcache.cached_regexes():
        re.compile("[abc")
    assert _compiler.compile is original


@pytest.mark.parametrize(
    "content",
    [b"", b"not marshal data", marshal.dumps(("another python", {})), marshal.dumps([1, 2])],
)
def test_a_damaged_or_foreign_cache_is_replaced(cache_file: Path, content: bytes) -> None:
    cache_file.parent.mkdir(parents=True)
    cache_file.write_bytes(content)
    assert [behaviour(p) for p in compile_all()] == [
        behaviour(re.compile(p, f)) for p, f in PATTERNS
    ]
    header, entries = marshal.loads(cache_file.read_bytes())
    assert header.startswith(sys.version) and len(entries) == len(PATTERNS)


def test_a_damaged_entry_is_compiled_afresh(cache_file: Path) -> None:
    compile_all()
    header, entries = marshal.loads(cache_file.read_bytes())
    key = (PATTERNS[0][0], PATTERNS[0][1])
    flags, code, groups, groupindex, indexgroup = entries[key]
    entries[key] = (flags, [99999, *code[1:]], groups, groupindex, indexgroup)
    cache_file.write_bytes(marshal.dumps((header, entries)))
    (pattern, *_) = compile_all()
    assert pattern.match("2026-11").groupdict() == {"year": "2026"}
    assert marshal.loads(cache_file.read_bytes())[1][key][1] == code  # repaired
