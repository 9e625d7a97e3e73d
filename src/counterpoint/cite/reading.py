"""Pandoc's formatted request read back: each note, each in-text citation, the bibliography.

The request (cite/request.py) put each note in a Div of its own id; the result is read by
those ids and by Pandoc's own bibliography Div (`refs`), through pandocjson's typed
readers, so an extra block or a moved bibliography changes nothing. What CSL lacks is
added here from the processor's own output: "A; <MARK> B" as the style joined two items
becomes "A, cited in B".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from babel.support import Translations
from markupsafe import Markup

from counterpoint.brief.i18n import DOMAIN, LOCALE_DIR
from counterpoint.brief.messages import N_
from counterpoint.cite import pandocjson
from counterpoint.cite.inlinehtml import html
from counterpoint.cite.locators import punctuation_in_quote
from counterpoint.cite.names import cjk_joiner, unmarked
from counterpoint.cite.pandocjson import ShapeError
from counterpoint.cite.request import HOST, MARK, NOTE, REFS, SEPARATOR_ID, Groups

CITED_IN = N_("cited in")
"""The words that join a source to the one it was read in: "A, cited in B" in a note, "Cited
in B" after a bibliography entry; each language's catalog translates them."""


@cache
def cited_in_words(locale: str) -> str:
    """CITED_IN in the language of a CSL locale: its catalog's words (uk-UA: "цит. за"),
    English without a catalog."""
    name = _catalog_of(locale)
    if name is None:
        return CITED_IN
    return str(Translations.load(str(LOCALE_DIR), [name], DOMAIN).gettext(CITED_IN))


def _catalog_of(locale: str) -> str | None:
    """The catalog for a locale's language: `ru` for ru-RU, `zh_Hans` for any Chinese (the
    one Chinese catalog), or None. Languages whose paper has no catalog of its own
    (brief/i18n.py, CATALOGS) may have one that translates only CITED_IN."""
    language = locale.replace("_", "-").split("-")[0].lower()
    found = sorted(p.parents[1].name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
    return next((n for n in found if n == language or n.startswith(language + "_")), None)


@dataclass
class Formatted:
    """What the processor made of one edition's citations."""

    notes: list[Markup]
    """Per citation, in order: the note's text (note styles; empty for in-text styles)."""
    in_text: list[Markup]
    """Per citation: what stands in the running text: an in-text style's citation, or the
    author of a narrative citation in a note style (else empty)."""
    bibliography: list[tuple[str, Markup]]
    """(source id, entry) in the style's order."""
    warnings: list[str] = field(default_factory=list)
    host_forms: dict[str, Markup] = field(default_factory=dict)
    """For each source another was read in: its short form, for "Cited in" in the bibliography."""


def read(
    data: dict[str, Any],
    count: int,
    hosts: list[str],
    locale: str,
    groups: Groups,
    what: str,
    ids: Sequence[str] = (),
) -> Formatted:
    """The notes, in-text citations and bibliography of Pandoc's result (`data["ast"]`, its
    JSON document), and the warnings of its log (`data["log"]`) worth passing on; `ids`,
    the items Pandoc was given; `what` (the style) names the result in an error."""
    blocks = pandocjson.blocks(data.get("ast"), what)
    try:
        formatted = _read(blocks, count, hosts, locale, groups)
        unprinted = set(ids) - {ident for ident, _ in formatted.bibliography}
        formatted.warnings = warnings(data.get("log"), unprinted)
    except ShapeError as exc:
        raise ShapeError(f"{what}: {exc}") from None
    return formatted


def warnings(log: Any, unprinted: set[str]) -> list[str]:
    """The warnings to pass on from Pandoc's log (its `--log` messages, as JSON), told
    apart by their type and fields, not their English: a CiteprocWarning whose subject
    (what follows its last colon) is an item the bibliography does not print is the
    style's rule (Chicago prints no entry for an encyclopedia, cited in notes only), or
    is about the request's own separator item; it is left out. Every other warning or
    error is passed on as Pandoc words it."""
    if not isinstance(log, list):
        raise ShapeError(f"expected Pandoc's log messages (a list), found {repr(log)[:60]}")
    out: list[str] = []
    for message in log:
        match message:
            case {"verbosity": "WARNING" | "ERROR", "type": str(kind), "pretty": str(pretty)}:
                if kind == "CiteprocWarning" and _subject(message) in unprinted | {SEPARATOR_ID}:
                    continue
                out.append(pretty)
            case {"verbosity": str(), "type": str()}:
                continue  # INFO: the files Pandoc loaded
            case _:
                raise ShapeError(f"expected a Pandoc log message, found {repr(message)[:60]}")
    return out


def _subject(message: dict[str, Any]) -> str:
    """The item a CiteprocWarning is about: citeproc's message is "...: ID" for an item."""
    text = message.get("message")
    return text.rpartition(": ")[2] if isinstance(text, str) and ": " in text else ""


def _read(
    blocks: list[Any], count: int, hosts: list[str], locale: str, groups: Groups
) -> Formatted:
    bibliography: list[tuple[str, Markup]] = []
    divs = pandocjson.by_id(blocks)
    refs = divs.get(REFS)
    for entry in refs.blocks if refs is not None else []:
        d = pandocjson.div(entry)
        if d is None or not d.ident.startswith("ref-"):
            raise ShapeError(f"expected a Div ref-KEY in the bibliography, found {_tag(entry)}")
        ident = d.ident.removeprefix("ref-")
        if ident == SEPARATOR_ID:
            continue
        text = cjk_joiner(unmarked(html(pandocjson.inlines(entry)).strip()), locale)
        if text:  # a style may print no entry for a type (Chicago: encyclopedias)
            bibliography.append((ident, Markup(text)))
    printed = {ident for ident, _ in bibliography}  # an in-text citation links to its entry
    notes: list[Markup] = [Markup("")] * count
    in_text: list[Markup] = [Markup("")] * count
    joiner = cited_in_words(locale)
    inside = punctuation_in_quote(locale)

    def written(inlines: list[Any]) -> Markup:
        return Markup(
            cjk_joiner(unmarked(_cited_in(html(inlines, printed), joiner, inside)), locale)
        )

    for n, (aside, indexes) in enumerate(groups):
        block = _part(divs, NOTE.format(n), f"note {n + 1} of {len(groups)}")
        if aside:  # a discursive note: each citation as the style writes it in a note
            cites = [_cited(c) for c in _note_inlines(block) if _tag(c) == "Cite"]
            for index, cite in zip(indexes, cites, strict=False):
                in_text[index] = written(cite)
        else:
            note, running = _cite_parts(block)
            notes[indexes[0]], in_text[indexes[0]] = written(note), written(running)
    host_forms: dict[str, Markup] = {}
    for n, host in enumerate(hosts):
        note, running = _cite_parts(_part(divs, HOST.format(n), f"the short form of {host}"))
        host_forms[host] = Markup(unmarked(html(running + note, printed).strip()))
    return Formatted(notes, in_text, bibliography, [], host_forms)


def _part(divs: dict[str, pandocjson.Div], ident: str, what: str) -> list[Any]:
    """The inlines of the request's Div `ident` in Pandoc's result."""
    found = divs.get(ident)
    if found is None:
        raise ShapeError(f"Pandoc's result has no Div with the id {ident} ({what}) the request had")
    return [i for b in found.blocks for i in pandocjson.inlines(b)]


def _cite_parts(inlines: list[Any]) -> tuple[list[Any], list[Any]]:
    """A paragraph holding one formatted citation: (the note's inlines, the running text's)."""
    note: list[Any] = []
    running: list[Any] = []
    for inline in inlines:
        if _tag(inline) == "Cite":
            for part in _cited(inline):
                if _tag(part) == "Note":
                    note += _note_text(part)
                else:
                    running.append(part)
        elif _tag(inline) == "Note":
            note += _note_text(inline)
    return note, running


def _note_text(inline: Any) -> list[Any]:
    match inline:
        case {"t": "Note", "c": list(blocks)}:
            return [i for b in blocks for i in pandocjson.inlines(b)]
    raise ShapeError(f"expected a Note element with blocks, found {repr(inline)[:60]}")


def _note_inlines(inlines: list[Any]) -> list[Any]:
    """The inlines of the notes among a paragraph's (a discursive note's text)."""
    return [i for inline in inlines if _tag(inline) == "Note" for i in _note_text(inline)]


def _cited(inline: Any) -> list[Any]:
    """The formatted text of a Cite element."""
    match inline:
        case {"t": "Cite", "c": [list(), list(text)]}:
            return text
    raise ShapeError(f"expected a Cite element [citations, inlines], found {repr(inline)[:60]}")


def _tag(node: Any) -> str | None:
    """The element's tag (`t`), or None for anything that is not an element."""
    return node.get("t") if isinstance(node, dict) else None


def _cited_in(text: str, joiner: str, inside: bool = False) -> str:
    """ "A; <MARK> B" as the style joined the two items becomes "A, cited in B". With
    `inside` (the locale's punctuation-in-quote, as in en-US) a comma after a closing
    quotation mark goes inside it, as the style's own notes put it: "“Title,” cited in";
    after a title's own question or exclamation mark there is none: "“Who Rules?” cited
    in"."""
    if MARK not in text:
        return text
    joined = re.sub(rf"\s*[;,]?\s*(?:</?span>)?\s*{MARK}\s*", f", {joiner} ", text)
    if inside:
        quoted = rf"([?!]?)([\u201d\"])((?:</[a-z]+>)*), {re.escape(joiner)} "
        joined = re.sub(quoted, lambda m: f"{m[1] or ','}{m[2]}{m[3]} {joiner} ", joined)
    return joined
