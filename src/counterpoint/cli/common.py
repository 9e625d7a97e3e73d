"""What the commands share: the one-line user error, options that refuse to be given twice,
the memory options, and the command's session."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from counterpoint.pipeline.session import Session


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


def parse_formats(ctx: click.Context, param: click.Parameter, value: str) -> list[str]:
    from counterpoint.publish.output import (
        SUFFIXES as FORMATS,  # not .build: Pandoc starts before that import
    )

    chosen = [f.strip() for f in value.split(",") if f.strip()]
    for f in chosen:
        if f not in FORMATS:
            raise click.BadParameter(f"'{f}' is not one of {', '.join(FORMATS)}")
    return chosen


class Once(click.Command):
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


@contextlib.contextmanager
def command_session(ctx: click.Context) -> Iterator[Session]:
    """The command's session (run() made it), or one of this command's own, closed at its
    end (main() called directly, as tests do)."""
    from counterpoint.pipeline.session import Session

    if isinstance(ctx.obj, Session):
        yield ctx.obj
        return
    with Session() as session:
        yield session


def pandoc_memory(mib: int | None) -> None:
    """Every Pandoc this command (and its workers) runs gets this ceiling (pandoc.command)."""
    if mib is not None:
        from counterpoint.process import pandoc

        pandoc.set_memory_limit(mib)
