"""Shared fixtures: sample projects, and small briefs written into tmp_path."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable, Iterator
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
