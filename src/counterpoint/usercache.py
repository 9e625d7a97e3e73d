"""counterpoint's folder in the user's cache (a shared leaf): compiled templates, formatted
citations, converted .bib files and font coverage tables, each keyed by content."""

from __future__ import annotations

import os


def user_cache_dir(*parts: str) -> str:
    """$XDG_CACHE_HOME/counterpoint (or ~/.cache/counterpoint), joined with `parts`."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "counterpoint", *parts)
