"""What a snapshot is read into: blocks of text with their paragraph numbers and page
labels, and the error of a snapshot that cannot be read."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

MAX_SNAPSHOT_BYTES = 50 * 1024 * 1024
"""A snapshot larger than this is not read (docs/security.md)."""


class SnapshotError(Exception):
    """A snapshot that cannot be read as its kind: the message says why, in one line."""


@dataclass
class Block:
    """One paragraph, heading or page of a snapshot, in reading order."""

    text: str
    para: int = 0  # its number among paragraphs (headings not counted); 0: not a paragraph
    block: int = 0  # its number among all blocks, headings included (.txt and .md)
    page: str = ""  # its page label ("iv", "12"); "" when the file has no pages
    folio: str = ""  # the page number printed on a PDF page without page labels
    heading: bool = False


@dataclass
class Extracted:
    """A snapshot's text: its blocks, and which locators it can check."""

    kind: str  # "text", "html" or "pdf"
    blocks: list[Block] = field(default_factory=list)
    pages: bool = False  # page locators (p., pp.) can be checked
    paras: bool = False  # paragraph locators (para., paras.) can be checked
    sample: str = ""  # the first words, to guess the language by

    def to_json(self) -> dict[str, object]:
        return {**asdict(self), "blocks": [asdict(b) for b in self.blocks]}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Extracted:
        blocks = [Block(**b) for b in data.pop("blocks")]  # type: ignore[attr-defined]
        return cls(**data, blocks=blocks)  # type: ignore[arg-type]
