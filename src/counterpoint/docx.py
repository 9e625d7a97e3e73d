"""The Word edition: a Pandoc document built from the resolved brief, written by Pandoc.

counterpoint does not convert its HTML. It builds Pandoc's document model (the JSON AST)
from the resolved edition, section by section in `doc.sections` order, and has the pinned
Pandoc write it as .docx with the template set's `reference.docx` (styles, page, header
and footer). Each citation of a note style becomes a real Word footnote whose text is the
CSL processor's note, so the footnotes equal the HTML's and the PDF's notes in number,
order and text. The figures are SVG with a PNG fallback (Pandoc runs rsvg-convert);
images come only from counterpoint itself, never from a URL.

The same edition gives the same bytes: Pandoc dates the package from SOURCE_DATE_EPOCH
(the brief's date), and the package is rewritten with fixed entry times.
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import os
import re
import subprocess
import tempfile
import zipfile
from html import escape as _xml_escape
from pathlib import Path
from typing import Any

from . import markdown, pandoc
from .audit import AuditReport
from .errors import BuildError
from .figures import balance_svg
from .model import GRADES, Date, Text
from .pandocast import (
    Block,
    Inline,
    _attr,
    _el,
    _Fields,
    _header,
    _para,
    _plain,
    _styled,
    _table,
    _truncate,
    html_inlines,
    stringify,
    words,
)
from .resolve import Resolved
from .templates import TemplateSet, builtin_root

API_VERSION = [1, 23, 1, 1]
"""The pandoc-types version of the JSON AST (Pandoc 3.9: `pandoc -t json` of nothing)."""

REFERENCE = "reference.docx"
"""The file a template set gives its Word styles in (Pandoc's --reference-doc)."""

TITLE_PLACEHOLDER = "COUNTERPOINT-TITLE"
MARKING_PLACEHOLDER = "COUNTERPOINT-MARKING"
"""Texts in a reference.docx's headers and footers that the brief's title and marking
replace (the marking with nothing when the brief has none)."""

FIGURE_SCALE = 3
"""The PNG fallback of a figure is drawn at this many pixels per SVG unit (sharp in print)."""


# -- the sections ------------------------------------------------------------------------
class _Writer:
    def __init__(
        self,
        doc: Resolved,
        options: dict[str, Any],
        audit: AuditReport,
        figures: Path,
        width: str,
    ):
        self.doc, self.brief, self.options, self.audit = doc, doc.brief, options, audit
        self.fields = _Fields(doc)
        self.figures, self.width = figures, width
        self.blocks: list[Block] = []
        self.toc_at: int | None = None

    def build(self) -> list[Block]:
        for section in self.doc.sections:
            method = getattr(self, "s_" + section.replace("-", "_"), None)
            if method is not None:
                method()
        if self.toc_at is not None:
            self.blocks[self.toc_at] = self._toc()
        return self.blocks

    def add(self, *blocks: Block) -> None:
        self.blocks += blocks

    # each section, as the base set's templates show it
    def s_title(self) -> None:  # the title block is Pandoc's (title, subtitle, author, date)
        label = _para([_el("Strong", words("The question"))])
        self.add(_styled("Question", [label, *self.fields.blocks(self.brief.question)]))

    def s_how_to_read(self) -> None:
        if not self.options.get("how_to_read", True):
            return
        self.add(
            _header(1, "How to read this brief", "how-to-read"),
            _para(words(HOW_TO_READ[0])),
            _para(words(HOW_TO_READ[1])),
        )

    def s_summary(self) -> None:
        self.add(_header(1, "Bottom line", "summary"), *self.fields.blocks(self.brief.summary))

    def s_contents(self) -> None:
        self.toc_at = len(self.blocks)
        self.add(_el("Null"))

    def s_background(self) -> None:
        if self.brief.background:
            self.add(_header(1, "Background", "background"))
            self.add(*self.fields.blocks(self.brief.background))

    def s_glance(self) -> None:
        stats = {row.id: row for row in self.audit.views}
        rows = []
        for v in self.doc.views:
            sources = stats[v.id].sources if v.id in stats else ""
            rows.append(
                [
                    [_plain([_el("Link", [_attr(), words(v.label), [f"#view-{v.id}", ""]])])],
                    self.fields.cell(v.thesis, cite=False),
                    [_plain(words(str(len(v.arguments))))],
                    [_plain(words(str(len(v.counterpoints))))],
                    [_plain(words(str(sources)))],
                ]
            )
        self.add(
            _header(1, "The views at a glance", "glance"),
            _table(
                ["View", "Thesis", "Arguments", "Counterpoints", "Sources"],
                rows,
                {2, 3, 4},
                [0.18, 0.46, 0.12, 0.14, 0.1],
            ),
        )

    def s_views(self) -> None:
        self.add(_header(1, "The views", "views"))
        for n, v in enumerate(self.doc.views, 1):
            self.add(_header(2, f"View {n}. {v.label}", f"view-{v.id}"))
            self.add(_styled("Thesis", [_para(self.fields.inlines(v.thesis))]))
            self.add(*self.fields.blocks(v.summary))
            self.add(_header(3, "Arguments"), self._list(v.arguments))
            if v.counterpoints:
                self.add(_header(3, "Counterpoints"), self._list(v.counterpoints))

    def s_views_table(self) -> None:
        rows = [[[_plain(words(v.label))], self.fields.cell(v.thesis)] for v in self.doc.views]
        self.add(
            _header(1, "The views", "views"),
            _table(["View", "Thesis"], rows, set(), [0.25, 0.75]),
        )

    def s_contested(self) -> None:
        if not self.brief.contested:
            return
        self.add(_header(1, "Contested facts", "contested"))
        for n, item in enumerate(self.brief.contested, 1):
            self.add(_header(2, item.point, f"contested-{n}"), self._list(item.accounts))
            if item.assessment:
                blocks = self.fields.blocks(item.assessment)
                lead = [_el("Strong", words("Assessment.")), _el("Space")]
                if blocks and blocks[0]["t"] in ("Para", "Plain"):
                    blocks[0] = _para(lead + blocks[0]["c"])
                else:
                    blocks.insert(0, _para(lead[:1]))
                self.add(*blocks)

    def s_contested_brief(self) -> None:
        if not self.brief.contested:
            return
        items = []
        for item in self.brief.contested:
            inlines = [_el("Strong", words(f"{item.point}."))]
            if item.assessment:
                text = " ".join(stringify(self.fields.inlines(item.assessment, False)).split())
                inlines += [_el("Space"), *words(_truncate(text))]
            items.append([_plain(inlines)])
        self.add(_header(1, "Contested facts", "contested"), _el("BulletList", items))

    def s_timeline(self) -> None:
        events = self.doc.timeline
        if not events:
            return
        from .figures import timeline_svg

        numbers: list[int | None] = []
        for e in events:
            note = self.doc.note_for(e.event.citations[0]) if e.event.citations else None
            numbers.append(note.number if note else None)
        texts = [markdown.plain(e.event.tokens) for e in events]
        title = (
            f"Timeline of {len(events)} events, {events[0].date.year_label()} to "
            f"{events[-1].date.year_label()}, dates to scale; numbers are the events' notes"
        )
        svg = str(timeline_svg(events, numbers, texts, title))
        caption = (
            "Figure 1. The events below, placed to scale by date; each label gives the year "
            "and the event's note number."
        )
        rows = [[[_plain(words(e.date.long()))], self.fields.cell(e.event)] for e in events]
        self.add(
            _header(1, "Timeline", "timeline"),
            self._figure("timeline.svg", svg, title, caption),
            _table(["Date", "Event"], rows, set(), [0.22, 0.78]),
        )

    def s_judgments(self) -> None:
        if not self.brief.judgments:
            return
        items = []
        for j in self.brief.judgments:
            item = [_para(self.fields.inlines(j.text))]
            estimate: list[Inline] = []
            if j.likelihood:
                estimate += [*words("Likelihood: "), _el("Strong", words(j.likelihood))]
            if j.confidence:
                if estimate:
                    estimate += [_el("Str", "\u2003")]
                estimate += [*words("Confidence: "), _el("Strong", words(j.confidence))]
            if estimate:
                item.append(_styled("Estimate", [_para(estimate)]))
            items.append(item)
        self.add(
            _header(1, "Key judgments", "judgments"),
            _el("OrderedList", [[1, _el("Decimal"), _el("Period")], items]),
        )

    def s_implications(self) -> None:
        if self.brief.implications:
            self.add(_header(1, "Implications", "implications"))
            self.add(*self.fields.blocks(self.brief.implications))

    def s_balance(self) -> None:
        audit = self.audit
        if not audit.views:
            return
        methods = (
            f"{audit.order_note} Words count each view's summary and arguments; sources "
            "count the distinct sources its thesis, summary and arguments cite; notes count "
            "the notes in its part of the brief. The audit flags a view with more than "
            f"{audit.word_ratio_text} times the words of another."
        )
        rows = [
            [[_plain(words(r.label))]]
            + [
                [_plain(words(str(n)))]
                for n in (r.words, r.arguments, r.counterpoints, r.sources, r.notes)
            ]
            for r in audit.views
        ]
        caption = (
            "Each view's share of the words (dark bars) and of the sources (grey bars) of all "
            "the views; the longest bar is the largest share."
        )
        self.add(
            _el("RawBlock", ["openxml", '<w:p><w:r><w:br w:type="page"/></w:r></w:p>']),
            _header(1, "Balance and sourcing", "balance"),
            _para([_el("Strong", words("Methods.")), _el("Space"), *words(methods)]),
            _table(
                ["View", "Words", "Arguments", "Counterpoints", "Sources", "Notes"],
                rows,
                {1, 2, 3, 4, 5},
                [0.3, 0.12, 0.14, 0.16, 0.14, 0.14],
            ),
            self._figure("balance.svg", balance_svg(audit), audit.chart_label, caption),
        )
        if audit.ignored_groups:
            items = []
            for g in audit.ignored_groups:
                inlines = [_el("Code", [_attr(), g.code]), _el("Space"), *words(g.name)]
                if len(g.findings) > 1:
                    inlines += words(f", {len(g.findings)} findings ({', '.join(g.subjects)}).")
                else:
                    inlines += words(f": {g.findings[0].message}.")
                inlines += [_el("Space"), *words(f"Why: {g.reason or 'no reason given.'}")]
                items.append([_plain(inlines)])
            self.add(_header(2, "Findings deliberately ignored"), _el("BulletList", items))

    def s_bibliography(self) -> None:
        doc = self.doc
        if not doc.bibliography:
            return
        title = "Bibliography" if doc.footnotes else "References"
        self.add(_header(1, title, "bibliography"))
        show_grades = self.options.get("show_grades", True)
        for entry in doc.bibliography:
            blocks = [_styled("Bibliography", [_para(html_inlines(entry.html))])]
            grade = entry.source.reliability
            if show_grades and grade:
                text = f"Reliability {grade.grade} ({GRADES.get(grade.grade, '')})"
                inlines = words(text)
                if grade.note:
                    inlines += [_el("Str", ":"), _el("Space")]
                    inlines += self.fields.inlines(grade.note, cite=False)
                blocks.append(_styled("Grade", [_para(inlines)]))
            self.add(_el("Div", [_attr(f"src-{entry.id}"), blocks]))

    # pieces
    def _list(self, texts: list[Text]) -> Block:
        return _el("BulletList", [[_plain(self.fields.inlines(t))] for t in texts])

    def _figure(self, name: str, svg: str, alt: str, caption: str) -> Block:
        """An SVG figure (Pandoc adds the PNG fallback) from a file in our own folder."""
        (self.figures / name).write_text(_sized(svg), encoding="utf-8")
        image = _el("Image", [_attr("", [], [["width", self.width]]), words(alt), [name, ""]])
        return _el(
            "Figure",
            [_attr(name.removesuffix(".svg") + "-figure"), [None, [_plain(words(caption))]],
             [_plain([image])]],
        )  # fmt: skip

    def _toc(self) -> Block:
        """A Word TOC field over Heading 1 and 2, with the headings as its first result (a
        reader that does not update fields still shows the list)."""
        entries = [
            (b["c"][0], stringify(b["c"][2]))
            for b in self.blocks
            if b["t"] == "Header" and b["c"][0] <= 2
        ]
        paragraphs = []
        for n, (level, text) in enumerate(entries):
            runs = ""
            if n == 0:
                runs += (
                    '<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
                    '<w:r><w:instrText xml:space="preserve"> TOC \\o "1-2" \\h \\z \\u '
                    '</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
                )
            runs += f'<w:r><w:t xml:space="preserve">{_xml_escape(text, False)}</w:t></w:r>'
            if n == len(entries) - 1:
                runs += '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
            paragraphs.append(f'<w:p><w:pPr><w:pStyle w:val="TOC{level}"/></w:pPr>{runs}</w:p>')
        head = (
            '<w:p><w:pPr><w:pStyle w:val="TOCHeading"/></w:pPr>'
            '<w:r><w:t xml:space="preserve">Contents</w:t></w:r></w:p>'
        )
        return _el("RawBlock", ["openxml", head + "".join(paragraphs)])


HOW_TO_READ = (
    "Experts disagree about the question above. This brief sets out each main view as fairly "
    "as its supporters would put it, followed by the strongest objections to it. The order of "
    "the views is not a ranking.",
    "Small numbers in the text point to the sources behind each claim. Where the sources "
    "disagree on a fact, the brief shows each account side by side. The key judgments at the "
    "end are the authors' own, with how likely they think each one is and how confident they "
    "are.",
)


# -- the template set's reference.docx -------------------------------------------------------
def reference_doc(tset: TemplateSet) -> Path:
    """The first reference.docx along the set's chain (the set's own, else a parent's), else
    the base set's."""
    for s in tset.chain:
        path = s.folder / REFERENCE
        if path.is_file():
            return path
    return builtin_root() / "base" / REFERENCE


def _text_width(reference: Path) -> str:
    """The width of the text column of the reference's page, as a Pandoc length ("17cm")."""
    try:
        with zipfile.ZipFile(reference) as z:
            body = z.read("word/document.xml").decode("utf-8")
    except (OSError, KeyError, zipfile.BadZipFile):
        return "16cm"
    size = re.search(r"<w:pgSz\b[^>]*\bw:w=\"(\d+)\"", body)
    margins = re.search(r"<w:pgMar\b[^>]*>", body)
    if not size or not margins:
        return "16cm"
    left = re.search(r'w:left="(\d+)"', margins.group())
    right = re.search(r'w:right="(\d+)"', margins.group())
    twips = int(size[1]) - int(left[1] if left else 1440) - int(right[1] if right else 1440)
    return f"{max(twips, 1440) / 567:.2f}cm"


# -- writing ---------------------------------------------------------------------------------
def document(
    doc: Resolved, options: dict[str, Any], audit: AuditReport, figures: Path, width: str
) -> dict[str, Any]:
    """The edition as Pandoc's JSON AST (figures are written into `figures`)."""
    brief = doc.brief

    def meta_text(text: str) -> dict[str, Any]:
        return _el("MetaInlines", words(text))

    fields = _Fields(doc)
    meta: dict[str, Any] = {
        "title": meta_text(brief.title),
        "date": meta_text(doc.date.long()),
        "lang": _el("MetaString", brief.language or "en"),
        "subject": _el(
            "MetaString", " ".join(stringify(fields.inlines(brief.question, False)).split())
        ),
        "keywords": _el("MetaList", [meta_text(v.label) for v in doc.views]),
    }
    if brief.subtitle:
        meta["subtitle"] = meta_text(brief.subtitle)
    if brief.authors:
        meta["author"] = _el("MetaList", [meta_text(a) for a in brief.authors])
    marking = brief.marking
    if marking:
        meta["marking"] = _el("MetaString", str(marking))
    blocks = _Writer(doc, options, audit, figures, width).build()
    return {"pandoc-api-version": API_VERSION, "meta": meta, "blocks": blocks}


def write_docx(
    doc: Resolved,
    tset: TemplateSet,
    audience: str,
    options: dict[str, Any],
    audit: AuditReport | None,
    today: Date | None = None,
) -> bytes:
    """The .docx of a resolved edition, styled by the set's reference.docx; the same bytes
    for the same edition. `audit` is the edition's audit (made here when None)."""
    if audit is None:
        from .audit import audit_brief

        audit = audit_brief(doc.brief, doc)
    reference = reference_doc(tset)
    date = doc.brief.date or today or doc.date
    with tempfile.TemporaryDirectory(prefix="counterpoint-docx-") as folder:
        figures = Path(folder)
        ast = document(doc, options, audit, figures, _text_width(reference))
        data = _pandoc(ast, reference, figures, date, f"{doc.brief.name} ({audience}): docx")
    marking = doc.brief.marking
    return _finish(data, doc.brief.title, marking)


def _epoch(date: Date) -> int:
    """SOURCE_DATE_EPOCH for a date, within what a zip file can record (1980-2107)."""
    year = min(max(date.year, 1980), 2107)
    moment = _dt.datetime(year, date.month or 1, date.day or 1, tzinfo=_dt.UTC)
    return int(moment.timestamp())


def _pandoc(ast: dict[str, Any], reference: Path, figures: Path, date: Date, what: str) -> bytes:
    args = [
        pandoc.binary(), "-f", "json", "-t", "docx", "-o", "-",
        "--reference-doc", str(reference),
        "--resource-path", str(figures),  # the figures we drew; nothing else is read
    ]  # fmt: skip
    env = {**os.environ, "LANG": "C.UTF-8", "SOURCE_DATE_EPOCH": str(_epoch(date))}
    stdin = json.dumps(ast, ensure_ascii=False).encode("utf-8")
    try:
        ran = subprocess.run(
            args, input=stdin, capture_output=True, env=env, cwd=figures, timeout=120
        )
    except subprocess.TimeoutExpired:
        raise BuildError(f"{what}: Pandoc took over 120 s; stopped") from None
    except OSError as exc:
        raise BuildError(f"{what}: cannot run Pandoc ({args[0]}): {exc.strerror}") from None
    if ran.returncode != 0:
        message = " ".join(ran.stderr.decode("utf-8", "replace").split()) or "no message"
        raise BuildError(f"{what}: Pandoc failed (exit {ran.returncode}): {message}")
    return ran.stdout


def _finish(data: bytes, title: str, marking: str) -> bytes:
    """The package with the header's title and marking filled in, and fixed entry times
    (the same bytes for the same edition)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if re.fullmatch(r"word/(header|footer)\d*\.xml", info.filename):
                text = content.decode("utf-8")
                text = text.replace(TITLE_PLACEHOLDER, _xml_escape(title, False))
                text = text.replace(MARKING_PLACEHOLDER, _xml_escape(marking, False))
                content = text.encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, (1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, content)
    return out.getvalue()


def _sized(svg: str) -> str:
    """The SVG with a pixel size FIGURE_SCALE times its viewBox: the PNG fallback Pandoc
    draws from it (rsvg-convert) is that many pixels (the shown size is set separately)."""
    m = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
    if not m or re.match(r"<svg[^>]*\swidth=", svg):
        return svg
    w, h = (float(v) * FIGURE_SCALE for v in m.groups())
    return svg.replace("<svg ", f'<svg width="{w:.0f}" height="{h:.0f}" ', 1)
