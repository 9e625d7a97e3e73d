"""The citation oracle: Pandoc's citeproc run directly on an equivalent Markdown document.

The tests compare counterpoint's notes and bibliography with what `pandoc --citeproc`
writes for the same items and the same citations, in the same order, style and locale.
The Markdown and the CSL JSON are made here, independently of counterpoint's own
conversion: the citations as the writer typed them (one paragraph each), and the source
records read with PyYAML and written out as CSL JSON.
"""

from __future__ import annotations

import datetime
import functools
import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml

from counterpoint.cite.server import options
from counterpoint.process import pandoc

COUNTERPOINT_KEYS = ("stance", "reliability", "cited-in")


def csl_json(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """CSL YAML records (as PyYAML reads them) as CSL JSON items."""
    out = []
    for record in records:
        item: dict[str, Any] = {}
        for key, value in record.items():
            if key in COUNTERPOINT_KEYS:
                continue
            if isinstance(value, datetime.date):
                value = {"date-parts": [[value.year, value.month, value.day]]}
            elif key in DATES and isinstance(value, (int, str)):
                value = _date(str(value))
            elif isinstance(value, (int, float)):
                value = str(value)
            item[key] = value
        title = item.get("title")
        if "title-short" not in item and isinstance(title, str):
            # the main title, before the subtitle's colon or after its question mark
            main = re.split(r"\s*(?::\s|：)|(?<=[?？؟])\s*(?=\S)", title, maxsplit=1)[0]
            if main != title:
                item["title-short"] = main
        out.append(item)
    return out


_CJK = "\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"


def _pandocs_cjk_faults(text: str, locale: str) -> str:
    """Pandoc's text without its two faults with CJK names that counterpoint works around
    (docs/format.md): the period after a given name it takes for an initial before the
    next name ("陈立. and 赵欣.,"), and, in Chinese and Japanese, the spaces around the
    joiner ("陈立 和 赵欣")."""
    text = re.sub(f"(?<=[{_CJK}])\\.(?=,|\\s+(?:and|&|et|と|和)\\s)", "", text)
    if locale.split("-")[0] in ("zh", "ja"):
        text = re.sub(f"(?<=[{_CJK}]) ([和と]) (?=[{_CJK}])", r"\1", text)
    return text


DATES = ("issued", "accessed", "event-date", "original-date", "submitted", "available-date")


def _date(value: str) -> Any:
    """A date written as text: YYYY[-MM[-DD]] (negative years BCE, as in CSL date-parts),
    else EDTF as Pandoc reads it (1776/1789, 1858~, 2020-21 for spring, 2020/..)."""
    m = re.fullmatch(r"(-?)(\d{1,4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", value.strip())
    if m is None:
        return value
    parts = [int(p) for p in m.groups()[1:] if p]
    return {"date-parts": [[-parts[0] if m[1] else parts[0], *parts[1:]]]}


def records_of(path: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and "references" in data:
        return list(data["references"])
    return data if isinstance(data, list) else [data]


class _Text(HTMLParser):
    """The text of an HTML fragment, leaving out elements whose class is in `skip`."""

    def __init__(self, skip: tuple[str, ...] = ()):
        super().__init__()
        self.skip, self.depth, self.parts = skip, 0, []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if self.depth or any(c in self.skip for c in classes):
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.depth:
            self.parts.append(data)


def text(fragment: str, skip: tuple[str, ...] = ()) -> str:
    parser = _Text(skip)
    parser.feed(fragment)
    return " ".join("".join(parser.parts).split())


class _Entries(HTMLParser):
    """The text of each `csl-entry` div (with the divs inside it: a numbered style's
    csl-left-margin and csl-right-inline)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth, self.entries = 0, []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth:
            self.depth += tag == "div"
        elif tag == "div" and "csl-entry" in (dict(attrs).get("class") or "").split():
            self.depth = 1
            self.entries.append("")

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag == "div":
            self.depth -= 1
            if self.depth and self.entries:
                self.entries[-1] += " "  # between the number and the entry

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.entries[-1] += data


def bibliography_entries(html: str) -> list[str]:
    """The entries of the bibliography Pandoc writes in HTML (its `csl-entry` blocks)."""
    parser = _Entries()
    parser.feed(html)
    return parser.entries


def oracle(
    citations: list[str], items: list[dict[str, Any]], style: Path, locale: str, tmp: Path
) -> tuple[list[str], list[str], list[str]]:
    """(notes, in-text citations, bibliography entries) as Pandoc writes them in HTML.

    Pandoc runs once per input in a process (its answer to the same bytes is the same): a
    test that asks again for what another asked gets the first run's answer. (`tmp` is
    no longer written to: each run has a folder of its own.)"""
    # a style that prints no locator's label (GB/T 7714) is handed English page labels only
    xml = style.read_text("utf-8")
    pages_only = not re.search(r'<label\b[^>]*variable="locator"', xml)
    citations = [localized(c, locale, pages_only) for c in citations]
    refs = json.dumps(items, ensure_ascii=False)
    document = "\n\n".join(citations) + "\n"
    notes, in_text, entries = _oracle(document, refs, str(style), xml, locale, pandoc.binary())
    return list(notes), list(in_text), list(entries)


@functools.cache
def _oracle(
    document: str, refs: str, style: str, xml: str, locale: str, binary: str
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """oracle()'s Pandoc run, once for each input (`xml`, the style's text, keys the cache
    with its path)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "refs.json").write_text(refs, encoding="utf-8")
        html = subprocess.run(
            [binary, "-f", "markdown", "-t", "html", "--citeproc", "--wrap=none",
             "--bibliography", f"{folder}/refs.json", "--csl", style, "-M", f"lang={locale}"],
            input=document.encode(), capture_output=True, check=True,
        ).stdout.decode()  # fmt: skip
    notes = [
        text(body, skip=("footnote-back",))
        for body in re.findall(r'<li id="fn\d+">(.*?)</li>', html, re.S)
    ]
    in_text = [
        text(span)
        for span in re.findall(r'<span class="citation"[^>]*>(.*?)</span>(?=\s*</p>)', html, re.S)
    ]
    entries = [" ".join(e.split()) for e in bibliography_entries(html)]
    notes, in_text, entries = (
        [_pandocs_cjk_faults(t, locale) for t in texts] for texts in (notes, in_text, entries)
    )
    # an entry with no printed form (Chicago: encyclopedias) is an empty div: not listed
    return tuple(notes), tuple(in_text), tuple(e for e in entries if e)


def command_line(
    text: bytes, refs: bytes, style: bytes, lang: str, link: bool = False
) -> tuple[list[Any], list[str]]:
    """The citation server's oracle: (blocks, warnings) of one `pandoc` run of the command
    line with the server's options (cite/server.py), its input from files. Like oracle(),
    it runs once per input in a process; a failed run raises PandocError each time."""
    blocks, warnings = _command_line(text, refs, style, lang, link, pandoc.binary())
    return json.loads(blocks), list(warnings)


@functools.cache
def _command_line(
    text: bytes, refs: bytes, style: bytes, lang: str, link: bool, binary: str
) -> tuple[str, tuple[str, ...]]:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "refs.json").write_bytes(refs)
        (Path(folder) / "text.md").write_bytes(text)
        (Path(folder) / "style.csl").write_bytes(style)
        args = [*options(lang, link), "--bibliography", f"{folder}/refs.json"]
        ran = pandoc.run(
            [*args, "--csl", f"{folder}/style.csl", f"{folder}/text.md"], b"", "oracle"
        )
    return json.dumps(json.loads(ran.stdout)["blocks"]), tuple(ran.warnings)


def localized(citation: str, locale: str, pages_only: bool = False) -> str:
    """A citation with its locator labels in the locale's terms, as counterpoint hands them
    to Pandoc, which reads a label only in the locale's own terms (test_citations checks
    the translation against labels written in the locale's terms)."""
    from counterpoint.cite.locators import localize_locator

    def item(m: re.Match[str]) -> str:
        return m[1] + localize_locator(m[2], locale, pages_only)

    bracketed = re.sub(r"(@(?:\{[^{}]*\}|[\w:.#$%&+?<>~/-]*\w))(,[^;；؛\]]*)", item, citation)
    return re.sub(
        r"^(@(?:\{[^{}]*\}|[\w:.#$%&+?<>~/-]*\w) \[)([^\]]*)",
        lambda m: m[1] + localize_locator(m[2], locale, pages_only),
        bracketed,
    )


def pdf_notes(pages: list[str], furniture: tuple[str, ...], count: int) -> list[str]:
    """The footnotes 1..count of a PDF's pages (pypdf text), by number whatever order the
    text comes out in: a line "N. " (N not yet seen) starts note N, and the lines after it
    on the page continue it, but the running header and footer (`furniture`); automatic
    hyphens (U+2010 at a line end) are joined."""
    notes: dict[int, str] = {}
    for page in pages:
        current = 0
        for line in page.splitlines():
            m = re.match(r"(\d+)\. ", line)
            if m and 0 < int(m[1]) <= count and int(m[1]) not in notes:
                current = int(m[1])
                notes[current] = line
            elif current and line and not line.startswith(furniture):
                notes[current] += " " + line
    return [re.sub("\u2010 ", "", notes.get(i, "")) for i in range(1, count + 1)]


def page_notes(page: str) -> list[str]:
    """The notes list of a built HTML page, as text."""
    section = page.split('<section id="notes"', 1)[1].split("</section>", 1)[0]
    return [
        text(li, skip=("backref",)) for li in re.findall(r"<li [^>]*>(.*?)</li>", section, re.S)
    ]


def page_bibliography(page: str) -> list[str]:
    """The bibliography of a built HTML page, as text, without grades and cited-in."""
    section = page.split('<section id="bibliography"', 1)[1].split("</section>", 1)[0]
    return [
        text(li, skip=("grade", "cited-in"))
        for li in re.findall(r"<li [^>]*>(.*?)</li>", section, re.S)
    ]


def page_citations(page: str) -> list[str]:
    """The in-text citations of a built HTML page, as text, in reading order."""
    return [text(s) for s in re.findall(r'<span class="citation">(.*?)</span>(?=\W)', page, re.S)]
