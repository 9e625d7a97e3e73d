"""The PDF: WeasyPrint's layout in a memory-limited child process, the footnote check after
layout, PDF/UA and PDF/A variants, and the same bytes from the same inputs.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from counterpoint.cite.resolve import Note
from counterpoint.errors import BuildError, display_path
from counterpoint.files import write_atomic
from counterpoint.process.limits import MAX_PDF_NOTES
from counterpoint.publish.csslocate import Sheets, culprit, element_name
from counterpoint.publish.fetch import FetchPolicy, _fetcher, _short
from counterpoint.publish.weasyfix import footnote_fixes, physical_floats

if TYPE_CHECKING:
    from counterpoint.publish.pdfworker import LayoutWorker


class LostNotes(BuildError):
    """Footnotes that no layout kept on their calls' pages (`problems`, one a note, without
    the file name); the caller may lay the edition out again with endnotes."""

    def __init__(self, message: str, problems: list[str], steps: list[str]):
        super().__init__(message)
        self.problems = problems
        self.steps = steps
        """The warnings of the ladder's steps taken before it gave up."""


FALLBACK_WARNING = "PDF fallback:"
"""What every warning about a fallback of the PDF's layout starts with (bench/stress.py
counts them)."""

_RETRIES = (
    (
        "with footnote-policy: line and orphans and widows of 1 on text with note calls, "
        "and no note over a line placed before it",
        ".footnote { footnote-policy: line !important }\n"
        "p, li, td, th, dd, dt, blockquote, figcaption { orphans: 1 !important; "
        "widows: 1 !important }",
    ),
)
"""The fallback ladder's layouts before the last step (publish/writers.py: the edition's notes as
endnotes): a description, and a user stylesheet whose !important rules win over the set's."""


class TooLong(BuildError):
    """The laid-out PDF has more pages than its edition allows."""

    def __init__(self, pages: int, message: str):
        super().__init__(message)
        self.pages = pages


@dataclass
class PdfResult:
    pages: int
    notes: int
    warnings: list[str]
    data: bytes = field(default=b"", repr=False)
    """The PDF itself, when write_pdf was asked not to write it (write=False)."""


@contextmanager
def _quiet_weasyprint() -> Iterator[list[str]]:
    """Collect WeasyPrint's warnings instead of letting them print."""
    messages: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.WARNING:
                messages.append(record.getMessage())

    logger = logging.getLogger("weasyprint")
    handler = Collect()
    old_level, old_propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        yield messages
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        logger.propagate = old_propagate


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


def _problems(document: Any, notes: list[Note]) -> tuple[list[str], list[str]]:
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


def _listed(problems: list[str]) -> str:
    return "; ".join(problems[:5]) + (
        f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
    )


def _check_length(
    document: Any,
    target: Path,
    max_pages: int | None,
    too_long: Callable[[int], str] | None,
    uncounted: str | None,
) -> None:
    """Raise TooLong when the laid-out document is over its edition's page limit."""
    pages = len(document.pages)
    if uncounted:  # the pages from the one the anchor is on do not count
        pages = next((i for i, p in enumerate(document.pages) if uncounted in p.anchors), pages)
    if max_pages and pages > max_pages:
        advice = too_long(pages) if too_long else f"{pages} pages, over the limit of {max_pages}"
        raise TooLong(pages, f"{display_path(target)}: {advice}")


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


def _weasyprint(
    target: Path,
    step: Callable[[], Any],
    what: str = "WeasyPrint",
    advice: str = "",
    sheets: Sheets | None = None,
) -> Any:
    """Run a WeasyPrint step; its failure on a hostile page is a BuildError, not a traceback,
    naming the element it was laying out and the set's CSS lines that hold the value it
    failed on (`sheets`)."""
    try:
        return step()
    except MemoryError:
        raise
    except Exception as exc:
        said = _short(str(exc))
        box = culprit(exc)
        where = f" while laying out {element_name(box)}" if box is not None else ""
        value = exc.args[0] if exc.args and isinstance(exc.args[0], str) else ""
        rules = sheets.mentioning(value) if sheets and len(value) > 2 else []
        raise BuildError(
            f"{display_path(target)}: {what} failed: {type(exc).__name__}"
            + (f": {said}" if said else "")
            + where
            + (f"; the set's CSS with {value!r}: {', '.join(rules[:3])}" if rules else "")
            + (f"; {advice}" if advice else "")
        ) from None


def import_weasyprint() -> Any:
    """WeasyPrint, imported on first use (about 0.5 s)."""
    import weasyprint

    return weasyprint


def write_pdf(
    html: str,
    target: Path,
    notes: list[Note],
    base: Path,
    policy: FetchPolicy,
    identifier: str = "",
    variant: str | None = None,
    max_pages: int | None = None,
    too_long: Callable[[int], str] | None = None,
    write: bool = True,
    memory_limit: int | None = None,
    worker: LayoutWorker | None = None,
    uncounted: str | None = None,
    stylesheets: dict[str, str] | None = None,
) -> PdfResult:
    """Lay out print HTML, verify the footnotes, and write the PDF atomically.

    `stylesheets` maps the name of each of the set's stylesheets in the page to its file
    (as messages show it): WeasyPrint's CSS messages and failures then name the file, line
    and rule (publish/csslocate.py).

    `max_pages` counts the pages before the one holding the anchor `uncounted`, if given
    (a reference list added after the paper).

    With write=False nothing is written and the PDF is returned in `PdfResult.data`, for
    callers that publish several files at once (write_all). With a `memory_limit` (MiB),
    layout runs in a child process whose address space may grow by that much, so the
    caller's own limits never change; going over is a BuildError. A `worker` started
    earlier (pdfworker.start) does the layout, with its own memory limit.
    """
    if len(notes) > MAX_PDF_NOTES:
        raise BuildError(
            f"{display_path(target)}: the brief has {len(notes):,} notes; a PDF is limited to "
            f"{MAX_PDF_NOTES:,} (layout takes about 12 ms and 150 KB a note); "
            "build --format html, or split the brief"
        )
    if worker is not None:  # WeasyPrint was imported meanwhile, in the worker (pdfworker)
        job = (
            html, target, notes, base, policy, identifier, variant, max_pages, None, uncounted,
            stylesheets,
        )  # fmt: skip
        try:
            result = worker.lay_out(job)
        except TooLong as exc:
            if too_long is None:
                raise
            raise TooLong(exc.pages, f"{display_path(target)}: {too_long(exc.pages)}") from None
    else:
        import_weasyprint()  # before the fork: every layout process starts with it imported

        def lay_out() -> PdfResult:
            return _lay_out(
                html, target, notes, base, policy, identifier, variant, max_pages, too_long,
                uncounted, stylesheets,
            )  # fmt: skip

        if memory_limit and hasattr(os, "fork"):
            result = _in_child(lay_out, memory_limit, target)
        else:
            result = lay_out()
    if write:
        write_atomic(target, result.data)
        result.data = b""
    return result


def _lay_out(
    html: str,
    target: Path,
    notes: list[Note],
    base: Path,
    policy: FetchPolicy,
    identifier: str,
    variant: str | None,
    max_pages: int | None,
    too_long: Callable[[int], str] | None,
    uncounted: str | None = None,
    stylesheets: dict[str, str] | None = None,
) -> PdfResult:
    """The PDF's bytes, its page count and warnings (write_pdf's work, in whichever process)."""
    weasyprint = import_weasyprint()
    sheets = Sheets.of(html, stylesheets or {})
    html = physical_floats(html)  # WeasyPrint 70 fails on some logical floats (publish/weasyfix.py)
    with _quiet_weasyprint() as messages:
        parsed = _weasyprint(  # its parser fails on some markup browsers read (weasyprint.md)
            target,
            lambda: weasyprint.HTML(
                string=html, base_url=str(base) + os.sep, url_fetcher=_fetcher(policy)
            ),
            "WeasyPrint's HTML parser",
            "docs/weasyprint.md lists markup it cannot read",
        )
        with footnote_fixes():  # WeasyPrint 70 loses footnotes without them (publish/weasyfix.py)
            document = _weasyprint(target, parsed.render, sheets=sheets)
            _check_length(document, target, max_pages, too_long, uncounted)
            placing, hidden = _problems(document, notes)
            fallbacks = []
            for how, css in _RETRIES if placing and not hidden else ():
                # the fallback ladder: the same page with rules that keep notes by their calls
                sheet = weasyprint.CSS(string=css)
                render = functools.partial(parsed.render, stylesheets=[sheet])
                with footnote_fixes(covering=True):  # (and fix 3: publish/weasyfix.py)
                    retry = _weasyprint(target, render, sheets=sheets)
                _check_length(retry, target, max_pages, too_long, uncounted)
                fallbacks.append(f"{FALLBACK_WARNING} {_listed(placing)}; laid out again {how}")
                document = retry
                placing, hidden = _problems(document, notes)
                if not placing:
                    break
        no_ops = dropped_strings(document, sheets)
        lost = hidden + placing
        if lost:
            message = f"{display_path(target)}: {_listed(lost)}"
            if placing and not hidden:
                raise LostNotes(
                    message, placing, fallbacks
                )  # publish/writers.py lays them out as endnotes
            raise BuildError(message)
        options: dict[str, Any] = {
            "pdf_identifier": hashlib.md5(identifier.encode()).hexdigest().encode()
            if identifier
            else False,
        }
        if variant:
            options["pdf_variant"] = variant
        # PDF/UA and PDF/A write an XMP id from uuid4(); derive it from the identifier
        # instead so that the same inputs give the same bytes.
        # (unittest.mock.patch would do, but importing it costs 30 ms: it pulls in asyncio)
        import uuid

        from weasyprint.pdf import metadata

        stable = uuid.uuid5(uuid.NAMESPACE_URL, f"counterpoint:{identifier}")
        random_uuid, metadata.uuid4 = metadata.uuid4, lambda: stable
        try:
            data = _weasyprint(target, lambda: document.write_pdf(**options))
        finally:
            metadata.uuid4 = random_uuid
    warnings = list(
        dict.fromkeys(
            policy.refused
            + [_short(sheets.message(m), 300) for m in messages if "RefusedFetch" not in m]
            + no_ops
            + fallbacks
        )
    )
    return PdfResult(len(document.pages), len(notes), warnings, data)


_OVER_LIMIT = 3
"""Exit status of a layout process that ran out of its address space (MemoryError)."""


def _in_child(work: Callable[[], PdfResult], limit: int, target: Path) -> PdfResult:
    """Run `work` in a forked child whose address space may grow by `limit` MiB.

    The child inherits everything (WeasyPrint imported, the HTML made) and sends back the
    result, or the BuildError's message; this process only waits. Ctrl-C and the build's
    time limit interrupt the wait here, and the child is killed. What the child prints to
    stderr is passed on, unless it ran out of memory: then the one message says it all
    (GLib's abort, Python's "Exception ignored" lines).
    """
    import pickle
    import signal
    import sys

    with tempfile.TemporaryFile() as stderr:
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(reader)
            _child(work, limit, writer, stderr.fileno())  # never returns
        os.close(writer)
        waited = False
        try:
            with open(reader, "rb") as pipe:
                payload = pipe.read()
            _, status = os.waitpid(pid, 0)
            waited = True
        finally:
            if not waited:  # interrupted (Ctrl-C, the time limit): stop the layout too
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
        stderr.seek(0)
        printed = stderr.read().decode("utf-8", "replace")
    code = os.waitstatus_to_exitcode(status)
    if code == 0:
        sys.stderr.write(printed)
        return outcome(*pickle.loads(payload))
    if code == 130:
        raise KeyboardInterrupt
    over = (
        f"the memory limit of {limit:,} MiB; raise it with --memory-limit "
        "(or COUNTERPOINT_MEMORY_LIMIT) if the document is meant to be this large"
    )
    # a library that cannot allocate may abort (GLib, when it cannot start a thread)
    if code == _OVER_LIMIT or (code < 0 and any(s in printed for s in _OUT_OF_MEMORY)):
        raise BuildError(f"{display_path(target)}: PDF layout went over {over}")
    if code < 0:
        name = signal.Signals(-code).name
        raise BuildError(f"{display_path(target)}: PDF layout crashed ({name}), probably at {over}")
    raise BuildError(f"{display_path(target)}: PDF layout stopped with exit status {code}")


def outcome(kind: str, value: Any) -> PdfResult:
    """What a layout process sent back: its result, or the error it stands for."""
    if kind == "ok":
        return value
    if kind == "too_long":
        raise TooLong(*value)
    if kind == "lost":
        raise LostNotes(*value)
    if kind == "error":
        raise BuildError(value)
    if kind == "keyboard":
        raise KeyboardInterrupt
    raise RuntimeError(f"PDF layout failed in its child process:\n{value}")


_OUT_OF_MEMORY = ("Error creating thread", "failed to allocate", "Cannot allocate memory")
"""What libraries print when an allocation fails under the limit, before they abort."""


def _child(work: Callable[[], PdfResult], limit: int, writer: int, stderr: int) -> NoReturn:
    """The layout process: limit it, run `work`, send the outcome, and leave at once
    (os._exit: no cleanup of what it shares with its parent, no flush of its buffers)."""
    import faulthandler
    import pickle

    status = 1
    try:
        os.dup2(stderr, 2)
        faulthandler.disable()  # a crash is reported by the parent, in one line
        _limit_address_space(limit)
        try:
            outcome: tuple[str, Any] = ("ok", work())
        except TooLong as exc:
            outcome = ("too_long", (exc.pages, str(exc)))
        except LostNotes as exc:
            outcome = ("lost", (str(exc), exc.problems, exc.steps))
        except BuildError as exc:
            outcome = ("error", str(exc))
        except MemoryError:
            raise
        except Exception:  # a bug: its traceback goes to the parent, which raises it
            import traceback

            outcome = ("bug", traceback.format_exc())
        with open(writer, "wb") as pipe:
            pipe.write(pickle.dumps(outcome))
        status = 0
    except MemoryError:
        status = _OVER_LIMIT
    except KeyboardInterrupt:
        status = 130
    finally:
        os._exit(status)


def _limit_address_space(mib: int) -> None:
    """Let this process's address space grow by `mib` MiB at most (never loosening a
    limit already set). Only ever called in a child process: RLIMIT_AS is process-wide."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    ceiling = _address_space() + mib * 1024 * 1024
    for current in (soft, hard):
        if current != resource.RLIM_INFINITY:
            ceiling = min(ceiling, current)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))


def _address_space() -> int:
    """This process's address space in bytes (0 where /proc cannot tell)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")
