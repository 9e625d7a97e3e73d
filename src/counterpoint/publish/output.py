"""What a build wrote: one `Output` per file, and the formats there are (a leaf module:
build() and the command line know these without importing the writers)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from counterpoint.brief.findings import Finding
from counterpoint.errors import display_path

SUFFIXES = {"html": ".html", "pdf": ".pdf", "print-html": ".print.html", "docx": ".docx"}
"""Every output format, by the name `--format` takes, and its file name's ending; each has
a writer in publish.WRITERS."""


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
    findings: list[Finding] = field(default_factory=list)
    """Audit findings the brief does not ignore; on a build's first output only (once a brief)."""
    data: bytes = field(default=b"", repr=False)
    """The file's content until it is written (every output of a build is written at once)."""
    cached: bool = False
    """True when nothing the output depends on changed since it was written (not rebuilt)."""
    replayed: list[str] = field(default_factory=list)
    """For a cached output, the audit findings its build reported (once a brief)."""
    in_text: bool = False
    """True when the style cites in the text: `notes` then counts those citations."""

    def finding_lines(self) -> list[str]:
        """The audit findings to show for this output, one line each."""
        return [str(f) for f in self.findings] + self.replayed

    def summary(self) -> str:
        """One line: path, pages, notes, time (or that it was up to date)."""
        counted = [(self.pages, "page"), (self.notes, "citation" if self.in_text else "note")]
        facts = [f"{n} {word}{'' if n == 1 else 's'}" for n, word in counted if n is not None]
        if self.cached:
            return f"up to date {display_path(self.path)} ({', '.join(facts)})"
        facts.append(f"{self.seconds:.2f} s")
        return f"wrote {display_path(self.path)} ({', '.join(facts)})"

    def record(self) -> dict[str, object]:
        """What the build cache keeps of this output (pipeline/cache.py)."""
        return {
            "path": str(self.path),
            "format": self.format,
            "audience": self.audience,
            "notes": self.notes,
            "pages": self.pages,
            "warnings": self.warnings,
            "in_text": self.in_text,
        }
