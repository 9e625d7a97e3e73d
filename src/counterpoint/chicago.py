"""Chicago notes-bibliography formatting of source records: full notes, short notes, entries."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from .model import Name, SourceRecord

# Titles set in italics (whole works); other titles are quoted (parts of works).
ITALIC_TITLE = {
    "book", "report", "thesis", "classic", "collection", "dataset", "map", "motion_picture",
    "musical_score", "pamphlet", "periodical", "software", "standard", "graphic", "broadcast",
}  # fmt: skip
# Types whose container (journal, outlet, blog) is italic.
ITALIC_CONTAINER = {
    "article", "article-journal", "article-magazine", "article-newspaper", "post-weblog",
    "chapter", "entry-encyclopedia", "entry-dictionary", "paper-conference", "review",
    "review-book", "broadcast", "post",
}  # fmt: skip
BOOKLIKE = {"book", "report", "thesis", "classic", "collection", "pamphlet", "standard"}


class _Part:
    """One element of a note; quoted titles take the following comma inside the quotes."""

    def __init__(self, html: str, quoted: bool = False):
        self.html = html
        self.quoted = quoted


def _join(parts: list[_Part], end: str = ".") -> Markup:
    out = []
    for i, part in enumerate(parts):
        punct = end if i == len(parts) - 1 else ","
        if part.quoted:
            out.append(f"\u201c{part.html}{punct}\u201d")
        elif part.html.endswith((".", "?", "!")) and punct == ".":
            out.append(part.html)
        else:
            out.append(part.html + punct)
    return Markup(" ".join(out))


def _name_first(n: Name) -> str:
    if n.literal:
        return n.literal
    return " ".join(p for p in (n.given, n.particle, n.family) if p) + (
        f", {n.suffix}" if n.suffix else ""
    )


def _name_inverted(n: Name) -> str:
    if n.literal:
        return n.literal
    family = " ".join(p for p in (n.particle, n.family) if p)
    rest = ", ".join(p for p in (n.given, n.suffix) if p)
    return f"{family}, {rest}" if rest else family


def _and(items: list[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + ", and " + items[-1]


def names_note(names: list[Name]) -> str:
    """Irina Petrova; Irina Petrova and Wei Lin; A, B, and C; four or more: A et al."""
    if len(names) > 3:
        return f"{_name_first(names[0])} et al."
    return _and([_name_first(n) for n in names])


def names_short(names: list[Name]) -> str:
    fams = [n.literal or " ".join(p for p in (n.particle, n.family) if p) for n in names]
    if len(fams) > 3:
        return f"{fams[0]} et al."
    return _and(fams)


def names_bib(names: list[Name]) -> str:
    """Petrova, Irina, Wei Lin, and Anna Kim (first name inverted); more than ten: seven et al."""
    if len(names) > 10:
        names = names[:7]
        listed = [_name_inverted(names[0])] + [_name_first(n) for n in names[1:]]
        return ", ".join(listed) + ", et al"
    listed = [_name_inverted(names[0])] + [_name_first(n) for n in names[1:]]
    if len(listed) == 2:
        return f"{listed[0]}, and {listed[1]}"
    return _and(listed)


def short_title(src: SourceRecord) -> str:
    """The `title-short` field, or the main title cut at a colon and to four words."""
    given = src.extra.get("title-short") or src.extra.get("shortTitle")
    if isinstance(given, str) and given.strip():
        return given.strip()
    title = re.split(r"[:?!]\s", src.title, maxsplit=1)[0].strip()
    words = title.split()
    if len(words) > 4:
        words = words[:4]
        while len(words) > 1 and words[-1].lower().strip(",;") in _MINOR_WORDS:
            words.pop()
        title = " ".join(words)
    return title.rstrip(",;.")


_MINOR_WORDS = set(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "but",
        "by",
        "for",
        "from",
        "in",
        "into",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
    ]
)


def _title(src: SourceRecord, text: str) -> _Part:
    if src.type in ITALIC_TITLE:
        return _Part(f"<cite>{escape(text)}</cite>")
    return _Part(str(escape(text)), quoted=True)


def _container(src: SourceRecord) -> str:
    c = str(escape(src.container_title))
    return f"<cite>{c}</cite>" if src.type in ITALIC_CONTAINER else c


def _url(src: SourceRecord) -> str:
    u = escape(src.url)
    return f'<a class="url" href="{u}">{u}</a>'


def _locator(locator: str) -> str:
    return str(escape(locator))


def _who(src: SourceRecord) -> str:
    if src.author:
        return str(escape(names_note(src.author)))
    if src.editor:
        return str(escape(names_note(src.editor))) + (", eds." if len(src.editor) > 1 else ", ed.")
    return ""


def full_parts(src: SourceRecord, locator: str = "") -> list[_Part]:
    parts: list[_Part] = []
    who = _who(src)
    if who:
        parts.append(_Part(who))
    if src.type in BOOKLIKE:
        facts = ", ".join(
            str(escape(x)) for x in (src.publisher, src.issued.long() if src.issued else "") if x
        )
        title = _title(src, src.title)
        if facts:
            title = _Part(title.html if not title.quoted else f"\u201c{title.html}\u201d")
            title.html += f" ({facts})"
        parts.append(title)
    else:
        parts.append(_title(src, src.title))
        if src.container_title:
            parts.append(_Part(_container(src)))
        if src.publisher and src.publisher != src.container_title:
            parts.append(_Part(str(escape(src.publisher))))
        if src.issued:
            parts.append(_Part(src.issued.long()))
    if locator:
        parts.append(_Part(_locator(locator)))
    if src.url and not locator:
        parts.append(_Part(_url(src)))
    return parts


def short_parts(src: SourceRecord, locator: str = "") -> list[_Part]:
    parts: list[_Part] = []
    who = names_short(src.author or src.editor)
    if who:
        parts.append(_Part(str(escape(who))))
    parts.append(_title(src, short_title(src)))
    if locator:
        parts.append(_Part(_locator(locator)))
    return parts


class NoteWriter:
    """Writes notes in order: a source's first note is full, later ones short."""

    def __init__(self, sources: dict[str, SourceRecord]):
        self.sources = sources
        self.seen: set[str] = set()

    def _parts(self, key: str, locator: str) -> list[_Part]:
        src = self.sources[key]
        parts = short_parts(src, locator) if key in self.seen else full_parts(src, locator)
        self.seen.add(key)
        return parts

    def item(self, key: str, locator: str = "", prefix: str = "") -> Markup:
        """One source of a note, without the final period's capital-letter concerns."""
        src = self.sources[key]
        if src.cited_in and src.cited_in in self.sources:
            # we read the host, not the secondary source: the locator points into the host
            parts = self._parts(key, "")
            host = self._parts(src.cited_in, locator)
            tail = _join(host, "")
            body = _join(parts, ",") + Markup(" cited in ") + tail
        else:
            body = _join(self._parts(key, locator), "")
        if prefix:
            body = escape(prefix) + Markup(" ") + body
        return Markup(body)

    def note(self, items: list[tuple[str, str, str]]) -> Markup:
        """A whole note for one citation: items (key, locator, prefix) joined by semicolons."""
        bodies = [self.item(k, loc, pre) for k, loc, pre in items]
        text = Markup("; ").join(bodies)
        if not str(text).endswith((".", "\u201d")):
            text += Markup(".")
        elif str(text).endswith("\u201d") and not str(text).endswith(
            (".\u201d", "?\u201d", "!\u201d")
        ):
            text = Markup(str(text)[:-1] + ".\u201d")
        return _capitalise(text)


def _capitalise(html: Markup) -> Markup:
    s = str(html)
    m = re.match(r"^((?:<[^>]+>|\u201c)*)([a-z])", s)
    if m:
        s = s[: m.end(1)] + m[2].upper() + s[m.end(2) :]
    return Markup(s)


def bibliography_entry(src: SourceRecord, sources: dict[str, SourceRecord]) -> Markup:
    """Petrova, Irina. “Title.” <cite>Outlet</cite>, Month Day, Year. URL."""
    parts: list[str] = []
    names = src.author or src.editor
    if names:
        who = str(escape(names_bib(names)))
        if not src.author:
            who += ", eds" if len(src.editor) > 1 else ", ed"
        parts.append(who.rstrip(".") + ".")
    if src.type in ITALIC_TITLE:
        parts.append(f"<cite>{escape(src.title)}</cite>.")
    else:
        title = str(escape(src.title))
        parts.append(f"\u201c{title}{'' if title.endswith(('?', '!')) else '.'}\u201d")
    if src.type in BOOKLIKE:
        facts = ", ".join(
            str(escape(x)) for x in (src.publisher, src.issued.long() if src.issued else "") if x
        )
        if facts:
            parts.append(facts + ".")
    else:
        tail = [
            x
            for x in (
                _container(src) if src.container_title else "",
                str(escape(src.publisher))
                if src.publisher and src.publisher != src.container_title
                else "",
                src.issued.long() if src.issued else "",
            )
            if x
        ]
        if tail:
            parts.append(", ".join(tail) + ".")
    if src.url:
        parts.append(_url(src) + ".")
    if src.cited_in and src.cited_in in sources:
        host = sources[src.cited_in]
        parts.append("Cited in " + str(_join(short_parts(host), ".")) if host else "")
    return Markup(" ".join(parts))


def bibliography_sort_key(src: SourceRecord) -> tuple[str, str, str]:
    names = src.author or src.editor
    first = names[0].sort_key() if names else ""
    title = re.sub(r"^(the|a|an)\s+", "", src.title.casefold())
    return (first or title, title, str(src.issued or ""))
