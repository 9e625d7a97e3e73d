"""The filters and globals templates call: Markdown fields with their note calls, names,
sentences, figures, and the paper's language's forms (PaperForms)."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from counterpoint.brief import i18n, markdown
from counterpoint.brief.findings import AuditReport
from counterpoint.brief.i18n import Labels
from counterpoint.brief.model import GRADES, Aside, Brief, Citation, Date, Event, Name, Text
from counterpoint.cite.resolve import Resolved
from counterpoint.errors import BuildError, display_path
from counterpoint.process.limits import MAX_TEMPLATE_BYTES
from counterpoint.render.templates import TemplateSet


def sentences(*parts: str) -> Markup:
    """Sentences (text or markup) joined with the space the language puts between them."""
    return Markup(i18n.sentences(*(str(escape(p)) for p in parts)))


def template_frame(exc: BaseException) -> str:
    """'file:line' of the innermost template frame in a rendering error's traceback."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".html", ".css", ".svg", ".txt", ".xml")):
            return f"{display_path(frame.filename)}:{frame.lineno}"
    return "template"


class NoteOutsideSections(Exception):
    pass


# -- filters ------------------------------------------------------------------------
def _cite_call(ctx: Any) -> Any:
    doc: Resolved = ctx["doc"]
    medium: str = ctx["medium"]
    env = ctx.environment

    def cite(citation: Citation, punctuation: str = "") -> str:
        """The citation's markup; `punctuation` (after a narrative citation's name in a
        note style) goes between the name and the note call."""
        running = doc.running_text(citation)
        if running is None:
            raise NoteOutsideSections(
                f"a cited field at {citation.where} is shown outside the sections that "
                "number notes; add its section to the manifest's `sections`, or show it with "
                "the md_text filter"
            )
        if not doc.footnotes:  # an in-text style: the citation itself stands in the text
            template = env.get_template("partials/citation.html")
            return template.render(citation=running).strip() + str(escape(punctuation))
        note = doc.note_for(citation)
        _once(ctx, str(citation.where))
        # a footnote's call and body go together; an endnote's call links to the notes list
        partial = "note-end" if note is not None and note.endnote else f"note-{medium}"
        template = env.get_template(f"partials/{partial}.html")
        return str(running) + str(escape(punctuation)) + template.render(note=note).strip()

    return cite


def _note_call(ctx: Any) -> Any:
    """The markup of a discursive note (`^[...]`): its call, and its body where the medium
    puts it (a footnote's body goes with the call; an endnote's in the notes list)."""
    doc: Resolved = ctx["doc"]
    medium: str = ctx["medium"]
    env = ctx.environment

    def note_call(aside: Aside) -> str:
        note = doc.note_for(aside)
        if note is None:
            raise NoteOutsideSections(
                f"a note at {aside.where} is shown outside the sections that number notes; "
                "add its section to the manifest's `sections`, or show it with the md_text "
                "filter"
            )
        _once(ctx, str(aside.where))
        partial = "note-end" if note.endnote else f"note-{medium}"
        return env.get_template(f"partials/{partial}.html").render(note=note).strip()

    return note_call


def _once(ctx: Any, where: str) -> None:
    """Refuse a note called a second time: a cited field shown twice (the summary under
    the title and in its own section) made the same note twice, two ids alike."""
    called = ctx.get("_called")
    if not isinstance(called, set):
        return
    if where in called:
        raise NoteOutsideSections(
            f"a cited field at {where} is shown a second time; its notes are called once, "
            "in its own section: show it elsewhere with the md_text filter"
        )
    called.add(where)


def _no_cite(citation: Citation, punctuation: str = "") -> str:
    return str(escape(punctuation))


def _calls(ctx: Any) -> str:
    """Where note calls go against punctuation for the brief: "after" or "before"."""
    brief: Brief = ctx["brief"]
    return i18n.note_calls(brief.language, str(brief.extra.get("note_calls", "")))


def _with_notes(ctx: Any, text: Text | None, inline: bool) -> Markup:
    """A Markdown field as HTML, its citations as this edition's note calls."""
    if text is None:
        return Markup("")
    return Markup(
        markdown.render(
            text.tokens,
            _cite_call(ctx),
            inline=inline,
            notes=ctx["doc"].footnotes,
            calls=_calls(ctx),
            note=_note_call(ctx),
            language=ctx["brief"].language or "en",
        )
    )


@jinja2.pass_context
def md_block(ctx: Any, text: Text | None) -> Markup:
    """Markdown field as HTML blocks, citations as note calls."""
    return _with_notes(ctx, text, inline=False)


@jinja2.pass_context
def md_inline(ctx: Any, text: Text | None) -> Markup:
    """Markdown field as inline HTML (a single paragraph loses its <p>)."""
    return _with_notes(ctx, text, inline=True)


@jinja2.pass_context
def md_text(ctx: Any, text: Text | None) -> Markup:
    """Markdown field as inline HTML without its citations (for tables, summaries)."""
    if text is None:
        return Markup("")
    language = ctx["brief"].language or "en"
    return Markup(markdown.render(text.tokens, _no_cite, inline=True, language=language).strip())


@jinja2.pass_context
@jinja2.pass_context
def names(ctx: Any, value: list[Name] | list[str]) -> str:
    """Authors as one line in the brief's language ("A, B, and C" in English, through
    CLDR's list patterns; a source's names as given family, or literal)."""
    items = [
        (v.literal or " ".join(p for p in (v.given, v.particle, v.family) if p))
        if isinstance(v, Name)
        else str(v)
        for v in value
    ]
    from babel.lists import format_list

    return format_list(items, locale=i18n.locale_of(ctx["brief"].language)) if items else ""


def timeline_figure(ctx: Any, events: list[Event], title: str, year: Callable[..., str]) -> Markup:
    """The timeline as an inline SVG figure, each event labelled with its year and a few
    words (one column on the web page, two in print)."""
    from counterpoint.render.figures import timeline_labels, timeline_svg

    texts = [markdown.plain(e.event.tokens) for e in events]
    language = ctx["brief"].language or "en"
    return timeline_svg(
        events,
        timeline_labels(events, texts),
        texts,
        title,
        rtl=i18n.direction(language) == "rtl",
        year=year,
        html_labels=html_labels(ctx),
        flow=ctx["medium"] == "print",
    )


def whole_sentences(text: str, length: int = 160) -> str:
    """The first whole sentences of a text that fit in `length` characters (at least one):
    the executive edition's contested points, never cut mid-sentence."""
    from counterpoint.cite.fields import first_sentences

    return first_sentences(str(text), length)


def html_labels(ctx: Any) -> bool | None:
    """Figure labels as HTML over the drawing: in the print edition, where they need
    shaping or reordering that WeasyPrint's SVG text lacks (None: decided by the labels)."""
    return None if ctx["medium"] == "print" else False


class PaperForms:
    """The filters and globals that depend on the paper's language (brief/i18n.py) and its
    template set: numbers, years, dates, grades and figures in the paper's language and
    digits, and the set's files as data: URIs."""

    def __init__(self, tset: TemplateSet, labels: Labels):
        self.tset = tset
        self.labels = labels

    def number(self, value: float) -> str:
        """A count or ratio in the language's digits and separators."""
        if isinstance(value, int):
            return self.labels.integer(value)
        return self.labels.number(value)

    def year(self, value: Date | int) -> str:
        """A year as a label: 1858, 221 BCE (in the language's era name)."""
        return self.labels.year(value.year if isinstance(value, Date) else value)

    def date(self, value: Date | None, form: str = "long") -> str:
        """The date at its precision in the brief's language and digits (ISO with
        form='iso')."""
        if value is None:
            return ""
        if form != "long":
            return str(value)
        return self.labels.date(value)

    @jinja2.pass_context
    def timeline_svg(self, ctx: Any, events: list[Any], title: str = "Timeline") -> Markup:
        """The timeline figure, its years in the paper's language and digits."""
        return timeline_figure(ctx, events, title, self.labels.year)

    def grade(self, grade: str) -> Markup:
        """B (usually reliable), the meaning in the paper's language."""
        return escape(f"{grade} ({self.labels.gettext(GRADES.get(grade, ''))})")

    def page_parts(self) -> list[str]:
        """The parts of "Page 2 of 14" around its numbers, for the print running footer."""
        text = self.labels.gettext("Page %(page)s of %(pages)s")
        return i18n.split_message(text, "page", "pages")

    def chart_label(self, audit: AuditReport) -> str:
        """The balance chart's text alternative: every bar's value in words."""
        from counterpoint.render.figures import chart_label

        return chart_label(audit, self.labels)

    @jinja2.pass_context
    def balance_chart(self, ctx: Any, audit: AuditReport) -> Markup:
        """The appendix's bar chart as inline SVG (render/figures.py), labels as HTML in the print
        edition when they need shaping."""
        from counterpoint.render.figures import balance_chart

        rtl = i18n.direction(ctx["brief"].language or "en") == "rtl"
        return balance_chart(audit, self.labels, rtl, html_labels(ctx))

    def asset(self, name: str) -> str:
        """A file of the set chain (a logo, say) as a data: URI, so the HTML stays one file."""
        import base64
        import mimetypes

        if Path(name).is_absolute() or ".." in Path(name).parts:
            raise BuildError(f"asset '{name}': use a path inside the template set")
        for s in self.tset.chain:
            path = s.folder / name
            if path.resolve().is_relative_to(s.folder.resolve()) and path.is_file():
                if path.stat().st_size > MAX_TEMPLATE_BYTES:
                    raise BuildError(f"asset '{name}' is over {MAX_TEMPLATE_BYTES:,} bytes")
                mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
                data = base64.b64encode(path.read_bytes()).decode("ascii")
                return f"data:{mime};base64,{data}"
        raise BuildError(f"asset '{name}' is not in template set '{self.tset.name}' or its parents")
