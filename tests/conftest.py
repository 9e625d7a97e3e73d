"""Shared fixtures: sample projects, and small briefs written into tmp_path."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

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
