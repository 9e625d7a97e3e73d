"""A small seeded corpus of bench/quotes.py: benign quotations verified, mutations flagged."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from counterpoint.pipeline.builder import audit

ROOT = Path(__file__).parent.parent


def _bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_quotes", ROOT / "bench" / "quotes.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_quotes"] = module
    spec.loader.exec_module(module)
    return module


def _run(tmp_path: Path, kinds: tuple[str, ...], sources: int, seed: int) -> list[tuple[str, str]]:
    bench = _bench()
    brief, cases = bench.build_corpus(
        tmp_path, seed=seed, sources=sources, per_source=8, kinds=kinds
    )
    verdicts = [q.verdict for q in audit(brief).quotations]
    assert len(verdicts) == len(cases)
    wrong = [
        (f"{c.kind} {c.doc.kind}/{c.doc.lang} {c.quote!r} {c.locator}", v)
        for c, v in zip(cases, verdicts, strict=True)
        if not (v == c.expect or (c.expect == "flagged" and v != "verified"))
    ]
    kinds_seen = {c.kind for c in cases}
    assert {"benign:omission", "mutation:negation-dropped", "mutation:wrong-locator"} <= kinds_seen
    return wrong


def test_text_markdown_html_and_warc_in_eight_languages(tmp_path: Path) -> None:
    assert _run(tmp_path, ("txt", "md", "html", "warc"), sources=18, seed=11) == []


@pytest.mark.pdf
def test_pdfs_laid_out_by_weasyprint_with_page_labels(tmp_path: Path) -> None:
    assert _run(tmp_path, ("pdf",), sources=6, seed=12) == []
