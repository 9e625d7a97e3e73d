"""How the Word edition falls into pages: which table rows are kept whole, and the compare
table's landscape section.

Word and LibreOffice move a row marked `w:cantSplit` whole to the next page when it does
not fit, so a tall row marked so leaves the rest of its page empty. A book designer keeps
a short row whole and lets a long one run on at a line. The rule here: a row is kept whole
when its height, with the footnotes its calls bring to the foot of the page, is at most a
quarter of the page's text height (moving it then leaves no page more than a quarter
empty); a longer row may split, between lines, two at least on either side
(w:widowControl). The height is estimated from each cell's text, its column's width
and its paragraph style's size and spacing. A group's label row (one cell across the
table) is kept whole and with the row after it; the header row repeats on every page.

A compare table the PDF turns landscape (`Resolved.compare_wide`) sits in a landscape
section of its own: sections.py marks where it starts and ends (WIDE_START, WIDE_END), and the
sections are written here, with the body's header and footer (docs/word.md).
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from dataclasses import dataclass

WIDE_START = "<!--counterpoint:wide-->"
WIDE_END = "<!--counterpoint:/wide-->"
"""Raw OpenXML markers (comments) docxsections puts around the compare section when its
table is turned landscape; `paginate` replaces them with section breaks."""

KEEP_WHOLE = 0.25
"""A row at most this share of the page's text height (with its notes) is kept whole."""

_TABLE = re.compile(r"<w:tbl>.*?</w:tbl>", re.S)
_ROW = re.compile(r"<w:tr(?=[\s>]).*?</w:tr>", re.S)
_ROW_OPEN = re.compile(r"<w:tr(?=[\s>])([^>]*)>(<w:trPr>)?")
_CELL = re.compile(r"<w:tc>.*?</w:tc>", re.S)
_PARA = re.compile(r"<w:p(?=[\s>]).*?</w:p>", re.S)
_TEXT = re.compile(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>")
_NOTE_REF = re.compile(r'<w:footnoteReference w:id="(\d+)"')
_SECT = re.compile(r"<w:sectPr(?:\s[^>]*)?>.*?</w:sectPr>", re.S)
_NOTE = re.compile(r'<w:footnote (?:[^>]*\s)?w:id="(\d+)"[^>]*>(.*?)</w:footnote>', re.S)


@dataclass(frozen=True)
class _Style:
    size: float  # points
    line: float  # line spacing, a multiple of the single line (w:line / 240, auto)
    before: float  # points
    after: float  # points


@dataclass(frozen=True)
class _Page:
    width: float  # the text column, points
    height: float


def _twips(xml: str, name: str, attr: str, default: float) -> float:
    m = re.search(rf"<w:{name}\s[^>]*\bw:{attr}=\"(-?\d+)\"", xml)
    return int(m.group(1)) / 20 if m else default


def _page(sect: str) -> _Page:
    """The text area of a section (pgSz less pgMar), A4 with 2 cm margins by default."""
    width, height = _twips(sect, "pgSz", "w", 595.3), _twips(sect, "pgSz", "h", 841.9)
    left, right = _twips(sect, "pgMar", "left", 56.7), _twips(sect, "pgMar", "right", 56.7)
    top, bottom = _twips(sect, "pgMar", "top", 56.7), _twips(sect, "pgMar", "bottom", 56.7)
    return _Page(max(width - left - right, 72.0), max(height - abs(top) - abs(bottom), 72.0))


class _Styles:
    """The size and spacing of each paragraph style of styles.xml, through `basedOn`."""

    def __init__(self, xml: str):
        self.raw: dict[str, str] = {}
        for style in re.finditer(
            r'<w:style [^>]*w:styleId="([^"]+)"[^>]*>(.*?)</w:style>', xml, re.S
        ):
            self.raw[style.group(1)] = style.group(2)
        defaults = re.search(r"<w:docDefaults>(.*?)</w:docDefaults>", xml, re.S)
        self.defaults = defaults.group(1) if defaults else ""
        self.normal = "Normal"
        for head in re.findall(r"<w:style ([^>]*)>", xml):
            ident = re.search(r'w:styleId="([^"]+)"', head)
            if ident and 'w:type="paragraph"' in head and 'w:default="1"' in head:
                self.normal = ident.group(1)
        self.cache: dict[str, _Style] = {}

    def _chain(self, style: str) -> list[str]:
        chain, seen = [], set()
        name: str | None = style
        while name and name in self.raw and name not in seen:
            seen.add(name)
            chain.append(self.raw[name])
            m = re.search(r'<w:basedOn w:val="([^"]+)"', self.raw[name])
            name = m.group(1) if m else None
        return [*chain, self.defaults]

    def get(self, style: str | None) -> _Style:
        key = style or self.normal
        if key not in self.cache:
            chain = self._chain(key) if key in self.raw else self._chain(self.normal)

            def first(pattern: str, default: float) -> float:
                for xml in chain:
                    m = re.search(pattern, xml)
                    if m:
                        return int(m.group(1)) / 2 if "sz" in pattern else int(m.group(1))
                return default

            size = first(r'<w:sz w:val="(\d+)"', 11.0)
            line = first(r'<w:spacing [^>]*w:line="(\d+)"', 240) / 240
            before = first(r'<w:spacing [^>]*w:before="(\d+)"', 0) / 20
            after = first(r'<w:spacing [^>]*w:after="(\d+)"', 0) / 20
            self.cache[key] = _Style(size, line, before, after)
        return self.cache[key]


def _text(xml: str) -> str:
    return html.unescape("".join(_TEXT.findall(xml)))


def _text_width(text: str, size: float) -> float:
    """The width of a text set at `size` points: half an em a character (a little wider
    than Liberation Serif's average, for the room a line's end leaves), a whole em for a
    wide East Asian character."""
    ems = sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)
    return ems * size


def _paragraph_height(para: str, width: float, styles: _Styles) -> float:
    m = re.search(r'<w:pStyle w:val="([^"]+)"', para)
    style = styles.get(m.group(1) if m else None)
    size = style.size
    lines = max(1, math.ceil(_text_width(_text(para), size) / max(width, 36.0)))
    return lines * size * 1.15 * style.line + style.before + style.after


def _grid(table: str, text_width: float) -> list[float]:
    """The table's column widths in points, scaled to the text width (Pandoc's tables
    span it: tblW 100%)."""
    cols = [int(w) for w in re.findall(r'<w:gridCol w:w="(\d+)"', table)] or [1]
    total = sum(cols)
    return [text_width * c / total for c in cols]


def _row_height(row: str, grid: list[float], styles: _Styles) -> float:
    tallest, col = 0.0, 0
    for cell in _CELL.findall(row):
        m = re.search(r'<w:gridSpan w:val="(\d+)"', cell)
        span = int(m.group(1)) if m else 1
        width = sum(grid[col : col + span]) - 2 * 5.4  # the Table style's cell margins
        col += span
        height = sum(_paragraph_height(p, width, styles) for p in _PARA.findall(cell))
        tallest = max(tallest, height)
    return tallest


def _notes_height(row: str, notes: dict[str, str], page: _Page, styles: _Styles) -> float:
    return sum(
        _paragraph_height(p, page.width, styles)
        for ident in _NOTE_REF.findall(row)
        for p in _PARA.findall(notes.get(ident, ""))
    )


def _keep_whole(row: str) -> str:
    def one(m: re.Match[str]) -> str:
        return f"<w:tr{m.group(1)}><w:trPr><w:cantSplit/>" + ("" if m.group(2) else "</w:trPr>")

    return _ROW_OPEN.sub(one, row, count=1)


def _rows(table: str, page: _Page, styles: _Styles, notes: dict[str, str]) -> str:
    grid = _grid(table, page.width)
    limit = KEEP_WHOLE * page.height

    def row(r: re.Match[str]) -> str:
        text = r.group(0)
        if "<w:gridSpan" in text and len(_CELL.findall(text)) == 1:  # a group's label
            text = re.sub(r"(<w:pPr>(?:<w:pStyle [^>]*/>)?)", r"\1<w:keepNext/>", text)
            return _keep_whole(text)
        height = _row_height(text, grid, styles) + _notes_height(text, notes, page, styles)
        return _keep_whole(text) if height <= limit else _two_lines(text)

    return _ROW.sub(row, table)


def _two_lines(row: str) -> str:
    """A row that may run on: each of its paragraphs breaks with two lines at least on
    either side (w:widowControl; the built-in styles leave it off)."""
    row = re.sub(r"<w:p>(?!<w:pPr>)", "<w:p><w:pPr></w:pPr>", row)
    return _BEFORE_WIDOW.sub(r"\1<w:widowControl/>", row)


_BEFORE_WIDOW = re.compile(
    r"(<w:pPr>(?:<w:pStyle [^>]*/>)?(?:<w:keepNext ?/>)?(?:<w:keepLines ?/>)?"
    r"(?:<w:pageBreakBefore ?/>)?(?:<w:framePr [^>]*/>)?)(?!<w:widowControl)"
)
"""Where w:widowControl goes in a paragraph's properties (after the ones the schema puts
before it), unless the paragraph has its own."""


def _wide(sect: str) -> str:
    """The landscape form of a section: the page turned, its margins turned with it."""
    w, h = _twips(sect, "pgSz", "w", 595.3), _twips(sect, "pgSz", "h", 841.9)
    if w > h:
        return sect
    size = f'<w:pgSz w:w="{round(h * 20)}" w:h="{round(w * 20)}" w:orient="landscape"/>'
    return re.sub(r"<w:pgSz\b[^>]*/>", size, sect, count=1)


def _section_break(sect: str) -> str:
    """An empty paragraph, as small as Word allows, that ends a section with `sect`."""
    return (
        '<w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'
        f'<w:rPr><w:sz w:val="2"/></w:rPr>{sect}</w:pPr></w:p>'
    )


_REL = re.compile(r"<Relationship\s[^>]*>")


def _attr(tag: str, name: str) -> str:
    m = re.search(rf'\b{name}="([^"]*)"', tag)
    return m.group(1) if m else ""


def _wide_headers(sect: str, parts: dict[str, bytes], scale: float) -> str:
    """The landscape section's headers and footers: a copy of each one that sets text by
    tab stops (the title at the left, the marking at the right), its stops moved out to
    the wider text column; the others are shared with the portrait pages."""
    rels_name, types_name = "word/_rels/document.xml.rels", "[Content_Types].xml"
    if rels_name not in parts or types_name not in parts:
        return sect
    rels = parts[rels_name].decode("utf-8")
    types = parts[types_name].decode("utf-8")
    targets = {_attr(t, "Id"): t for t in _REL.findall(rels)}
    for ref in re.findall(r"<w:(?:header|footer)Reference\s[^>]*/>", sect):
        rid = _attr(ref, "r:id")
        rel = targets.get(rid)
        part = "word/" + _attr(rel, "Target") if rel else ""
        if part not in parts or "<w:tab w:pos=" not in parts[part].decode("utf-8"):
            continue
        kind = "header" if "header" in _attr(rel or "", "Type") else "footer"
        n = 1
        while f"word/{kind}{n}.xml" in parts:
            n += 1
        name, new_id = f"{kind}{n}.xml", f"rIdCounterpointWide{kind}{n}"

        def moved(m: re.Match[str]) -> str:
            return f'<w:tab w:pos="{round(int(m.group(1)) * scale)}"'

        parts["word/" + name] = re.sub(
            r'<w:tab w:pos="(\d+)"', moved, parts[part].decode("utf-8")
        ).encode("utf-8")
        own = f"word/_rels/{part[len('word/') :]}.rels"
        if own in parts:
            parts[f"word/_rels/{name}.rels"] = parts[own]
        rels = rels.replace(
            "</Relationships>",
            f'<Relationship Id="{new_id}" Type="{_attr(rel or "", "Type")}" Target="{name}"/>'
            "</Relationships>",
        )
        override = re.search(rf'<Override PartName="/{re.escape(part)}"[^>]*/>', types)
        if override:
            copy = override.group(0).replace(f'"/{part}"', f'"/word/{name}"')
            types = types.replace("</Types>", copy + "</Types>")
        sect = sect.replace(ref, ref.replace(f'r:id="{rid}"', f'r:id="{new_id}"'))
    parts[rels_name], parts[types_name] = rels.encode("utf-8"), types.encode("utf-8")
    return sect


def _sections(xml: str, parts: dict[str, bytes]) -> str:
    """The compare section on landscape pages of its own: the paper before it ends a
    section (with the first page's header), the wide section holds the table, and the
    body's last section goes on portrait after it, its page numbers running on."""
    sects = _SECT.findall(xml)
    if WIDE_START not in xml or WIDE_END not in xml or not sects:
        return xml.replace(WIDE_START, "").replace(WIDE_END, "")
    body = sects[-1]
    later = body.replace("<w:titlePg/>", "").replace("<w:titlePg />", "")
    later = re.sub(r"<w:type\b[^>]*/>", "", later)
    later = re.sub(r"(<w:sectPr(?:\s[^>]*)?>)", r'\1<w:type w:val="nextPage"/>', later, count=1)
    wide = _wide(later)
    wide = _wide_headers(wide, parts, _page(wide).width / _page(later).width)
    start = xml.index(WIDE_START)
    heading = re.compile(r"(<w:pStyle w:val=\"[^\"]+\" ?/>)")
    # the heading opens a page of its own: it need not be kept with the table's first row,
    # and LibreOffice, asked to, moves the table to the next page when that row may split
    # (it leaves the heading alone on a page)
    xml = xml[:start] + heading.sub(r'\1<w:keepNext w:val="0"/>', xml[start:], count=1)
    xml = xml.replace(WIDE_START, _section_break(body), 1)
    xml = xml.replace(WIDE_END, _section_break(wide), 1)
    cut = xml.rindex(body)
    return xml[:cut] + later + xml[cut + len(body) :]


def paginate(parts: dict[str, bytes]) -> dict[str, bytes]:
    """The package's parts with the compare table's landscape section written (and its
    headers, widened) and each table row kept whole or let split by its estimated height
    (the module's rule)."""
    parts = dict(parts)
    if "word/document.xml" not in parts:
        return parts
    document = _sections(parts["word/document.xml"].decode("utf-8"), parts)
    styles = _Styles(parts.get("word/styles.xml", b"").decode("utf-8"))
    footnotes = parts.get("word/footnotes.xml", b"").decode("utf-8")
    notes = {m.group(1): m.group(2) for m in _NOTE.finditer(footnotes)}
    out: list[str] = []
    at = 0
    for table in _TABLE.finditer(document):
        after = _SECT.search(document, table.end())
        page = _page(after.group(0) if after else "")
        out += [document[at : table.start()], _rows(table.group(0), page, styles, notes)]
        at = table.end()
    out.append(document[at:])
    parts["word/document.xml"] = "".join(out).encode("utf-8")
    return parts
