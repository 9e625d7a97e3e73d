"""The commands that build: `build` (a shelf of briefs, a line for each output) and
`preview` (a brief served and rebuilt on every save)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from counterpoint.brief.model import PDF_VARIANTS
from counterpoint.cli.common import (
    MEMORY_LIMIT,
    PANDOC_MEMORY_LIMIT,
    Once,
    UserError,
    command_session,
    pandoc_memory,
    parse_formats,
)
from counterpoint.errors import CounterpointError, display_path

if TYPE_CHECKING:
    from counterpoint.pipeline.shelf import BriefResult


@click.command(cls=Once)
@click.argument("briefs", nargs=-1, required=True, type=click.Path(exists=True))
@click.option(
    "--format", "-f", "formats", default="html,pdf", show_default=True, callback=parse_formats,
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

    pandoc_memory(pandoc_memory_limit)
    try:
        paths = find_briefs(briefs)
    except CounterpointError as exc:
        raise UserError(str(exc)) from None
    with command_session(click.get_current_context()) as session:
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


@click.command(cls=Once)
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

    pandoc_memory(pandoc_memory_limit)
    with command_session(click.get_current_context()) as session:  # the early Pandoc, if any
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
