"""User-facing problems: one located message per mistake, collected and raised once."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Location:
    """A place in a user's file: path, 1-based line and column."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{display_path(self.file)}:{self.line}:{self.col}"
        return display_path(self.file)


@dataclass(frozen=True)
class Problem:
    """One mistake in a user's input: where, which key, and what was expected."""

    where: Location
    message: str
    path: str = ""

    def __str__(self) -> str:
        key = f" {self.path}:" if self.path else ""
        return f"{self.where}:{key} {self.message}"


class CounterpointError(Exception):
    """Base of every error counterpoint reports to a user (exit status 1)."""


class InvalidInput(CounterpointError):
    """One or more problems in the user's files; str() lists them one per line."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(set(problems), key=lambda p: (p.where, p.path, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


class BuildError(CounterpointError):
    """A build failed after the input was valid (layout, template, output)."""


def display_path(path: str | os.PathLike[str]) -> str:
    """Show a path relative to the working folder when it is inside it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a link loop (link_loop)
        return str(p)


_LOOP = "Symlink loop from "


def link_loop(exc: BaseException) -> BuildError | None:
    """The RuntimeError pathlib raises (Python 3.11, 3.12) on resolving a symbolic link
    that leads back to itself, as the user's mistake it is: one line naming the link.
    None for any other exception."""
    text = str(exc)
    if not isinstance(exc, RuntimeError) or not text.startswith(_LOOP):
        return None
    import ast

    try:
        name = str(ast.literal_eval(text[len(_LOOP) :]))
    except (ValueError, SyntaxError):
        name = text[len(_LOOP) :]
    shown = os.path.join(display_path(os.path.dirname(name) or "."), os.path.basename(name))
    return BuildError(
        f"{shown}: a symbolic link that leads back to itself (a loop); "
        "remove it, or point it at a file"
    )


def suggest(word: str, candidates: Iterable[str]) -> str:
    """A ' (did you mean ...?)' suffix naming the closest candidate, or ''."""
    import difflib  # only when there is a mistake to name

    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
