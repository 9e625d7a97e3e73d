"""An edition planned: the set, options and CSL style an audience's edition of a brief
takes, its citations started, and the warning for an option its style cannot apply."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from counterpoint.brief.csl import Style
from counterpoint.brief.model import Brief, Date
from counterpoint.cite.resolve import Resolved, Resolving, start
from counterpoint.errors import BuildError, InvalidInput, Location, Problem, display_path
from counterpoint.process.worker import Worker
from counterpoint.render.templates import TemplateSet


@dataclasses.dataclass
class Settings:
    """The build choices that hold for every edition of a brief."""

    out: Path
    formats: list[str]
    allow_remote: bool
    today: Date | None
    strict: bool
    pdf_variant: str | None
    memory_limit: int | None = None
    worker: Worker | None = None


@dataclasses.dataclass
class Planned:
    """One audience's edition as planned: its set and options, its citations being formatted
    (publish.writers.Edition is the edition made of it, resolved and audited)."""

    brief: Brief
    tset: TemplateSet
    audience: str
    options: dict[str, Any]
    resolving: Resolving
    formats: list[str] | None = None  # the formats to write (None: every one asked for)


def plan(brief: Brief, tset: TemplateSet, audience: str, settings: Settings) -> Planned:
    """Choose what an edition shows and start the CSL processor on its citations."""
    options = {**tset.options, **brief.audiences.get(audience, {})}
    if "judgments" in options:  # the brief (or set) asks for the first N judgments only
        brief = dataclasses.replace(brief, judgments=brief.judgments[: int(options["judgments"])])
    if options.get("short_forms"):  # a thesis or judgment in its author's short form
        brief = dataclasses.replace(
            brief,
            views=[dataclasses.replace(v, thesis=v.short or v.thesis) for v in brief.views],
            judgments=[dataclasses.replace(j, text=j.short or j.text) for j in brief.judgments],
        )
    sections = tset.sections
    if options.get("hide_internal"):  # the public edition leaves out what the brief marks internal
        sections = [s for s in sections if s not in brief.internal]
    endnotes = options.get("notes") == "endnotes"  # (resolve.start adds the notes' list)
    style = style_of(brief, tset)
    resolving = start(brief, sections, settings.today, style, endnotes=endnotes)
    return Planned(brief, tset, audience, options, resolving)


def style_of(brief: Brief, tset: TemplateSet) -> Style:
    """The edition's CSL style: the brief's `csl:`, else its template set's, else the
    default for the brief's language (Chicago; GB/T 7714-2015 notes for Chinese)."""
    from counterpoint.brief import csl

    spec = brief.csl
    if spec:  # validate has found it already (unless it has changed since)
        try:
            return csl.find(str(spec), [brief.path.parent])
        except csl.StyleError as exc:
            where = exc.where or Location(str(brief.path))
            raise InvalidInput([Problem(where, str(exc), "csl")]) from None
    for s in tset.chain:
        if s.csl:
            try:
                return csl.find(s.csl, [s.folder])
            except csl.StyleError as exc:
                if exc.where:  # a mistake inside the set's .csl file: located there
                    raise InvalidInput([Problem(exc.where, str(exc), "csl")]) from None
                raise BuildError(f"template set '{s.name}': csl: {exc}") from None
    return csl.default_for(brief.language)


def unused_options(edition: Planned, doc: Resolved) -> list[str]:
    """A located warning for an option the edition's style cannot apply: `notes:
    endnotes` in an in-text style (APA) whose edition has no discursive notes (`^[...]`),
    the only notes such a style has."""
    if not (doc.endnotes and doc.style is not None and doc.style.in_text):
        return []
    if any(n.aside is not None for n in doc.notes):
        return []
    brief, audience = edition.brief, edition.audience
    if "notes" in brief.audiences.get(audience, {}):
        where, key = option_line(brief.path, audience), f"audiences.{audience}.notes"
    else:
        owner = next(
            (s for s in edition.tset.chain if s.notes or "notes" in s.own_options), edition.tset
        )
        where, key = option_line(owner.folder / "manifest.yaml", ""), "notes"
    return [
        f"{where}: {key}: endnotes cannot apply: style '{doc.style.name}' cites in the text, "
        "and this edition has no discursive notes (^[...]) to gather at the end"
    ]


def option_line(path: Path, audience: str) -> str:
    """'file:line:col' of the `notes: endnotes` a brief (under `audiences: {audience:}`)
    or a manifest sets, or the file alone."""
    import re

    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return display_path(path)
    start = 0
    if audience:
        m = re.search(rf"^\s*{re.escape(audience)}\s*:", text, re.M)
        start = m.end() if m else 0
    m = re.compile(r"(?<![\w-])notes\s*:\s*[\"']?endnotes", re.M).search(text, start)
    if m is None:
        return display_path(path)
    line = text.count("\n", 0, m.start()) + 1
    col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
    return f"{display_path(path)}:{line}:{col}"
