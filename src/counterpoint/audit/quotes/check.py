"""A brief's quotations and their verdicts, each against the snapshots of the sources it cites.

Verdicts are cached in the user's cache by everything they depend on (the quotation, its
citation, each snapshot's SHA-256), and extracted text by the snapshot's SHA-256: an audit
after an edit that leaves the sources alone matches only the quotations that changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from counterpoint.audit.quotes import code_version
from counterpoint.audit.quotes.find import Found, Locator, quotations
from counterpoint.brief.model import Brief, CiteItem, SourceRecord, Text
from counterpoint.errors import Location, display_path
from counterpoint.usercache import user_cache_dir


@dataclass
class Quotation:
    """One quotation of a brief, where it is written, and its verdict."""

    where: Location
    path: str  # the key path of its field: views[0].arguments[2]
    text: str  # as quoted (Markdown markup removed)
    sources: list[str]  # the ids its citation names
    verdict: str
    source: str = ""  # the id the verdict is about
    snapshot: str = ""  # that source's snapshot, as a path to show
    locator: str = ""  # the cited locator, as written
    found_at: str = ""  # where the source has it: "para. 5", "p. 12"
    evidence: str = ""  # the source's words there (normalised)
    diff: str = ""  # for altered: '[-source-]{+quotation+}', word by word
    dropped: tuple[str, ...] = ()  # for omission-review: what the omission leaves out
    note: str = ""  # why a snapshot could not be read

    @property
    def short(self) -> str:
        words = self.text.split()
        return " ".join(words[:10]) + (" …" if len(words) > 10 else "")

    def message(self) -> str:
        q, s = f'quotation "{self.short}"', f"'{self.source}'"
        if self.verdict == "altered":
            return f"{q} differs from {s} at {self.found_at or 'its closest passage'}: {self.diff}"
        if self.verdict == "not-found":
            why = f" ({self.note})" if self.note else ""
            return f"{q} is not in the snapshot of {s}, {self.snapshot}{why}"
        if self.verdict == "wrong-locator":
            return f"{q} is in {s} at {self.found_at}, not at {self.locator} as cited"
        if self.verdict == "omission-review":
            left = ", ".join(f"'{w}'" for w in self.dropped)
            return (
                f"{q}: its omission leaves out {left} ({s}, {self.found_at}); "
                "check that the quotation keeps the source's meaning"
            )
        if self.verdict == "no-snapshot":
            return f"{q} cannot be checked: {s} has no snapshot (counterpoint snapshot)"
        if self.verdict == "snapshot-changed":
            why = self.note or f"no longer matches the snapshot-sha256 of {s}"
            return f"{q} cannot be checked: {self.snapshot} {why}"
        return f"{q} is in {s} at {self.found_at}" if self.found_at else f"{q} is in {s}"

    def to_json(self) -> dict[str, Any]:
        return {
            "file": display_path(self.where.file),
            "line": self.where.line,
            "column": self.where.col,
            "path": self.path,
            "text": self.text,
            "sources": self.sources,
            "source": self.source,
            "snapshot": self.snapshot,
            "verdict": self.verdict,
            "locator": self.locator,
            "found_at": self.found_at,
            "evidence": self.evidence,
            "diff": self.diff,
            "dropped": list(self.dropped),
        }


@dataclass
class _Snapshot:
    record: SourceRecord  # the record that names it (the source, or its cited-in host)
    path: Path
    status: str  # "ok", "changed", "missing", "outside" or "unreadable"
    digest: str = ""
    note: str = ""
    index: Any = None  # index.Index, made on first use
    languages: list[str] | None = None


def _inside(path: Path, record_file: Path) -> bool:
    """Snapshots are read only from the record's folder, the one above it, or the working
    folder (as source records are): a record cannot make counterpoint read other files."""
    folder = record_file.parent.resolve()
    roots = (folder, folder.parent, Path.cwd().resolve())
    return any(path.is_relative_to(r) for r in roots if r != Path(r.anchor))


class _Checker:
    def __init__(self, brief: Brief):
        self.brief = brief
        self.snapshots: dict[str, _Snapshot | None] = {}

    def snapshot(self, key: str) -> _Snapshot | None:
        """The snapshot a source is checked against: its own, else its cited-in host's."""
        if key in self.snapshots:
            return self.snapshots[key]
        record = self.brief.sources.get(key)
        if record is not None and not record.snapshot and record.cited_in:
            host = self.brief.sources.get(record.cited_in)
            record = host if host is not None and host.snapshot else record
        got = None
        if record is not None and record.snapshot:
            base = Path(record.where.file) if record.where.file else self.brief.path
            path = Path(os.path.realpath(base.parent / record.snapshot))  # a loop: missing
            got = _Snapshot(record, path, "ok")
            if not _inside(path, base):
                got.status, got.note = "unreadable", "outside the project; not read"
            elif not path.is_file():
                got.status, got.note = "missing", "is missing"
            else:
                from counterpoint.audit.quotes.extract import sha256_of

                got.digest = sha256_of(path)
                if record.snapshot_sha256 and record.snapshot_sha256 != got.digest:
                    got.status = "changed"
        self.snapshots[key] = got
        return got

    def index(self, snap: _Snapshot) -> Any:
        if snap.index is None and snap.status == "ok":
            from counterpoint.audit.quotes.blocks import SnapshotError
            from counterpoint.audit.quotes.extract import extract
            from counterpoint.audit.quotes.index import Index
            from counterpoint.audit.quotes.qualifiers import guess_languages

            try:
                extracted = extract(snap.path, snap.digest, snap.record.url)
            except (SnapshotError, OSError) as exc:
                snap.status, snap.note = "unreadable", str(exc)
                return None
            snap.index = Index.of(extracted)
            snap.languages = guess_languages(extracted.sample, snap.record.language)
        return snap.index

    def cache_key(self, found: Found) -> str:
        parts = [code_version(), found.text]
        for item in found.citation.items:
            snap = self.snapshot(item.key)
            state = f"{snap.status}:{snap.digest}:{snap.path}" if snap else "none"
            parts += [item.key, item.suffix, state]
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    def verdict(self, found: Found) -> dict[str, Any]:
        """The verdict of one quotation, as the fields of `Quotation` it sets."""
        from counterpoint.audit.quotes.index import locator
        from counterpoint.audit.quotes.match import RANK, check

        items: list[CiteItem] = [i for i in found.citation.items if i.key in self.brief.sources]
        if not items:
            return {"verdict": "no-snapshot"}
        snaps = [(item, self.snapshot(item.key)) for item in items]
        for item, snap in snaps:
            if snap is not None and snap.status in ("changed", "missing"):
                return {
                    "verdict": "snapshot-changed",
                    "source": item.key,
                    "snapshot": display_path(snap.path),
                    "locator": _locator_text(item),
                    "note": snap.note,
                }
        best: dict[str, Any] | None = None
        for item, snap in snaps:
            if snap is None:
                continue
            index = self.index(snap)
            base = {
                "source": item.key,
                "snapshot": display_path(snap.path),
                "locator": _locator_text(item),
            }
            got: dict[str, Any]
            if index is None:
                got = {**base, "verdict": "not-found", "note": snap.note}
            else:
                r = check(found.text, index, locator(item.suffix), snap.languages or ["en"])
                got = {
                    **base,
                    "verdict": r.verdict,
                    "found_at": r.place,
                    "evidence": r.evidence,
                    "diff": r.diff,
                    "dropped": tuple(r.dropped),
                }
            if best is None or RANK[got["verdict"]] < RANK[best["verdict"]]:
                best = got
        unarchived = [item.key for item, snap in snaps if snap is None]
        if best is None or (best["verdict"] == "not-found" and unarchived):
            return {"verdict": "no-snapshot", "source": unarchived[0]}
        return best


def _locator_text(item: CiteItem) -> str:
    from counterpoint.audit.quotes.index import locator

    loc = locator(item.suffix)
    return loc.text if loc else item.suffix.strip().lstrip(",").strip()


_MEMORY: dict[str, dict[str, Any]] = {}


def check_brief(
    brief: Brief, found: list[tuple[str, Text, Found]] | None = None
) -> list[Quotation]:
    """Every quotation of the brief with its verdict (docs/quotes.md)."""
    found = quotations(brief) if found is None else found
    if not found:
        return []
    checker = _Checker(brief)
    place = Locator()
    store = Path(
        user_cache_dir(
            "quotes", "verdicts", hashlib.sha256(str(brief.path.resolve()).encode()).hexdigest()
        )
        + ".json"
    )
    cached: dict[str, dict[str, Any]] = {}
    with contextlib.suppress(OSError, ValueError):
        cached = json.loads(store.read_text(encoding="utf-8"))
    fresh: dict[str, dict[str, Any]] = {}
    out = []
    for path, text, f in found:
        key = checker.cache_key(f)
        got = _MEMORY.get(key) or cached.get(key)
        if got is None:
            got = checker.verdict(f)
            got["dropped"] = list(got.get("dropped", ()))
        _MEMORY[key] = fresh[key] = got
        fields = {**got, "dropped": tuple(got.get("dropped", ()))}
        out.append(
            Quotation(
                where=place.locate(text, f),
                path=path,
                text=f.text,
                sources=[i.key for i in f.citation.items],
                **fields,
            )
        )
    if fresh.keys() != cached.keys():
        try:
            store.parent.mkdir(parents=True, exist_ok=True)
            tmp = store.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(fresh, ensure_ascii=False), encoding="utf-8")
            tmp.replace(store)
        except OSError:
            pass
    return out
