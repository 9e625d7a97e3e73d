"""The sourcing checks (CP101-CP110): texts that cite nothing, unknown and unused sources,
and views that rest on one source, one outlet or weak grades."""

from __future__ import annotations

from collections.abc import Iterator

from counterpoint.audit.run import Audit
from counterpoint.audit.words import cited_keys, quoted, support
from counterpoint.brief.model import Brief, Text, View

WEAK_GRADES = ("D", "E", "F")


def check_sourcing(run: Audit) -> None:
    """CP101-CP110, over every view, contested point, timeline event and source."""
    b = run.brief
    for code, label, text, key_path in _must_cite(b):
        if not text.citations:
            run.add(code, f"{label} cites no source", text.where, key_path)
    cited: set[str] = set()
    for key_path, text in b.texts():
        for cite in text.citations:
            for item in cite.items:
                if item.key in b.sources:
                    cited.add(item.key)
                else:
                    run.add(
                        "CP105",
                        f"citation names unknown source '@{item.key}'",
                        cite.where,
                        key_path,
                    )
    hosts = {b.sources[k].cited_in for k in cited if b.sources[k].cited_in}
    for s in b.sources.values():
        if s.id not in cited and s.id not in hosts:
            run.add("CP106", f"source '{s.id}' is defined but never cited", s.where, s.id)
    for s in b.sources.values():
        if s.id in cited and s.cited_in:
            run.add(
                "CP110",
                f"source '{s.id}' is cited only through '{s.cited_in}' (secondary, cited-in)",
                s.where,
                s.id,
            )
    for v in b.views:
        view_sourcing(run, v)


def _must_cite(b: Brief) -> Iterator[tuple[str, str, Text, str]]:
    """Each text that must cite a source (CP101-CP104): its finding code, how a finding
    names it, the text and its key path."""
    for i, v in enumerate(b.views):
        for code, kind, texts in (
            ("CP101", "argument", v.arguments),
            ("CP102", "counterpoint", v.counterpoints),
        ):
            for j, text in enumerate(texts):
                yield code, f"{kind} {j + 1} of view '{v.id}'", text, f"views[{i}].{kind}s[{j}]"
    for i, c in enumerate(b.contested):
        for j, text in enumerate(c.accounts):
            label = f"account {j + 1} of contested point '{c.point}'"
            yield "CP103", label, text, f"contested[{i}].accounts[{j}]"
    for i, e in enumerate(b.timeline):
        yield "CP104", f"timeline event of {e.date}", e.event, f"timeline[{i}]"


def grade(run: Audit, key: str) -> str:
    """A source's grade, or the grade of the source it is read through; '' if none."""
    s = run.brief.sources[key]
    if s.reliability:
        return s.reliability.grade
    host = run.brief.sources.get(s.cited_in) if s.cited_in else None
    return host.reliability.grade if host and host.reliability else ""


def view_sourcing(run: Audit, v: View) -> None:
    """CP107-CP109 for one view: one source (or one document), one outlet, weak grades."""
    sources = [k for k in cited_keys(support(v)) if k in run.brief.sources]
    if not sources:
        return
    records = [run.brief.sources[k] for k in sources]
    read = list(dict.fromkeys(s.cited_in or s.id for s in records))
    if len(sources) == 1:
        run.add("CP107", f"view '{v.id}' rests on a single source, '{sources[0]}'", v.where, v.id)
    elif len(read) == 1:
        run.add(
            "CP107",
            f"view '{v.id}' rests on a single source: its {len(sources)} sources "
            f"({quoted(sources)}) are all read in one document, '{read[0]}'",
            v.where,
            v.id,
        )
    else:
        outlets = {(s.container_title or s.publisher).casefold() for s in records}
        if len(outlets) == 1 and "" not in outlets:
            outlet = records[0].container_title or records[0].publisher
            run.add(
                "CP108",
                f"view '{v.id}' rests on a single outlet, {outlet}: {quoted(sources)}",
                v.where,
                v.id,
            )
    grades = {k: grade(run, k) for k in sources}
    if all(g in WEAK_GRADES for g in grades.values()):
        listed = []
        for s in records:
            through = f" through '{s.cited_in}'" if not s.reliability else ""
            listed.append(f"'{s.id}' ({grades[s.id]}{through})")
        run.add(
            "CP109",
            f"view '{v.id}' is supported only by sources graded D-F: {', '.join(listed)}",
            v.where,
            v.id,
        )
