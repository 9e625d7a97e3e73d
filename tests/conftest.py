"""Shared fixtures: sample projects, and small briefs written into tmp_path."""

from __future__ import annotations

import contextvars
import fcntl
import functools
import hashlib
import json
import os
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
"""Debian's Chromium (make test installs it); Playwright drives it, never downloads one."""
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]  # fmt: skip

SAMPLES = Path(__file__).parent / "samples"
ROOT = Path(__file__).parent.parent

SOURCES = """\
references:
  - id: petrova-2025
    type: article-magazine
    title: "Rivers, Treaties and Trade on a Long Border"
    author: [{family: Petrova, given: Irina}]
    container-title: Border Review
    issued: 2025-03-14
  - id: lin-2024
    type: report
    title: Migration and Memory in the Amur Basin
    author: [{literal: Institute for Border Studies}]
    publisher: Institute for Border Studies
    issued: 2024
"""

MINIMAL = """\
brief: 1
title: Test brief
question: Is it settled?
date: 2026-11-22
bibliography: [sources.yaml]
summary: It is settled [@petrova-2025, para. 2].
views:
  - id: yes
    label: Settled
    thesis: It is settled.
    arguments:
      - Trade grew [@petrova-2025, para. 6].
  - id: no
    label: Open
    thesis: It is open.
    arguments:
      - Memory persists [@lin-2024, p. 4].
"""


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Compiled templates and other caches of the suite's builds go to a temporary folder,
    not the user's ~/.cache (the tests make hundreds of throwaway template sets)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture(autouse=True, scope="session")
def shared_session(_private_cache: None) -> Iterator[object]:
    """One session (a warm Pandoc, a PDF layout worker) for all of a test worker's builds,
    as a script building many briefs would keep one: in-process build() calls that pass no
    session use it (Session.active). A test that must see a build make and close its own
    session is marked `own_session`; its Pandoc (a child of the worker, once started) is
    `shared_session.citations.running`."""
    from counterpoint.pipeline.session import Session

    with Session() as session, session.active():
        yield session


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Iterator[object]:
    """A test marked `own_session` runs in a context of its own, where no session is
    active: its builds start and stop their own Pandoc and workers, as a lone build does
    (tests of that, or that change what a running worker would have read at its start)."""
    if pyfuncitem.get_closest_marker("own_session") is None:
        return (yield)
    original = pyfuncitem.obj

    @functools.wraps(original)
    def alone(*args: object, **kwargs: object) -> object:
        return contextvars.Context().run(original, *args, **kwargs)

    pyfuncitem.obj = alone
    try:
        return (yield)
    finally:
        pyfuncitem.obj = original


@pytest.fixture(autouse=True)
def _fresh_templates(shared_session: Any) -> Iterator[None]:
    """Each test's builds read and compile their templates afresh, as a build of its own
    would: the shared session forgets the templates of the test before."""
    shared_session.forget_templates()
    yield


FLAGSHIP = ROOT / "briefs" / "russian-far-east.yaml"


@dataclass(frozen=True)
class Built:
    """What a test reads of one output of a shared build (publish.output.Output's fields)."""

    path: Path
    format: str
    audience: str
    notes: int
    pages: int | None
    warnings: list[str]


@pytest.fixture(scope="session")
def shared_build(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[..., dict[tuple[str, str], Built]]:
    """Build a brief once for the whole run, whichever test worker asks first; the others
    wait for it and read its outputs (a lock file, as pytest-xdist's documentation shows).
    Returns the outputs by (audience, format). Tests read the files; none may change them."""
    from counterpoint import build

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's folder, above each worker's own
    root = root / "shared-builds"
    root.mkdir(exist_ok=True)

    def get(brief: Path, **options: Any) -> dict[tuple[str, str], Built]:
        key = hashlib.sha256(json.dumps([str(brief), options], sort_keys=True).encode())
        folder = root / key.hexdigest()[:16]
        with open(f"{folder}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            record = folder / "outputs.json"
            if not record.exists():
                outputs = build(brief, folder, **options)
                fields = [
                    {"path": str(o.path), "format": o.format, "audience": o.audience,
                     "notes": o.notes, "pages": o.pages, "warnings": o.warnings}
                    for o in outputs
                ]  # fmt: skip
                record.write_text(json.dumps(fields), encoding="utf-8")
            fields = json.loads(record.read_text(encoding="utf-8"))
        built = [Built(**{**f, "path": Path(f["path"])}) for f in fields]
        return {(b.audience, b.format): b for b in built}

    return get


@pytest.fixture(scope="session")
def flagship_editions(
    shared_build: Callable[..., dict[tuple[str, str], Built]],
) -> dict[tuple[str, str], Built]:
    """The flagship brief in every built-in audience and every format, built once for the
    run: ("analyst", "pdf"), ("compare", "docx"), ("executive", "html")..."""
    return shared_build(FLAGSHIP, formats=["html", "print-html", "pdf", "docx"], audience="all")


@pytest.fixture
def sample() -> Path:
    return SAMPLES / "basic" / "brief.yaml"


@pytest.fixture
def write_brief(tmp_path: Path) -> Callable[..., Path]:
    """Write a brief (and the two standard sources) into tmp_path; returns the brief's path."""

    def write(text: str = MINIMAL, name: str = "brief.yaml", sources: str = SOURCES) -> Path:
        (tmp_path / "sources.yaml").write_text(sources, encoding="utf-8")
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


def need(ok: bool, what: str) -> None:
    """Skip with a reason on a machine that truly lacks a tool; never skip in CI."""
    if not ok:
        if os.environ.get("CI"):
            pytest.fail(f"{what} is missing in CI; `make test` installs it")
        pytest.skip(f"{what} is not installed (run `make test`, which installs it)")


_BROWSERS: list[Any] = []
"""The worker's Chromium, once a test has asked for it (the `browser` fixture)."""


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Chromium through Playwright, one for all of a test worker's browser tests;
    the pages a test opens are closed after it (_close_pages)."""
    need(CHROMIUM.exists(), "Chromium (/usr/bin/chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need(False, "Playwright for Python (the test extra)")
        raise
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        _BROWSERS.append(b)
        yield b
        _BROWSERS.clear()
        b.close()


@pytest.fixture(autouse=True)
def _close_pages() -> Iterator[None]:
    """Close every page (and its context) a test opened in the worker's Chromium, so that
    no page of one test keeps running while the next runs."""
    yield
    for b in _BROWSERS:
        for context in b.contexts:
            context.close()
