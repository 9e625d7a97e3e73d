"""`counterpoint templates`: list, show, copy and create template sets."""

from __future__ import annotations

from pathlib import Path

import click

from counterpoint.cli.common import Once, UserError
from counterpoint.errors import CounterpointError


class SetsGroup(click.Group):
    """The `templates` commands, whose options refuse to be given twice."""

    command_class = Once


@click.group(cls=SetsGroup)
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
