"""counterpoint: compile curated YAML briefs of competing views into balanced, footnoted papers.

The Python API mirrors the command line::

    from counterpoint import build
    for output in build("briefs/russian-far-east.yaml", out_dir="out"):
        print(output.summary())
"""

from __future__ import annotations

import importlib
import sys
import types

TYPE_CHECKING = False  # not `typing`'s: the command line starts Pandoc before that import

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .build import build, check, find_briefs
    from .errors import BuildError, CounterpointError, InvalidInput, Problem
    from .output import Output
    from .validate import validate

_LAZY = {
    "build": ".build",
    "check": ".build",
    "find_briefs": ".build",
    "validate": ".validate",
    "BuildError": ".errors",
    "CounterpointError": ".errors",
    "InvalidInput": ".errors",
    "Problem": ".errors",
    "Output": ".output",
}
"""The API is imported when first used (the pipeline takes 0.1 s), so that the command
line starts Pandoc before it (launch.py, citeserver.py)."""


def __getattr__(name: str) -> object:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _Package(types.ModuleType):
    """`counterpoint.build` and `counterpoint.validate` are the API's functions: importing
    the submodules of the same names must not put the modules in their place."""

    def __setattr__(self, name: str, value: object) -> None:
        if name in _LAZY and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

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
