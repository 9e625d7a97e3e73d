"""The pipeline: load -> validate -> resolve -> render -> publish, one brief at a time."""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from counterpoint import usercache
from counterpoint.brief.findings import AuditReport
from counterpoint.brief.model import DEFAULT_PDF_VARIANT, Brief, Date
from counterpoint.brief.validate import validate
from counterpoint.errors import (
    BuildError,
    CounterpointError,
    display_path,
    suggest,
)
from counterpoint.files import source_date, visible_name, write_all
from counterpoint.pipeline import cache
from counterpoint.pipeline.inputs import fingerprint
from counterpoint.pipeline.naming import (
    audience_names,
    brief_audience,
    edition_label,
    output_path,
    output_stem,
    shown_path,
)
from counterpoint.pipeline.plan import Planned, Settings, plan, unused_options
from counterpoint.pipeline.session import Session
from counterpoint.process.limits import MEMORY_LIMIT
from counterpoint.publish.output import SUFFIXES, Output
from counterpoint.render import setcheck
from counterpoint.render.templates import (
    find,
    replaced_stylesheets,
    search_roots,
    shadowing,
)

FORMATS = tuple(SUFFIXES)


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
    templates and layout worker; without one, a build uses the session active in its
    thread (Session.active), or else makes its own and closes it.
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

    settings = Settings(out, list(formats), allow_remote, today, strict, pdf_variant, memory_limit)
    with contextlib.ExitStack() as stack:
        if session is None:
            session = Session.current()
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
    settings: Settings,
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
    editions: list[Planned] = []
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
        edition = plan(brief, tset, name, settings)  # Pandoc starts formatting
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
                f"{shown_path(path)}{edition_label(o.audience)} would write "
                f"{display_path(o.path)}, which {shown_path(other)} wrote; rename one of them "
                "(nothing was written)"
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


def _build_audience(
    edition: Planned, settings: Settings, started: float, failed: list[tuple[Path, BuildError]]
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
    first = unused_options(edition, doc)  # said once, on the edition's first output
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


def check(paths: Iterable[str | Path]) -> list[Brief]:
    """Validate briefs without writing anything; raises on the first invalid brief."""
    return [validate(p) for p in find_briefs(paths)]


def audit(brief_path: str | Path, today: Date | None = None) -> AuditReport:
    """Validate a brief and audit its balance and sourcing (docs/audit.md); writes nothing."""
    from counterpoint.audit.checks import audit_brief

    return audit_brief(validate(Path(brief_path)), today=today)
