"""The check after PDF layout: each note where a reader finds it (a footnote on its call's
page, endnotes in order after the body, none hidden or drawn over), text a set takes out of
the flow kept on the page and off the body's text, and `string-set`s WeasyPrint drops.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from counterpoint.cite.resolve import Note
from counterpoint.publish.csslocate import Sheets, element_name
from counterpoint.publish.fetch import _short


def check_footnotes(pages_anchors: list[set[str]], notes: list[Note]) -> list[str]:
    """Every note body must be laid out: a footnote on the page of its call, an endnote
    anywhere (unseen_notes checks that endnotes come after the body).

    `pages_anchors` holds, for each page, the element ids WeasyPrint placed on it.
    Returns one message per lost or misplaced note.
    """
    page_of: dict[str, int] = {}
    for i, anchors in enumerate(pages_anchors, start=1):
        for a in anchors:
            page_of.setdefault(a, i)
    problems = []
    for note in notes:
        call, body = page_of.get(note.call_id), page_of.get(note.id)
        if body is None:
            problems.append(
                f"{_kind(note)} {note.number} ({_plain(note)}) was lost in PDF layout"
                + (f"; its call is on page {call}" if call else "")
            )
        elif call is None:
            problems.append(f"{_kind(note)} {note.number}: its call is missing from the PDF")
        elif not note.endnote and body != call:
            problems.append(
                f"footnote {note.number} ({_plain(note)}) is on page {body}, not on its "
                f"call's page {call}"
            )
    return problems


def layout_problems(document: Any, notes: list[Note]) -> tuple[list[str], list[str]]:
    """What the check after layout finds: notes the layout misplaced (lost, off their
    call's page, drawn over text), which a fallback may mend, and notes the set hides or
    misorders, which it must fix itself."""
    placed = misplaced_content(document)  # the set's doing: no fallback mends it
    if placed:
        return [], placed
    placing = check_footnotes([set(p.anchors) for p in document.pages], notes)
    if placing:
        return placing, []
    hidden = unseen_notes(document, notes)
    by_flow = {m for m, positioned in _covered(document, notes, _placed_notes(document, notes))
               if not positioned}  # fmt: skip
    return [p for p in hidden if p in by_flow], [p for p in hidden if p not in by_flow]


def dropped_strings(document: Any, sheets: Sheets) -> list[str]:
    """Warnings for known no-ops: `string-set` on an inline element that a flex or grid
    container makes one of its items. WeasyPrint 70 drops the string without a word, so a
    running header that shows it stays empty."""
    out: list[str] = []
    for page in document.pages:
        for box in page._page_box.descendants():
            names = box.style["string_set"]
            if names == "none" or box.string_set or getattr(box, "element", None) is None:
                continue
            if box.style["display"][0] != "inline" or type(box).__name__ == "InlineBox":
                continue  # (an inline box keeps its strings)
            strings = ", ".join(dict.fromkeys(name for name, _ in names))
            rules = [r for n, _ in names for r in sheets.mentioning(f"string-set: {n}")]
            text = (
                f"`string-set: {strings}` on {element_name(box)} does nothing: WeasyPrint 70 "
                "drops it from an inline element that is a flex or grid item, so `string("
                f"{strings.split(', ')[0]})` stays empty; set it on a block inside the item"
                + (f" ({', '.join(dict.fromkeys(rules))})" if rules else "")
            )
            if text not in out:
                out.append(text)
    return out


def _kind(note: Note) -> str:
    return "endnote" if note.endnote else "footnote"


@dataclass
class _Placed:
    """Where an element with an id was laid out: its page (from 1) and its first box."""

    page: int
    box: Any
    order: int = 0
    """The box's place in the layout's reading order (columns one after another)."""
    elements: int = 1
    """How many distinct elements carry the id (a note list shown twice has two)."""

    @property
    def at(self) -> tuple[int, int]:
        return self.page, self.order


def _placed(document: Any, ids: set[str]) -> dict[str, _Placed]:
    """The first box of each element whose id is in `ids`, page by page, in layout order."""
    out: dict[str, _Placed] = {}
    seen: dict[str, set[int]] = {}
    order = 0
    for number, page in enumerate(document.pages, start=1):
        for child in page._page_box.descendants():
            order += 1
            element = getattr(child, "element", None)
            if element is None or getattr(child, "element_tag", "") != element.tag:
                continue  # an anonymous or pseudo-element box (the call's ::footnote-call)
            ident = element.get("id") or ""
            if ident not in ids:
                continue
            seen.setdefault(ident, set()).add(id(element))
            if ident not in out:
                out[ident] = _Placed(number, child, order)
            out[ident].elements = len(seen[ident])
    return out


def _placed_notes(document: Any, notes: list[Note]) -> dict[str, _Placed]:
    """_placed for the notes' bodies, found once per document (the walk is not free)."""
    key = tuple(note.id for note in notes)
    cache = getattr(document, "_counterpoint_placed", None)
    if cache is None or cache[0] != key:
        cache = (key, _placed(document, set(key)))
        document._counterpoint_placed = cache
    return cache[1]


def unseen_notes(document: Any, notes: list[Note]) -> list[str]:
    """Notes laid out where no reader can see them: a box of no size (font-size: 0, the
    endnotes hack), outside the page, or hidden (visibility, opacity). The footnote check
    finds where each note is; this one makes sure it can be read there. Endnotes must also
    each appear once, in order, after the body (endnote_order)."""
    placed = _placed_notes(document, notes)
    problems = []
    for note in notes:
        where = placed.get(note.id)
        if where is None:
            continue  # lost: check_footnotes says so
        child, page = where.box, document.pages[where.page - 1]._page_box
        style = child.style
        width, height = child.margin_width(), child.margin_height()
        x, y = child.position_x, child.position_y
        why = ""
        if width <= 0.5 or height <= 0.5 or style["font_size"] <= 0.5:
            why = f"its box is {width:.0f} × {height:.0f} pt"
        elif x + width < 0 or y + height < 0 or x > page.margin_width() or y > page.margin_height():
            why = "it lies outside the page"
        elif style["visibility"] != "visible" or style["opacity"] <= 0:
            why = "it is hidden (visibility or opacity)"
        if why:
            problems.append(
                f"{_kind(note)} {note.number} ({_plain(note)}) cannot be seen on page "
                f"{where.page}: {why}"
            )
    problems += covered_notes(document, notes, placed)
    endnotes = [note for note in notes if note.endnote]
    if endnotes:
        calls = _placed(document, {note.call_id for note in notes})
        problems += endnote_order(endnotes, placed, calls)
    return problems


def _rect(box: Any) -> tuple[float, float, float, float]:
    x, y = box.position_x, box.position_y
    return x, y, x + box.margin_width(), y + box.margin_height()


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    """More than a point of overlap each way (touching lines do not count)."""
    return min(a[2], b[2]) - max(a[0], b[0]) > 1 and min(a[3], b[3]) - max(a[1], b[1]) > 1


_COVERED = "is drawn over body text on page"


def covered_notes(document: Any, notes: list[Note], placed: dict[str, _Placed]) -> list[str]:
    """Footnotes drawn over body text, or under it: a footnote's box and a line of the
    page's own flow overlap (the trap of a table row split across pages, or text a set
    positions into the footnote area)."""
    return [message for message, _ in _covered(document, notes, placed)]


def _covered(
    document: Any, notes: list[Note], placed: dict[str, _Placed]
) -> list[tuple[str, bool]]:
    """covered_notes, each message with whether the text over the note is one the set
    positions or floats there (its own doing), rather than text of the flow (a layout's)."""
    from weasyprint.formatting_structure.boxes import FootnoteAreaBox

    by_page: dict[int, list[Note]] = {}
    for note in notes:
        where = placed.get(note.id)
        if where is not None and not note.endnote:
            by_page.setdefault(where.page, []).append(note)
    problems = []
    for number, page_notes in sorted(by_page.items()):
        page = document.pages[number - 1]._page_box
        areas = [_rect(c) for c in page.children if isinstance(c, FootnoteAreaBox)]
        flow = [c for c in page.children if not isinstance(c, FootnoteAreaBox)]
        texts = [
            (_rect(t), positioned)
            for root in flow
            for t, positioned in text_boxes(root)
            if any(_overlap(_rect(t), area) for area in areas)
        ]
        for note in page_notes if texts else []:
            box = _rect(placed[note.id].box)
            over = [positioned for t, positioned in texts if _overlap(box, t)]
            if over:
                problems.append(
                    (f"footnote {note.number} ({_plain(note)}) {_COVERED} {number}", any(over))
                )
    return problems


def misplaced_content(document: Any) -> list[str]:
    """Text a set takes out of the flow (position: absolute or fixed, a float, a page margin
    box) that is drawn over the body's own text, or that falls off the page: one message
    for each element, naming it and its page."""
    problems: list[str] = []
    said: set[int] = set()
    for number, page in enumerate(document.pages, start=1):
        box = page._page_box
        width, height = box.margin_width(), box.margin_height()
        flow: list[tuple[float, ...]] = []
        placed: list[tuple[Any, Any]] = []
        for child in box.children:
            for text, outer in _placed_texts(child):
                if outer is None:
                    flow.append(_rect(text))
                else:
                    placed.append((text, outer))
        for text, outer in placed:
            key = id(outer.element) if getattr(outer, "element", None) is not None else id(outer)
            if key in said:
                continue
            rect = _rect(text)
            why = ""
            if rect[0] < -1 or rect[1] < -1 or rect[2] > width + 1 or rect[3] > height + 1:
                why = "falls off the page"
            elif any(_overlap(rect, other) for other in flow):
                why = "is drawn over body text"
            if why:
                said.add(key)
                words = " ".join(
                    t.text.strip() for t, o in placed
                    if o is outer and not t.element_tag.endswith("::footnote-call")
                )  # fmt: skip
                problems.append(
                    f"{_described(outer)} ({_short(words, 40)!r}) {why} on page {number}"
                )
    return problems


def _placed_texts(box: Any, outer: Any = None) -> Iterator[tuple[Any, Any]]:
    """Every text box under `box` with the outermost box that takes it out of the flow
    (None for text of the flow). Footnotes are left out: the footnote check has them."""
    from weasyprint.formatting_structure.boxes import FootnoteAreaBox, MarginBox, TextBox

    if isinstance(box, FootnoteAreaBox):
        return
    style = getattr(box, "style", None)
    if outer is None and (
        isinstance(box, MarginBox)
        or (style is not None and style["position"] in ("absolute", "fixed"))
        or (style is not None and style["float"] not in ("none", "footnote"))
    ):
        outer = box
    if isinstance(box, TextBox):
        if box.text.strip():
            yield box, outer
        return
    for child in getattr(box, "children", ()):
        yield from _placed_texts(child, outer)


def _described(box: Any) -> str:
    """How a message names what a set placed: 'the page's top-left margin box', 'the
    absolute-positioned <p>', 'the floated <aside class="pull">'."""
    from weasyprint.formatting_structure.boxes import MarginBox

    if isinstance(box, MarginBox):
        return f"the page's {box.at_keyword.lstrip('@')} margin box"
    how = "floated" if box.style["float"] != "none" else f"{box.style['position']}-positioned"
    element = box.element
    tag = (getattr(box, "element_tag", "") or "box").split("::")[0]
    name = f"<{tag}"
    if element is not None and element.get("id"):
        name += f' id="{element.get("id")}"'
    elif element is not None and element.get("class"):
        name += f' class="{element.get("class")}"'
    return f"the {how} {name}>"


def text_boxes(box: Any, positioned: bool = False) -> Iterator[tuple[Any, bool]]:
    """Every text box with visible text under `box`, and whether it is taken out of the
    flow or moved (positioned, floated, or in a box that is)."""
    from weasyprint.formatting_structure.boxes import TextBox

    style = getattr(box, "style", None)
    if style is not None and (
        style["position"] in ("absolute", "fixed", "relative") or style["float"] != "none"
    ):
        positioned = True
    if isinstance(box, TextBox):
        if box.text.strip():
            yield box, positioned
        return
    for child in getattr(box, "children", ()):
        yield from text_boxes(child, positioned)


def endnote_order(
    notes: list[Note], placed: dict[str, _Placed], calls: dict[str, _Placed]
) -> list[str]:
    """Endnotes are one list after the body: each note once, in number order, and the
    first of them after the last note call."""
    problems = []
    last_call = max((c.at for c in calls.values()), default=(0, 0))
    before: Note | None = None
    for note in notes:
        where = placed.get(note.id)
        if where is None:
            continue
        if where.elements > 1:
            problems.append(
                f"endnote {note.number} ({_plain(note)}) appears {where.elements} times in the PDF"
            )
        if where.at < last_call:
            problems.append(
                f"endnote {note.number} ({_plain(note)}) is on page {where.page}, before the "
                f"last note call (page {last_call[0]}): endnotes go after the body"
            )
        previous = placed.get(before.id) if before else None
        if before and previous and where.at < previous.at:
            problems.append(
                f"endnote {note.number} ({_plain(note)}) comes before endnote {before.number} "
                f"on page {where.page}: endnotes go in order"
            )
        before = note
    return problems


def _plain(note: Note) -> str:
    import re

    text = re.sub(r"<[^>]+>", "", str(note.body))
    return text if len(text) <= 60 else text[:57] + "..."
