"""The pinned Pandoc binary: where it is, and one run of it (a shared leaf module).

Pandoc comes from the `pypandoc-binary` wheel, so no system Pandoc is needed, on Linux,
macOS or Windows alike. `COUNTERPOINT_PANDOC` names another binary (for a test against a
newer release, say).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .errors import BuildError
from .limits import PANDOC_TIMEOUT

ENVIRONMENT = "COUNTERPOINT_PANDOC"


@cache
def binary() -> str:
    """The Pandoc executable: $COUNTERPOINT_PANDOC, the one in pypandoc-binary, or PATH's."""
    named = os.environ.get(ENVIRONMENT)
    if named:
        return named
    import importlib.util

    spec = importlib.util.find_spec("pypandoc")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        for name in ("pandoc", "pandoc.exe"):
            candidate = Path(folder) / "files" / name
            if candidate.is_file():
                return str(candidate)
    found = shutil.which("pandoc")
    if found:
        return found
    raise BuildError(
        "Pandoc is not installed: counterpoint formats citations with Pandoc's citeproc; "
        "install the package's dependencies (pip install pypandoc-binary) or set "
        f"{ENVIRONMENT}"
    )


@cache
def identity() -> str:
    """Which binary this is, without running it (its path, size and time): part of every
    citation cache key, so a new Pandoc release never serves old notes."""
    path = binary()
    try:
        info = os.stat(path)
    except OSError:
        return path
    return f"{path}:{info.st_size}:{info.st_mtime_ns}"


@cache
def version() -> str:
    """The binary's version line ("pandoc 3.9"): part of every citation cache key."""
    return run(["--version"], b"", "pandoc --version").stdout.decode().splitlines()[0]


class PandocError(BuildError):
    """Pandoc exited with an error; `lines` is what it printed."""

    def __init__(self, message: str, lines: list[str]):
        super().__init__(message)
        self.lines = lines


@dataclass
class Result:
    stdout: bytes
    warnings: list[str]


def start(args: Sequence[str], stdin: bytes) -> subprocess.Popen[bytes]:
    """Start Pandoc; `finish` feeds it `stdin` and waits."""
    process = subprocess.Popen(
        [binary(), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "LANG": "C.UTF-8"},
    )
    return process


def finish(process: subprocess.Popen[bytes], stdin: bytes, what: str) -> Result:
    """Feed a started run its input and wait for it; errors are one line naming `what`."""
    try:
        out, err = process.communicate(stdin, timeout=PANDOC_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise BuildError(f"{what}: Pandoc took over {PANDOC_TIMEOUT:.0f} s; stopped") from None
    return _result(process.returncode, out, err, what)


class Background:
    """A Pandoc run that works while the caller goes on: its inputs are files written
    before it starts and its output goes to files, so it never waits on a pipe."""

    def __init__(self, args: Sequence[str], files: Sequence[tuple[str, bytes]], what: str):
        """An argument that is exactly `{name}` stands for the file `name` of `files`."""
        import tempfile

        self.what = what
        self.folder = tempfile.TemporaryDirectory(prefix="counterpoint-pandoc-")
        names = {}
        for name, data in files:
            path = Path(self.folder.name) / name
            path.write_bytes(data)
            names[name] = str(path)
        self.out = Path(self.folder.name) / "stdout"
        self.err = Path(self.folder.name) / "stderr"
        with self.out.open("wb") as out, self.err.open("wb") as err:
            try:
                self.process = subprocess.Popen(
                    [binary(), *(names.get(a[1:-1], a) if a[:1] == "{" else a for a in args)],
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=err,
                    env={**os.environ, "LANG": "C.UTF-8"},
                )
            except OSError as exc:
                self.folder.cleanup()
                raise BuildError(
                    f"{what}: cannot run Pandoc ({binary()}): {exc.strerror}"
                ) from None

    def result(self) -> Result:
        """Wait for the run; errors are one line naming what it was for."""
        try:
            try:
                self.process.wait(timeout=PANDOC_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise BuildError(
                    f"{self.what}: Pandoc took over {PANDOC_TIMEOUT:.0f} s; stopped"
                ) from None
            return _result(
                self.process.returncode, self.out.read_bytes(), self.err.read_bytes(), self.what
            )
        finally:
            self.folder.cleanup()


def _result(code: int, out: bytes, err: bytes, what: str) -> Result:
    lines = err.decode("utf-8", "replace").splitlines()
    if code != 0:
        message = " ".join(line.strip() for line in lines if line.strip()) or "no message"
        raise PandocError(f"{what}: Pandoc failed (exit {code}): {message}", lines)
    warnings = [line.removeprefix("[WARNING] ").strip() for line in lines if line.strip()]
    return Result(out, warnings)


def run(args: Sequence[str], stdin: bytes, what: str) -> Result:
    """Run Pandoc once and wait for it."""
    try:
        process = start(args, stdin)
    except OSError as exc:
        raise BuildError(f"{what}: cannot run Pandoc ({binary()}): {exc.strerror}") from None
    return finish(process, stdin, what)
