"""Stage 4, render: the resolved brief through a template set's Jinja templates into HTML."""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import re
import threading
import traceback
import types
from collections.abc import Callable, Iterator
from html import unescape as html_unescape
from pathlib import Path
from typing import Any, Literal, TypedDict

import jinja2
import regex
from markupsafe import Markup, escape

from counterpoint import errors
from counterpoint.brief import dates, findings, i18n, markdown, model
from counterpoint.brief.findings import AuditReport
from counterpoint.brief.i18n import Labels
from counterpoint.brief.model import GRADES, Aside, Brief, Citation, Date, Event, Name, Text
from counterpoint.cite import resolve
from counterpoint.cite.resolve import BibEntry, Note, Resolved
from counterpoint.errors import BuildError, display_path
from counterpoint.process.limits import MAX_TEMPLATE_BYTES
from counterpoint.render import bidi, figures
from counterpoint.render.sandbox import Sandbox, SetLoader
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
    in memory by Jinja and between runs by `_bytecode_cache`."""

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
        self.env.filters.update(
            md=_md_block,
            md_inline=_md_inline,
            md_text=_md_text,
            date=self.date,
            names=_names,
            grade=self.grade,
            timeline_svg=self.timeline_svg,
            balance_chart=self.balance_chart,
            number=self.number,
            percent=labels.percent,
            year=self.year,
            chart_label=self.chart_label,
            whole_sentences=_whole_sentences,
        )
        self.env.globals.update(
            grades=GRADES,
            asset=self.asset,
            page_parts=self.page_parts,
            sentences=_sentences,
            # "ltr" where the paper's fixed texts are English fallback in a right-to-left
            # paper (a language without a catalog): a block of them reads left to right
            fixed_text_dir="ltr" if labels.english_in_rtl else "",
        )
        self.env.bytecode_cache = _bytecode_cache(self.env)
        self._css: dict[str, Markup] = {}

    # -- the language's forms (brief/i18n.py) ------------------------------------------------
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
        return _timeline_svg(ctx, events, title, self.labels.year)

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
        return balance_chart(audit, self.labels, rtl, _html_labels(ctx))

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

    def stylesheet(self, medium: Medium) -> Markup:
        """The set's CSS for a medium, read once (not parsed as a template)."""
        if medium not in self._css:
            parts = []
            assert self.env.loader is not None
            for name in self.tset.stylesheets(medium):
                source, _, _ = self.env.loader.get_source(self.env, name)
                parts.append(f"/* {name} */\n{source}")
            digits = _digits_css(self.labels.numbering, medium)
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
        except (jinja2.TemplateError, _NoteOutsideSections) as exc:
            raise BuildError(f"{_template_frame(exc)}: {exc}") from None
        except Exception as exc:  # a template's own runtime error: 1/0, a bad call, ...
            where = _template_frame(exc)
            if where == "template":  # not raised in a template: a bug, keep the traceback
                raise
            raise BuildError(f"{where}: {type(exc).__name__}: {exc}") from None


COUNTER_STYLES = {
    "arab": "arabic-indic",
    "arabext": "persian",
    "deva": "devanagari",
    "beng": "bengali",
    "thai": "thai",
}
"""The CSS counter style of each CLDR numbering system `numbers:` may choose."""


def _digits_css(numbering: str, medium: str) -> str:
    """CSS that numbers pages, contents entries, notes and lists in the paper's digits
    (after the set's own style sheets); nothing for Latin digits."""
    style = COUNTER_STYLES.get(numbering)
    if style is None:
        return ""
    if medium != "print":
        return f"/* the paper's digits */\n.notes ol, ol.judgments {{ list-style-type: {style}; }}"
    page = (
        f"string(page-before) counter(page, {style}) string(page-between) "
        f"counter(pages, {style}) string(page-after)"
    )
    return (
        "/* the paper's digits (numbers:) */\n"
        f"@page {{ @bottom-right {{ content: {page}; }} }}\n"
        f"@page rtl {{ @bottom-right {{ content: none; }} @bottom-left {{ content: {page}; }} }}\n"
        f".medium-print nav.toc a::after {{ content: target-counter(attr(href), page, {style}); }}"
        "\n"
        f".medium-print ::footnote-call {{ content: counter(footnote, {style}); }}\n"
        f'.medium-print ::footnote-marker {{ content: counter(footnote, {style}) ". "; }}\n'
        f"ol.judgments {{ list-style-type: {style}; }}"
    )


def _sentences(*parts: str) -> Markup:
    """Sentences (text or markup) joined with the space the language puts between them."""
    return Markup(i18n.sentences(*(str(escape(p)) for p in parts)))


def isolated(doc: Resolved, direction: str) -> Resolved:
    """The edition with its notes' and bibliography's runs of the other direction in
    `<span dir>`s (render/bidi.py): a Latin title in an Arabic note reads in order in the PDF; and
    each note or entry whose sources are in another language in a `<span lang>`."""
    plain = [n.body for n in doc.notes] + [e.html for e in doc.bibliography]
    if direction == "ltr" and all(text.isascii() for text in plain):
        isolate = _same  # nothing to isolate; the languages are still marked
    else:
        isolate = bidi.isolate
    paper = doc.brief.language or "en"
    records = doc.brief.sources

    def language(ids: list[str]) -> str:
        found = {(records[i].language if i in records else "") for i in ids}
        return found.pop() if len(found) == 1 else ""

    notes = [
        dataclasses.replace(
            n,
            body=in_language(
                upright(isolate(n.body, direction), paper), language(n.sources), paper
            ),
        )
        for n in doc.notes
    ]
    entries = [
        dataclasses.replace(
            e,
            html=in_language(upright(isolate(e.html, direction), paper), e.source.language, paper),
        )
        for e in doc.bibliography
    ]
    return dataclasses.replace(doc, notes=notes, bibliography=entries)


def _same(fragment: Markup, direction: str) -> Markup:
    return fragment


_EMPHASIS = re.compile(r"<(em|i)>([^<]*)</\1>")
_NO_ITALICS = regex.compile(
    r"[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Han}\p{Script=Hiragana}"
    r"\p{Script=Katakana}\p{Script=Hangul}\p{Script=Devanagari}\p{Script=Bengali}"
    r"\p{Script=Tamil}\p{Script=Thai}\p{Script=Ethiopic}\p{Script=Syriac}\p{Script=Thaana}]"
)
"""Letters of scripts that have no italic: a slanted copy of them is a typographic error."""

_ITALICS = regex.compile(r"[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}]")
"""Letters of the scripts that have an italic."""

NO_ITALICS_LANGUAGES = frozenset(
    (
        "zh",
        "ja",
        "ko",
        "ar",
        "fa",
        "ur",
        "ps",
        "he",
        "yi",
        "hi",
        "mr",
        "ne",
        "bn",
        "ta",
        "th",
        "am",
        "ti",
    )
)
"""Languages whose pages set emphasis bold and titles upright (style.css)."""


def upright(html: Markup, paper: str = "en") -> Markup:
    """A CSL title in `<em>` written wholly in a script without italics (Arabic, Hebrew,
    Han, Kana, Hangul, Devanagari, Bengali, Tamil, Thai, Ethiopic) marked `class="upright"`:
    set upright, as Chicago sets such titles, not in a synthetic slant (a source with no
    `language`, or a note citing sources in several languages). In a paper in a language
    of such a script (`paper`), whose page sets emphasis bold, a title wholly in Latin,
    Greek or Cyrillic is marked `class="slanted"`: italic, as the style sets it."""
    if "<em>" not in html and "<i>" not in html:
        return html
    slanted = _primary(paper) in NO_ITALICS_LANGUAGES

    def one(m: re.Match[str]) -> str:
        letters = [c for c in html_unescape(m[2]) if c.isalpha()]
        if letters and all(_NO_ITALICS.match(c) for c in letters):
            return f'<{m[1]} class="upright">{m[2]}</{m[1]}>'
        if slanted and letters and all(_ITALICS.match(c) for c in letters):
            return f'<{m[1]} class="slanted">{m[2]}</{m[1]}>'
        return m.group()

    return Markup(_EMPHASIS.sub(one, str(html)))


def in_language(html: Markup, language: str, paper: str) -> Markup:
    """A note or entry marked with its source's `language` when that is not the paper's:
    `<span lang="ar">`, so fonts (Japanese in a Japanese face), hyphenation and italics (no
    slanted Arabic or Han) follow the source, in the browser and in the PDF."""
    if not language or _primary(language) == _primary(paper):
        return html
    return Markup('<span lang="{}">').format(language) + html + Markup("</span>")


def _primary(tag: str) -> str:
    return tag.replace("_", "-").split("-")[0].lower()


def _bytecode_cache(env: jinja2.Environment) -> jinja2.BytecodeCache | None:
    """Compiled templates kept in the user's cache folder (keyed by each template's source,
    so an edited template is compiled anew): saves ~70 ms a process.

    Compiled code also depends on the environment: whether a filter takes the context is
    decided at compile time. The file names carry a digest of the filters and extensions,
    so a counterpoint whose filters changed never loads another's compiled templates."""
    import hashlib

    from counterpoint.render.sandbox import GENERATOR_VERSION
    from counterpoint.usercache import user_cache_dir

    shape = sorted(
        (name, str(getattr(f, "jinja_pass_arg", ""))) for name, f in env.filters.items()
    ) + sorted(env.extensions)
    digest = hashlib.sha1(repr(shape).encode()).hexdigest()[:10]
    return SignedBytecodeCache(
        Path(user_cache_dir("jinja")), f"counterpoint-{GENERATOR_VERSION}-{digest}-"
    )


class SignedBytecodeCache(jinja2.BytecodeCache):
    """Jinja's compiled templates (code objects) in the user's cache, each entry signed
    (usercache.read/write): code is loaded only from an entry this user's counterpoint
    wrote. Unlike jinja2.FileSystemBytecodeCache, nothing is unpickled, a damaged entry is
    a miss and a cache that cannot be written is skipped."""

    def __init__(self, folder: Path, prefix: str):
        self.folder, self.prefix = folder, prefix

    def _path(self, bucket: jinja2.bccache.Bucket) -> Path:
        return self.folder / f"{self.prefix}{bucket.key}.cache"

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        import marshal

        from counterpoint.usercache import read

        data = read(self._path(bucket))
        head = jinja2.bccache.bc_magic + bucket.checksum.encode() + b"\0"
        if data is None or not data.startswith(head):  # a miss, or another source's code
            return
        try:
            code = marshal.loads(data[len(head) :])
        except (ValueError, EOFError, TypeError):
            return
        if isinstance(code, types.CodeType):
            bucket.code = code

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        import marshal

        from counterpoint.usercache import write

        head = jinja2.bccache.bc_magic + bucket.checksum.encode() + b"\0"
        write(self._path(bucket), head + marshal.dumps(bucket.code))


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
    renderer.number(0)  # loads the language's CLDR data (10 ms) now, not after the notes


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


def _template_frame(exc: BaseException) -> str:
    """'file:line' of the innermost template frame in a rendering error's traceback."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".html", ".css", ".svg", ".txt", ".xml")):
            return f"{display_path(frame.filename)}:{frame.lineno}"
    return "template"


class _NoteOutsideSections(Exception):
    pass


# -- filters ------------------------------------------------------------------------
def _cite_call(ctx: Any) -> Any:
    doc: Resolved = ctx["doc"]
    medium: Medium = ctx["medium"]
    env = ctx.environment

    def cite(citation: Citation, punctuation: str = "") -> str:
        """The citation's markup; `punctuation` (after a narrative citation's name in a
        note style) goes between the name and the note call."""
        running = doc.running_text(citation)
        if running is None:
            raise _NoteOutsideSections(
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
    medium: Medium = ctx["medium"]
    env = ctx.environment

    def note_call(aside: Aside) -> str:
        note = doc.note_for(aside)
        if note is None:
            raise _NoteOutsideSections(
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
        raise _NoteOutsideSections(
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


@jinja2.pass_context
def _md_block(ctx: Any, text: Text | None) -> Markup:
    """Markdown field as HTML blocks, citations as note calls."""
    if text is None:
        return Markup("")
    return Markup(
        markdown.render(
            text.tokens,
            _cite_call(ctx),
            notes=ctx["doc"].footnotes,
            calls=_calls(ctx),
            note=_note_call(ctx),
            language=ctx["brief"].language or "en",
        )
    )


@jinja2.pass_context
def _md_inline(ctx: Any, text: Text | None) -> Markup:
    """Markdown field as inline HTML (a single paragraph loses its <p>)."""
    if text is None:
        return Markup("")
    return Markup(
        markdown.render(
            text.tokens,
            _cite_call(ctx),
            inline=True,
            notes=ctx["doc"].footnotes,
            calls=_calls(ctx),
            note=_note_call(ctx),
            language=ctx["brief"].language or "en",
        )
    )


@jinja2.pass_context
def _md_text(ctx: Any, text: Text | None) -> Markup:
    """Markdown field as inline HTML without its citations (for tables, summaries)."""
    if text is None:
        return Markup("")
    language = ctx["brief"].language or "en"
    return Markup(markdown.render(text.tokens, _no_cite, inline=True, language=language).strip())


@jinja2.pass_context
@jinja2.pass_context
def _names(ctx: Any, value: list[Name] | list[str]) -> str:
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


def _timeline_svg(ctx: Any, events: list[Event], title: str, year: Callable[..., str]) -> Markup:
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
        html_labels=_html_labels(ctx),
        flow=ctx["medium"] == "print",
    )


def _whole_sentences(text: str, length: int = 160) -> str:
    """The first whole sentences of a text that fit in `length` characters (at least one):
    the executive edition's contested points, never cut mid-sentence."""
    from counterpoint.cite.fields import first_sentences

    return first_sentences(str(text), length)


def _html_labels(ctx: Any) -> bool | None:
    """Figure labels as HTML over the drawing: in the print edition, where they need
    shaping or reordering that WeasyPrint's SVG text lacks (None: decided by the labels)."""
    return None if ctx["medium"] == "print" else False
