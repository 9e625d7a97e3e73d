"""Sessions (pipeline/session.py): builds given one session share one warm Pandoc, from any
number of threads; closing it, or a build without one returning, leaves no child running;
the command line's session adopts the Pandoc it started before importing the pipeline."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from counterpoint import build
from counterpoint.pipeline.session import Session
from counterpoint.process import pandoc

from .conftest import need

pytestmark = pytest.mark.own_session  # each test's builds make their own sessions

SHARED: set[int] = set()
"""The Pandoc of the test worker's shared session (conftest), not counted below."""


def _citation_servers() -> list[int]:
    """This process's children that are Pandoc citation servers (`pandoc lua citeserver.lua`),
    but for the test worker's shared session's."""
    found = []
    me = os.getpid()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            arguments = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        zombie = stat.rsplit(")", 1)[1].split()[0] == "Z"  # ended, awaiting its parent
        if (
            ppid == me
            and b"citeserver.lua" in arguments
            and not zombie
            and int(entry.name) not in SHARED
        ):
            found.append(int(entry.name))
    return found


@pytest.fixture(autouse=True)
def _linux(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, shared_session: Session) -> None:
    need(Path("/proc").is_dir(), "/proc (Linux), to list processes")
    running = shared_session.citations.running
    SHARED.clear()
    SHARED.update([running.process.pid] if running else [])
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # citations formatted anew


def test_four_threads_building_at_once_share_one_pandoc(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    path = write_brief()
    errors: list[BaseException] = []
    pages: list[str] = []
    start = threading.Barrier(4)

    def one(n: int) -> None:
        try:
            start.wait()
            (html,) = build(path, tmp_path / f"out{n}", formats=["html"], session=session)
            pages.append(html.path.read_text(encoding="utf-8"))
        except BaseException as exc:  # reported below
            errors.append(exc)

    with Session() as session:
        threads = [threading.Thread(target=one, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert errors == []
        assert len(pages) == 4 and len(set(pages)) == 1  # the same page, four times
        assert "para. 6" in pages[0]
        assert len(_citation_servers()) == 1
    assert _citation_servers() == []  # close() stopped it


def test_a_build_without_a_session_leaves_no_pandoc_running(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    build(write_brief(), tmp_path / "out", formats=["html"])
    assert _citation_servers() == []


def test_builds_in_an_active_session_share_it_and_leave_it_running(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    """Within `session.active()`, build() given no session uses that one: one Pandoc for
    both builds, still running after them, stopped when the session closes."""
    path = write_brief()
    with Session() as session, session.active():
        assert Session.current() is session
        build(path, tmp_path / "a", formats=["html"])
        servers = _citation_servers()
        assert len(servers) == 1
        build(path, tmp_path / "b", formats=["html"], force=True)
        assert _citation_servers() == servers
    assert _citation_servers() == [] and Session.current() is None


def test_a_closed_session_builds_nothing(write_brief: Callable[..., Path], tmp_path: Path) -> None:
    session = Session()
    session.close()
    with pytest.raises(RuntimeError, match=r"^this session is closed$"):
        build(write_brief(), tmp_path / "out", formats=["html"], session=session)
    assert not (tmp_path / "out").exists()


def test_the_command_line_starts_one_pandoc_server(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    """`counterpoint build` starts its Pandoc before importing the pipeline; the build's
    session adopts it rather than starting a second one."""
    log = tmp_path / "runs.log"
    fake = tmp_path / "pandoc"
    fake.write_text(f'#!/bin/sh\necho "$1" >> "{log}"\nexec "{pandoc.binary()}" "$@"\n')
    fake.chmod(0o755)
    env = {**os.environ, pandoc.ENVIRONMENT: str(fake), "XDG_CACHE_HOME": str(tmp_path / "c")}
    command = Path(sys.executable).with_name("counterpoint")
    done = subprocess.run(
        [str(command), "build", str(write_brief()), "-f", "html", "-o", str(tmp_path / "o")],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stdout
    assert log.read_text().split().count("lua") == 1


KEPT_WORKER = """
import os, sys
from pathlib import Path
from counterpoint import build
from counterpoint.pipeline.session import Session

def children():  # forks of this process (the Pandoc server runs another program)
    mine = Path("/proc/self/cmdline").read_bytes()
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                arguments = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(stat[1]) == os.getpid() and stat[0] != "Z" and arguments == mine:
                found.add(int(entry.name))
    return found

seen = []
with Session() as session:
    for out in ("a", "b"):
        (pdf,) = build(sys.argv[1], out, formats=["pdf"], session=session)
        assert pdf.pages, pdf
        seen.append(children())
seen.append(children())
print(seen)
"""


def test_a_session_keeps_its_pdf_worker_until_closed(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    """The worker that imports WeasyPrint (publish/pdfworker.py) serves the session's
    second PDF too, and closing the session stops it."""
    done = subprocess.run(
        [sys.executable, "-c", KEPT_WORKER, str(write_brief())],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    first, second, after = eval(done.stdout)  # three sets of process ids
    assert len(first) == 1 and second == first
    assert after == set()


def test_a_preview_keeps_one_session_and_closes_it(
    write_brief: Callable[..., Path], tmp_path: Path
) -> None:
    from counterpoint.preview.app import Preview

    path = write_brief()
    with Preview(path, pdf=False) as preview:
        preview.wait_for(lambda state: state.page == 1)
        server = _citation_servers()
        assert len(server) == 1
        path.write_text(path.read_text(encoding="utf-8").replace("para. 6]", "para. 7]"))
        preview.wait_for(lambda state: state.page == 2)
        assert _citation_servers() == server  # the rebuild used the same Pandoc
    assert _citation_servers() == []
