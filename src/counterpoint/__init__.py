"""counterpoint: compile curated YAML briefs of competing views into balanced, footnoted papers.

The Python API mirrors the command line::

    from counterpoint import build
    for output in build("briefs/russian-far-east.yaml", out_dir="out"):
        print(output.summary())
"""

from __future__ import annotations

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .build import Output, build, check, find_briefs
    from .errors import BuildError, CounterpointError, InvalidInput, Problem
    from .validate import validate

_EXPORTS = {
    "Output": "build",
    "build": "build",
    "check": "build",
    "find_briefs": "build",
    "BuildError": "errors",
    "CounterpointError": "errors",
    "InvalidInput": "errors",
    "Problem": "errors",
    "validate": "validate",
}


def __getattr__(name: str) -> Any:
    """The public API, imported when first used: importing counterpoint itself does no work
    and changes nothing global (the command line's start-up tricks are cli.run's alone)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'counterpoint' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "BuildError",
    "CounterpointError",
    "InvalidInput",
    "Output",
    "Problem",
    "__version__",
    "build",
    "check",
    "find_briefs",
    "validate",
]
