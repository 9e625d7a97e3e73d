"""The pipeline: load -> validate -> resolve -> render -> publish, one brief at a time."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BuildError, CounterpointError, display_path
from .model import Brief, Date
from .publish import FetchPolicy, write_atomic, write_pdf
from .render import render
from .resolve import resolve
from .templates import find, search_roots
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
    audience: str = DEFAULT_AUDIENCE,
    templates: str | Path | None = None,
    allow_remote: bool = False,
    today: Date | None = None,
    strict: bool = False,
) -> list[Output]:
    """Build one brief for one audience into `out_dir`; returns what was written.

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
    tset = find(audience, roots)
    doc = resolve(brief, tset.sections, today=today)

    # then write each format
    outputs: list[Output] = []
    for fmt in formats:
        target = output_path(brief, out, fmt, audience)
        if fmt == "pdf":
            html = render(doc, tset, "print", audience)
            policy = FetchPolicy(
                roots=[path.resolve().parent] + [s.folder for s in tset.chain],
                allow_remote=allow_remote,
            )
            result = write_pdf(
                html, target, doc.notes, path.resolve().parent, policy,
                identifier=f"{brief.name}/{audience}",
            )  # fmt: skip
            outputs.append(
                Output(target, fmt, audience, len(doc.notes), 0.0, result.pages, result.warnings)
            )
        else:
            html = render(doc, tset, "web" if fmt == "html" else "print", audience)
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
