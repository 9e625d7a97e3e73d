"""A seeded handful of the stress corpus (bench/stress.py): generated briefs in several
editions, note modes, scripts and directions each give a PDF with every note, and none
needs a fallback."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pypdf
import pytest

from counterpoint import build
from counterpoint.publish.pdf import FALLBACK_WARNING

from .conftest import ROOT

pytestmark = pytest.mark.pdf


def stress() -> ModuleType:
    spec = importlib.util.spec_from_file_location("stress", ROOT / "bench" / "stress.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("stress", module)
    spec.loader.exec_module(module)
    return module


# seed: (language, edition, notes) as bench/stress.py draws them
SEEDS = {
    1: ("en", "executive", "footnotes"),
    3: ("en", "compare", "footnotes"),
    8: ("en", "analyst", "footnotes"),
    9: ("zh-Hans", "executive", "footnotes"),
    13: ("ru", "executive", "endnotes"),
    17: ("ar", "executive", "footnotes"),
    26: ("he", "public", "footnotes"),
}


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_a_generated_brief_gives_a_pdf_with_every_note(seed: int, tmp_path: Path) -> None:
    case = stress().generate(seed)
    assert (case.lang, case.edition, case.notes) == SEEDS[seed]
    path = tmp_path / f"stress-{seed}.yaml"
    path.write_text(case.text, encoding="utf-8")
    (pdf,) = build(path, tmp_path / "out", ["pdf"])
    assert not [w for w in pdf.warnings if FALLBACK_WARNING in w]
    assert pdf.notes > 0
    if case.lang in ("en", "ru"):  # left to right: each note's number starts its line
        texts = [p.extract_text() for p in pypdf.PdfReader(pdf.path).pages]
        numbers = [int(n) for t in texts for n in re.findall(r"^(\d+)\. \S", t, re.M)]
        assert [n for n in numbers if n <= pdf.notes] == list(range(1, pdf.notes + 1))
