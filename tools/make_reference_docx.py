"""Make templates/<set>/reference.docx: the Word styles, page and header of the built-in sets.

Starts from Pandoc's own reference.docx (so every style Pandoc's docx writer uses is
there) and gives it the PDF's look: Liberation Serif body, Liberation Sans headings in the
accent colour, A4 with print.css's margins, a header with the title and the marking, and a
"Page N of M" footer. The result is the same bytes on every run (fixed zip timestamps).

    .venv/bin/python tools/make_reference_docx.py [SET...]   # every set in SETS by default

Needs python-docx (the `test` extra). The header's TITLE field carries a placeholder
result, and the marking a placeholder text, that counterpoint.publish.docx.finish replaces
with the brief's title and marking.
"""

from __future__ import annotations

import datetime
import io
import sys
import zipfile
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from counterpoint.process import pandoc
from counterpoint.publish.docx.finish import MARKING_PLACEHOLDER, TITLE_PLACEHOLDER

SERIF, SANS = "Liberation Serif", "Liberation Sans"
ACCENT, MUTED, INK, MARKING = "1f3a5f", "5a6270", "1b1f24", "7a1f2b"

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def _font(style, name: str, size: float | None = None, color: str | None = None) -> None:
    font = style.font
    font.name = name
    rfonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(qn(attr), name)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    if size:
        font.size = Pt(size)
    if color:
        font.color.rgb = RGBColor.from_string(color.upper())


def _style(document, name: str):
    """A style by its name as the file spells it (python-docx's lookup lowercases some)."""
    return next((s for s in document.styles if s.name == name), None)


def _paragraph_style(document, name: str, base: str = "Normal"):
    style = _style(document, name)
    if style is None:
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = _style(document, base)
    return style


def _field(paragraph, instruction: str, result: str, bold: bool = False, color: str = "") -> None:
    """A complex field (begin, instruction, separate, result, end) at the paragraph's end."""

    def run(*children):
        r = OxmlElement("w:r")
        if bold or color:
            rpr = OxmlElement("w:rPr")
            if bold:
                rpr.append(OxmlElement("w:b"))
            if color:
                c = OxmlElement("w:color")
                c.set(qn("w:val"), color)
                rpr.append(c)
            r.append(rpr)
        for child in children:
            r.append(child)
        paragraph._p.append(r)

    def char(kind: str):
        e = OxmlElement("w:fldChar")
        e.set(qn("w:fldCharType"), kind)
        return e

    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    text = OxmlElement("w:t")
    text.set(qn("xml:space"), "preserve")
    text.text = result
    run(char("begin"))
    run(instr)
    run(char("separate"))
    run(text)
    run(char("end"))


def _text(paragraph, text: str) -> None:
    paragraph.add_run(text)


def _marking(paragraph) -> None:
    run = paragraph.add_run(MARKING_PLACEHOLDER)
    run.bold = True
    run.font.color.rgb = RGBColor.from_string(MARKING.upper())


def _header_footer(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.right_margin = Mm(22), Mm(20)
    section.bottom_margin, section.left_margin = Mm(24), Mm(20)
    section.header_distance, section.footer_distance = Mm(10), Mm(10)
    section.different_first_page_header_footer = True
    # footnotes numbered through the document: Pandoc's default restarts them "each
    # section", which LibreOffice reads as each chapter (each Heading 1)
    for restart in section._sectPr.iter(qn("w:footnotePr")):
        section._sectPr.remove(restart)
    width = section.page_width - section.left_margin - section.right_margin

    # later pages: the title on the left, the marking on the right; "Page N of M" below
    header = section.header.paragraphs[0]
    header.style = document.styles["Header"]
    header.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
    _field(header, "TITLE", TITLE_PLACEHOLDER)
    _text(header, "\t")
    _marking(header)
    footer = section.footer.paragraphs[0]
    footer.style = document.styles["Footer"]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _text(footer, "Page ")
    _field(footer, "PAGE", "1")
    _text(footer, " of ")
    _field(footer, "NUMPAGES", "1")
    # the first page: the marking only, above the title block (as in the PDF)
    first = section.first_page_header.paragraphs[0]
    first.style = document.styles["Header"]
    first.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _marking(first)
    section.first_page_footer.is_linked_to_previous = False


def _styles(document) -> None:
    styles = document.styles
    normal = styles["Normal"]
    _font(normal, SERIF, 10.5, INK)
    normal.paragraph_format.line_spacing = 1.2
    for name in ("Body Text", "First Paragraph"):
        styles[name].paragraph_format.space_before = Pt(0)
        styles[name].paragraph_format.space_after = Pt(6)
    styles["Compact"].paragraph_format.space_after = Pt(2)
    sizes = {"Heading 1": 14, "Heading 2": 12, "Heading 3": 10.5, "Heading 4": 10}
    for name, size in sizes.items():
        style = styles[name]
        _font(style, SANS, size, MUTED if name == "Heading 3" else ACCENT)
        style.font.bold = True
        style.font.italic = False
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.space_before = Pt(size * 1.2)
        style.paragraph_format.space_after = Pt(size * 0.4)
    styles["Heading 3"].font.all_caps = True
    for name, size, color in (
        ("Title", 24, ACCENT),
        ("Subtitle", 13, MUTED),
        ("Author", 9.5, MUTED),
        ("Date", 9.5, MUTED),
        ("TOC Heading", 12, ACCENT),
        ("Caption", 8.5, MUTED),
        ("Image Caption", 8.5, MUTED),
        ("Table Caption", 8.5, MUTED),
    ):
        _font(_style(document, name), SANS, size, color)
    styles["Title"].font.bold = True
    styles["Author"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    styles["Date"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    for name in ("Title", "Subtitle"):
        styles[name].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    footnote = styles["Footnote Text"]
    _font(footnote, SERIF, 8.5, INK)
    footnote.paragraph_format.space_after = Pt(2)
    footnote.paragraph_format.line_spacing = 1.1
    bibliography = styles["Bibliography"]
    _font(bibliography, SERIF, 10, INK)
    bibliography.paragraph_format.left_indent = Mm(7)  # 2em of 10 pt, as style.css
    bibliography.paragraph_format.first_line_indent = -Mm(7)
    bibliography.paragraph_format.space_after = Pt(4)
    for name, base, size, color in (
        ("Header", "Normal", 8, MUTED),
        ("Footer", "Normal", 8, MUTED),
        ("Question", "Body Text", 10.5, INK),
        ("Thesis", "Body Text", 11.5, INK),
        ("Estimate", "Body Text", 9, MUTED),
        ("Grade", "Bibliography", 8.5, MUTED),
        ("TOC 1", "Normal", 10, INK),
        ("TOC 2", "Normal", 9.5, INK),
    ):
        style = _paragraph_style(document, name, base)
        _font(style, SERIF if name in ("Question", "Thesis") else SANS, size, color)
    styles["Thesis"].font.italic = True
    styles["Grade"].paragraph_format.first_line_indent = Mm(0)
    styles["TOC 2"].paragraph_format.left_indent = Mm(6)
    for name in ("TOC 1", "TOC 2"):
        styles[name].paragraph_format.space_after = Pt(1)
    styles["Question"].paragraph_format.left_indent = Mm(4)


def _reproducible(data: bytes) -> bytes:
    """The package with every entry dated 1980-01-01, in a fixed order."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for name in sorted(src.namelist(), key=lambda n: (n != "[Content_Types].xml", n)):
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, src.read(name))
    return out.getvalue()


def _executive(document) -> None:
    """The executive set's two-page look (executive.css): smaller type, tighter headings."""
    styles = document.styles
    styles["Normal"].font.size = Pt(10)
    styles["Normal"].paragraph_format.line_spacing = 1.1
    styles["Title"].font.size = Pt(20)
    heading = styles["Heading 1"]
    heading.font.size = Pt(12.5)
    heading.paragraph_format.space_before = Pt(10)
    heading.paragraph_format.space_after = Pt(3)
    for name in ("Body Text", "First Paragraph"):
        styles[name].paragraph_format.space_after = Pt(4)
    _style(document, "Footnote Text").font.size = Pt(8)


SETS = {"base": [], "executive": [_executive]}
"""The built-in sets that ship a reference.docx, and what each changes after the base's
styles (a set without one inherits its parent's)."""


def make(name: str = "base") -> bytes:
    """The reference.docx of a built-in set, the same bytes on every run."""
    default = pandoc.run(
        ["--print-default-data-file", "reference.docx"], b"", "reference.docx"
    ).stdout
    document = docx.Document(io.BytesIO(default))
    _styles(document)
    for change in SETS[name]:
        change(document)
    _header_footer(document)
    props = document.core_properties
    props.title, props.author, props.last_modified_by = "", "", ""
    props.comments = f"counterpoint {name} set: the styles of its Word edition"
    props.created = props.modified = datetime.datetime(1980, 1, 1)
    buffer = io.BytesIO()
    document.save(buffer)
    return _reproducible(buffer.getvalue())


if __name__ == "__main__":
    for name in sys.argv[1:] or list(SETS):
        target = TEMPLATES / name / "reference.docx"
        target.write_bytes(make(name))
        print(f"wrote {target.relative_to(TEMPLATES.parent)}")
