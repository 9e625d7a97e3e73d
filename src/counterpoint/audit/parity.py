"""The parity of the views: each view's words, sources and notes (the parity table and
the balance chart), and the parity checks (CP201-CP203)."""

from __future__ import annotations

from counterpoint.audit.run import Audit
from counterpoint.audit.words import cited_keys, plural, support, words
from counterpoint.brief.findings import ViewStats
from counterpoint.brief.model import View


def view_stats(run: Audit, views: list[View]) -> list[ViewStats]:
    """Each view's row of the parity table: words, sources, notes, shares and bar lengths."""
    rows = []
    for v in views:
        fields = [*support(v), *v.counterpoints]
        citations = [c for t in fields for c in t.citations]
        notes = (
            sum(1 for c in citations if c.where in run.doc.numbers)
            if run.doc is not None
            else len(citations)
        )
        rows.append(
            ViewStats(
                id=v.id,
                label=v.label,
                where=v.where,
                words=words(v.summary) + sum(words(a) for a in v.arguments),
                arguments=len(v.arguments),
                counterpoints=len(v.counterpoints),
                sources=len([k for k in cited_keys(support(v)) if k in run.brief.sources]),
                notes=notes,
            )
        )
    total_words = sum(r.words for r in rows)
    total_sources = sum(r.sources for r in rows)
    for r in rows:
        r.word_share = r.words / total_words if total_words else 0.0
        r.source_share = r.sources / total_sources if total_sources else 0.0
    longest = max([r.word_share for r in rows] + [r.source_share for r in rows] + [0.0])
    for r in rows:
        r.word_bar = r.word_share / longest if longest else 0.0
        r.source_bar = r.source_share / longest if longest else 0.0
    return rows


def check_parity(run: Audit, rows: list[ViewStats]) -> None:
    """CP201-CP203: words out of proportion, missing counterpoints, one rival's sources."""
    b = run.brief
    if len(rows) >= 2:
        big = max(rows, key=lambda r: r.words)
        small = min(rows, key=lambda r: r.words)
        limit = b.audit.word_ratio
        if small.words == 0 or big.words / small.words > limit:
            ratio = f"{big.words / small.words:.2f} times" if small.words else "against"
            run.add(
                "CP201",
                f"view '{big.id}' has {big.words} words (summary and arguments), "
                f"{ratio} the {small.words} of view '{small.id}'; "
                f"the brief allows {limit:g} (audit.word_ratio)",
                big.where,
                big.id,
            )
    with_points = [v for v in b.views if v.counterpoints]
    if with_points:
        for v in b.views:
            if not v.counterpoints:
                others = len(with_points)
                run.add(
                    "CP202",
                    f"view '{v.id}' has no counterpoints, while "
                    f"{plural(others, 'other view')} {'has' if others == 1 else 'have'} some",
                    v.where,
                    v.id,
                )
    if len(b.views) < 3:
        return  # with two views every counterpoint can only come from the one rival
    argued = {v.id: set(cited_keys(v.arguments)) for v in b.views}
    for v in b.views:
        if len(v.counterpoints) < 2:
            continue
        rivals: set[str] = set()
        every = True
        for point in v.counterpoints:
            keys = set(cited_keys([point]))
            drawn = {o.id for o in b.views if o is not v and keys & argued[o.id]}
            every = every and bool(drawn)
            rivals |= drawn
        if every and len(rivals) == 1:
            (rival,) = rivals
            run.add(
                "CP203",
                f"all {len(v.counterpoints)} counterpoints of view '{v.id}' are drawn "
                f"from the sources of one rival view, '{rival}'",
                v.counterpoints[0].where,
                v.id,
            )
