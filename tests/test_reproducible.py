"""The same inputs give the same bytes, whatever the process's hash seed.

Each build runs in its own process: forked `--jobs` workers inherit their parent's hash
secret, so only separate processes with different PYTHONHASHSEED values can show an
ordering taken from a set or a dict of strings.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import ROOT

FLAGSHIP = ROOT / "briefs" / "russian-far-east.yaml"

# Two unsigned, undated articles with one title: the bibliography's sort key ties on them
TIES = """\
references:
  - {id: zz-wire, type: article-newspaper, title: The Same Headline, container-title: Daily A}
  - {id: aa-wire, type: article-newspaper, title: The Same Headline, container-title: Daily B}
  - {id: mm-wire, type: article-newspaper, title: The Same Headline, container-title: Daily C}
"""

TIED_BRIEF = """\
brief: 1
title: Ties
question: Which paper ran it first?
date: 2026-11-22
bibliography: [sources.yaml]
summary: All three ran it [@mm-wire; @zz-wire; @aa-wire].
views:
  - id: a
    label: A
    thesis: A ran it [@zz-wire].
    arguments:
      - A ran it [@aa-wire].
  - id: b
    label: B
    thesis: B ran it [@mm-wire].
    arguments:
      - B ran it [@zz-wire].
"""


def _build(brief: Path, out: Path, seed: int, fmt: str) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    subprocess.run(
        [sys.executable, "-m", "counterpoint", "build", str(brief), "--format", fmt,
         "--out", str(out), "--force"],
        check=True, env=env, capture_output=True, cwd=brief.parent,
    )  # fmt: skip
    return (out / f"{brief.stem}.{fmt}").read_bytes()


def _distinct(brief: Path, tmp_path: Path, fmt: str, seeds: list[int]) -> int:
    return len({_build(brief, tmp_path / f"out-{s}", s, fmt) for s in seeds})


def test_html_is_the_same_under_every_hash_seed(tmp_path: Path) -> None:
    assert _distinct(FLAGSHIP, tmp_path, "html", [0, 1, 2, 3, 4, 5]) == 1


@pytest.mark.slow
@pytest.mark.pdf
def test_pdf_is_the_same_under_every_hash_seed(tmp_path: Path) -> None:
    assert _distinct(FLAGSHIP, tmp_path, "pdf", [1, 2, 3]) == 1


def test_tied_sources_sort_the_same_under_every_hash_seed(
    tmp_path: Path, write_brief: Callable[..., Path]
) -> None:
    brief = write_brief(TIED_BRIEF, sources=TIES)
    pages = {_build(brief, tmp_path / f"out-{s}", s, "html") for s in range(8)}
    assert len(pages) == 1
    page = pages.pop().decode()
    assert all(f"Daily {x}" in page for x in "ABC")


def test_a_pdf_document_id_is_derived_from_its_identifier_not_random() -> None:
    """Where WeasyPrint writes a random XMP document id (PDF/X-4 in WeasyPrint 70), the
    document's own metadata class writes one derived from the PDF's identifier; WeasyPrint
    itself is left as it was."""
    from weasyprint.pdf.metadata import DocumentMetadata

    from counterpoint.publish.pdflayout import stable_metadata

    def rdf(cls: type, modified: str = "2026-01-01T00:00:00Z") -> bytes:
        data: bytes = cls(modified=modified).generate_rdf_metadata("x", 4, "PDF/X-4")
        return data

    assert rdf(DocumentMetadata) != rdf(DocumentMetadata)  # random ids, as shipped
    one, two = stable_metadata(DocumentMetadata, "a"), stable_metadata(DocumentMetadata, "a")
    assert rdf(one) == rdf(two) and b"xmp.did:" in rdf(one)
    assert rdf(one) != rdf(stable_metadata(DocumentMetadata, "b"))
    assert rdf(DocumentMetadata) != rdf(DocumentMetadata)  # WeasyPrint unchanged afterwards
