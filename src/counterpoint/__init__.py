"""counterpoint: compile curated YAML briefs of competing views into balanced, footnoted papers.

The Python API mirrors the command line::

    from counterpoint import build
    for output in build("briefs/russian-far-east.yaml", out_dir="out"):
        print(output.summary())
"""

from __future__ import annotations

__version__ = "0.1.0"

from .build import Output, build, check, find_briefs
from .errors import BuildError, CounterpointError, InvalidInput, Problem
from .validate import validate

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
