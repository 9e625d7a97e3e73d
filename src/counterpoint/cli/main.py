"""The command line: a thin shell over counterpoint's Python API (the `counterpoint` group,
its error handling, and run(), the console script)."""

from __future__ import annotations

import contextlib
import sys
from typing import TYPE_CHECKING

import click

from counterpoint.cli.building import build, preview
from counterpoint.cli.checking import audit, schema, snapshot, validate
from counterpoint.cli.common import Once, UserError
from counterpoint.cli.sets import templates
from counterpoint.errors import CounterpointError, link_loop
from counterpoint.version import __version__

if TYPE_CHECKING:
    from counterpoint.cite.server import Server


class _Guarded(click.Group):
    """No traceback for a user's mistake: any CounterpointError, and running out of memory,
    is one clean message (exit 1) and Ctrl-C is one line (exit 130). Outputs are written all
    at once (files.write_all), so an interrupted build leaves no partial file."""

    command_class = Once
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


for command in (build, validate, audit, snapshot, schema, templates, preview):
    main.add_command(command)


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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
