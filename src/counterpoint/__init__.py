"""counterpoint: compile curated YAML briefs of competing views into balanced, footnoted papers.

The Python API mirrors the command line::

    from counterpoint import build
    for output in build("briefs/russian-far-east.yaml", out_dir="out"):
        print(output.summary())
"""

from __future__ import annotations

__version__ = "0.1.0"

import gc as _gc

from .regexcache import cached_regexes as _cached_regexes

# Importing the pipeline makes some 19,000 tracked objects that live as long as the process;
# collecting garbage while they are made only rescans them (about 5% of an HTML build). The
# regular expressions those imports compile come from a cache (regexcache.py).
_collecting = _gc.isenabled()
_gc.disable()
try:
    with _cached_regexes():
        from .build import Output, build, check, find_briefs
        from .errors import BuildError, CounterpointError, InvalidInput, Problem
        from .validate import validate
finally:
    if _collecting:
        _gc.enable()

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
