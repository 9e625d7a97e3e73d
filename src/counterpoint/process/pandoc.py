"""The pinned Pandoc binary: where it is, and one run of it (a shared leaf module).

Pandoc comes from the `pypandoc-binary` wheel, so no system Pandoc is needed, on Linux,
macOS or Windows alike. `COUNTERPOINT_PANDOC` names another binary (for a test against a
newer release, say).

Every Pandoc process runs under a memory ceiling (`command`): its runtime's heap limit
(GHC's `-M`, through GHCRTS) and, on Linux, an address-space limit (RLIMIT_AS, set by the
shell that executes it). Going over either stops it with one line (OverLimit), as does the
time limit. Pandoc is only ever handed files counterpoint wrote into a private folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from counterpoint.errors import BuildError
from counterpoint.process.limits import PANDOC_ADDRESS_SPACE, PANDOC_MEMORY_LIMIT, PANDOC_TIMEOUT

ENVIRONMENT = "COUNTERPOINT_PANDOC"
MEMORY_ENVIRONMENT = "COUNTERPOINT_PANDOC_MEMORY_LIMIT"

OUT_OF_MEMORY = 251
"""The exit status of a GHC program that runs out of heap or address space."""


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


class OverLimit(BuildError):
    """A Pandoc run stopped at its memory ceiling or its time limit: `what` names the file
    (or style) it was working on, `reason` says which limit."""

    def __init__(self, what: str, reason: str):
        super().__init__(f"{what}: {reason}")
        self.what, self.reason = what, reason


@dataclass
class Result:
    stdout: bytes
    warnings: list[str]
    log: list[Any] = field(default_factory=list)
    """Pandoc's log messages as JSON (`--log`: `type`, `verbosity`, the fields of its
    type); a Background run and the citation server give them."""


def memory_limit() -> int:
    """MiB of heap a Pandoc process may use: $COUNTERPOINT_PANDOC_MEMORY_LIMIT, else
    limits.PANDOC_MEMORY_LIMIT; 0 for no ceiling."""
    value = os.environ.get(MEMORY_ENVIRONMENT, "").strip()
    return int(value) if value.isdigit() else PANDOC_MEMORY_LIMIT


def set_memory_limit(mib: int) -> None:
    """Set the ceiling for every Pandoc this process, and the processes it starts, runs
    (`--pandoc-memory-limit`): kept in the environment, so shelf workers have it too."""
    os.environ[MEMORY_ENVIRONMENT] = str(max(0, int(mib)))


def command(args: Sequence[str], lang: str = "") -> tuple[list[str], dict[str, str]]:
    """The command line and environment that run Pandoc with `args` under the ceiling;
    `lang`, the language its BibTeX reader reads titles and thesis types in (LANG)."""
    env = {**os.environ, "LANG": lang or "C.UTF-8"}
    argv = [binary(), *args]
    limit = memory_limit()
    if not limit:
        return argv, env
    # -M: the heap's ceiling; -K: the stack's (a style's macro that calls itself grows the
    # stack, not the heap); -xr: the address space reserved for both (GHC reserves 1 TB
    # otherwise, which an address-space limit would shrink to whatever is left)
    stack = max(limit // 4, 1)
    rts = f"-M{limit}m -K{stack}m -xr{limit + stack}m"
    env["GHCRTS"] = f"{env.get('GHCRTS', '')} {rts}".strip()
    if sys.platform.startswith("linux") and os.path.exists("/bin/sh"):  # where it holds
        import resource

        kib = (limit + stack + PANDOC_ADDRESS_SPACE) * 1024
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        if hard == resource.RLIM_INFINITY or hard > kib * 1024:  # never loosen yours
            # the shell sets the limit and becomes Pandoc (exec): no fork in this process,
            # which may have threads (the preview), and the same process id to stop
            argv = ["/bin/sh", "-c", f'ulimit -v {kib} && exec "$0" "$@"', *argv]
    return argv, env


def start(args: Sequence[str], stdin: bytes, lang: str = "") -> subprocess.Popen[bytes]:
    """Start Pandoc; `finish` feeds it `stdin` and waits."""
    argv, env = command(args, lang)
    return subprocess.Popen(
        argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )


def finish(process: subprocess.Popen[bytes], stdin: bytes, what: str) -> Result:
    """Feed a started run its input and wait for it; errors are one line naming `what`.
    Interrupted (the build's time limit, Ctrl-C), it stops Pandoc before going on."""
    deadline = time.monotonic() + PANDOC_TIMEOUT
    given: bytes | None = stdin
    try:
        while True:
            try:  # in slices, so that a time limit raised in this thread arrives in time
                out, err = process.communicate(given, timeout=_slice(deadline))
                break
            except subprocess.TimeoutExpired:
                given = None  # (sent already: communicate goes on where it was)
                if time.monotonic() >= deadline:
                    raise
    except subprocess.TimeoutExpired:
        _stop(process)
        raise OverLimit(what, f"Pandoc took over {PANDOC_TIMEOUT:.0f} s; stopped") from None
    except BaseException:
        _stop(process)
        raise
    return _result(process.returncode, out, err, what)


SLICE = 0.25
"""Seconds a wait for Pandoc blocks at a time: the preview's time limit reaches its
rebuild thread only between two Python steps (process/timelimit.py), not inside a wait."""


def _slice(deadline: float) -> float:
    return min(SLICE, max(deadline - time.monotonic(), 0.0))


def wait(process: subprocess.Popen[bytes], timeout: float) -> int:
    """`process.wait(timeout)`, in slices (see SLICE); TimeoutExpired past `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return process.wait(timeout=_slice(deadline))
        except subprocess.TimeoutExpired:
            if time.monotonic() >= deadline:
                raise


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.kill()
    process.communicate()


class Background:
    """A Pandoc run that works while the caller goes on: its inputs are files written
    before it starts and its output goes to files, so it never waits on a pipe."""

    def __init__(self, args: Sequence[str], files: Sequence[tuple[str, bytes]], what: str):
        """An argument that is exactly `{name}` stands for the file `name` of `files`: the
        only files Pandoc is given, written into a private folder of this run's own."""
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
        self.log = Path(self.folder.name) / "log.json"  # its messages, as JSON
        named = [names.get(a[1:-1], a) if a[:1] == "{" else a for a in own(args)]
        argv, env = command(["--log", str(self.log), *named])
        with self.out.open("wb") as out, self.err.open("wb") as err:
            try:
                self.process = subprocess.Popen(
                    argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env
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
                wait(self.process, PANDOC_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise OverLimit(
                    self.what, f"Pandoc took over {PANDOC_TIMEOUT:.0f} s; stopped"
                ) from None
            except BaseException:  # the build's time limit, Ctrl-C: Pandoc stops too
                self.process.kill()
                self.process.wait()
                raise
            result = _result(
                self.process.returncode, self.out.read_bytes(), self.err.read_bytes(), self.what
            )
            result.log = _log(self.log)
            return result
        finally:
            self.folder.cleanup()


def _log(path: Path) -> list[Any]:
    """The messages Pandoc wrote to its `--log` file (none if it wrote none)."""
    import json

    try:
        messages = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return []
    return messages if isinstance(messages, list) else []


FILE_OPTIONS = frozenset({"--bibliography", "--csl", "--citation-abbreviations"})
"""Options whose value Pandoc reads as a file or URL."""


def own(args: Sequence[str]) -> Sequence[str]:
    """`args`, checked: every file Pandoc is to read (an option's file, the input) is one of
    the run's own `{name}` files, never a path or URL from anywhere else."""
    for i, arg in enumerate(args):
        wants_file = i > 0 and args[i - 1] in FILE_OPTIONS
        if (wants_file or i == len(args) - 1) and not (arg[:1] == "{" and arg[-1:] == "}"):
            raise BuildError(f"refusing to hand Pandoc '{arg}': only files of its own run")
        if arg.startswith(tuple(f"{o}=" for o in FILE_OPTIONS)):
            raise BuildError(f"refusing to hand Pandoc '{arg}': only files of its own run")
    return args


def over_memory(code: int, err: bytes) -> bool:
    """Whether a Pandoc that exited with `code`, printing `err`, ran out of memory."""
    return code == OUT_OF_MEMORY or any(
        m in err
        for m in (
            b"Heap exhausted",
            b"out of memory",
            b"not enough memory",
            b"Stack space overflow",
        )
    )


def memory_reason() -> str:
    return (
        f"Pandoc went over its memory limit of {memory_limit():,} MiB; stopped (raise it "
        "with --pandoc-memory-limit or COUNTERPOINT_PANDOC_MEMORY_LIMIT if this is meant)"
    )


def _result(code: int, out: bytes, err: bytes, what: str) -> Result:
    lines = err.decode("utf-8", "replace").splitlines()
    if code != 0 and memory_limit() and over_memory(code, err):
        raise OverLimit(what, memory_reason())
    if code != 0:
        message = " ".join(line.strip() for line in lines if line.strip()) or "no message"
        raise PandocError(f"{what}: Pandoc failed (exit {code}): {message}", lines)
    warnings = [line.removeprefix("[WARNING] ").strip() for line in lines if line.strip()]
    return Result(out, warnings)


def run(args: Sequence[str], stdin: bytes, what: str, lang: str = "") -> Result:
    """Run Pandoc once and wait for it (its input on stdin: it is given no file)."""
    try:
        process = start(args, stdin, lang)
    except OSError as exc:
        raise BuildError(f"{what}: cannot run Pandoc ({binary()}): {exc.strerror}") from None
    return finish(process, stdin, what)
