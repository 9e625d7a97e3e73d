"""The one way to run isolated work (process/jobs.py): a job in a child process, or in a
worker started ahead, ends as its value or one error line, whichever way it ends."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest

from counterpoint.errors import BuildError
from counterpoint.process.jobs import InternalError, Job, Limits, run
from counterpoint.process.timelimit import time_limit
from counterpoint.process.worker import Worker


@dataclass(frozen=True)
class Work(Job[str]):
    """A job that does one of the things below, then returns 'done'."""

    label: ClassVar[str] = "test work"
    action: str

    @property
    def what(self) -> str:
        return "x.pdf"

    def run(self) -> str:
        if self.action == "print":
            os.write(2, b"printed by a library\n")
        elif self.action == "sleep":
            time.sleep(30)
        elif self.action == "allocate":
            os.write(2, b"Exception ignored in: <generator>\n")
            bytearray(2 * 1024**3)  # a fresh mapping, however much the parent has spare
        elif self.action == "refuse":
            raise BuildError("x.pdf: footnote 3 was lost")
        elif self.action == "bug":
            raise ValueError("no such thing")
        elif self.action == "crash":
            os.kill(os.getpid(), signal.SIGSEGV)
        return "done"


def _in_child(job: Work, limits: Limits) -> str:
    return run(job, limits)


def _in_worker(job: Work, limits: Limits) -> str:
    with Worker(lambda: None, "test work") as worker:
        return worker.run(job, limits)


def _in_spawned_worker(job: Work, limits: Limits) -> str:
    with Worker(os.getpid, "test work", spawn=True) as worker:  # (warm: any module function)
        return worker.run(job, limits)


RUNNERS = {"child": _in_child, "worker": _in_worker, "spawned worker": _in_spawned_worker}
LIMITED = Limits(memory=100)
Runner = Callable[[Work, Limits], str]


@pytest.fixture(params=sorted(RUNNERS))
def runner(request: pytest.FixtureRequest) -> Runner:
    return RUNNERS[request.param]


def test_ok_gives_the_value_and_what_the_child_printed(runner: Runner, capfd: Any) -> None:
    assert runner(Work("print"), LIMITED) == "done"
    assert capfd.readouterr().err == "printed by a library\n"


@pytest.mark.parametrize("memory", [100, None], ids=["limited", "unlimited"])
def test_too_long_is_the_time_limits_line(runner: Runner, memory: int | None) -> None:
    with pytest.raises(BuildError) as info:
        runner(Work("sleep"), Limits(seconds=0.5, memory=memory))
    assert str(info.value) == (
        "x.pdf: stopped after 0.5 s, the build time limit (use --time-limit to allow longer)"
    )


def test_out_of_memory_is_one_line_naming_the_limit(runner: Runner, capfd: Any) -> None:
    with pytest.raises(BuildError) as info:
        runner(Work("allocate"), LIMITED)
    assert str(info.value) == (
        "x.pdf: test work went over the memory limit of 100 MiB; raise it with --memory-limit "
        "(or COUNTERPOINT_MEMORY_LIMIT) if the document is meant to be this large"
    )
    assert capfd.readouterr().err == ""  # the one message says it all


def test_a_crash_is_reported_as_probably_the_memory_limit(runner: Runner, capfd: Any) -> None:
    with pytest.raises(BuildError, match=r"^x\.pdf: test work crashed \(SIGSEGV\), probably at"):
        runner(Work("crash"), LIMITED)
    assert capfd.readouterr().err == ""


@pytest.mark.parametrize("limits", [LIMITED, Limits()], ids=["limited", "unlimited"])
def test_a_user_error_comes_back_with_its_message(runner: Runner, limits: Limits) -> None:
    with pytest.raises(BuildError) as info:
        runner(Work("refuse"), limits)
    assert type(info.value) is BuildError
    assert str(info.value) == "x.pdf: footnote 3 was lost"


@pytest.mark.parametrize("limits", [LIMITED, Limits()], ids=["limited", "unlimited"])
def test_a_bug_is_one_line_with_its_traceback_kept(runner: Runner, limits: Limits) -> None:
    with pytest.raises(InternalError) as info:
        runner(Work("bug"), limits)
    line = (
        "x.pdf: test work failed: internal error (ValueError: no such thing); please report it"
        " (COUNTERPOINT_DEBUG=1 shows its traceback)"
    )
    assert str(info.value) == line
    assert info.value.details.startswith("Traceback (most recent call last):")
    assert info.value.details.endswith("ValueError: no such thing\n")


def test_a_bug_shows_its_traceback_when_asked(
    runner: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With COUNTERPOINT_DEBUG set, the line is followed by the child's traceback."""
    monkeypatch.setenv("COUNTERPOINT_DEBUG", "1")
    with pytest.raises(InternalError) as info:
        runner(Work("bug"), LIMITED)
    first, rest = str(info.value).split("\n", 1)
    assert first.endswith("please report it (COUNTERPOINT_DEBUG=1 shows its traceback)")
    assert rest.startswith("Traceback (most recent call last):")
    assert rest.endswith("ValueError: no such thing")


def _gone(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return True
    return False


def test_the_callers_time_limit_stops_the_worker_and_its_job() -> None:
    worker = Worker(lambda: None, "test work").start()
    group = worker.pid
    assert group is not None
    with (
        pytest.raises(BuildError, match=r"^x\.yaml: stopped after 0\.5 s"),
        time_limit(0.5, "x.yaml"),
    ):
        worker.run(Work("sleep"), LIMITED)
    deadline = time.monotonic() + 5
    while not _gone(group) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(group)  # the worker and the job's child
    with pytest.raises(RuntimeError, match=r"^the test work worker is closed$"):
        worker.run(Work("print"), LIMITED)


def test_a_worker_runs_one_job_after_another_and_restarts() -> None:
    worker = Worker(lambda: None, "test work")
    with worker:
        assert [worker.run(Work("ok"), LIMITED) for _ in range(3)] == ["done"] * 3
    assert worker.pid is None
    with worker:  # started again
        assert worker.run(Work("ok"), LIMITED) == "done"


def test_workers_in_the_starters_group_end_at_the_end_of_their_input() -> None:
    """Shelf workers: each ends when its starter closes its input, though another worker
    was forked while the first one's pipes were open (it must not hold them)."""
    first, second = [Worker(lambda: None, "test work", own_group=False) for _ in range(2)]
    first.start()
    second.start()
    assert [w.run(Work("ok"), LIMITED) for w in (first, second)] == ["done", "done"]
    pipe = os.readlink(f"/proc/self/fd/{first.fileno()}")  # pipe:[inode]
    held = {
        os.readlink(f"/proc/{second.pid}/fd/{fd}") for fd in os.listdir(f"/proc/{second.pid}/fd")
    }
    assert pipe.startswith("pipe:") and pipe not in held
    for worker in (first, second):
        worker.close()  # waits for it to end
        assert worker.pid is None


def test_a_pipe_feeding_another_process_ends_while_a_worker_lives() -> None:
    """A forked worker keeps no copy of its starter's pipes: a Pandoc reading its input (here
    `cat`) sees the end as soon as the build closes it, not when the worker exits."""
    cat = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    assert cat.stdin is not None
    with Worker(lambda: None, "test work") as worker:
        cat.stdin.close()
        assert cat.wait(timeout=10) == 0
        assert worker.run(Work("print"), LIMITED) == "done"


def test_a_pipe_feeding_another_process_ends_while_a_job_runs() -> None:
    cat = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    assert cat.stdin is not None

    def sleep() -> None:
        with pytest.raises(BuildError, match="stopped after 4 s"):
            run(Work("sleep"), Limits(memory=100, seconds=4))

    job = threading.Thread(target=sleep)
    job.start()
    time.sleep(0.5)  # the job's child is forked
    cat.stdin.close()
    try:
        assert cat.wait(timeout=2.5) == 0  # the job still runs, for 4 s at most
    finally:
        job.join()
