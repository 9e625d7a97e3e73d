"""Stage 5, publish: one writer per output format, as Sphinx has builders.

Every writer takes a resolved, audited edition and returns an `Output` holding the file's
bytes; build() writes all of a brief's outputs at once (files.write_all). Adding a format
is adding a writer to WRITERS.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar

from counterpoint.brief.findings import AuditReport
from counterpoint.brief.model import DEFAULT_PDF_VARIANT, Brief
from counterpoint.brief.sections import SECTIONS, Section, walk
from counterpoint.cite.resolve import Resolved
from counterpoint.errors import BuildError, display_path
from counterpoint.process.limits import MAX_DATA_URL
from counterpoint.publish.fetch import FetchPolicy
from counterpoint.publish.output import SUFFIXES, Output
from counterpoint.publish.sanitize import Page, sanitize_html
from counterpoint.render.engine import Medium, render
from counterpoint.render.templates import TemplateSet


@dataclass
class Edition:
    """What every writer is given: one audience's resolved and audited edition."""

    doc: Resolved
    tset: TemplateSet
    audience: str
    options: dict[str, Any]
    audit: AuditReport
    allow_remote: bool = False
    pdf_variant: str | None = DEFAULT_PDF_VARIANT
    memory_limit: int | None = None
    worker: Any = None
    """A pdfworker.LayoutWorker that lays out this build's PDFs, if one was started."""
    policy: FetchPolicy = field(init=False)
    page: Page = field(init=False)

    def __post_init__(self) -> None:
        project = self.brief.path.resolve().parent
        self.policy = FetchPolicy(
            roots=[project, Path("assets")] + [s.folder for s in self.tset.chain],
            allow_remote=self.allow_remote,
        )
        self.page = Page(self.policy.check, project, self.allow_remote, MAX_DATA_URL)

    @property
    def brief(self) -> Brief:
        return self.doc.brief

    def html(self, medium: Medium) -> tuple[str, list[str]]:
        """The edition's page for a medium, checked to show everything and made inert."""
        page = render(self.doc, self.tset, medium, self.audience, self.options, self.audit)
        missing = check_coverage(self.doc, page)
        if missing:
            raise BuildError(
                f"template set '{self.tset.name}' ({display_path(self.tset.folder)}) leaves out "
                + "; ".join(missing)
                + ": every edition must show every view, contested point and key judgment "
                "the brief asks for"
            )
        return sanitize_html(page, self.page, medium)  # inert, self-contained (publish/sanitize.py)


class Writer:
    """One output format: its name, its file suffix, and how an edition becomes bytes."""

    format: ClassVar[str]
    suffix: ClassVar[str]

    def write(self, edition: Edition, target: Path) -> Output:
        raise NotImplementedError

    def output(self, edition: Edition, target: Path, **facts: Any) -> Output:
        doc = edition.doc
        if not doc.footnotes:  # an in-text style: count the citations in the text
            facts["in_text"] = True
        count = len(doc.notes) if doc.footnotes else len(doc.running)
        return Output(target, self.format, edition.audience, count, 0.0, **facts)


class HtmlWriter(Writer):
    """The web page: one self-contained, inert HTML file."""

    format = "html"
    suffix = SUFFIXES[format]
    medium: Medium = "web"

    def write(self, edition: Edition, target: Path) -> Output:
        html, removed = edition.html(self.medium)
        return self.output(
            edition, target, warnings=edition.doc.warnings + removed, data=html.encode("utf-8")
        )


class PrintHtmlWriter(HtmlWriter):
    """The exact HTML the PDF is laid out from (for designers and debugging)."""

    format = "print-html"
    suffix = SUFFIXES[format]
    medium: Medium = "print"


class PdfWriter(Writer):
    """The PDF: WeasyPrint's layout, the glyph preflight and the footnote check."""

    format = "pdf"
    suffix = SUFFIXES[format]

    def write(self, edition: Edition, target: Path) -> Output:
        from counterpoint.publish.pdf import FALLBACK_WARNING, LostNotes

        fallback: list[str] = []
        try:
            output = self.lay_out(edition, target)
        except LostNotes as exc:
            if edition.doc.endnotes:
                raise
            # the ladder's last step: no layout kept every footnote on its call's page, so
            # this PDF gathers the edition's notes in one list after the body
            try:
                output = self.lay_out(as_endnotes(edition), target)
            except LostNotes:  # a set that hides a note hides it in the list too
                raise exc from None
            fallback = [
                *exc.steps,
                f"{FALLBACK_WARNING} {'; '.join(exc.problems[:3])}"
                + (f"; and {len(exc.problems) - 3} more" if len(exc.problems) > 3 else "")
                + "; so this PDF lists its notes as endnotes (docs/weasyprint.md)",
            ]
        output.warnings += fallback
        return output

    def lay_out(self, edition: Edition, target: Path) -> Output:
        from counterpoint.publish.fonts import preflight  # PDFs only
        from counterpoint.publish.pdf import write_pdf

        doc, brief, audience = edition.doc, edition.brief, edition.audience
        html, removed = edition.html("print")
        files = [brief.path, *dict.fromkeys(Path(s.where.file) for s in brief.sources.values())]
        glyphs = preflight(html, stylesheet_of(html), files)
        edition.policy.refused.clear()
        max_pages = edition.options.get("max_pages")
        result = write_pdf(
            html, target, doc.notes, brief.path.resolve().parent, edition.policy,
            identifier=f"{brief.name}/{audience}",
            variant=edition.pdf_variant,
            max_pages=int(max_pages) if max_pages else None,
            too_long=lambda pages: too_long_advice(edition, pages, int(max_pages or 0)),
            write=False,
            memory_limit=edition.memory_limit,
            worker=edition.worker,
            uncounted="bibliography" if doc.references_added else None,
            stylesheets=stylesheet_files(edition.tset, "print"),
        )  # fmt: skip
        # what sanitizing removed, but not its load checks: the fetcher reports those
        removals = [w for w in removed if not w.startswith(("refused to", "cannot load"))]
        laid_out = result.warnings
        if glyphs:  # WeasyPrint's line per missing character says again what `glyphs` says
            laid_out = [w for w in laid_out if not w.startswith(".notdef glyph rendered")]
        warnings = doc.warnings + removals + glyphs + laid_out
        return self.output(edition, target, pages=result.pages, warnings=warnings, data=result.data)


def stylesheet_files(tset: TemplateSet, medium: str) -> dict[str, str]:
    """Each stylesheet name of a set's page, and its file as messages show it (the child's
    file wins, as in the page)."""
    out: dict[str, str] = {}
    for name in tset.stylesheets(medium):
        for s in tset.chain:
            if (s.folder / name).is_file():
                out[name] = display_path(s.folder / name)
                break
    return out


def as_endnotes(edition: Edition) -> Edition:
    """The same edition with its notes gathered in one list after the body (`notes:
    endnotes`), for a PDF whose footnotes no layout kept on their calls' pages."""
    doc = edition.doc
    notes = [replace(note, endnote=True) for note in doc.notes]
    return replace(edition, doc=replace(doc, endnotes=True, notes=notes))


class DocxWriter(Writer):
    """The Word edition: a Pandoc document built from the resolved model, real footnotes,
    styled by the set's reference.docx (publish/docx/writer.py, docs/word.md)."""

    format = "docx"
    suffix = SUFFIXES[format]

    def write(self, edition: Edition, target: Path) -> Output:
        from counterpoint.publish.docx.writer import write_docx

        # the edition's checks (every view, contested point and judgment shown; no call
        # twice) hold for Word as for the page: a set's sections reach Word from its templates
        edition.html("print")
        doc, warnings = edition.doc, list(edition.doc.warnings)
        data = write_docx(
            doc, edition.tset, edition.audience, edition.options, edition.audit, doc.date,
            warnings,
        )  # fmt: skip
        if doc.endnotes and doc.notes:
            warnings.append(
                "the Word edition has footnotes: Pandoc's docx writer writes no endnotes "
                "(notes: endnotes applies to the HTML and PDF)"
            )
        return self.output(edition, target, warnings=warnings, data=data)


WRITERS: dict[str, Writer] = {
    w.format: w for w in (HtmlWriter(), PdfWriter(), PrintHtmlWriter(), DocxWriter())
}
"""Every output format, by the name `--format` takes."""


def write(edition: Edition, fmt: str, target: Path) -> Output:
    """One output of an edition, with the time it took."""
    started = time.perf_counter()
    output = WRITERS[fmt].write(edition, target)
    output.seconds = time.perf_counter() - started
    return output


def stylesheet_of(html: str) -> str:
    """The CSS inside a rendered page's <style> elements."""
    return "\n".join(re.findall(r"<style[^>]*>(.*?)</style>", html, re.S))


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


def too_long_advice(edition: Edition, pages: int, limit: int) -> str:
    """Say what to cut when an edition is over its page limit: the sections this edition
    shows, largest first (each as its `label` in brief/sections.py says), and fewer
    judgments only if it shows more than one."""
    from counterpoint.brief.markdown import plain

    brief, audience = edition.brief, edition.audience

    def words(section: Section) -> int:
        texts = walk(brief, section.words)
        return sum(len(plain(t.tokens).split()) for _, t in texts)

    parts = [(SECTIONS[s].label, words(SECTIONS[s])) for s in edition.doc.sections if s in SECTIONS]
    parts.sort(key=lambda p: -p[1])
    listed = ", ".join(f"{name} ({n} words)" for name, n in parts if n)
    advice = (
        f"the {audience} edition is {pages} pages, over its {limit}-page limit; shorten {listed}"
    )
    if "judgments" in edition.doc.sections and len(brief.judgments) > 1:
        advice += f", or show fewer judgments with `audiences: {{{audience}: {{judgments: N}}}}`"
    return advice
