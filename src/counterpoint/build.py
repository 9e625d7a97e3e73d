"""The pipeline: load -> validate -> resolve -> render -> publish, one brief at a time."""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BuildError, CounterpointError, display_path
from .model import Brief, Date
from .publish import FetchPolicy, write_atomic, write_pdf
from .render import Medium, render
from .resolve import Resolved, resolve
from .templates import TemplateSet, available, find, search_roots
from .validate import validate

FORMATS = ("html", "pdf", "print-html")
DEFAULT_AUDIENCE = "analyst"
SUFFIX = {"html": ".html", "pdf": ".pdf", "print-html": ".print.html"}


@dataclass
class Output:
    """One written file and what a user wants to know about it."""

    path: Path
    format: str
    audience: str
    notes: int
    seconds: float
    pages: int | None = None
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line: path, pages, notes, time."""
        facts = [f"{self.pages} pages"] if self.pages is not None else []
        facts += [f"{self.notes} notes", f"{self.seconds:.2f} s"]
        return f"wrote {display_path(self.path)} ({', '.join(facts)})"


def find_briefs(paths: Iterable[str | Path]) -> list[Path]:
    """Brief files named directly, or the *.yaml files of named folders (sorted)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(f for f in p.iterdir() if f.suffix in (".yaml", ".yml") and f.is_file())
            if not found:
                raise CounterpointError(
                    f"{display_path(p)}: no brief files (*.yaml) in this folder"
                )
            out += found
        elif p.exists():
            out.append(p)
        else:
            raise CounterpointError(f"{display_path(p)}: no such file or folder")
    return list(dict.fromkeys(out))


def output_path(brief: Brief, out_dir: Path, fmt: str, audience: str) -> Path:
    """out/NAME.pdf for the default audience, out/NAME-AUDIENCE.pdf for others."""
    stem = brief.name if audience == DEFAULT_AUDIENCE else f"{brief.name}-{audience}"
    return out_dir / (stem + SUFFIX[fmt])


def build(
    brief_path: str | Path,
    out_dir: str | Path = "out",
    formats: Sequence[str] = ("html", "pdf"),
    audience: str | None = None,
    templates: str | Path | None = None,
    allow_remote: bool = False,
    today: Date | None = None,
    strict: bool = False,
) -> list[Output]:
    """Build one brief into `out_dir` for an audience (None: the brief's own, "all": every
    audience on the template search path); returns what was written.

    Raises InvalidInput for mistakes in the brief, BuildError when output cannot be made.
    With strict=True any warning (a refused fetch, an audit finding) fails the build.
    """
    for fmt in formats:
        if fmt not in FORMATS:
            raise CounterpointError(f"unknown format '{fmt}'; expected {', '.join(FORMATS)}")
    started = time.perf_counter()
    path = Path(brief_path)
    out = Path(out_dir)

    # first gather all data: the brief, its sources, the template set, the notes
    brief = validate(path)
    roots = search_roots(Path(templates) if templates else None, path)
    names = audience_names(roots) if audience == "all" else [audience or brief_audience(brief)]
    outputs: list[Output] = []
    for name in names:
        outputs += _build_audience(
            brief, find(name, roots), name, out, formats, allow_remote, today, strict, started
        )
        started = time.perf_counter()
    return outputs


def brief_audience(brief: Brief) -> str:
    """The audience a brief asks for by default (`audience:`), else analyst."""
    return str(brief.extra.get("audience") or DEFAULT_AUDIENCE)


def audience_names(roots: list[Path]) -> list[str]:
    """Every set on the search path that declares an audience (analyst first)."""
    names = [s.name for s in available(roots) if s.audience]
    return sorted(names, key=lambda n: (n != DEFAULT_AUDIENCE, n))


def _build_audience(
    brief: Brief,
    tset: TemplateSet,
    audience: str,
    out: Path,
    formats: Sequence[str],
    allow_remote: bool,
    today: Date | None,
    strict: bool,
    started: float,
) -> list[Output]:
    options = {**tset.options, **brief.extra.get("audiences", {}).get(audience, {})}
    if "judgments" in options:  # the brief (or set) asks for the first N judgments only
        brief = dataclasses.replace(brief, judgments=brief.judgments[: int(options["judgments"])])
    doc = resolve(brief, tset.sections, today=today)
    path = brief.path
    max_pages = options.get("max_pages")

    outputs: list[Output] = []
    for fmt in formats:
        target = output_path(brief, out, fmt, audience)
        medium: Medium = "web" if fmt == "html" else "print"
        html = render(doc, tset, medium, audience, options)
        missing = check_coverage(doc, html)
        if missing:
            raise BuildError(
                f"template set '{tset.name}' ({display_path(tset.folder)}) leaves out "
                + "; ".join(missing)
                + ": every edition must show every view, contested point and key judgment "
                "the brief asks for"
            )
        if fmt == "pdf":
            policy = FetchPolicy(
                roots=[path.resolve().parent] + [s.folder for s in tset.chain],
                allow_remote=allow_remote,
            )
            result = write_pdf(
                html, target, doc.notes, path.resolve().parent, policy,
                identifier=f"{brief.name}/{audience}",
                max_pages=int(max_pages) if max_pages else None,
                too_long=lambda pages: too_long_advice(brief, audience, pages, int(max_pages or 0)),
            )  # fmt: skip
            outputs.append(
                Output(target, fmt, audience, len(doc.notes), 0.0, result.pages, result.warnings)
            )
        else:
            write_atomic(target, html.encode("utf-8"))
            outputs.append(Output(target, fmt, audience, len(doc.notes), 0.0))
        outputs[-1].seconds = time.perf_counter() - started
        started = time.perf_counter()
        if strict and outputs[-1].warnings:
            raise BuildError(
                f"{display_path(target)}: failed under --strict: " + "; ".join(outputs[-1].warnings)
            )
    return outputs


def check(paths: Iterable[str | Path]) -> list[Brief]:
    """Validate briefs without writing anything; raises on the first invalid brief."""
    return [validate(p) for p in find_briefs(paths)]


def check_coverage(doc: Resolved, html: str) -> list[str]:
    """What of the brief's views, contested points and judgments an edition fails to show.

    Templates mark each shown item with data-view, data-contested and data-judgment
    attributes (docs/templates.md); an item without its mark has been dropped.
    """
    missing: list[str] = []
    views = set(re.findall(r'data-view="([^"]*)"', html))
    missing += [f"view '{v.id}'" for v in doc.brief.views if v.id not in views]
    contested = set(re.findall(r'data-contested="(\d+)"', html))
    missing += [
        f"contested point {i} ({c.point})"
        for i, c in enumerate(doc.brief.contested, 1)
        if str(i) not in contested
    ]
    judgments = set(re.findall(r'data-judgment="(\d+)"', html))
    missing += [f"key judgment {i}" for i in range(1, len(doc.brief.judgments) + 1)
                if str(i) not in judgments]  # fmt: skip
    return missing


def too_long_advice(brief: Brief, audience: str, pages: int, limit: int) -> str:
    """Say what to cut when an edition is over its page limit, largest parts first."""
    from .markdown import plain

    def words(texts: list) -> int:
        return sum(len(plain(t.tokens).split()) for t in texts if t is not None)

    parts = [
        ("the bottom line (summary)", words([brief.summary])),
        ("the key judgments", words([j.text for j in brief.judgments])),
        ("the view theses", words([v.thesis for v in brief.views])),
        ("the contested assessments", words([c.assessment for c in brief.contested])),
    ]
    parts.sort(key=lambda p: -p[1])
    listed = ", ".join(f"{name} ({n} words)" for name, n in parts if n)
    return (
        f"the {audience} edition is {pages} pages, over its {limit}-page limit; shorten "
        f"{listed}, or show fewer judgments with `audiences: {{{audience}: {{judgments: N}}}}`"
    )
