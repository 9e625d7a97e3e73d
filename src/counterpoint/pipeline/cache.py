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

import hashlib
import hmac
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from counterpoint.pipeline.inputs import (
    Fingerprint,
    file_sha256,
    listing,
    unchanged,
    with_environment,
)

RECORD_DIR = ".counterpoint"


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
    return with_environment({**own, "formats": [fmt]})


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
    if not all(unchanged(p, h) for p, h in entry["inputs"].items()):
        return False
    if any(listing(Path(d), len(names)) != names for d, names in entry["listings"].items()):
        return False
    return all(file_sha256(Path(o["path"])) == o["sha256"] for o in entry["outputs"])


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
