"""The commands that check without building: `validate`, `audit`, `snapshot` (which archives
sources for the quotation check) and `schema` (the editors' JSON Schemas)."""

from __future__ import annotations

from pathlib import Path

import click

from counterpoint.brief.model import Brief
from counterpoint.cli.common import PANDOC_MEMORY_LIMIT, Once, UserError, pandoc_memory
from counterpoint.errors import CounterpointError, InvalidInput, Problem


@click.command(cls=Once)
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

    pandoc_memory(pandoc_memory_limit)
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


@click.command(cls=Once)
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


@click.command(cls=Once)
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


@click.command(cls=Once)
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
