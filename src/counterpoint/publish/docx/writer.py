"""The Word edition: a Pandoc document built from the resolved brief, written by Pandoc.

counterpoint builds Pandoc's document model (the JSON AST) from the resolved edition,
section by section in `doc.sections` order (a section a template set adds or changes is
its templates' HTML read by Pandoc, publish/docx/html.py), and has the pinned
Pandoc write it as .docx with the template set's `reference.docx` (styles, page, header
and footer). Each citation of a note style becomes a real Word footnote whose text is the
CSL processor's note, so the footnotes equal the HTML's and the PDF's notes in number,
order and text. The figures are SVG with a PNG fallback (Pandoc runs rsvg-convert);
images come only from counterpoint itself and a set's asset() files, never from a URL.

The same edition gives the same bytes: Pandoc dates the package from SOURCE_DATE_EPOCH
(the brief's date), and the package is rewritten with fixed entry times.
"""

from __future__ import annotations

import datetime as _dt
import json
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from counterpoint.audit.checks import AuditReport
from counterpoint.brief import i18n
from counterpoint.brief.i18n import Labels
from counterpoint.brief.model import Date
from counterpoint.cite.fields import Fields
from counterpoint.cite.pandocast import _el, stringify, words
from counterpoint.cite.resolve import Resolved
from counterpoint.errors import BuildError
from counterpoint.process import pandoc
from counterpoint.publish.docx.finish import finish
from counterpoint.publish.docx.owntemplates import (
    own_byline,
    own_headings,
    own_sections,
    word_misses,
)
from counterpoint.publish.docx.sections import Sections
from counterpoint.publish.docx.setfiles import REFERENCE, clean_reference_doc
from counterpoint.publish.docx.written import check_written
from counterpoint.render.engine import brief_labels, isolated
from counterpoint.render.templates import TemplateSet

API_VERSION = [1, 23, 1, 1]
"""The pandoc-types version of the JSON AST (Pandoc 3.9: `pandoc -t json` of nothing)."""


def document(
    doc: Resolved,
    options: dict[str, Any],
    audit: AuditReport,
    figures: Path,
    width: str,
    labels: Labels | None = None,
    own: Callable[[str], list[dict[str, Any]] | None] | None = None,
    byline: bool = False,
    headings: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The edition as Pandoc's JSON AST (figures are written into `figures`), its fixed
    texts from `labels` (the brief's language's catalog by default)."""
    brief = doc.brief
    language = brief.language or "en"
    labels = labels or brief_labels(brief)
    direction = i18n.direction(language)
    doc = isolated(doc, direction)  # runs of the other direction: Spans with their dir

    def meta_text(text: str) -> dict[str, Any]:
        return _el("MetaInlines", words(text))

    fields = Fields(doc)
    meta: dict[str, Any] = {
        "title": meta_text(brief.title),
        "date": meta_text(labels.date(doc.date)),
        "lang": _el("MetaString", language),
        "subject": _el(
            "MetaString", " ".join(stringify(fields.inlines(brief.question, False)).split())
        ),
        "keywords": _el("MetaList", [meta_text(v.label) for v in doc.views]),
    }
    if direction == "rtl":  # Pandoc marks every paragraph w:bidi and every run w:rtl
        meta["dir"] = _el("MetaString", "rtl")
    if brief.subtitle:
        meta["subtitle"] = meta_text(brief.subtitle)
    if brief.authors:
        meta["author"] = _el("MetaList", [meta_text(a) for a in brief.authors])
    if byline:  # the set's own byline (in its title section) says who and when
        meta.pop("author", None)
        meta.pop("date", None)
    marking = brief.marking
    if marking:
        meta["marking"] = _el("MetaString", str(marking))
    blocks = Sections(doc, options, audit, labels, figures, width, own, headings).build()
    return {"pandoc-api-version": API_VERSION, "meta": meta, "blocks": blocks}


def write_docx(
    doc: Resolved,
    tset: TemplateSet,
    audience: str,
    options: dict[str, Any],
    audit: AuditReport | None,
    today: Date | None = None,
    warnings: list[str] | None = None,
) -> bytes:
    """The .docx of a resolved edition, styled by the set's reference.docx (cleaned
    before Pandoc reads it) and checked after Pandoc wrote it (publish/docx/policy.py); the same
    bytes for the same edition. `audit` is the edition's audit (made here when None); what
    the checks removed is added to `warnings`."""
    if audit is None:
        from counterpoint.audit.checks import audit_brief

        audit = audit_brief(doc.brief, doc)
    reference = clean_reference_doc(tset)
    date = doc.brief.date or today or doc.date
    labels = brief_labels(doc.brief, tset)
    with tempfile.TemporaryDirectory(prefix="counterpoint-docx-") as folder:
        figures = Path(folder, "figures")
        figures.mkdir()
        found_here: list[str] = []
        own = own_sections(doc, tset, audience, options, audit, figures, found_here)
        byline = own_byline(tset)
        headings = own_headings(doc, tset, audience, options, audit)
        ast = document(doc, options, audit, figures, reference.width, labels, own, byline, headings)
        styles = Path(folder, REFERENCE)
        styles.write_bytes(reference.data)
        data = _pandoc(ast, styles, figures, date, f"{doc.brief.name} ({audience}): docx")
        drawn = [f.read_bytes() for f in sorted(figures.iterdir()) if f.is_file()]
    rtl = i18n.direction(doc.brief.language or "en") == "rtl"
    creator = "; ".join(doc.brief.authors) if byline else ""
    data = finish(data, doc.brief.title, doc.brief.marking, labels, rtl, creator)
    data, found = check_written(data, reference.label, drawn)
    if warnings is not None:
        warnings += word_misses(tset) + found_here
        warnings += reference.warnings + [w for w in found if w not in reference.warnings]
    return data


def _epoch(date: Date) -> int:
    """SOURCE_DATE_EPOCH for a date, within what a zip file can record (1980-2107)."""
    year = min(max(date.year, 1980), 2107)
    moment = _dt.datetime(year, date.month or 1, date.day or 1, tzinfo=_dt.UTC)
    return int(moment.timestamp())


def _pandoc(ast: dict[str, Any], reference: Path, figures: Path, date: Date, what: str) -> bytes:
    """Pandoc's docx writer, under the same memory ceiling and time limits as every other
    Pandoc run (pandoc.command, pandoc.finish)."""
    argv, env = pandoc.command(
        [
            "-f", "json", "-t", "docx", "-o", "-",
            "--reference-doc", str(reference),
            "--resource-path", str(figures),  # the figures we drew; nothing else is read
        ]
    )  # fmt: skip
    env["SOURCE_DATE_EPOCH"] = str(_epoch(date))
    stdin = json.dumps(ast, ensure_ascii=False).encode("utf-8")
    try:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=figures,
        )
    except OSError as exc:
        raise BuildError(f"{what}: cannot run Pandoc ({pandoc.binary()}): {exc.strerror}") from None
    return pandoc.finish(process, stdin, what).stdout
