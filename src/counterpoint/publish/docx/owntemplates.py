"""A user's section templates in the Word edition: the sections they add or replace, read
through Pandoc's HTML reader, the headings they give sections Word builds, and a warning
for each block Word cannot show."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from counterpoint.audit.checks import AuditReport
from counterpoint.brief.sections import REGISTRY
from counterpoint.cite.resolve import Resolved
from counterpoint.publish.docx.setfiles import set_file
from counterpoint.render.templates import TemplateSet, builtin_root


def own_sections(
    doc: Resolved,
    tset: TemplateSet,
    audience: str,
    options: dict[str, Any],
    audit: AuditReport,
    figures: Path,
    warnings: list[str],
) -> Callable[[str], list[dict[str, Any]] | None]:
    """The blocks of each section the set adds, and of each built-in section whose template
    a set of the user's replaces or extends: its print HTML through Pandoc's HTML reader
    (publish/docx/html.py), its notes Word footnotes. None for a section Word builds itself."""
    import dataclasses

    from counterpoint.publish.docx.html import blocks
    from counterpoint.render.engine import render_section

    added = tset.new_sections
    own = _overridden(tset)
    # the notes as footnotes (Word's only kind), whatever the edition's `notes:`
    footnoted = dataclasses.replace(
        doc, notes=[dataclasses.replace(n, endnote=False) for n in doc.notes], endnotes=False
    )

    def section(name: str) -> list[dict[str, Any]] | None:
        if name not in added and name not in own:
            return None
        html = render_section(footnoted, tset, name, audience, options, audit)
        what = f"sections/{name}.html ({own.get(name, tset).name}), in Word"
        if "<svg" in html:
            warnings.append(f"{what}: a drawing (inline SVG) is not in the Word edition")
        return blocks(html, figures, what, warnings, doc.brief.marking, own_byline(tset))

    return section


def _changed(path: Path) -> bool:
    """Whether a user's section template differs from every built-in set's file of that
    name: an ejected copy (`templates eject`) is the built-in design, as Word builds it."""
    rel = Path("sections", path.name)
    try:
        mine = path.read_bytes()
    except OSError:
        return True
    return not any(
        (s / rel).is_file() and (s / rel).read_bytes() == mine for s in builtin_root().iterdir()
    )


WORD_BUILT = tuple(s.name for s in REGISTRY if s.word == "heading")
"""Sections Word builds itself even when a set changes their template: a set's heading
for them (`NAME_heading`) is taken over, any other block is a warning."""


def _heading_block(section: str) -> str:
    return section.replace("-", "_") + "_heading"


def own_headings(
    doc: Resolved, tset: TemplateSet, audience: str, options: dict[str, Any], audit: AuditReport
) -> dict[str, str]:
    """The heading text a user's template gives each section of WORD_BUILT whose
    `NAME_heading` block it overrides, from the section's print HTML."""
    import lxml.html

    from counterpoint.render.engine import render_section
    from counterpoint.render.setcheck import parse, top_blocks

    out: dict[str, str] = {}
    builtin = builtin_root().resolve()
    for name in WORD_BUILT:
        owner = next(
            (
                s
                for s in tset.chain
                if not s.folder.resolve().is_relative_to(builtin)
                and (s.folder / "sections" / f"{name}.html").is_file()
            ),
            None,
        )
        if owner is None or name not in doc.sections:
            continue
        if not _changed(owner.folder / "sections" / f"{name}.html"):
            continue
        tree = parse(owner.folder / "sections" / f"{name}.html")
        if tree is None or _heading_block(name) not in {b.name for b in top_blocks(tree)}:
            continue
        html = render_section(doc, tset, name, audience, options, audit)
        if not html.strip():
            continue
        heading = next(
            iter(lxml.html.fragment_fromstring(html, create_parent="div").iter("h1", "h2")),
            None,
        )
        if heading is not None:
            out[name] = " ".join(heading.text_content().split())
    return out


HTML_SECTIONS = tuple(s.name for s in REGISTRY if s.word == "template")
"""Built-in sections that a set's own template replaces in Word too (the others, with
figures, the contents field, notes and bibliography, Word builds itself)."""


def _overridden(tset: TemplateSet) -> dict[str, TemplateSet]:
    """The built-in sections whose template a user's set of the chain holds, each with the
    nearest such set."""
    builtin = builtin_root().resolve()
    out: dict[str, TemplateSet] = {}
    held: set[str] = set()  # the nearest set holding a section's file decides
    for s in tset.chain:
        if s.folder.resolve().is_relative_to(builtin):
            continue
        for name in HTML_SECTIONS:
            path = s.folder / "sections" / f"{name}.html"
            if name not in held and path.is_file():
                held.add(name)
                if _changed(path):
                    out[name] = s
    return out


def own_byline(tset: TemplateSet) -> bool:
    """Whether a user's title template of the set defines the block `byline`: then its
    byline, not Word's Author and Date, is the Word edition's."""
    from counterpoint.render.setcheck import parse

    owner = _overridden(tset).get("title")
    if owner is None:
        return False
    tree = parse(owner.folder / "sections" / "title.html")
    import jinja2.nodes

    return tree is not None and any(b.name == "byline" for b in tree.find_all(jinja2.nodes.Block))


def word_misses(tset: TemplateSet) -> list[str]:
    """A warning for each block of a user's template that the Word edition cannot show:
    the blocks of a section Word builds itself (timeline, balance, contents, notes,
    bibliography), and a title's byline or marking (Word's title block and header)."""
    from counterpoint.render.setcheck import parse, top_blocks

    builtin = builtin_root().resolve()
    out: list[str] = []
    seen: set[str] = set()
    for s in tset.chain:
        if s.folder.resolve().is_relative_to(builtin):
            continue
        for path in sorted((s.folder / "sections").glob("*.html")):
            name = path.stem
            if name in seen or name in tset.new_sections:
                continue
            seen.add(name)
            if not _changed(path):
                continue
            tree = parse(path)
            names = [b.name for b in top_blocks(tree)] if tree is not None else []
            if name == "title":
                names = [n for n in names if n == "marking"]
                reason = "Word shows the marking in its header (reference.docx)"
            elif name in HTML_SECTIONS or name == "notes":  # notes: Word's own footnotes
                continue
            else:
                names = [n for n in names if n != _heading_block(name)]
                reason = f"Word builds section '{name}' itself (docs/word.md)"
            for block in names:
                out.append(
                    f"{set_file(path)}: block '{block}' is not in the Word edition: {reason}"
                )
    return out
