"""The `counterpoint` command: a build's Pandoc starts first, then the command line runs.

Python takes about 0.1 s to import the pipeline. A command that will format citations
(build, preview) starts its warm Pandoc (cite/server.py) before that, so Pandoc's own
start-up runs on another core meanwhile; the command's session adopts it (cli.main.run).
Nothing else is imported here.
"""

from __future__ import annotations

import sys

FORMATTING = ("build", "preview")
"""The commands that format citations."""


def main() -> None:
    """The console script: cli.run(), with Pandoc started first where it will be needed."""
    asks_help = "--help" in sys.argv or "-h" in sys.argv
    early = None
    if len(sys.argv) > 1 and sys.argv[1] in FORMATTING and not asks_help:
        from counterpoint.cite.server import start_early

        early = start_early()
    from counterpoint.cli.main import run

    run(early)
