"""Stage 4, render: the resolved brief through a template set's Jinja templates into HTML."""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal, TypedDict

import jinja2
from markupsafe import Markup

from counterpoint import errors
from counterpoint.brief import dates, findings, i18n, model
from counterpoint.brief.findings import AuditReport
from counterpoint.brief.i18n import Labels
from counterpoint.brief.model import GRADES, Brief, Date, Event
from counterpoint.cite import resolve
from counterpoint.cite.resolve import BibEntry, Note, Resolved
from counterpoint.errors import BuildError, display_path
from counterpoint.render import figures
from counterpoint.render.bytecode import bytecode_cache
from counterpoint.render.filters import (
    NoteOutsideSections,
    PaperForms,
    md_block,
    md_inline,
    md_text,
    names,
    sentences,
    template_frame,
    whole_sentences,
)
from counterpoint.render.sandbox import Sandbox, SetLoader
from counterpoint.render.scripts import digits_css, isolated
from counterpoint.render.templates import TemplateSet
from counterpoint.version import __version__

Medium = Literal["web", "print"]


class TemplateContext(TypedDict):
    """The variables every template sees (documented in docs/templates.md)."""

    brief: Brief  # the validated brief: title, subtitle, views, contested, judgments...
    doc: Resolved  # the resolved brief: notes, bibliography, sections, date
    notes: list[Note]  # numbered notes in reading order (number, body, id, call_id)
    bibliography: list[BibEntry]  # sorted Chicago entries (id, html, source)
    timeline: list[Event]  # events sorted by date
    sections: list[str]  # the sections to show, in order
    medium: Medium  # "web" (HTML file) or "print" (the HTML handed to WeasyPrint)
    audience: str  # the audience built
    template_set: str  # the set's name
    date: Date  # the brief's date (or the build date)
    stylesheet: Markup  # the set's CSS, concatenated, ready for a <style> element
    generator: str  # "counterpoint X.Y"
    options: dict[str, Any]  # the audience's options: manifest `options` + the brief's `audiences`
    audit: AuditReport  # balance and sourcing (audit/): views (parity rows), findings, order_note
    direction: str  # "rtl" for a language written right to left (ar, fa, he, ur), else "ltr"
    set_data: dict[str, Any]  # the set's manifest `data`, over its parents', under the brief's
    set_sections: dict[str, str]  # the sections the set adds (new-sections): name -> title


class SetData(dict[str, Any]):
    """`set_data`: a mapping whose missing key names the closest one."""


class _Undefined(jinja2.StrictUndefined):
    """StrictUndefined, with "did you mean" for a `set_data` key."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        obj, name = self._undefined_obj, self._undefined_name
        if isinstance(obj, SetData) and isinstance(name, str):
            keys = ", ".join(sorted(obj)) or "none"
            return (
                f"set_data has no key '{name}'{errors.suggest(name, list(obj))}; "
                f"the set's data keys: {keys}"
            )
        return str(super()._undefined_message)


def _data_types() -> list[type]:
    """The dataclasses of counterpoint's model: what templates may read attributes of."""
    modules = (model, dates, resolve, findings, errors, figures)
    return [
        t
        for m in modules
        for t in vars(m).values()
        if isinstance(t, type) and t.__module__ == m.__name__ and dataclasses.is_dataclass(t)
    ]


DATA_TYPES = _data_types()


class _Renderer:
    """A Jinja environment for one template set in one language (a session's Renderers
    keep one per set and labels for each brief being built); compiled templates are kept
    in memory by Jinja and between runs by `bytecode_cache` (render/bytecode.py)."""

    def __init__(self, tset: TemplateSet, labels: Labels):
        self.tset = tset
        self.labels = labels
        folders = [str(s.folder) for s in tset.chain]
        # SetLoader and Sandbox (publish/sanitize.py): only files inside the sets, bounded templates
        prefixed = {f"!{s.name}": SetLoader(str(s.folder)) for s in tset.chain}
        loader = jinja2.ChoiceLoader(
            [SetLoader(folders), jinja2.PrefixLoader(prefixed, delimiter="/")]
        )
        self.env = Sandbox(
            loader=loader,
            autoescape=True,
            undefined=_Undefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
            extensions=["jinja2.ext.i18n"],
        )
        # the paper's fixed texts in its language (brief/i18n.py): {% trans %} and _() in templates
        self.env.policies["ext.i18n.trimmed"] = True
        self.env.install_gettext_translations(labels, newstyle=True)  # type: ignore[attr-defined]
        self.env.allow_data(DATA_TYPES)
        self.forms = forms = PaperForms(tset, labels)
        self.env.filters.update(
            md=md_block,
            md_inline=md_inline,
            md_text=md_text,
            date=forms.date,
            names=names,
            grade=forms.grade,
            timeline_svg=forms.timeline_svg,
            balance_chart=forms.balance_chart,
            number=forms.number,
            percent=labels.percent,
            year=forms.year,
            chart_label=forms.chart_label,
            whole_sentences=whole_sentences,
        )
        self.env.globals.update(
            grades=GRADES,
            asset=forms.asset,
            page_parts=forms.page_parts,
            sentences=sentences,
            # "ltr" where the paper's fixed texts are English fallback in a right-to-left
            # paper (a language without a catalog): a block of them reads left to right
            fixed_text_dir="ltr" if labels.english_in_rtl else "",
        )
        self.env.bytecode_cache = bytecode_cache(self.env)
        self._css: dict[str, Markup] = {}

    def stylesheet(self, medium: Medium) -> Markup:
        """The set's CSS for a medium, read once (not parsed as a template)."""
        if medium not in self._css:
            parts = []
            assert self.env.loader is not None
            for name in self.tset.stylesheets(medium):
                source, _, _ = self.env.loader.get_source(self.env, name)
                parts.append(f"/* {name} */\n{source}")
            digits = digits_css(self.labels.numbering, medium)
            if digits:
                parts.append(digits)
            self._css[medium] = Markup("\n".join(parts).replace("</", "<\\/"))
        return self._css[medium]

    def render(
        self,
        doc: Resolved,
        medium: Medium,
        audience: str,
        options: dict[str, Any],
        audit: AuditReport,
        template_name: str = "brief.html",
        section: str = "",
    ) -> str:
        language = doc.brief.language or "en"
        doc = isolated(doc, i18n.direction(language))
        warning = self.labels.warning()
        if warning and warning not in doc.warnings:
            doc.warnings.append(warning)
        from counterpoint.audit.checks import order_note

        audit = dataclasses.replace(
            audit, order_note=order_note(doc.brief, doc.date, self.labels, language)
        )
        try:
            template = self.env.get_template(template_name)
            context = TemplateContext(
                brief=doc.brief,
                doc=doc,
                notes=doc.notes,
                bibliography=doc.bibliography,
                timeline=doc.timeline,
                sections=doc.sections,
                medium=medium,
                audience=audience,
                template_set=self.tset.name,
                date=doc.date,
                stylesheet=self.stylesheet(medium),
                generator=f"counterpoint {__version__}",
                options=options,
                audit=audit,
                direction=i18n.direction(language),
                set_data=SetData({**self.tset.data, **options.get("data", {})}),
                set_sections={
                    n: self.labels.gettext(s.title) if s.title else ""
                    for n, s in self.tset.new_sections.items()
                },
            )
            shown: set[str] = set()  # the notes called so far (each is called once)
            if section:  # one section alone (the Word edition's own sections)
                return template.render(**context, section=section, _called=shown)
            return template.render(**context, _called=shown)
        except jinja2.TemplateSyntaxError as exc:
            where = display_path(exc.filename or exc.name or "template")
            raise BuildError(
                f"{where}:{exc.lineno}: template syntax error: {exc.message}"
            ) from None
        except jinja2.TemplateNotFound as exc:
            raise BuildError(
                f"template set '{self.tset.name}': no template '{exc.name}' in "
                + ", ".join(display_path(s.folder) for s in self.tset.chain)
            ) from None
        except (jinja2.TemplateError, NoteOutsideSections) as exc:
            raise BuildError(f"{template_frame(exc)}: {exc}") from None
        except Exception as exc:  # a template's own runtime error: 1/0, a bad call, ...
            where = template_frame(exc)
            if where == "template":  # not raised in a template: a bug, keep the traceback
                raise
            raise BuildError(f"{where}: {type(exc).__name__}: {exc}") from None


class Renderers:
    """The Jinja environments a session keeps (pipeline/session.py owns one): one per
    template set and language, for the few briefs built last. Jinja keeps imported
    template modules, and a template can keep state in them (a namespace): each brief has
    renderers of its own, so nothing of one brief's text can reach another brief's output.
    Editions of one brief share them. Safe across threads."""

    BRIEFS = 4
    """Briefs whose renderers are kept (one for each of a few builds at once)."""

    def __init__(self) -> None:
        self._kept: dict[Path, dict[tuple[Any, ...], _Renderer]] = {}
        self._lock = threading.Lock()

    def get(self, brief: Brief, tset: TemplateSet) -> _Renderer:
        """The renderer of `tset` for `brief`, made on first use."""
        labels = brief_labels(brief, tset)
        key = (*(s.folder for s in tset.chain), labels.language, tuple(labels.overrides.items()))
        with self._lock:
            mine = self._kept.pop(brief.path, None) or {}
            self._kept[brief.path] = mine  # the newest last
            while len(self._kept) > self.BRIEFS:
                del self._kept[next(iter(self._kept))]
            renderer = mine.get(key)
            if renderer is None:
                renderer = mine[key] = _Renderer(tset, labels)
            return renderer

    def clear(self) -> None:
        """Forget every renderer: templates are read and compiled again (auto_reload is
        off, for builds; a long-lived preview must see an edited template)."""
        with self._lock:
            self._kept.clear()

    @contextlib.contextmanager
    def active(self) -> Iterator[Renderers]:
        """Within this block, in this thread, render() uses these renderers."""
        token = _current.set(self)
        try:
            yield self
        finally:
            _current.reset(token)


_current: contextvars.ContextVar[Renderers | None] = contextvars.ContextVar(
    "counterpoint_renderers", default=None
)
"""The Renderers of the build running in this thread (Renderers.active); outside one,
each call makes a renderer of its own."""


def _renderer(brief: Brief, tset: TemplateSet) -> _Renderer:
    kept = _current.get()
    if kept is None:
        return _Renderer(tset, brief_labels(brief, tset))
    return kept.get(brief, tset)


def brief_labels(brief: Brief, tset: TemplateSet | None = None) -> Labels:
    """The brief's language's catalog, with the set's `labels:` (parents' first) and the
    brief's own `labels:` over it."""
    overrides: dict[str, str] = {}
    for s in reversed(tset.chain if tset is not None else []):
        overrides.update(getattr(s, "labels", {}) or {})
    overrides.update(brief.extra.get("labels") or {})
    return Labels(brief.language or "en", overrides, str(brief.extra.get("numbers") or "default"))


def prepare(brief: Brief, tset: TemplateSet) -> None:
    """Load and compile the set's templates and the language's data ahead of rendering
    (while the CSL processor formats the notes); a template that does not compile is
    reported when rendered."""
    renderer = _renderer(brief, tset)
    env = renderer.env
    with contextlib.suppress(jinja2.TemplateError, OSError):
        for name in env.list_templates(extensions=["html"]):
            if not name.startswith("!"):  # the same files again, under their set's prefix
                env.get_template(name)
    renderer.forms.number(0)  # loads the language's CLDR data (10 ms) now, not after the notes


def render(
    doc: Resolved,
    tset: TemplateSet,
    medium: Medium = "web",
    audience: str = "",
    options: dict[str, Any] | None = None,
    audit: AuditReport | None = None,
) -> str:
    """The HTML of a resolved edition through a template set (web page or print source).

    `audit` is the edition's audit (audit.audit_brief(doc.brief, doc)), made once by the
    pipeline for every format; without one it is made here.
    """
    if audit is None:
        from counterpoint.audit.checks import audit_brief

        audit = audit_brief(doc.brief, doc)
    return _renderer(doc.brief, tset).render(
        doc, medium, audience or tset.audience or tset.name, options or tset.options, audit
    )


def render_section(
    doc: Resolved,
    tset: TemplateSet,
    section: str,
    audience: str = "",
    options: dict[str, Any] | None = None,
    audit: AuditReport | None = None,
) -> str:
    """The HTML of one section of an edition (`sections/NAME.html`, as the print edition
    shows it): what the Word edition takes from a set's own sections."""
    if audit is None:
        from counterpoint.audit.checks import audit_brief

        audit = audit_brief(doc.brief, doc)
    return _renderer(doc.brief, tset).render(
        doc,
        "print",
        audience or tset.audience or tset.name,
        options or tset.options,
        audit,
        template_name=f"sections/{section}.html",
        section=section,
    )
