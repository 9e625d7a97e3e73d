"""Three fixes to WeasyPrint 70's footnote layout, applied only while counterpoint lays out
a PDF (docs/weasyprint.md, "Why WeasyPrint 70 loses footnotes").

1. When a line does not fit at the foot of a page, `layout.block._linebox_layout` may move
   the footnotes already on the page to the next page to make room for it, then place the
   line and stop before laying out the footnotes of its own calls. Those notes wait for a
   call that never comes back and are never drawn (the notes lost in the dense, Russian,
   Hebrew and think-tank briefs of issue 24), and the notes moved away are separated from
   their calls. The fix breaks the page before the line instead, as `orphans` and
   `widows` allow, so every note laid out stays on its call's page.
2. The footnote area's overflow test (`LayoutContext._update_footnote_area`) compares two
   floats strictly, and rounding noise (1053.451968503937 > 1053.4519685039368) reports
   an area that fits as overflowing, so its note is moved from page to page and lost at
   the end (Kozea/WeasyPrint#2502). The fix compares with WeasyPrint's own tolerance
   (`LayoutContext.overflows`).

3. Neither may a note raise the footnote area over a line placed before it on the page in
   another box (a table row's earlier cell, a float): `_linebox_layout` only checks the
   line it is laying out. The fix keeps the lowest line placed on the page and treats a
   note that would cover it as one that does not fit.

Fixes 1 and 2 are applied by `footnote_fixes()` (fix 3 only when asked: the fallback
ladder's retry), around one layout, and undone after it: importing counterpoint changes
nothing in WeasyPrint. The two functions are WeasyPrint 70.0's own
(BSD licence, copyright Kozea), changed only where marked "counterpoint:". With any other
version `footnote_fixes()` changes nothing; the check after layout and the fallbacks in
publish/pdf.py still stand.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from math import inf
from typing import Any

_LINEBOX_ARGS = (
    "context", "box", "index", "child", "new_children", "page_is_empty", "absolute_boxes",
    "fixed_boxes", "adjoining_margins", "bottom_space", "position_y", "skip_stack",
    "first_letter_style", "first_line_style", "draw_bottom_decoration", "max_lines",
)  # fmt: skip
"""The signature of WeasyPrint 70's `_linebox_layout`, which the copy below replaces."""


def applicable() -> bool:
    """Whether the installed WeasyPrint is the one these fixes were written for."""
    import weasyprint
    from weasyprint.layout import LayoutContext, block

    return (
        weasyprint.__version__.split(".")[0] == "70"
        and tuple(inspect.signature(block._linebox_layout).parameters) == _LINEBOX_ARGS
        and hasattr(LayoutContext, "_update_footnote_area")
    )


@contextmanager
def footnote_fixes(covering: bool = False) -> Iterator[None]:
    """WeasyPrint with fixes 1 and 2 for the duration of the block, and fix 3 too with
    `covering` (the fallback ladder's retry: in the stress corpus fix 3 mends some pages and
    sends notes of others to the next page, so it is used only where a note covered text)."""
    if not applicable():
        yield
        return
    from weasyprint.layout import LayoutContext, block

    original_linebox = block._linebox_layout
    original_area = LayoutContext._update_footnote_area
    block._linebox_layout = _linebox_layout
    LayoutContext._update_footnote_area = _update_footnote_area
    covering_token = _COVERING.set(covering)
    try:
        yield
    finally:
        block._linebox_layout = original_linebox
        LayoutContext._update_footnote_area = original_area
        _COVERING.reset(covering_token)


_COVERING: ContextVar[bool] = ContextVar("covering", default=False)
"""Fix 3 is on for this layout (footnote_fixes(covering=True)); a context variable, so a
layout in another thread is not affected."""
"""Whether fix 3 is on (footnote_fixes(covering=True))."""


def _linebox_layout(
    context: Any, box: Any, index: int, child: Any, new_children: list[Any],
    page_is_empty: bool, absolute_boxes: list[Any], fixed_boxes: list[Any],
    adjoining_margins: list[float], bottom_space: float, position_y: float,
    skip_stack: Any, first_letter_style: Any, first_line_style: Any,
    draw_bottom_decoration: bool, max_lines: int | None,
) -> tuple[Any, ...]:  # fmt: skip
    """WeasyPrint 70's layout.block._linebox_layout, with fixes 1 and 3."""
    from weasyprint.layout.block import _break_line, collapse_margin, remove_placeholders
    from weasyprint.layout.inline import iter_line_boxes

    abort = stop = False
    resume_at = None
    new_footnotes: list[Any] = []
    needed: int | None
    # counterpoint (fix 3): the lowest line placed on this page so far, in any box (a table
    # row's other cells, a float beside the text); not in columns, which are laid out more
    # than once, nor for the notes' own lines in the footnote area
    area = context.current_footnote_area
    tracked = (
        _COVERING.get()
        and not context.in_column
        and not getattr(context, "_counterpoint_in_area", False)
    )
    state = getattr(context, "_counterpoint_lowest", None)
    lowest = state[1] if tracked and state is not None and state[0] is area else -inf

    assert len(box.children) == 1, "line box with siblings before layout"

    if adjoining_margins:
        position_y += collapse_margin(adjoining_margins)
    new_containing_block = box
    lines_iterator = iter_line_boxes(
        context, child, position_y, bottom_space, skip_stack, new_containing_block,
        absolute_boxes, fixed_boxes, first_letter_style, first_line_style,
    )  # fmt: skip
    for line, resume_at in lines_iterator:
        # Break box if we reached max-lines
        if max_lines is not None:
            if max_lines == 0:
                new_children[-1].block_ellipsis = box.style["block_ellipsis"]
                break
            max_lines -= 1

        # Update line resume_at and position_y
        line.resume_at = resume_at
        new_position_y = line.position_y + line.height

        # Add bottom padding and border to the bottom position of the box if needed
        draw_bottom_decoration |= resume_at is None
        offset_y = box.border_bottom_width + box.padding_bottom if draw_bottom_decoration else 0

        # Allow overflow if the first line of the page is higher than the page itself so
        # that we put *something* on this page and can advance in the context.
        overflow = (new_children or not page_is_empty) and context.overflows_page(
            bottom_space, new_position_y + offset_y
        )
        if overflow:
            needed = box.style["widows"] - 1
            for next_line, _ in lines_iterator:
                needed -= 1
                remove_placeholders(context, next_line.children, absolute_boxes, fixed_boxes)
                # Don't iterate over all lines as it can be long.
                if needed == -1:
                    break
            needed = max(0, needed)
            # counterpoint: WeasyPrint 70 first moved the footnotes already on this page
            # to the next one until this line fitted, then placed the line without laying
            # out its own footnotes, which were lost. Break before the line instead.
            abort, stop, resume_at = _break_line(
                context, box, line, new_children, needed, page_is_empty, index,
                skip_stack, resume_at, absolute_boxes, fixed_boxes,
            )  # fmt: skip
            break

        # TODO (WeasyPrint): this is incomplete, see Kozea/WeasyPrint#115.
        elif page_is_empty and context.overflows_page(bottom_space, new_position_y):
            # Remove the top border when a page is empty and the box is
            # too high to be drawn in one page
            new_position_y -= box.margin_top
            line.translate(0, -box.margin_top)
            box.margin_top = 0

        if context.footnotes:
            break_linebox = False
            footnotes = [
                descendant.footnote
                for descendant in line.descendants()
                if descendant.footnote in context.footnotes
            ]
            for footnote in footnotes:
                overflow = context.layout_footnote(footnote)
                new_footnotes.append(footnote)
                overflow = (
                    overflow
                    or context.reported_footnotes
                    # counterpoint (fix 3): nor may the note cover a line placed before
                    or context.overflows_page(bottom_space, max(new_position_y + offset_y, lowest))
                )
                if overflow:
                    context.report_footnote(footnote)
                    # If we've put other content on this page, then we may want
                    # to push this line or block to the next page. Otherwise,
                    # we can't (and would loop forever if we tried), so don't
                    # even try.
                    if new_children or not page_is_empty:
                        if footnote.style["footnote_policy"] == "line":
                            if needed := box.style["widows"] - 1:
                                for _ in lines_iterator:
                                    needed -= 1
                                    # Don't iterate over all lines as it can be long.
                                    if needed == 0:
                                        break
                            abort, stop, resume_at = _break_line(
                                context, box, line, new_children, needed, page_is_empty,
                                index, skip_stack, resume_at, absolute_boxes, fixed_boxes,
                            )  # fmt: skip
                            break_linebox = True
                            break
                        elif footnote.style["footnote_policy"] == "block":
                            abort = break_linebox = True
                            break
            if break_linebox:
                break

        new_children.append(line)
        position_y = new_position_y
        skip_stack = resume_at
        if tracked and new_position_y > lowest:
            lowest = new_position_y
            context._counterpoint_lowest = (area, lowest)

    if new_children:
        resume_at = {index: new_children[-1].resume_at}

    return abort, stop, resume_at, position_y, new_footnotes, max_lines


def _update_footnote_area(self: Any) -> bool:
    """WeasyPrint 70's LayoutContext._update_footnote_area, with the overflow test made
    tolerant of rounding (fix 2); everything else as it was."""
    from weasyprint.formatting_structure import build
    from weasyprint.layout.block import block_level_layout

    if self.current_footnote_area.height != "auto" and not self.in_column:
        self.page_bottom += self.current_footnote_area.margin_height()
    self.current_footnote_area.children = self.current_page_footnotes
    if self.current_footnote_area.children:
        footnote_area = build.create_anonymous_boxes(self.current_footnote_area.deepcopy())
        self._counterpoint_in_area = True  # (fix 3: the notes' own lines are not the page's)
        try:
            footnote_area = block_level_layout(
                self, footnote_area, -inf, None, self.current_footnote_area.page
            )[0]
        finally:
            self._counterpoint_in_area = False
        self.current_footnote_area.height = footnote_area.height
        if not self.in_column:
            self.page_bottom -= footnote_area.margin_height()
        last_child = footnote_area.children[-1]
        last_child_bottom = (
            last_child.position_y + last_child.margin_height() - last_child.margin_bottom
        )
        footnote_area_bottom = (
            footnote_area.position_y + footnote_area.margin_height() - footnote_area.margin_bottom
        )
        return bool(self.overflows(footnote_area_bottom, last_child_bottom))
    self.current_footnote_area.height = 0
    if not self.in_column:
        self.page_bottom -= self.current_footnote_area.margin_height()
    return False


_STYLE = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.S | re.I)
_LOGICAL = re.compile(r"\b(float|clear)(\s*:\s*)inline-(start|end)\b", re.I)


def physical_floats(html: str) -> str:
    """The page with `float` and `clear` of `inline-start` / `inline-end` written as
    `left` / `right` for its direction (`<html dir>`): WeasyPrint 70 accepts the logical
    values but fails on a float of one inside a line (KeyError: 'inline-end' in
    layout/inline.py). A right-to-left paper's inline-end is its left, so it still mirrors."""
    head = re.search(r"<html\b[^>]*>", html, re.I)
    rtl = bool(head and re.search(r"""\bdir\s*=\s*["']?rtl""", head.group(0), re.I))
    sides = {"start": "right" if rtl else "left", "end": "left" if rtl else "right"}

    def physical(match: re.Match[str]) -> str:
        return match.group(1) + match.group(2) + sides[match.group(3).lower()]

    def sheet(match: re.Match[str]) -> str:
        return match.group(1) + _LOGICAL.sub(physical, match.group(2)) + match.group(3)

    return _STYLE.sub(sheet, html)
