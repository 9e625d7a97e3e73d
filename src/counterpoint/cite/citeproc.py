"""The CSL processor: Pandoc's citeproc formats an edition's notes and bibliography.

counterpoint never formats a citation itself. For each edition it writes the citations, in
reading order, as a Pandoc Markdown document (one paragraph per citation, Pandoc's own
citation syntax), runs `pandoc --citeproc` once with the style, the locale and the cited
items, and reads the formatted notes (or in-text citations) and the bibliography back
from Pandoc's JSON. First, subsequent and ibid positions are Pandoc's, in the edition's
own reading order. Results are cached in the user's cache folder, keyed by everything
that goes into the run, so an edit that leaves the citations alone costs no Pandoc run.

What CSL lacks and counterpoint adds is built from the processor's output:

- `cited-in`: the cited source and the source it was read in are one citation, the second
  item marked; "A; B" as the style joins them becomes "A, cited in B".
- a bibliography entry of a source read through another ends "Cited in" and the other
  source's short form, also the processor's (a later citation of it).
"""

from __future__ import annotations

import hashlib
import html as html_module
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from counterpoint import usercache
from counterpoint.brief.csl import Style
from counterpoint.brief.model import Citation, SourceRecord
from counterpoint.cite import server as citeserver
from counterpoint.errors import BuildError, InvalidInput, Location, Problem
from counterpoint.process import pandoc

CACHE_VERSION = "2"
"""Part of every cache key: a change to how counterpoint runs Pandoc starts afresh."""

MARK = "\ue000"
"""Marks the source a cited-in item was read in (private use: never in a user's text)."""

SEPARATOR_ID = "\ue001counterpoint-separator"
"""A throwaway item cited between the bibliography's extra citations (so none is 'ibid')."""

CITED_IN = {
    "en": "cited in",
    "fr": "cité dans",
    "de": "zitiert in",
    "es": "citado en",
    "it": "citato in",
    "pt": "citado em",
    "nl": "geciteerd in",
    "ru": "цит. по",
    "uk": "цит. за",
    "pl": "cyt. za",
    "zh": "转引自",
    "ja": "引用元",
    "ko": "재인용",
    "ar": "مقتبس في",
    "fa": "به نقل از",
    "he": "מצוטט אצל",
    "tr": "aktaran",
}
"""The words that join a source to the one it was read in, by language."""


def cited_in_words(locale: str) -> str:
    language = locale.split("-")[0].lower()
    return CITED_IN.get(language, CITED_IN["en"])


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


@cache
def _locator_terms() -> dict[str, Any]:
    """Every CSL locale's locator terms as Pandoc reads them (tools/make_locator_terms.py)."""
    path = Path(__file__).with_name("locator_terms.json")
    terms: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return terms


def _locale_terms(locale: str) -> dict[str, list[str]] | None:
    """The locator terms of the CSL locale Pandoc uses for `locale` (uk: uk-UA)."""
    name = csl_locale(locale)
    return dict(_locator_terms()[name]) if name else None


def csl_locale(locale: str) -> str:
    """The CSL locale Pandoc uses for a language tag (uk: uk-UA, en: en-US), or ""."""
    table = {k for k, v in _locator_terms().items() if isinstance(v, dict) and k != "english"}
    parts = locale.replace("_", "-").split("-")
    language = parts[0].lower()
    if locale in table:
        return locale
    region = next((p.upper() for p in parts[1:] if len(p) == 2), "")
    script = next((p.title() for p in parts[1:] if len(p) == 4), "")
    preferred = {"en": "en-US", "pt": "pt-PT", "zh": "zh-TW" if script == "Hant" else "zh-CN"}
    for candidate in (
        f"{language}-{region}",
        preferred.get(language, ""),
        f"{language}-{language.upper()}",
        language,
        *sorted(k for k in table if k.startswith(language + "-")),
    ):
        if candidate in table:
            return candidate
    return ""


def localize_locator(suffix: str, locale: str, pages_only: bool = False) -> str:
    """A citation's suffix with its English locator label ("p. 7", "paras. 4-6") in the
    locale's own term ("с. 7" in Ukrainian), so that Pandoc, which reads a label only in
    the locale's terms, reads it as a locator in every language (docs/format.md). A label
    the locale reads already, and a suffix with no English label, stay as written.
    `pages_only`: for a style that prints no locator's label (GB/T 7714), which drops a
    locator that is not a page or prints it bare, as a page: another label stays text."""
    m = _english_label().match(suffix)
    if m is None:
        return suffix
    terms = _locale_terms(locale)
    term, plural = _locator_terms()["english"][m["label"]]
    if pages_only and term != "page":
        return suffix
    forms = terms.get(term) if terms else None
    if not forms or m["label"] in forms:
        return suffix
    rest = suffix[m.end("label") :]
    return m["lead"] + forms[1 if plural else 0] + ("" if rest[:1].isspace() else " ") + rest


@cache
def _english_label() -> re.Pattern[str]:
    # a label with letters: signs (§, ¶) are read in every locale, each as its own term
    labels = sorted(
        (label for label in _locator_terms()["english"] if re.search(r"[^\W\d_]", label)),
        key=len,
        reverse=True,
    )
    alternatives = "|".join(re.escape(label) for label in labels)
    # a label ends at a space, or (ending in a stop or a sign: "p.7", "§4") at the number
    return re.compile(rf"(?P<lead>\s*,?\s*)(?P<label>{alternatives})(?=\s|(?<=\W)\w)")


def _key(key: str) -> str:
    return "@{" + key + "}"


def _clean(text: str) -> str:
    return text.replace(MARK, "").replace("\n", " ")


Groups = list[tuple[bool, list[int]]]
"""An edition's notes in order: (a discursive note?, the indexes of its citations)."""


def document(
    sources: dict[str, SourceRecord],
    citations: Sequence[Citation],
    notes: bool,
    locale: str = "en-US",
    groups: Groups | None = None,
    pages_only: bool = False,
) -> tuple[str, list[str]]:
    """The Markdown document Pandoc formats, and the hosts whose short form is asked for;
    locator labels in the locale's terms (localize_locator). A paragraph per note: a
    citation, or a discursive note (`^[...]`) with the citations it holds, so that Pandoc
    numbers and positions (ibid, subsequent) them as the reader meets them."""
    hosts: dict[str, None] = {}
    written = [_citation(sources, cite, locale, hosts, pages_only) for cite in citations]
    paragraphs: list[str] = []
    for aside, indexes in groups if groups is not None else _plain_groups(len(citations)):
        if aside:
            paragraphs.append("^[" + (" ".join(written[i] for i in indexes) or "-") + "]")
        else:
            paragraphs.append(written[indexes[0]])
    extras = sorted(hosts)
    for host in extras:
        paragraphs.append(f"[{_key(SEPARATOR_ID)}]")
        paragraphs.append(f"[{_key(host)}]" if notes else _key(host))
    return "\n\n".join(paragraphs) + "\n", extras


def _plain_groups(count: int) -> Groups:
    return [(False, [i]) for i in range(count)]


def _citation(
    sources: dict[str, SourceRecord],
    cite: Citation,
    locale: str,
    hosts: dict[str, None],
    pages_only: bool = False,
) -> str:
    """One citation in Pandoc's Markdown."""
    items = cite.items
    if len(items) == 1 and items[0].mode == "author-in-text" and not _host(sources, items[0].key):
        item = items[0]
        suffix = localize_locator(_clean(item.suffix).lstrip(", ").strip(), locale, pages_only)
        return _key(item.key) + (f" [{suffix}]" if suffix else "")
    parts = []
    for item in items:
        prefix = _clean(item.prefix)
        dash = "-" if item.mode == "suppress-author" else ""
        head = f"{prefix} {dash}{_key(item.key)}".strip()
        host = _host(sources, item.key)
        suffix = localize_locator(_clean(item.suffix), locale, pages_only)
        if host:
            hosts[host] = None
            # the locator points into the source read: it goes with the host
            parts.append(head)
            parts.append(f"{MARK} {_key(host)}{suffix}")
        else:
            parts.append(head + suffix)
    return "[" + "; ".join(parts) + "]"


def _host(sources: dict[str, SourceRecord], key: str) -> str:
    host = sources[key].cited_in
    return host if host and host in sources and host != key else ""


def _items(sources: dict[str, SourceRecord], citations: Sequence[Citation]) -> list[dict[str, Any]]:
    keys: set[str] = set()
    for cite in citations:
        for item in cite.items:
            keys.add(item.key)
            host = _host(sources, item.key)
            if host:
                keys.add(host)
    items = [_handed(sources[k].csl or {"id": k, "type": sources[k].type}) for k in sorted(keys)]
    if any(_host(sources, k) for k in keys):
        items.append({"id": SEPARATOR_ID, "type": "document", "title": "-"})
    return items


_CJK = (
    "\u2e80-\u2fdf\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\uac00-\ud7af\U00020000-\U0003134f"
)
_CJK_NAME = re.compile(f"[{_CJK}]+")


_ROMANESQUE = re.compile(
    "[-0-9a-zA-Z\u0e01-\u0e5b\u00c0-\u017f\u0370-\u03ff\u0400-\u052f\u0590-\u05d4"
    "\u05d6-\u05ff\u1f00-\u1fff\u0600-\u06ff\u200c-\u200e\u2018\u2019\u021a\u021b"
    "\u202a-\u202e]"
)
"""The characters for which Pandoc's citeproc (after citeproc-js) orders a name the Western
way, "Given Family" and "Family, Given"; any other name it sets family first, no space."""

_NON_JOINER = "\u200c"
_WORD_JOINER = "\u2060"
_INITIAL_STOP = re.compile(
    "\u2060\\.(?=[,;]|\\s+(?:(?:and|et|und|y|e|i|и|&)(?!\\w)|[と和及与](?=\\s)|(?:ほか|等)(?!\\w)))"
)
"""The period a style's initials put after a CJK given name (APA, IEEE: "陈立., & 赵欣."),
before a comma or the next name; a period that ends the names ("山本健. (2021)") stays."""


def _handed(item: dict[str, Any]) -> dict[str, Any]:
    """The item as Pandoc gets it: a name written in Han, Kana or Hangul (`{family: 陈,
    given: 立}`) has a word joiner after its given name. Pandoc's citeproc takes a given
    name of one such character for an initial and gives it a stray period in Chicago
    ("陈立. and 赵欣.,"); the joiner stops that, and marks the period a style's
    initials add (APA, IEEE: "陈立., & 赵欣.") for `_unmarked` to take away. The name
    stays a family and a given name, so short notes and in-text citations name the
    family, as the style's manual asks ("陈 and 赵", "(陈 & 赵, 2024)").

    A name in a script that spaces its names but that citeproc does not count as Western
    (Devanagari, Bengali, Tamil, Ethiopic, Georgian...) would come out glued, family first
    ("शर्माविवेक"): its family name ends in an invisible zero-width non-joiner, one of
    citeproc's Western characters, so it reads "विवेक शर्मा" and sorts "शर्मा, विवेक"."""
    out = item
    for key, names in item.items():
        if not isinstance(names, list) or not any(_cjk(n) or _glued(n) for n in names):
            continue
        if out is item:
            out = dict(item)
        out[key] = [
            {**n, "given": n["given"] + _WORD_JOINER}
            if _cjk(n)
            else {**n, "family": n["family"] + _NON_JOINER}
            if _glued(n)
            else n
            for n in names
        ]
    return out


_MARKER = re.compile(
    "(?<![\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff])\u200c"
    '(?=[\\s,.;:)\\]\u201d\u2019"\u00bb<]|$)'
)


def _unmarked(text: str) -> str:
    """Pandoc's output without the non-joiners `_handed` put after family names (a
    Persian non-joiner, between Arabic letters, stays) and the word joiners it put after
    CJK given names, with the periods of initials after them."""
    if _WORD_JOINER in text:
        text = _INITIAL_STOP.sub("", text).replace(_WORD_JOINER, "")
    return _MARKER.sub("", text) if _NON_JOINER in text else text


def _glued(name: Any) -> bool:
    """True for a name with a family name in a script citeproc would set family first with
    no space, though its people space their names (not Han, Kana or Hangul)."""
    if not isinstance(name, dict) or not isinstance(name.get("family"), str):
        return False
    family = name["family"]
    letters = [c for c in family if c.isalpha()]
    return (
        bool(letters)
        and not _ROMANESQUE.search(family)
        and not any(_CJK_NAME.fullmatch(c) for c in letters)
    )


def _cjk(name: Any) -> bool:
    """True for a CSL name with a family and given name in CJK scripts, nothing else."""
    return (
        isinstance(name, dict)
        and {"family", "given"} <= name.keys() <= {"family", "given", "parse-names"}
        and all(
            isinstance(name[k], str) and _CJK_NAME.fullmatch(name[k]) for k in ("family", "given")
        )
    )


_CJK_AND = re.compile(f"(?<=[{_CJK}])(?:,\\s*|\\s+)(和|と|及|与)\\s+(?=[{_CJK}])")
"""The locale's "and" between two CJK names, with the spaces Pandoc puts around it."""


def _cjk_joiner(text: str, locale: str) -> str:
    """In Chinese and Japanese, "陈立 和 赵欣" is "陈立和赵欣": no spaces around the joiner."""
    if locale.split("-")[0].lower() not in ("zh", "ja"):
        return text
    return _CJK_AND.sub(r"\1", text)


class Pending:
    """A Pandoc run under way (or a result from the cache), so a build can do other work
    while Pandoc formats."""

    def __init__(
        self,
        markdown: str,
        items: list[dict[str, Any]],
        hosts: list[str],
        count: int,
        style: Style,
        locale: str,
        groups: Groups | None = None,
        where: Sequence[Location | None] = (),
    ):
        self.count, self.hosts, self.style, self.locale = count, hosts, style, locale
        self.groups = groups if groups is not None else _plain_groups(count)
        self.where = where  # each item's record, to locate what Pandoc cannot read in it
        self.ids = [str(i.get("id", "")) for i in items]
        self.stdin = markdown.encode("utf-8")
        refs = json.dumps(items, ensure_ascii=False, sort_keys=True).encode("utf-8")
        link = not style.notes  # in-text citations link to their entries
        options = citeserver.options(locale, link)
        key = hashlib.sha256()  # everything the run depends on (the refs file's name aside)
        for part in (pandoc.identity(), style.digest, CACHE_VERSION, *options):
            key.update(part.encode() + b"\0")
        key.update(refs + b"\0")
        key.update(self.stdin)
        self.cache_file = _cache_folder() / f"{key.hexdigest()}.json"
        self.process: Any = None
        self.cached: dict[str, Any] | None = None
        self.job = (self.stdin, refs, style.xml, locale, link, style.what)
        cached = usercache.read_json(self.cache_file)
        self.cached = cached if isinstance(cached, dict) else None
        if self.cached is None and count:
            # formatted while the build goes on, by the warm server if it runs (citeserver)
            self.process = citeserver.Job(*self.job)

    def result(self) -> Formatted:
        if self.count == 0:
            return Formatted([], [], [])
        if self.cached is not None:
            try:
                return _read(self.cached, self.count, self.hosts, self.locale, self.groups)
            except (KeyError, IndexError, TypeError, ValueError, AttributeError):
                # an entry of another shape (an older counterpoint's): format again
                self.process = citeserver.Job(*self.job)
        try:
            ran = self.process.result()
        except pandoc.PandocError as exc:
            raise _record_error(exc, self.where) from None
        try:
            ast = json.loads(ran.stdout)
        except RecursionError:  # Python's reader stops a few hundred levels down
            raise _too_deep(ran.stdout, self.ids, self.where, self.style) from None
        self.cached = {"ast": ast, "warnings": ran.warnings}
        usercache.write_json(self.cache_file, self.cached)
        return _read(self.cached, self.count, self.hosts, self.locale, self.groups)


def pending(
    sources: dict[str, SourceRecord],
    citations: Sequence[Citation],
    style: Style,
    locale: str,
    groups: Groups | None = None,
) -> Pending:
    """Start formatting (or take the result from the cache); `.result()` waits for it.
    `groups`: the edition's notes (a note style's discursive notes among them)."""
    _check_marks(citations)
    markdown, hosts = document(
        sources, citations, style.notes, locale, groups, pages_only=not style.labels_locators
    )
    items = _items(sources, citations)
    where = [sources[i["id"]].where if i["id"] in sources else None for i in items]
    return Pending(markdown, items, hosts, len(citations), style, locale, groups, where)


_REFS_ERROR = re.compile(
    r"Error reading bibliography file \S*refs\.json: Error in \$\[(\d+)\](\S*): "
)


def _record_error(exc: pandoc.PandocError, where: Sequence[Location | None]) -> Exception:
    """A record Pandoc cannot read, located in the user's file (not the run's refs.json)."""
    text = " ".join(line.strip() for line in exc.lines)
    m = _REFS_ERROR.search(text)
    at = where[int(m[1])] if m and int(m[1]) < len(where) else None
    if m is None or at is None:
        return exc
    detail = text[m.end() :].strip()
    field = f" (at {m[2]})" if m[2] else ""
    message = f"Pandoc's citeproc cannot read this record{field}: {detail}"
    return InvalidInput([Problem(at, message)])


MAX_CITATION_MARKS = 200
"""Quotation marks, emphasis marks and brackets in the text around one source of a
citation (`[see "x" @a, p. 4]`): each may open a level of Pandoc's result (_too_deep)."""
_MARKS = re.compile("[*_\"'\u2018\u2019\u201c\u201d\u00ab\u00bb\\[\\]^~]")


def _check_marks(citations: Sequence[Citation]) -> None:
    """Refuse, at the citation, text around a source marked up or quoted hundreds of
    times, which Pandoc would nest too deep for its result to be read."""
    for cite in citations:
        for item in cite.items:
            marks = len(_MARKS.findall(item.prefix + item.suffix))
            if marks > MAX_CITATION_MARKS:
                raise InvalidInput(
                    [
                        Problem(
                            cite.where,
                            f"the citation's text around @{item.key} has {marks:,} quotation "
                            "marks, emphasis marks and brackets, over the limit of "
                            f"{MAX_CITATION_MARKS}; a citation's prefix and locator are short",
                        )
                    ]
                )


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_CITATION_ID = re.compile(r'"citationId":("(?:[^"\\]|\\.)*")')


def _too_deep(
    out: bytes, ids: Sequence[str], where: Sequence[Location | None], style: Style
) -> Exception:
    """Pandoc's result nests deeper than Python reads JSON: text in a record (or in the
    brief's citation) nests markup or quotation marks hundreds deep. Located at the records
    of the citation, or the bibliography entry, where it does."""
    text = out.decode("utf-8", "replace")
    depth = deepest = at = 0
    for m in _JSON_TOKEN.finditer(text):
        if m[0] in "[{":
            depth += 1
            if depth > deepest:
                deepest, at = depth, m.start()
        elif m[0] in "]}":
            depth -= 1
    cite, entry = text.rfind('{"t":"Cite"', 0, at), text.rfind('"ref-', 0, at)
    if entry > cite:
        named = re.match(r'"ref-((?:[^"\\]|\\.)*)"', text[entry:])
        keys = [json.loads(f'"{named[1]}"')] if named else []
    else:
        keys = [json.loads(k) for k in _CITATION_ID.findall(text, max(cite, 0), at)]
    message = (
        "its text nests markup or quotation marks too deep: Pandoc's formatted citation is "
        f"{deepest:,} levels deep, and counterpoint reads a few hundred at most"
    )
    located = [where[ids.index(k)] for k in dict.fromkeys(keys) if k in ids]
    problems = [Problem(w, message) for w in located if w is not None]
    if problems:
        return InvalidInput(problems)
    return BuildError(
        f"{style.what}: Pandoc's formatted citations nest {deepest:,} levels deep (markup or "
        "quotation marks in a citation or a record), and counterpoint reads a few hundred at most"
    )


def _cache_folder() -> Path:
    return Path(usercache.user_cache_dir("citeproc"))


def _read(
    data: dict[str, Any], count: int, hosts: list[str], locale: str, groups: Groups
) -> Formatted:
    blocks = data["ast"]["blocks"]
    paragraphs = len(groups)
    bibliography: list[tuple[str, Markup]] = []
    for block in blocks[paragraphs + 2 * len(hosts) :]:
        if block["t"] == "Div" and block["c"][0][0] == "refs":
            for entry in block["c"][1]:
                ident = entry["c"][0][0].removeprefix("ref-")
                if ident == SEPARATOR_ID:
                    continue
                inlines = [i for b in entry["c"][1] for i in _block_inlines(b)]
                text = _cjk_joiner(_unmarked(html(inlines).strip()), locale)
                if text:  # a style may print no entry for a type (Chicago: encyclopedias)
                    bibliography.append((ident, Markup(text)))
    printed = {ident for ident, _ in bibliography}  # an in-text citation links to its entry
    notes: list[Markup] = [Markup("")] * count
    in_text: list[Markup] = [Markup("")] * count
    joiner = cited_in_words(locale)
    inside = csl_locale(locale) in _locator_terms()["punctuation-in-quote"]

    def written(inlines: list[Any]) -> Markup:
        return Markup(
            _cjk_joiner(_unmarked(_cited_in(html(inlines, printed), joiner, inside)), locale)
        )

    for block, (aside, indexes) in zip(blocks[:paragraphs], groups, strict=True):
        if aside:  # a discursive note: each citation as the style writes it in a note
            cites = [i for i in _note_inlines(block) if i["t"] == "Cite"]
            for index, cite in zip(indexes, cites, strict=False):
                in_text[index] = written(cite["c"][1])
        else:
            note, running = _cite_parts(block)
            notes[indexes[0]], in_text[indexes[0]] = written(note), written(running)
    host_forms: dict[str, Markup] = {}
    for i, host in enumerate(hosts):
        note, running = _cite_parts(blocks[paragraphs + 2 * i + 1])
        host_forms[host] = Markup(_unmarked(html(running + note, printed).strip()))
    # a style may print no bibliography entry for a type (Chicago: encyclopedias, which
    # are cited in notes only); that is the style's rule, not a problem to report
    warnings = [
        w
        for w in data.get("warnings", [])
        if SEPARATOR_ID not in w and "Bibliography entry with no printed form" not in w
    ]
    return Formatted(notes, in_text, bibliography, warnings, host_forms)


def _cite_parts(block: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    """A paragraph holding one formatted citation: (the note's inlines, the running text's)."""
    note: list[Any] = []
    running: list[Any] = []
    for inline in _block_inlines(block):
        if inline["t"] == "Cite":
            for part in inline["c"][1]:
                if part["t"] == "Note":
                    note += [i for b in part["c"] for i in _block_inlines(b)]
                else:
                    running.append(part)
        elif inline["t"] == "Note":
            note += [i for b in inline["c"] for i in _block_inlines(b)]
    return note, running


def _note_inlines(block: dict[str, Any]) -> list[Any]:
    """The inlines of the notes in a paragraph (a discursive note's text)."""
    return [
        i
        for inline in _block_inlines(block)
        if inline["t"] == "Note"
        for b in inline["c"]
        for i in _block_inlines(b)
    ]


def _block_inlines(block: dict[str, Any]) -> list[Any]:
    if block["t"] in ("Para", "Plain"):
        return list(block["c"])
    if block["t"] == "Div":
        return [i for b in block["c"][1] for i in _block_inlines(b)]
    return []


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


# -- Pandoc's inline elements as HTML ------------------------------------------------------
_TAGS = {
    "Emph": "em",
    "Strong": "strong",
    "Underline": "u",
    "Strikeout": "s",
    "Superscript": "sup",
    "Subscript": "sub",
}


def html(inlines: list[Any], entries: set[str] | None = None) -> str:
    """HTML for Pandoc inline elements, escaped; only http(s), DOI and in-page links live,
    the in-page ones only to `entries` (the sources with a printed entry) when given."""
    out: list[str] = []
    for inline in inlines:
        t = inline["t"]
        c = inline.get("c")
        if t == "Str":
            out.append(str(escape(c)))
        elif t in ("Space", "SoftBreak"):
            out.append(" ")
        elif t == "LineBreak":
            out.append("<br>")
        elif t in _TAGS:
            out.append(f"<{_TAGS[t]}>{html(c, entries)}</{_TAGS[t]}>")
        elif t == "SmallCaps":
            out.append(f'<span class="smallcaps">{html(c, entries)}</span>')
        elif t == "Quoted":
            left, right = (
                ("\u201c", "\u201d") if c[0]["t"] == "DoubleQuote" else ("\u2018", "\u2019")
            )
            out.append(left + html(c[1], entries) + right)
        elif t == "Span":
            classes = [k for k in c[0][1] if k.startswith("csl-") or k in ("nocase", "smallcaps")]
            inner = html(c[1], entries)
            out.append(f'<span class="{" ".join(classes)}">{inner}</span>' if classes else inner)
        elif t == "Link":
            out.append(_link(c[2][0], html(c[1], entries), entries))
        elif t in ("Code", "Math"):
            out.append(str(escape(c[1])))
        elif t == "Cite":
            out.append(html(c[1], entries))
        elif t == "Note":
            continue
        # RawInline and anything unknown: dropped (never markup from a source record)
    return "".join(out)


_OTHER_SCHEME = re.compile(r"^(?!https?:)[A-Za-z][A-Za-z0-9+.-]*:(?!//)")


def _link(target: str, text: str, entries: set[str] | None = None) -> str:
    """A live link for http(s) addresses and in-page references only. Pandoc turns a URL
    without http(s) into https://...; if the text shows another scheme (javascript:), the
    address stays text."""
    if target.startswith("#ref-"):
        if entries is not None and target[5:] not in entries:
            return text  # the style prints no entry for it: no link to nowhere
        return f'<a href="#src-{escape(target[5:])}">{text}</a>'
    shown = html_module.unescape(re.sub(r"<[^>]*>", "", text)).strip()
    if target.startswith(("https://", "http://")) and not _OTHER_SCHEME.match(shown):
        return f'<a class="url" href="{escape(target)}">{text}</a>'
    return text
