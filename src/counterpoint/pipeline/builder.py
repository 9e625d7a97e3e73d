"""The pipeline: load -> validate -> resolve -> render -> publish, one brief at a time."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import inspect
import time
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

from counterpoint import usercache
from counterpoint.brief.csl import Style
from counterpoint.brief.findings import AuditReport
from counterpoint.brief.model import DEFAULT_PDF_VARIANT, Brief, Date
from counterpoint.brief.validate import validate
from counterpoint.cite.resolve import Resolved, Resolving, start
from counterpoint.errors import (
    BuildError,
    CounterpointError,
    InvalidInput,
    Location,
    Problem,
    display_path,
    suggest,
)
from counterpoint.files import inside, safe_stem, source_date, visible_name, write_all
from counterpoint.pipeline import cache
from counterpoint.pipeline.inputs import fingerprint
from counterpoint.pipeline.session import Session
from counterpoint.process.limits import MEMORY_LIMIT
from counterpoint.publish import pdfworker
from counterpoint.publish.output import SUFFIXES, Output
from counterpoint.render import setcheck
from counterpoint.render.templates import (
    TemplateSet,
    available,
    find,
    replaced_stylesheets,
    search_roots,
    shadowing,
)

FORMATS = tuple(SUFFIXES)
DEFAULT_AUDIENCE = "analyst"


def find_briefs(paths: Iterable[str | Path]) -> list[Path]:
    """Brief files named directly, or the *.yaml files of named folders (sorted)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(f for f in p.iterdir() if f.suffix in (".yaml", ".yml") and f.is_file())
            if not found:
                raise CounterpointError(
                    f"{display_path(p)}: no brief files (*.yaml) in this folder"
                )
            out += found
        elif p.exists():
            out.append(p)
        else:
            raise CounterpointError(f"{display_path(p)}: no such file or folder")
    unique: dict[Path, Path] = {}  # one brief named twice (a/../a/x.yaml, a link) is built once
    for p in out:
        unique.setdefault(p.resolve(), p)
    return list(unique.values())


def output_path(brief: Brief, out_dir: Path, fmt: str, audience: str) -> Path:
    """out/NAME.pdf for the default audience, out/NAME-AUDIENCE.pdf for others."""
    return inside(out_dir, output_stem(brief.name, audience) + SUFFIXES[fmt])  # never outside


def output_stem(name: str, audience: str) -> str:
    """The outputs' file name without its ending: NAME, or NAME-AUDIENCE."""
    name = visible_name(name)[0]
    return safe_stem(name if audience == DEFAULT_AUDIENCE else f"{name}-{audience}")


def collisions(paths: Sequence[Path], **options: Any) -> dict[Path, str]:
    """Briefs of one command whose outputs would have the same name, each with a line
    naming the other brief; found before anything is built, so that no output replaces
    another (`a/x.yaml` and `b/x.yaml`, `x.yaml --audience all` beside `x-executive.yaml`,
    `zq.yaml` beside `z<U+200B>q.yaml`). Names that differ only in case or Unicode form
    collide too: they are one file on macOS and Windows."""
    if len(paths) < 2:
        return {}
    out = Path(options.get("out_dir", "out"))
    formats = list(options.get("formats") or ("html", "pdf"))
    claimed: dict[str, tuple[Path, str, str]] = {}  # folded name -> brief, audience, name
    found: dict[Path, str] = {}
    for path in _may_collide(paths, formats):  # only these need their audiences (a parse)
        # every output's whole name: x.yaml's x.print.html is x.print.yaml's x.print.html
        names = [
            (audience, output_stem(path.stem, audience) + SUFFIXES[fmt])
            for audience in _planned_audiences(path, options)
            for fmt in formats
        ]
        for audience, name in names:
            key = _folded(name)
            if key not in claimed:
                claimed[key] = (path, audience, name)
                continue
            other, other_audience, other_name = claimed[key]
            if other == path:
                continue
            written = display_path(inside(out, other_name))
            pair = (
                (path, audience, other, other_audience),
                (other, other_audience, path, audience),
            )
            for a, a_audience, b, b_audience in pair:
                found.setdefault(
                    a,
                    f"{_shown(a)}{_of(a_audience)} would write {written}, as would "
                    f"{_shown(b)}{_of(b_audience)}; rename one of them (neither was built)",
                )
    return found


def _folded(stem: str) -> str:
    return unicodedata.normalize("NFC", stem).casefold()


def _may_collide(paths: Sequence[Path], formats: Sequence[str] = ("html",)) -> list[Path]:
    """The briefs whose outputs could share a name with another's, in order: NAME or
    NAME-AUDIENCE can only meet another brief's when the two names are the same or one is
    the other up to a `-` (or, with print-html, up to a `.print`: NAME.print.html). The rest
    are never read here."""
    keys = {p: _folded(output_stem(p.stem, DEFAULT_AUDIENCE)) for p in paths}
    by_key: dict[str, list[Path]] = {}
    for p, key in keys.items():
        by_key.setdefault(key, []).append(p)
    chosen = {p for group in by_key.values() if len(group) > 1 for p in group}
    print_html = "print-html" in formats and len(formats) > 1
    for p, key in keys.items():
        for i, c in enumerate(key):
            cut = (c == "-") or (print_html and key.startswith(".print", i))
            if cut and key[:i] in by_key:
                chosen.add(p)
                chosen.update(by_key[key[:i]])
    return [p for p in paths if p in chosen]


def _of(audience: str) -> str:
    """Which edition, unless the default one."""
    return "" if audience == DEFAULT_AUDIENCE else f" ({audience} edition)"


def _shown(path: Path) -> str:
    """A brief's path as the user typed it, in ASCII escapes if its name hides characters."""
    return ascii(str(path)) if visible_name(path.name)[1] else display_path(path)


def _planned_audiences(path: Path, options: dict[str, Any]) -> list[str]:
    """The audiences build() would make for a brief with these options; [] for a brief
    that cannot be read (it writes nothing)."""
    audience = options.get("audience")
    templates = options.get("templates")
    if audience == "all":
        roots = search_roots(Path(templates) if templates else None, path)
        return audience_names(roots)
    if audience:
        return [str(audience)]
    from counterpoint.brief.load import load

    try:
        root = load(path).root
    except CounterpointError:
        return []
    own = ""
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if key.value == "audience" and isinstance(value, yaml.ScalarNode):
                own = str(value.value)
    return [own or DEFAULT_AUDIENCE]


def build(
    brief_path: str | Path,
    out_dir: str | Path = "out",
    formats: Sequence[str] = ("html", "pdf"),
    audience: str | None = None,
    templates: str | Path | None = None,
    allow_remote: bool = False,
    today: Date | None = None,
    strict: bool = False,
    pdf_variant: str | None = DEFAULT_PDF_VARIANT,
    force: bool = False,
    memory_limit: int | None = MEMORY_LIMIT,
    session: Session | None = None,
) -> list[Output]:
    """Build one brief into `out_dir` for an audience (None: the brief's own, "all": every
    audience on the template search path); returns what was written.

    Raises InvalidInput for mistakes in the brief, BuildError when output cannot be made.
    With strict=True any warning (a refused fetch, an audit finding) fails the build.
    Outputs whose inputs have not changed since the last build are not rebuilt (pipeline/cache.py)
    unless force=True; they come back with `cached=True`.
    A PDF is laid out in a child process whose memory may grow by `memory_limit` MiB
    (limits.MEMORY_LIMIT; 0 or None: in this process, unlimited).
    Builds given one `session` (pipeline/session.py) share its warm Pandoc, compiled
    templates and layout worker; without one, the build makes its own and closes it.
    """
    for fmt in formats:
        if fmt not in FORMATS:
            raise CounterpointError(f"unknown format '{fmt}'; expected {', '.join(FORMATS)}")
    started = time.perf_counter()
    path = Path(brief_path)
    out = Path(out_dir)
    today = today or Date.of(source_date())  # SOURCE_DATE_EPOCH, for reproducible builds
    key = _cache_key(formats, audience, templates, allow_remote, strict, pdf_variant, today)
    found = None if force else cache.fresh(out, path, key, _audiences(audience, templates, path))
    if found is not None and not found.stale:
        return _from_cache(found.outputs, found.findings)

    settings = _Settings(out, list(formats), allow_remote, today, strict, pdf_variant, memory_limit)
    with contextlib.ExitStack() as stack:
        if session is None:
            session = stack.enter_context(Session())
        session.start()  # if the command line has not: Pandoc warms up while we read
        stack.enter_context(session.active())
        # WeasyPrint is imported on another core while the page is made (pdfworker)
        settings.worker = stack.enter_context(session.layout_worker(formats, memory_limit))
        return _build(path, audience, templates, key, started, settings, found)


def _audiences(audience: str | None, templates: str | Path | None, path: Path) -> list[str] | None:
    """The audiences a build asks for, by name, before the brief is read (None: the
    brief's own, which its record remembers)."""
    if audience is None:
        return None
    if audience != "all":
        return [audience]
    return audience_names(search_roots(Path(templates) if templates else None, path))


def _build(
    path: Path,
    audience: str | None,
    templates: str | Path | None,
    key: dict[str, object],
    started: float,
    settings: _Settings,
    found: cache.Fresh | None = None,
) -> list[Output]:
    """build()'s work once it is known that something must be built."""
    today, strict, out = settings.today, settings.strict, settings.out
    # first gather all data: the brief, its sources, the template sets, the notes, the audit
    brief = validate(path)
    roots = search_roots(Path(templates) if templates else None, path)
    skipped: list[str] = []
    names = (
        audience_names(roots, skipped) if audience == "all" else [audience or brief_audience(brief)]
    )
    if found is not None:  # the editions still up to date are not built again
        fresh = {str(o["audience"]) for o in found.outputs}
        names = [n for n in names if n in found.stale or n not in fresh]
    editions: list[_Planned] = []
    for name in names:
        try:
            tset = find(name, roots)
        except CounterpointError as exc:
            if audience is None:  # the brief's own `audience:` names a set that is not there
                raise CounterpointError(f"{display_path(path)}: audience: {exc}") from None
            there = audience_names(roots)
            if str(exc).startswith("no template set named"):  # no set of that name at all
                raise CounterpointError(
                    f"--audience: no audience named '{name}'{suggest(name, there)}; "
                    f"the audiences are {', '.join(there)}, or all"
                ) from None
            raise
        edition = _plan(brief, tset, name, settings)  # Pandoc starts formatting
        if found is not None and name in found.stale:
            edition.formats = found.stale[name]  # the others are up to date
        editions.append(edition)
    # while the CSL processor runs: import what comes after it, and audit the brief
    from counterpoint.audit.checks import audit_brief

    report = audit_brief(brief, today=today)
    if strict and report.failing:
        n = len(report.failing)
        raise BuildError(
            "\n".join(str(f) for f in report.failing)
            + f"\n{display_path(path)}: failed under --strict: {n} audit finding"
            + ("s" if n > 1 else "")
            + " (see docs/audit.md)"
        )

    # the inputs as read, each edition's fingerprinted for the next build's check (inputs.py)
    every_root = search_roots(Path(templates) if templates else None, path, existing=False)
    inputs = {
        (e.audience, fmt): fingerprint(
            brief, [e.tset], cache.edition_options(key, fmt), every_root, environment=False
        )
        for e in editions
        for fmt in e.formats or settings.formats
    }

    # then write every edition, each format in turn; a format that fails (a PDF over its
    # page limit, say) stops neither the others nor the other editions
    outputs: list[Output] = []
    failed: list[tuple[Path, BuildError]] = []
    for edition in editions:
        outputs += _build_audience(edition, settings, started, failed)
        started = time.perf_counter()
    from counterpoint.brief.i18n import once

    once([o.warnings for o in outputs])  # the language's and fonts' warnings: once a brief
    if outputs:
        outputs[0].findings = report.active
        outputs[0].warnings[:0] = skipped  # sets `--audience all` could not use, once
        outputs[0].warnings += usercache.problems()  # a cache that cannot be written, once
    for o in outputs:  # an earlier build of another brief wrote this name: keep its output
        other = cache.claimed(out, o.path, output_stem(brief.name, o.audience), path)
        if other is not None:
            raise BuildError(
                f"{_shown(path)}{_of(o.audience)} would write {display_path(o.path)}, which "
                f"{_shown(other)} wrote; rename one of them (nothing was written)"
            )
    if failed:  # the others are written, but not cached: the next build tries them all again
        write_all([(o.path, o.data) for o in outputs], root=out)
        for o in outputs:
            o.data = b""
        if len(failed) == 1 and not outputs:
            raise failed[0][1]
        raise FormatsFailed(failed, outputs)
    # nothing is written until every output is made: a failure leaves the old files intact
    entries = cache.editions(out, path)
    for o in outputs:
        done = {**o.record(), "sha256": hashlib.sha256(o.data).hexdigest()}
        entries[cache.edition_key(o.audience, o.format)] = cache.entry(
            inputs[(o.audience, o.format)], [done]
        )
    findings = [str(f) for f in report.active]
    files = [(o.path, o.data) for o in outputs]
    data = cache.record(out, path, entries, brief_audience(brief), findings)
    files.append((cache.record_path(out, path), data))
    write_all(files, root=out)  # the outputs and the build's record, never through a link
    for o in outputs:
        o.data = b""
    if found is None or not found.outputs:
        return outputs
    # with the editions that were up to date, in the order asked for
    order = {n: i for i, n in enumerate(_audiences(audience, templates, path) or [])}
    return sorted(
        outputs + _from_cache(found.outputs, []),
        key=lambda o: (order.get(o.audience, -1), settings.formats.index(o.format)),
    )


class FormatsFailed(BuildError):
    """Some outputs of a brief could not be made; the others (`outputs`) were written.
    str() is the failures' messages, one a line."""

    def __init__(self, failures: list[tuple[Path, BuildError]], outputs: list[Output]):
        super().__init__("\n".join(dict.fromkeys(str(exc) for _, exc in failures)))
        self.paths = [path for path, _ in failures]
        """The outputs that were not written."""
        self.outputs = outputs


def _cache_key(
    formats: Sequence[str],
    audience: str | None,
    templates: str | Path | None,
    allow_remote: bool,
    strict: bool,
    pdf_variant: str | None,
    today: Date | None,
) -> dict[str, object]:
    """The build options an output depends on (the cache compares them too)."""
    return {
        "formats": list(formats),
        "audience": audience,
        "templates": str(Path(templates).resolve()) if templates else "",
        "cwd": str(Path.cwd().resolve()),  # the template search path includes ./templates
        "allow_remote": allow_remote,
        "strict": strict,
        "pdf_variant": pdf_variant,
        # an undated brief shows the build date; the key is made before the brief is read,
        # so on a new day every brief is built again
        "today": str(today or Date.of(source_date()) or Date.today()),
    }


def up_to_date(brief_path: str | Path, **options: Any) -> list[Output] | None:
    """The outputs build(brief_path, **options) would return from its cache, without
    building anything; None when it would build."""
    args = inspect.signature(build).bind(brief_path, **options)
    args.apply_defaults()
    a = args.arguments
    if a["force"]:
        return None
    key = _cache_key(
        a["formats"], a["audience"], a["templates"], a["allow_remote"], a["strict"],
        a["pdf_variant"], a["today"],
    )  # fmt: skip
    audiences = _audiences(a["audience"], a["templates"], Path(brief_path))
    found = cache.fresh(Path(a["out_dir"]), Path(brief_path), key, audiences)
    if found is None or found.stale:
        return None
    return _from_cache(found.outputs, found.findings)


def _from_cache(stored: list[dict[str, Any]], findings: list[str]) -> list[Output]:
    """The outputs an earlier build recorded with `Output.record` (read back from JSON);
    the first carries the brief's audit findings, shown again."""
    outputs = []
    for n, r in enumerate(stored):
        o = Output(
            Path(str(r["path"])), str(r["format"]), str(r["audience"]), int(r["notes"]),
            0.0, r.get("pages"), list(r.get("warnings", [])), cached=True,
            replayed=list(findings) if n == 0 else [], in_text=bool(r.get("in_text")),
        )  # fmt: skip
        outputs.append(o)
    return outputs


def brief_audience(brief: Brief) -> str:
    """The audience a brief asks for by default (`audience:`), else analyst."""
    return brief.audience or DEFAULT_AUDIENCE


def audience_names(roots: list[Path], broken: list[str] | None = None) -> list[str]:
    """Every set on the search path that declares an audience (analyst first); sets that
    cannot be read are skipped and said in `broken`."""
    names = [s.name for s in available(roots, broken) if s.audience]
    return sorted(names, key=lambda n: (n != DEFAULT_AUDIENCE, n))


@dataclasses.dataclass
class _Settings:
    """The build choices that hold for every edition of a brief."""

    out: Path
    formats: list[str]
    allow_remote: bool
    today: Date | None
    strict: bool
    pdf_variant: str | None
    memory_limit: int | None = None
    worker: pdfworker.Worker | None = None


@dataclasses.dataclass
class _Planned:
    """One audience's edition as planned: its set and options, its citations being formatted
    (publish.writers.Edition is the edition made of it, resolved and audited)."""

    brief: Brief
    tset: TemplateSet
    audience: str
    options: dict[str, Any]
    resolving: Resolving
    formats: list[str] | None = None  # the formats to write (None: every one asked for)


def _plan(brief: Brief, tset: TemplateSet, audience: str, settings: _Settings) -> _Planned:
    """Choose what an edition shows and start the CSL processor on its citations."""
    options = {**tset.options, **brief.audiences.get(audience, {})}
    if "judgments" in options:  # the brief (or set) asks for the first N judgments only
        brief = dataclasses.replace(brief, judgments=brief.judgments[: int(options["judgments"])])
    if options.get("short_forms"):  # a thesis or judgment in its author's short form
        brief = dataclasses.replace(
            brief,
            views=[dataclasses.replace(v, thesis=v.short or v.thesis) for v in brief.views],
            judgments=[dataclasses.replace(j, text=j.short or j.text) for j in brief.judgments],
        )
    sections = tset.sections
    if options.get("hide_internal"):  # the public edition leaves out what the brief marks internal
        sections = [s for s in sections if s not in brief.internal]
    endnotes = options.get("notes") == "endnotes"  # (resolve.start adds the notes' list)
    style = style_of(brief, tset)
    resolving = start(brief, sections, settings.today, style, endnotes=endnotes)
    return _Planned(brief, tset, audience, options, resolving)


def style_of(brief: Brief, tset: TemplateSet) -> Style:
    """The edition's CSL style: the brief's `csl:`, else its template set's, else the
    default for the brief's language (Chicago; GB/T 7714-2015 notes for Chinese)."""
    from counterpoint.brief import csl

    spec = brief.csl
    if spec:  # validate has found it already (unless it has changed since)
        try:
            return csl.find(str(spec), [brief.path.parent])
        except csl.StyleError as exc:
            where = exc.where or Location(str(brief.path))
            raise InvalidInput([Problem(where, str(exc), "csl")]) from None
    for s in tset.chain:
        if s.csl:
            try:
                return csl.find(s.csl, [s.folder])
            except csl.StyleError as exc:
                if exc.where:  # a mistake inside the set's .csl file: located there
                    raise InvalidInput([Problem(exc.where, str(exc), "csl")]) from None
                raise BuildError(f"template set '{s.name}': csl: {exc}") from None
    return csl.default_for(brief.language)


def _build_audience(
    edition: _Planned, settings: _Settings, started: float, failed: list[tuple[Path, BuildError]]
) -> list[Output]:
    """Every format of one edition; each output's time runs from the end of the one before
    (the first one's includes validating and resolving). A format that fails is added to
    `failed`, and the others are made all the same."""
    from counterpoint.audit.checks import audit_brief
    from counterpoint.publish.writers import Edition, write
    from counterpoint.render.engine import prepare

    brief, tset = edition.brief, edition.tset
    # while the CSL processor runs: compile the templates, audit the edition (once, for
    # every format: it counts notes, which are numbered already)
    prepare(brief, tset)
    report = audit_brief(brief, edition.resolving.doc)
    doc = edition.resolving.finish()
    ready = Edition(
        doc, tset, edition.audience, edition.options,
        audit=report,
        allow_remote=settings.allow_remote,
        pdf_variant=settings.pdf_variant,
        memory_limit=settings.memory_limit,
        worker=settings.worker,
    )  # fmt: skip
    outputs: list[Output] = []
    notices = [w for w in (visible_name(brief.name)[1], shadowing(tset)) if w]
    notices += replaced_stylesheets(tset) + setcheck.check(tset)
    first = _unused_options(edition, doc)  # said once, on the edition's first output
    if edition.options.get("data"):
        first += setcheck.unused_brief_data(brief.path, edition.audience, tset)
    for fmt in edition.formats or settings.formats:
        target = output_path(brief, settings.out, fmt, edition.audience)
        try:
            output = write(ready, fmt, target)
        except BuildError as exc:
            failed.append((target, exc))
            started = time.perf_counter()
            continue
        output.seconds, started = time.perf_counter() - started, time.perf_counter()
        output.warnings[:0] = notices + first
        first = []
        if settings.strict and output.warnings:
            raise BuildError(
                f"{display_path(target)}: failed under --strict: " + "; ".join(output.warnings)
            )
        outputs.append(output)
    return outputs


def _unused_options(edition: _Planned, doc: Resolved) -> list[str]:
    """A located warning for an option the edition's style cannot apply: `notes:
    endnotes` in an in-text style (APA) whose edition has no discursive notes (`^[...]`),
    the only notes such a style has."""
    if not (doc.endnotes and doc.style is not None and doc.style.in_text):
        return []
    if any(n.aside is not None for n in doc.notes):
        return []
    brief, audience = edition.brief, edition.audience
    if "notes" in brief.audiences.get(audience, {}):
        where, key = _option_line(brief.path, audience), f"audiences.{audience}.notes"
    else:
        owner = next(
            (s for s in edition.tset.chain if s.notes or "notes" in s.own_options), edition.tset
        )
        where, key = _option_line(owner.folder / "manifest.yaml", ""), "notes"
    return [
        f"{where}: {key}: endnotes cannot apply: style '{doc.style.name}' cites in the text, "
        "and this edition has no discursive notes (^[...]) to gather at the end"
    ]


def _option_line(path: Path, audience: str) -> str:
    """'file:line:col' of the `notes: endnotes` a brief (under `audiences: {audience:}`)
    or a manifest sets, or the file alone."""
    import re

    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return display_path(path)
    start = 0
    if audience:
        m = re.search(rf"^\s*{re.escape(audience)}\s*:", text, re.M)
        start = m.end() if m else 0
    m = re.compile(r"(?<![\w-])notes\s*:\s*[\"']?endnotes", re.M).search(text, start)
    if m is None:
        return display_path(path)
    line = text.count("\n", 0, m.start()) + 1
    col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
    return f"{display_path(path)}:{line}:{col}"


def check(paths: Iterable[str | Path]) -> list[Brief]:
    """Validate briefs without writing anything; raises on the first invalid brief."""
    return [validate(p) for p in find_briefs(paths)]


def audit(brief_path: str | Path, today: Date | None = None) -> AuditReport:
    """Validate a brief and audit its balance and sourcing (docs/audit.md); writes nothing."""
    from counterpoint.audit.checks import audit_brief

    return audit_brief(validate(Path(brief_path)), today=today)
