"""counterpoint: compile curated YAML briefs of competing views into balanced, footnoted papers.

The Python API mirrors the command line::

    from counterpoint import build
    for output in build("briefs/russian-far-east.yaml", out_dir="out"):
        print(output.summary())
"""

from __future__ import annotations

import importlib

from counterpoint.version import __version__

TYPE_CHECKING = False  # not `typing`'s: the command line starts Pandoc before that import

if TYPE_CHECKING:
    from counterpoint.brief.validate import validate
    from counterpoint.errors import BuildError, CounterpointError, InvalidInput, Problem
    from counterpoint.pipeline.builder import build, check, find_briefs
    from counterpoint.pipeline.session import Session
    from counterpoint.publish.output import Output

_LAZY = {
    "build": ".pipeline.builder",
    "check": ".pipeline.builder",
    "find_briefs": ".pipeline.builder",
    "validate": ".brief.validate",
    "BuildError": ".errors",
    "CounterpointError": ".errors",
    "InvalidInput": ".errors",
    "Problem": ".errors",
    "Output": ".publish.output",
    "Session": ".pipeline.session",
}
"""The API is imported when first used (the pipeline takes 0.1 s), so that the command
line starts Pandoc before it (cli/launch.py, cite/server.py)."""


def __getattr__(name: str) -> object:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BuildError",
    "CounterpointError",
    "InvalidInput",
    "Output",
    "Problem",
    "Session",
    "__version__",
    "build",
    "check",
    "find_briefs",
    "validate",
]
