"""The Word edition's body being built: its blocks, the edition it shows, and the pieces
every section's builder uses (lists, figures, the contents field)."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape as _xml_escape
from pathlib import Path
from typing import Any

from counterpoint.audit.checks import AuditReport
from counterpoint.brief import i18n
from counterpoint.brief.i18n import Labels
from counterpoint.brief.model import Text
from counterpoint.cite.fields import Fields
from counterpoint.cite.pandocast import Block, Inline, _attr, _el, _plain, stringify, words
from counterpoint.cite.resolve import Resolved

FIGURE_SCALE = 3
"""The PNG fallback of a figure is drawn at this many pixels per SVG unit (sharp in print)."""


class Body:
    """The blocks of an edition's sections in the paper's language, as the builders add
    them; the figures are written into `figures` (Pandoc's only resource path)."""

    def __init__(
        self,
        doc: Resolved,
        options: dict[str, Any],
        audit: AuditReport,
        labels: Labels,
        figures: Path,
        width: str,
        own: Callable[[str], list[Block] | None] | None = None,
        headings: dict[str, str] | None = None,
    ):
        self.doc, self.brief, self.options, self.audit = doc, doc.brief, options, audit
        self.own = own
        """The blocks of a section the template set adds or replaces (its template's HTML,
        publish/docx/html.py), None for a section Word builds itself."""
        self.headings = headings or {}
        """Headings a set's template gives a section Word builds itself
        (publish/docx/owntemplates.py)."""
        self.labels = labels
        self.rtl = i18n.direction(doc.brief.language or "en") == "rtl"
        self.fields = Fields(doc)
        self.figures, self.width = figures, width
        self.blocks: list[Block] = []
        self.toc_at: int | None = None

    def retitle(self, section: str, start: int) -> None:
        """The section's first heading in the set's words (its `NAME_heading` block)."""
        text = self.headings.get(section)
        if not text:
            return
        for i in range(start, len(self.blocks)):
            block = self.blocks[i]
            if block.get("t") == "Header":
                level, attr, _ = block["c"]
                self.blocks[i] = _el("Header", [level, attr, words(text)])
                return

    def add(self, *blocks: Block) -> None:
        self.blocks += blocks

    def number(self, value: int) -> list[Inline]:
        return words(self.labels.integer(value))

    def bullets(self, texts: list[Text]) -> Block:
        """The fields as a bulleted list, one item each."""
        return _el("BulletList", [[_plain(self.fields.inlines(t))] for t in texts])

    def figure(self, name: str, svg: str, alt: str, caption: str) -> Block:
        """An SVG figure (Pandoc adds the PNG fallback) from a file in our own folder."""
        (self.figures / name).write_text(_sized(svg), encoding="utf-8")
        image = _el("Image", [_attr("", [], [["width", self.width]]), words(alt), [name, ""]])
        return _el(
            "Figure",
            [_attr(name.removesuffix(".svg") + "-figure"), [None, [_plain(words(caption))]],
             [_plain([image])]],
        )  # fmt: skip

    def toc(self) -> Block:
        """A Word TOC field over Heading 1 and 2, with the headings as its first result (a
        reader that does not update fields still shows the list)."""
        entries = [
            (b["c"][0], stringify(b["c"][2]))
            for b in self.blocks
            if b["t"] == "Header" and b["c"][0] <= 2
        ]
        bidi_ = "<w:bidi/>" if self.rtl else ""
        rtl = "<w:rPr><w:rtl/></w:rPr>" if self.rtl else ""
        paragraphs = []
        for n, (level, text) in enumerate(entries):
            runs = ""
            if n == 0:
                runs += (
                    '<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
                    '<w:r><w:instrText xml:space="preserve"> TOC \\o "1-2" \\h \\z \\u '
                    '</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
                )
            runs += f'<w:r>{rtl}<w:t xml:space="preserve">{_xml_escape(text, False)}</w:t></w:r>'
            if n == len(entries) - 1:
                runs += '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
            paragraphs.append(
                f'<w:p><w:pPr><w:pStyle w:val="TOC{level}"/>{bidi_}</w:pPr>{runs}</w:p>'
            )
        heading = self.headings.get("contents") or self.labels.gettext("Contents")
        head = (
            f'<w:p><w:pPr><w:pStyle w:val="TOCHeading"/>{bidi_}</w:pPr><w:r>{rtl}'
            f'<w:t xml:space="preserve">{_xml_escape(heading, False)}'
            "</w:t></w:r></w:p>"
        )
        return _el("RawBlock", ["openxml", head + "".join(paragraphs)])


Builder = Callable[[Body], None]
"""What builds one section: it adds the section's blocks to the body."""


def _sized(svg: str) -> str:
    """The SVG with a pixel size FIGURE_SCALE times its viewBox: the PNG fallback Pandoc
    draws from it (rsvg-convert) is that many pixels (the shown size is set separately)."""
    m = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
    if not m:
        return svg
    end = svg.index(">")
    tag = re.sub(r'\s(?:width|height)="[^"]*"', "", svg[:end])  # the balance chart has both
    w, h = (float(v) * FIGURE_SCALE for v in m.groups())
    return tag.replace("<svg ", f'<svg width="{w:.0f}" height="{h:.0f}" ', 1) + svg[end:]
