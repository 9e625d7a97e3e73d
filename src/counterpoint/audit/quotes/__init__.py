"""Verified quotations: every quotation in a brief checked against an archived copy of its source.

The pipeline of docs/quotes.md, one module a step:

- `find`: quotations in a brief's Markdown fields (quotation marks or a block quote, then a
  citation in the same sentence), each located at file:line:col;
- `extract`: a snapshot (.txt, .md, .html, .pdf, .warc, .warc.gz) as numbered paragraphs
  and labelled pages (`blocks`), cached by the file's SHA-256 in the user's cache; an HTML
  page's main text is read by `htmltext`, a PDF's pages by `pdftext`;
- `normal`: the normalised form both sides are compared in, and a quotation's parts;
- `index`: a snapshot's text indexed for matching, and a citation's page or paragraph
  locator;
- `qualifiers`: the negations, qualifiers and numbers an omission must not drop;
- `match`: exact placement, else approximate substring search (edlib, Myers' bit-vector
  algorithm), and the verdict of each quotation;
- `check`: a brief's quotations and their verdicts, cached by content;
- `snapshot`: the `counterpoint snapshot` command, the only one that touches the network.

Only `find` is imported when a brief is audited; the rest loads when a quotation is there.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

VERDICTS = (
    "verified",
    "altered",
    "not-found",
    "wrong-locator",
    "omission-review",
    "no-snapshot",
    "snapshot-changed",
)
"""Every verdict a quotation can get (docs/quotes.md)."""

CHECK_VERSION = "7"
"""Changes whenever matching changes a verdict: old cached verdicts are then unused."""


@functools.cache
def code_version() -> str:
    """CHECK_VERSION and the text of this package's modules: a cached verdict or extraction
    is used only by the code that made it, even when a change forgot the version."""
    h = hashlib.sha256(CHECK_VERSION.encode())
    for f in sorted(Path(__file__).parent.glob("*.py")):
        h.update(f.name.encode() + f.read_bytes())
    return h.hexdigest()[:16]
