"""SIGTERM and SIGHUP end a build as Ctrl-C does: one line, no partial file, and no child
process left running, the PDF worker and Pandoc included (issue 23, item 10)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from counterpoint.process.stopping import descendants

from .conftest import ROOT
from .test_hardening import contents, long_brief, old_outputs, wait_for_layout


def _running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie runs nothing


def _stop(args: list[str], signum: int, wait: object) -> tuple[subprocess.Popen[bytes], set[int]]:
    """Start the command, wait as `wait` says, note every process below it and send it
    `signum`; returns the process (ended) and what ran below it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "counterpoint", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    wait(proc)  # type: ignore[operator]
    assert proc.poll() is None, "the build finished before it could be stopped"
    below = set(descendants(proc.pid))
    assert below
    proc.send_signal(signum)
    proc.wait(timeout=30)
    return proc, below


def _gone(pids: set[int], seconds: float = 5) -> list[int]:
    """The processes still running after at most `seconds` (before: about 40 s)."""
    deadline = time.monotonic() + seconds
    while any(_running(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return [p for p in pids if _running(p)]


@pytest.mark.pdf
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["TERM", "HUP"])
def test_a_stopped_build_leaves_no_child_running(tmp_path: Path, signum: int) -> None:
    brief = long_brief(tmp_path, 1000)
    out = tmp_path / "out"
    old = old_outputs(out)
    args = ["build", str(brief), "--out", str(out)]
    proc, below = _stop(args, signum, wait_for_layout)
    assert proc.stderr is not None and proc.stdout is not None
    name = signal.Signals(signum).name
    assert proc.returncode == 128 + signum
    assert proc.stderr.read().decode() == f"stopped by {name}; no partial files were written\n"
    assert proc.stdout.read() == b""
    assert _gone(below) == []
    assert contents(out) == old


def _workers_busy(proc: subprocess.Popen[bytes]) -> None:
    """Wait until both shelf workers run a child of their own (Pandoc, a layout)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        workers = [p for p in descendants(proc.pid) if _is_python(p)]
        if len(workers) >= 2 and all(descendants(w) for w in workers[:2]):
            return
        time.sleep(0.05)


def _is_python(pid: int) -> bool:
    try:
        return b"counterpoint" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


@pytest.mark.pdf
def test_a_stopped_shelf_leaves_no_worker_or_child_running(tmp_path: Path) -> None:
    first = long_brief(tmp_path, 600)
    second = tmp_path / "second.yaml"
    second.write_text(first.read_text())
    out = tmp_path / "out"
    args = ["build", str(first), str(second), "--out", str(out), "--jobs", "2"]
    proc, below = _stop(args, signal.SIGTERM, _workers_busy)
    assert proc.stderr is not None
    assert proc.returncode == 128 + signal.SIGTERM
    assert proc.stderr.read().decode().splitlines()[-1] == (
        "stopped by SIGTERM; no partial files were written"
    )
    assert _gone(below) == []
    assert not out.exists() or [p.name for p in out.iterdir()] == []
