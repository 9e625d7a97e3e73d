"""Property-based tests: whatever a brief holds, the outcome is a built page or a located,
user-facing error (a CounterpointError), never another exception.

Random YAML structures, random Markdown and citation strings and mangled YAML text go
through load -> validate -> resolve -> render -> publish (HTML only, to stay fast). The
example counts are bounded so the suite takes a few seconds.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from counterpoint import BuildError, CounterpointError, InvalidInput, build

from .conftest import MINIMAL, SOURCES
from .pages import CSP, unsanitized, untouched

FUZZ = settings(
    # 150 examples a test keep CI at a few seconds; set COUNTERPOINT_FUZZ_EXAMPLES to dig deeper
    max_examples=int(os.environ.get("COUNTERPOINT_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)

KEYS = [
    "brief", "title", "subtitle", "question", "date", "authors", "language", "bibliography",
    "references", "summary", "background", "views", "contested", "timeline", "judgments",
    "implications", "id", "label", "thesis", "arguments", "counterpoints", "point", "accounts",
    "assessment", "event", "text", "likelihood", "confidence", "type", "author", "issued",
    "cited-in", "reliability", "grade", "note", "date-parts", "audience", "audit", "ignore",
]  # fmt: skip

# Markdown and citation syntax, Pandoc's and CommonMark's special characters, some HTML
PIECES = [
    "[@petrova-2025]", "[@lin-2024, p. 4]", "[see @petrova-2025; @lin-2024, para. 2]",
    "[@nobody]", "[@", "@lin-2024", "[", "]", ";", ",", "*", "_", "`", "**", "![x](y.png)",
    "[a](b)", "[a]: http://x", "<script>", "</p>", "&amp;", "&#0;", "\n\n", "\n- ", "\n> ",
    "# ", "    code", "\\", "|", "---", ".", "é", "日本", "\u202e", "\U0001f600", " ",
]  # fmt: skip
markdown_text = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=12).map(
    "".join
)

scalars = st.one_of(
    markdown_text,
    st.sampled_from(["", "1", "yes", "2026-02-30", "likely", "high", "B", "book", "~"]),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=6)), inner, max_size=5),
    ),
    max_leaves=25,
)


def _base() -> dict[str, Any]:
    return yaml.safe_load(MINIMAL)


def outcome(text: str | bytes) -> str:
    """Build a brief from `text`; 'built', or the user-facing error. Anything else fails."""
    result = _outcome(text)
    event(f"outcome: {result}")  # pytest --hypothesis-show-statistics shows the mix
    return result


def _outcome(text: str | bytes) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "sources.yaml").write_text(SOURCES, encoding="utf-8")
        path = folder / "brief.yaml"
        if isinstance(text, str):
            path.write_text(text, encoding="utf-8")
        else:
            path.write_bytes(text)
        try:
            outputs = build(path, folder / "out", formats=["html"])
        except InvalidInput as exc:
            assert exc.problems, "an InvalidInput names at least one problem"
            for problem in exc.problems:
                assert Path(problem.where.file).name in ("brief.yaml", "sources.yaml"), problem
                assert problem.message, problem
            return "invalid"
        except BuildError as exc:
            assert re.match(r"^\S+(:\d+)*: \S", str(exc)), f"no location: {exc}"
            return "failed"
        except CounterpointError as exc:  # pragma: no cover - any other user error
            assert str(exc), "a user error says what is wrong"
            return "error"
        assert outputs and outputs[0].path.read_text(encoding="utf-8").startswith("<!DOCTYPE")
        return "built"


@FUZZ
@given(values)
def test_any_yaml_structure(value: Any) -> None:
    outcome(yaml.safe_dump(value, allow_unicode=True))


@FUZZ
@given(st.sampled_from(KEYS), values)
def test_any_value_in_a_valid_brief(key: str, value: Any) -> None:
    brief = _base()
    brief[key] = value
    outcome(yaml.safe_dump(brief, allow_unicode=True, sort_keys=False))


@FUZZ
@given(
    st.sampled_from(["summary", "question", "background", "implications", "thesis", "argument"]),
    markdown_text,
)
@example("summary", "[@petrova-2025" + "[" * 5000)
@example("argument", "<img src=x onerror=alert(1)> [@lin-2024, p. 1]")
def test_any_markdown_and_citations(field: str, text: str) -> None:
    brief = _base()
    if field == "thesis":
        brief["views"][0]["thesis"] = text
    elif field == "argument":
        brief["views"][1]["arguments"].append(text)
    else:
        brief[field] = text
    result = outcome(yaml.safe_dump(brief, allow_unicode=True, sort_keys=False))
    if not text.strip() and field in ("summary", "question", "thesis"):
        assert result == "invalid"


@FUZZ
@given(st.integers(min_value=0, max_value=len(MINIMAL)), st.binary(min_size=1, max_size=6))
@example(0, b"\xff")
@example(10, b"&a ")
@example(50, b"\t")
def test_mangled_yaml_text(at: int, junk: bytes) -> None:
    data = MINIMAL.encode()
    outcome(data[:at] + junk + data[at:])


HTML_PIECES = [
    "<script>", "</script>", "<script src=x />", "<img src=", "x.png", "http://e.example/a",
    "javascript:", "java\tscript:", "onerror=", "ONLOAD=", '"', "'", ">", "<", "/>", "<svg>",
    "</svg>", "<style>", "</style>", "url(", ")", "<a href=", "<meta http-equiv=refresh>",
    "<base href=/>", "<!--", "-->", "<!DOCTYPE html>", "<head>", "&#106;", " ", "\n", "x",
    "script", "scr", "ipt", "</", "img src=x onerror=y>",
    # markup a browser reads differently from a simple tokenizer (issue 12)
    "<math>", "</math>", "<mi>", "<mtext>", "<mglyph>", '<annotation-xml encoding="text/html">',
    "<desc>", "<title>", "</title>", "<foreignObject>", "<p>", "</p>", "<form>", "</form>",
    "<noscript>", "</noscript>", "<template>", "</template>", '<template shadowrootmode="open">',
    "<table>", "<select>", "<textarea>", "<xmp>", "<iframe>", "<noembed>", "<plaintext>",
    "<![CDATA[", "]]>", "<!-->", "--!>", '<a title="', "<meta charset=iso-2022-jp>",
    '<meta http-equiv=content-type content="text/html; charset=shift_jis">', "<html>", "<body>",
    "</style x>", "<svg><set attributeName=href to=javascript:alert(1)>", "&#27;", "\x1b",
]  # fmt: skip
_PAGE_OUTCOMES = re.compile(r"template: (control character|a character reference|the page it)")


def _parsers() -> list[tuple[str, Any]]:
    """Browser-grade parses of a page, each as a list of (element name, attributes)."""
    import tinyhtml5
    from selectolax.lexbor import LexborHTMLParser

    def lexbor(page: str, scripting: bool) -> list[tuple[str, dict[str, str | None]]]:
        tree = LexborHTMLParser(page, scripting=scripting)
        roots, elements = [tree.root], []
        while roots:
            root = roots.pop()
            roots += root.template_fragments()
            elements += [(n.tag, n.attributes) for n in root.traverse() if n.tag[0] != "-"]
        return elements

    def weasyprint(page: str) -> list[tuple[str, dict[str, str | None]]]:
        local = lambda name: name.rsplit("}", 1)[-1]  # noqa: E731
        try:
            tree = tinyhtml5.parse(page)
        except AssertionError:  # markup it cannot read: the PDF build stops in one line
            return [("meta", {"charset": "utf-8"})]  # (test_hostile), so nothing of it runs
        return [
            (local(e.tag), {local(k): v for k, v in e.attrib.items()})
            for e in tree.iter()
            if isinstance(e.tag, str)
        ]

    return [
        ("Chromium (lexbor, scripting on)", lambda page: lexbor(page, True)),
        ("a browser with scripts off (lexbor)", lambda page: lexbor(page, False)),
        ("WeasyPrint (tinyhtml5)", weasyprint),
    ]


def active(elements: list[tuple[str, dict[str, str | None]]]) -> list[str]:
    """What in a parsed page could run, redirect or change how the page reads."""
    found: list[str] = []
    charsets = 0
    for tag, attrs in elements:
        tag = tag.lower()
        if tag in ("script", "noscript", "base"):
            found.append(f"<{tag}>")
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "refresh":
            found.append("<meta refresh>")
        if tag == "meta" and ("charset" in attrs or "charset=" in (attrs.get("content") or "")):
            charsets += 1
        for name, value in attrs.items():
            # stricter than a browser, which drops tabs and line breaks anywhere and other
            # controls and spaces only at the ends, before it reads a URL's scheme
            cleaned = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name.lower().startswith("on"):
                found.append(f"{name}=")
            elif (
                name in ("href", "src", "action", "formaction")
                and cleaned.startswith("javascript:")
            ) or (
                tag in ("set", "animate") and "javascript:" in cleaned  # values="a;javascript:"
            ):  # a scheme is what a URL starts with: x.pngjavascript:... is not one that runs
                found.append(f"{name}={value}")
    if charsets != 1:
        found.append(f"{charsets} charset declarations")
    return found


@FUZZ
@given(st.lists(st.sampled_from(HTML_PIECES), max_size=30).map("".join), st.booleans())
@example('<svg></p><style><a title="</style><img src=x onerror=alert(1)>">', True)
@example("<form><math><mtext></form><form><mglyph><style></math><img src onerror=x>", True)
@example("<noscript><p title='</noscript><img src=x onerror=x>'>", False)
@example("<select><xmp><script>", False)
@example("<select><style><script>", True)
@example("<a href=x.pngjavascript:<script>", False)
@example("<svg><set attributeName=href to=javascript:alert(1)><html><desc><table>", False)
def test_any_html_through_the_page_policy(html: str, web: bool) -> None:
    """Whatever a template renders, the sanitized page holds no script or handler in the
    parse of a browser (with scripts on or off) or of WeasyPrint, declares UTF-8 first, and
    passes the page check again unchanged; or the build stops with a one-line error."""
    from counterpoint.process.limits import MAX_DATA_URL
    from counterpoint.publish.cleaner import Page
    from counterpoint.publish.fetch import FetchPolicy
    from counterpoint.publish.sanitize import sanitize_html

    here = Path(__file__).parent
    page_info = Page(FetchPolicy([here]).check, here, False, MAX_DATA_URL)
    medium = "web" if web else "print"
    try:
        page, _ = sanitize_html(html, page_info, medium)
    except BuildError as exc:
        assert _PAGE_OUTCOMES.match(str(exc)) and "\n" not in str(exc), str(exc)
        event("refused")
        return
    for name, parse in _parsers():
        assert active(parse(page)) == [], (name, page)
    assert re.match(r"<!DOCTYPE html>\n<html[^<]*><head[^<]*>" + re.escape(CSP), page), page
    # what it wrote, parsed and checked again: nothing left to change
    again, _ = sanitize_html(unsanitized(page), page_info, medium)
    assert again == untouched(unsanitized(page))
