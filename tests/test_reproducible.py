"""The same inputs give the same bytes, whatever the process's hash seed.

Each seed's builds run in a process of their own: forked `--jobs` workers inherit their
parent's hash secret, so only separate processes with different PYTHONHASHSEED values can
show an ordering taken from a set or a dict of strings.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest

from .conftest import ROOT, SAMPLES

FLAGSHIP = ROOT / "briefs" / "russian-far-east.yaml"

# Six unsigned, undated articles with one title: the bibliography's sort key ties on them
TIES = """\
references:
  - {id: zz-wire, type: article-newspaper, title: The Same Headline, container-title: Daily A}
  - {id: aa-wire, type: article-newspaper, title: The Same Headline, container-title: Daily B}
  - {id: mm-wire, type: article-newspaper, title: The Same Headline, container-title: Daily C}
  - {id: kk-wire, type: article-newspaper, title: The Same Headline, container-title: Daily D}
  - {id: cc-wire, type: article-newspaper, title: The Same Headline, container-title: Daily E}
  - {id: tt-wire, type: article-newspaper, title: The Same Headline, container-title: Daily F}
"""

TIED_BRIEF = """\
brief: 1
title: Ties
question: Which paper ran it first?
date: 2026-11-22
bibliography: [sources.yaml]
summary: All six ran it [@mm-wire; @zz-wire; @aa-wire; @tt-wire; @cc-wire; @kk-wire].
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
      - B ran it [@kk-wire].
"""


SEEDS = (1, 2)
"""Two processes with different hash secrets. A string set's iteration order depends on the
secret, so an output that follows one differs between two seeds: with a set of n strings the
odds that both seeds give the same order are about 1 in n!, which is why the tied brief has
six ties, not three (each run below builds every brief it needs, to start fewer processes)."""


def _build(briefs: list[Path], out: Path, seed: int, fmt: str) -> Path:
    """Build `briefs` in one process of their own whose hash seed is `seed`; the out folder."""
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    subprocess.run(
        [sys.executable, "-m", "counterpoint", "build", *map(str, briefs), "--format", fmt,
         "--out", str(out), "--jobs", "1", "--force"],
        check=True, env=env, capture_output=True,
    )  # fmt: skip
    return out


@pytest.fixture(scope="module")
def html_builds(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """The flagship's and the tied brief's pages, built under each seed (one process each)."""
    ties = tmp_path_factory.mktemp("ties")
    (ties / "sources.yaml").write_text(TIES, encoding="utf-8")
    (ties / "ties.yaml").write_text(TIED_BRIEF, encoding="utf-8")
    return {
        s: _build([FLAGSHIP, ties / "ties.yaml"], tmp_path_factory.mktemp(f"html-{s}"), s, "html")
        for s in SEEDS
    }


def _distinct(builds: dict[int, Path], name: str) -> set[bytes]:
    return {(out / name).read_bytes() for out in builds.values()}


def test_html_is_the_same_under_every_hash_seed(html_builds: dict[int, Path]) -> None:
    assert len(_distinct(html_builds, f"{FLAGSHIP.stem}.html")) == 1


@pytest.mark.slow
@pytest.mark.pdf
def test_pdf_is_the_same_under_every_hash_seed(tmp_path: Path) -> None:
    """The sample paper with a question in three scripts: every kind of object the
    flagship's PDF holds (its six fonts, the CJK one among them, two figures, links within
    the paper, bookmarks, the tagged structure) and links out of it, in four pages, not
    fourteen."""
    shutil.copytree(SAMPLES / "basic" / "sources", tmp_path / "sources")
    text = (SAMPLES / "basic" / "brief.yaml").read_text(encoding="utf-8")
    brief = tmp_path / "brief.yaml"
    brief.write_text(text.replace("Is the border", "Is the Amur (黑龙江, Амур) border"), "utf-8")
    builds = {s: _build([brief], tmp_path / f"out-{s}", s, "pdf") for s in SEEDS}
    assert len(_distinct(builds, "brief.pdf")) == 1
    fonts = {
        str(font.get_object()["/BaseFont"]).split("+")[-1]
        for page in pypdf.PdfReader(builds[SEEDS[0]] / "brief.pdf").pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert len(fonts) == 6 and "WenQuanYi-Micro-Hei" in fonts  # the CJK font is embedded too


def test_tied_sources_sort_the_same_under_every_hash_seed(html_builds: dict[int, Path]) -> None:
    pages = _distinct(html_builds, "ties.html")
    assert len(pages) == 1
    page = pages.pop().decode()
    assert all(f"Daily {x}" in page for x in "ABCDEF")


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
