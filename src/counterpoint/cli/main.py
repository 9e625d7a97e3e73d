"""The command line: a thin shell over counterpoint's Python API."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from counterpoint.brief.model import PDF_VARIANTS, Brief
from counterpoint.errors import CounterpointError, InvalidInput, Problem, display_path, link_loop
from counterpoint.version import __version__

if TYPE_CHECKING:
    from counterpoint.cite.server import Server
    from counterpoint.pipeline.session import Session
    from counterpoint.pipeline.shelf import BriefResult


class UserError(click.ClickException):
    """Exit 1 with the message as given (already 'file:line:col: ...' lines)."""

    def show(self, file: object = None) -> None:
        click.echo(self.format_message(), err=True)


MEMORY_LIMIT = click.option(
    "--memory-limit", type=click.IntRange(min=0), default=None, metavar="MIB",
    envvar="COUNTERPOINT_MEMORY_LIMIT", show_envvar=True,
    help="MiB of memory (address space) PDF layout may take before it is stopped "
         "(default 2048, 0: none).",
)  # fmt: skip
"""`--memory-limit`, as `build` and `preview` take it (process/limits.py)."""

PANDOC_MEMORY_LIMIT = click.option(
    "--pandoc-memory-limit", type=click.IntRange(min=0), default=None, metavar="MIB",
    envvar="COUNTERPOINT_PANDOC_MEMORY_LIMIT", show_envvar=True,
    help="MiB of heap each Pandoc process (citations, .bib files, the Word edition) may use "
         "before it is stopped (default 1024, 0: none).",
)  # fmt: skip
"""`--pandoc-memory-limit`, as `build`, `validate` and `preview` take it (process/limits.py)."""


def _formats(ctx: click.Context, param: click.Parameter, value: str) -> list[str]:
    from counterpoint.publish.output import (
        SUFFIXES as FORMATS,  # not .build: Pandoc starts before that import
    )

    chosen = [f.strip() for f in value.split(",") if f.strip()]
    for f in chosen:
        if f not in FORMATS:
            raise click.BadParameter(f"'{f}' is not one of {', '.join(FORMATS)}")
    return chosen


class _Once(click.Command):
    """A command whose options that take one value refuse to be given twice (click would
    keep the last one silently: `--templates a --templates b` built with b alone)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        single: dict[str, click.Option] = {}
        for p in self.params:
            if isinstance(p, click.Option) and not (p.multiple or p.count or p.is_flag):
                single.update({o: p for o in p.opts + p.secondary_opts})
        given: dict[str, str] = {}
        for i, arg in enumerate(args):
            if arg == "--":
                break
            if arg.startswith("--"):
                name, _, value = arg.partition("=")
            elif arg.startswith("-") and len(arg) > 1:
                name, value = arg[:2], arg[2:]
            else:
                continue
            option = single.get(name)
            if option is None or option.name is None:
                continue
            if not value and i + 1 < len(args):
                value = args[i + 1]
            if option.name in given:
                flag = max(option.opts, key=len)
                raise click.UsageError(
                    f"{flag} given twice ('{given[option.name]}', then '{value}'); give it once",
                    ctx,
                )
            given[option.name] = value
        return super().parse_args(ctx, args)


class _Guarded(click.Group):
    """No traceback for a user's mistake: any CounterpointError, and running out of memory,
    is one clean message (exit 1) and Ctrl-C is one line (exit 130). Outputs are written all
    at once (files.write_all), so an interrupted build leaves no partial file."""

    command_class = _Once
    group_class = type

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except CounterpointError as exc:
            raise UserError(str(exc)) from None
        except RuntimeError as exc:  # a link loop in a user's folder; anything else is a bug
            loop = link_loop(exc)
            if loop is None:
                raise
            raise UserError(str(loop)) from None
        except MemoryError:
            raise UserError(
                "counterpoint: ran out of memory; no partial files were written"
            ) from None
        except KeyboardInterrupt as exc:
            from counterpoint.process.stopping import Terminated

            code, what = 130, "interrupted"
            if isinstance(exc, Terminated):  # SIGTERM, SIGHUP (process/stopping.py)
                code, what = 128 + exc.signum, f"stopped by {exc.name}"
            with contextlib.suppress(OSError):  # a hung-up terminal
                click.echo(f"{what}; no partial files were written", err=True)
            raise click.exceptions.Exit(code) from None


@click.group(cls=_Guarded, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="counterpoint")
def main() -> None:
    """Compile YAML briefs of competing views into footnoted PDF and HTML papers.

    \b
    Examples:
      counterpoint build briefs/russian-far-east.yaml
      counterpoint build briefs/ --format html --out site/
      counterpoint validate briefs/*.yaml
    """


def run(server: Server | None = None) -> None:
    """The `counterpoint` console script: main() in a session, then leave at once.

    The command's builds share one session (pipeline/session.py), which adopts `server`,
    the Pandoc cli/launch.py started before the pipeline was imported. When main()
    returns, every output is written and closed, and closing the session stops every
    child process the command started. Tearing the interpreter down (freeing each module
    and object in turn) adds about 35 ms to every run, a tenth of an HTML build
    (measured: 0.311 s against 0.348 s), so the process then exits directly after
    flushing its output. This is the command line's alone: importing counterpoint as a
    library changes nothing global.
    """
    import os

    from counterpoint.pipeline.session import Session
    from counterpoint.process.stopping import install

    install()  # SIGTERM and SIGHUP stop the command as Ctrl-C does, children included
    session = Session(server)
    try:
        main(obj=session)
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    finally:
        session.close(wait=False)  # the one place the command's children are stopped
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (counterpoint ... | head)
            stream.flush()
    os._exit(code)


@contextlib.contextmanager
def _session(ctx: click.Context) -> Iterator[Session]:
    """The command's session (run() made it), or one of this command's own, closed at its
    end (main() called directly, as tests do)."""
    from counterpoint.pipeline.session import Session

    if isinstance(ctx.obj, Session):
        yield ctx.obj
        return
    with Session() as session:
        yield session


@main.command()
@click.argument("briefs", nargs=-1, required=True, type=click.Path(exists=True))
@click.option(
    "--format", "-f", "formats", default="html,pdf", show_default=True, callback=_formats,
    help="Comma-separated outputs: html, pdf, docx (Word), print-html (the exact HTML given "
    "to WeasyPrint).",
)  # fmt: skip
@click.option(
    "--out", "-o", "out_dir", default="out", show_default=True,
    type=click.Path(file_okay=False, path_type=Path), help="Folder for the outputs.",
)  # fmt: skip
@click.option("--audience", "-a", default=None,
              help="Edition to build: analyst, compare, executive, public, a set of yours, or "
                   "'all'. Default: the brief's `audience:`, else analyst.")  # fmt: skip
@click.option("--templates", "-t", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A folder of template sets searched before the built-in ones.")  # fmt: skip
@click.option("--allow-remote", is_flag=True,
              help="Let the PDF and the page load http(s) images, fonts and CSS.")  # fmt: skip
@click.option("--strict", is_flag=True, help="Fail on any warning (refused fetch, audit finding).")
@click.option(
    "--pdf-variant", default="pdf/ua-1", show_default=True,
    type=click.Choice([*PDF_VARIANTS, "plain"]),
    help="Tagged, accessible PDF/UA by default; a PDF/A variant for archives; plain for neither.",
)  # fmt: skip
@click.option("--time-limit", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
              help="Stop a brief's build after this long (default 600, 0: none).")  # fmt: skip
@MEMORY_LIMIT
@PANDOC_MEMORY_LIMIT
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, show_default="all cores",
              help="Briefs built at once, in separate processes (0: one per core).")  # fmt: skip
@click.option("--force", is_flag=True,
              help="Rebuild every output, even those whose inputs have not changed.")  # fmt: skip
def build(
    briefs: tuple[str, ...],
    formats: list[str],
    out_dir: Path,
    audience: str | None,
    templates: Path | None,
    allow_remote: bool,
    strict: bool,
    pdf_variant: str,
    time_limit: float | None,
    memory_limit: int | None,
    pandoc_memory_limit: int | None,
    jobs: int,
    force: bool,
) -> None:
    """Build BRIEFS (files, or folders of *.yaml briefs) into OUT.

    Output names come from the brief's file name: briefs/x.yaml gives out/x.html and
    out/x.pdf. Each output written is reported on one line. An output whose inputs (brief,
    cited sources, templates, fonts, counterpoint itself) are unchanged is not rebuilt.

    \b
    Examples:
      counterpoint build briefs/russian-far-east.yaml
      counterpoint build briefs/ --format pdf --out dist/
      counterpoint build briefs/ --audience all          # analyst, compare, executive, public
      counterpoint build brief.yaml --format print-html   # debug your CSS
      counterpoint build brief.yaml --format docx         # a Word edition
      counterpoint build briefs/ --audience all --jobs 2 --force
    """
    from counterpoint.pipeline.builder import find_briefs
    from counterpoint.pipeline.shelf import build_shelf
    from counterpoint.process.limits import MEMORY_LIMIT, TIME_LIMIT

    _pandoc_memory(pandoc_memory_limit)
    try:
        paths = find_briefs(briefs)
    except CounterpointError as exc:
        raise UserError(str(exc)) from None
    with _session(click.get_current_context()) as session:
        results = build_shelf(
            paths,
            jobs,
            time_limit=TIME_LIMIT if time_limit is None else time_limit,
            out_dir=out_dir,
            formats=formats,
            audience=audience,
            templates=templates,
            allow_remote=allow_remote,
            strict=strict,
            pdf_variant=None if pdf_variant == "plain" else pdf_variant,
            force=force,
            memory_limit=MEMORY_LIMIT if memory_limit is None else memory_limit,
            session=session,
        )
        _report(paths, results)


def _report(paths: list[Path], results: Iterator[BriefResult]) -> None:
    """Each brief's outputs, warnings and failures as they come; exit 1 if any failed."""
    from counterpoint.brief.i18n import once

    progress = _Progress(len(paths))
    failures = 0
    said: set[str] = set()
    not_written: list[str] = []
    for done, result in enumerate(results, start=1):
        progress.clear()
        if result.error:
            failures += 1
            click.echo(result.error, err=True)
        once([o.warnings for o in result.outputs], said)  # and once a command
        for output in result.outputs:
            for line in output.finding_lines():
                click.echo(f"warning: {line}", err=True)
            for warning in output.warnings:
                click.echo(f"warning: {output.path.name}: {warning}", err=True)
            click.echo(output.summary())
        for path in result.failed:  # the brief's other outputs were written
            click.echo(f"failed {display_path(path)} (not written)")
            not_written.append(display_path(path))
        progress.show(done)
    progress.clear()
    if failures:
        raise UserError(
            f"{failures} of {len(paths)} brief(s) failed"
            + (f" ({', '.join(not_written)} not written)" if not_written else "")
        )


def _pandoc_memory(mib: int | None) -> None:
    """Every Pandoc this command (and its workers) runs gets this ceiling (pandoc.command)."""
    if mib is not None:
        from counterpoint.process import pandoc

        pandoc.set_memory_limit(mib)


@main.command()
@click.argument("briefs", nargs=-1, required=True, type=click.Path(exists=True))
@PANDOC_MEMORY_LIMIT
def validate(briefs: tuple[str, ...], pandoc_memory_limit: int | None) -> None:
    """Check BRIEFS and their sources without writing anything.

    Every problem is printed as FILE:LINE:COL: KEY.PATH: MESSAGE.

    \b
    Example:
      counterpoint validate briefs/
    """
    from counterpoint.brief.validate import validate as validate_one
    from counterpoint.errors import display_path
    from counterpoint.pipeline.builder import find_briefs
    from counterpoint.process.limits import TIME_LIMIT
    from counterpoint.process.timelimit import time_limit

    _pandoc_memory(pandoc_memory_limit)
    try:
        paths = find_briefs(briefs)
    except CounterpointError as exc:
        raise UserError(str(exc)) from None
    failed = 0
    for path in paths:
        if _records_file(path):  # source records (seeds/): checked as records, said so
            problems: list[Problem] = []
            from counterpoint.brief.sources import read_sources

            records = read_sources(path, problems)
            if problems:
                failed += 1
                click.echo(str(InvalidInput(problems)), err=True)
            else:
                n = len(records)
                click.echo(
                    f"ok {path} (source records, not a brief: {n} record{'s' * (n != 1)}; "
                    "a brief cites them through `bibliography:`)"
                )
            continue
        try:
            with time_limit(TIME_LIMIT, display_path(path)):
                brief = validate_one(path)
        except InvalidInput as exc:
            failed += 1
            click.echo(str(exc), err=True)
            continue
        except CounterpointError as exc:
            failed += 1
            click.echo(str(exc), err=True)
            continue
        cites = sum(len(t.citations) for _, t in brief.texts())
        click.echo(
            f"ok {path} ({len(brief.views)} views, {cites} citations, {len(brief.sources)} "
            f"sources, style {_style_name(brief)})"
        )
    if failed:
        raise UserError(f"{failed} of {len(paths)} brief(s) invalid")


def _records_file(path: Path) -> bool:
    """True when a YAML file holds source records (one, a list, or only `references:`)
    rather than a brief: it has no `brief:` key and none of a brief's own."""
    import yaml

    from counterpoint.brief.load import load

    try:
        root = load(path).root
    except CounterpointError:
        return False
    if isinstance(root, yaml.SequenceNode):
        return True
    if not isinstance(root, yaml.MappingNode):
        return False
    keys = {str(k.value) for k, _ in root.value}
    if keys & {"brief", "question", "summary", "views", "title" if "type" not in keys else ""}:
        return False
    return "references" in keys or {"id", "type"} <= keys


def _style_name(brief: Brief) -> str:
    """The brief's CSL style as `validate` names it: its `csl:`, or its language's default."""
    from counterpoint.brief.csl import RECOMMENDED_STYLES, default_name

    if brief.csl:
        return str(brief.csl)
    name = default_name(brief.language)
    national = RECOMMENDED_STYLES.get(brief.language.split("-")[0].lower())
    advice = f"; the national standard's is csl: {national}" if national else ""
    return f"{name}, the default for '{brief.language}'{advice}"


@main.command()
@click.argument("briefs", nargs=-1, required=True, type=click.Path(exists=True))
@click.option(
    "--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text",
    show_default=True, help="text: one line per finding; json: see docs/audit.schema.json.",
)  # fmt: skip
@click.option(
    "--strict",
    is_flag=True,
    help="Exit 1 if any finding is not ignored in the brief "
    "(a quotation of a source without a snapshot, CP405, does not count).",
)
def audit(briefs: tuple[str, ...], fmt: str, strict: bool) -> None:
    """Check the balance and sourcing of BRIEFS without writing anything.

    Each finding is printed as FILE:LINE:COL: CODE NAME: MESSAGE, then one summary line
    per brief. docs/audit.md explains every code; a brief silences one with
    `audit: {ignore: [{code: CP203, reason: "..."}]}`.

    \b
    Examples:
      counterpoint audit briefs/russian-far-east.yaml
      counterpoint audit briefs/ --strict              # exit 1 on any finding
      counterpoint audit brief.yaml --format json > audit.json
    """
    import json

    from counterpoint.brief.findings import reports_json
    from counterpoint.pipeline.builder import audit as audit_one
    from counterpoint.pipeline.builder import find_briefs

    try:
        paths = find_briefs(briefs)
    except CounterpointError as exc:
        raise UserError(str(exc)) from None
    reports, failed = [], 0
    for path in paths:
        try:
            reports.append(audit_one(path))
        except CounterpointError as exc:
            failed += 1
            click.echo(str(exc), err=True)
    if fmt == "json":
        click.echo(json.dumps(reports_json(reports), ensure_ascii=False, indent=2))
    else:
        for report in reports:
            for finding in report.active:
                click.echo(str(finding))
            click.echo(report.summary())
    if failed:
        raise UserError(f"{failed} of {len(paths)} brief(s) invalid")
    found = sum(len(r.failing) for r in reports)
    if strict and found:
        raise UserError(f"failed under --strict: {found} finding{'s' if found > 1 else ''}")


@main.command()
@click.argument("brief", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", "-s", "source", metavar="ID", help="Archive this source only.")
@click.option(
    "--from", "from_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Import a copy saved by hand (SingleFile HTML, a WARC from Webrecorder, ArchiveBox or "
    "Perma.cc, or a PDF) for --source, instead of fetching its URL.",
)  # fmt: skip
def snapshot(brief: Path, source: str | None, from_file: Path | None) -> None:
    """Archive the sources BRIEF cites, so that its quotations can be verified.

    Fetches each cited source's URL once (http and https only, with size and time limits,
    no scripts run), stores a WARC or the PDF under snapshots/ beside the source records and
    writes `snapshot:` and `snapshot-sha256:` into each record. The only command that uses
    the network. docs/quotes.md has the details.

    \b
    Examples:
      counterpoint snapshot briefs/russian-far-east.yaml
      counterpoint snapshot brief.yaml --source lin-2024
      counterpoint snapshot brief.yaml --source lin-2024 --from ~/Downloads/lin.warc.gz
    """
    from counterpoint.audit.quotes.snapshot import snapshot as archive
    from counterpoint.brief.validate import validate as validate_one

    if from_file is not None and source is None:
        raise click.UsageError("--from needs --source ID: the source the file is a copy of")
    try:
        checked = validate_one(brief)
    except CounterpointError as exc:
        raise UserError(str(exc)) from None
    failed = archive(checked, click.echo, source=source, from_file=from_file)
    if failed:
        raise UserError(f"{failed} source(s) not archived")


@main.command()
@click.argument("name", type=click.Choice(["brief", "source", "manifest"]))
def schema(name: str) -> None:
    """Print the JSON Schema of a brief, a source-record file or a set's manifest.

    Editors with the YAML language server use it for completion and checking as you type:
    put `# yaml-language-server: $schema=PATH` on a file's first line (docs/format.md).

    \b
    Examples:
      counterpoint schema brief > brief.schema.json
      counterpoint schema source
    """
    import json

    from counterpoint.cli.editorschema import schema as make

    click.echo(json.dumps(make(name), indent=2, ensure_ascii=False))


@main.group()
def templates() -> None:
    """List, copy and create template sets (folders of Jinja templates and CSS).

    \b
    Examples:
      counterpoint templates list
      counterpoint templates eject analyst templates/analyst
      counterpoint templates new ministry --from analyst
    """


@templates.command("list")
@click.option("--templates", "-t", "folder", type=click.Path(exists=True, file_okay=False,
              path_type=Path), help="A folder of sets searched first.")  # fmt: skip
def list_sets(folder: Path | None) -> None:
    """Show every template set on the search path: name, folder, description.

    \b
    Example:
      counterpoint templates list
    """
    from counterpoint.errors import display_path
    from counterpoint.render.templates import available, search_roots, shadowing

    broken: list[str] = []
    for s in available(search_roots(folder), broken):
        parent = f" (extends {s.parent.name})" if s.parent else ""
        click.echo(f"{s.name:<12} {display_path(s.folder)}{parent}\n{'':<12} {s.description}")
        if shadowing(s):
            click.echo(f"warning: {shadowing(s)}", err=True)
    for line in broken:
        click.echo(f"warning: {line}", err=True)


@templates.command()
@click.argument("name")
@click.option("--templates", "-t", "folder", type=click.Path(exists=True, file_okay=False,
              path_type=Path), help="A folder of sets searched first.")  # fmt: skip
def show(name: str, folder: Path | None) -> None:
    """Show what set NAME resolves to: its chain, files, blocks, data, labels, CSS properties.

    Every file is listed with the set it comes from (and the parent's file it replaces),
    each template with the blocks a child can override, every CSS custom property with
    its value. docs/template-reference.md is this for the built-in sets.

    \b
    Examples:
      counterpoint templates show analyst
      counterpoint templates show ministry --templates my-sets/
    """
    from counterpoint.render.setcheck import check
    from counterpoint.render.setinfo import show as describe
    from counterpoint.render.templates import find, search_roots

    tset = find(name, search_roots(folder))
    for line in describe(tset):
        click.echo(line)
    for warning in check(tset):
        click.echo(f"warning: {warning}", err=True)


@templates.command()
@click.argument("name")
@click.argument("dest", required=False, type=click.Path(path_type=Path))
def eject(name: str, dest: Path | None) -> None:
    """Copy set NAME, with all it inherits, into DEST to edit it whole.

    DEST defaults to templates/NAME in the working folder (in counterpoint's own checkout,
    whose templates/ holds the built-in sets: your own folder of sets,
    ~/.local/share/counterpoint/templates). The copy is marked `ejected-from: NAME` and
    stands in for the built-in set without a warning.

    \b
    Example:
      counterpoint templates eject analyst
    """
    from counterpoint.render.scaffold import eject as eject_set

    try:
        click.echo(f"copied {name} to {eject_set(name, dest)}")
    except CounterpointError as exc:
        raise UserError(str(exc)) from None


@templates.command()
@click.argument("name")
@click.option("--from", "parent", default="analyst", show_default=True, help="The parent set.")
@click.option(
    "--dir", "root", default=None, show_default="templates, or your own folder of sets in "
    "counterpoint's checkout", type=click.Path(file_okay=False, path_type=Path),
    help="Where sets live.",
)  # fmt: skip
def new(name: str, parent: str, root: Path | None) -> None:
    """Make an empty child set NAME that inherits everything from its parent.

    \b
    Example:
      counterpoint templates new ministry --from analyst
      counterpoint build brief.yaml --audience ministry
    """
    from counterpoint.render.scaffold import default_destination, new_set

    try:
        click.echo(f"created {new_set(name, parent, root or default_destination(name).parent)}")
    except CounterpointError as exc:
        raise UserError(str(exc)) from None


@main.command()
@click.argument("brief", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--audience", "-a", default=None,
              help="Edition to show (default: the brief's `audience:`, else analyst).")  # fmt: skip
@click.option("--port", "-p", type=click.IntRange(0, 65535), default=0,
              help="Port on 127.0.0.1 (default: a free one).")  # fmt: skip
@click.option("--no-open", is_flag=True, help="Do not open the page in a browser.")
@click.option("--no-pdf", is_flag=True, help="Do not rebuild the PDF in the background.")
@click.option("--time-limit", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
              help="Stop a rebuild after this long (default 600, 0: none).")  # fmt: skip
@MEMORY_LIMIT
@PANDOC_MEMORY_LIMIT
def preview(
    brief: Path,
    audience: str | None,
    port: int,
    no_open: bool,
    no_pdf: bool,
    time_limit: float | None,
    memory_limit: int | None,
    pandoc_memory_limit: int | None,
) -> None:
    """Serve BRIEF's paper on 127.0.0.1 and update the open page on every save.

    Saving the brief, a source record, a CSL style or a template rebuilds it; mistakes are
    shown over the page, and the PDF is rebuilt in the background. Ctrl-C stops it.
    docs/preview.md has the details.

    \b
    Examples:
      counterpoint preview briefs/russian-far-east.yaml
      counterpoint preview brief.yaml --audience executive --port 8000 --no-open
    """
    from counterpoint.preview.app import serve
    from counterpoint.process.limits import MEMORY_LIMIT, TIME_LIMIT

    _pandoc_memory(pandoc_memory_limit)
    with _session(click.get_current_context()) as session:  # the early Pandoc, if any
        serve(brief, audience=audience, port=port, open_browser=not no_open, pdf=not no_pdf,
              echo=click.echo, time_limit=TIME_LIMIT if time_limit is None else time_limit,
              memory_limit=MEMORY_LIMIT if memory_limit is None else memory_limit,
              session=session)  # fmt: skip


class _Progress:
    """A '[####    ] 3/12 briefs' line on a terminal's stderr, cleared before each result."""

    def __init__(self, total: int):
        self.total = total
        self.on = total > 1 and sys.stderr.isatty()
        self.show(0)

    def show(self, done: int) -> None:
        if self.on and done < self.total:
            bar = "#" * (24 * done // self.total)
            sys.stderr.write(f"\r[{bar:<24}] {done}/{self.total} briefs ")
            sys.stderr.flush()

    def clear(self) -> None:
        if self.on:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
