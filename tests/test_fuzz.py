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
]  # fmt: skip


@FUZZ
@given(st.lists(st.sampled_from(HTML_PIECES), max_size=30).map("".join), st.booleans())
def test_any_html_through_the_page_policy(html: str, web: bool) -> None:
    """Whatever a template renders, the hardened page parses with no script or handler."""
    from html.parser import HTMLParser

    from counterpoint.harden import Page, harden_html
    from counterpoint.publish import MAX_DATA_URL, FetchPolicy

    here = Path(__file__).parent
    page, _ = harden_html(
        html, Page(FetchPolicy([here]).check, here, False, MAX_DATA_URL), "web" if web else "print"
    )
    found: list[str] = []

    class Check(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "script":
                found.append(tag)
            found.extend(name for name, _ in attrs if name.startswith("on"))
            for name, value in attrs:
                cleaned = re.sub(r"[\x00-\x20]", "", value or "").lower()
                if name in ("href", "src") and cleaned.startswith("javascript:"):
                    found.append(f"{name}={value}")

    Check().feed(page)
    assert found == [], page


# Pages in the strict syntax harden.py's quick check reads, with active content mixed in
_TAGS = ["p", "a", "img", "use", "image", "meta", "svg", "math", "style", "script", "video", "set",
         "link", "rect"]  # fmt: skip
_ATTRS = ["href", "HREF", "src", "xlink:href", "style", "title", "onclick", "OnLoad",
          "http-equiv", "poster", "srcset", "imagesrcset", "data", "data-x", "action",
          "formaction", "fill", "to"]  # fmt: skip
_VALUES = ["#x", "x.png", "javascript:", "java&#x73;cript:", " ", "&amp;", "url(", "x)",
           "@import ", "refresh", "x", "<", ">", ""]  # fmt: skip
_attr = st.builds(
    lambda name, value: f" {name}" if value is None else f' {name}="{value}"',
    st.sampled_from(_ATTRS),
    st.none() | st.lists(st.sampled_from(_VALUES), max_size=3).map("".join),
)
_tag = st.builds(
    lambda name, attrs, end: f"<{name}{''.join(attrs)}{end}",
    st.sampled_from(_TAGS), st.lists(_attr, max_size=3), st.sampled_from([">", "/>"]),
)  # fmt: skip
_piece = _tag | st.sampled_from(
    ["</p>", "</svg>", "</math>", "</style>", "</\u017ftyle>", "</STYLE >", "</script>", "text",
     "p{color:red}", "\\75rl(x)", "image-set('x')", *_VALUES]
)  # fmt: skip
strict_pages = st.lists(_piece, max_size=12).map("".join)


@settings(FUZZ, max_examples=FUZZ.max_examples * 5)  # about a millisecond an example
@given(strict_pages, st.booleans())
def test_quick_check_never_passes_a_page_the_full_scan_would_change(html: str, web: bool) -> None:
    """harden._inert may skip the full scan only where that scan removes and reports nothing."""
    from counterpoint.harden import Page, _inert, _Scanner
    from counterpoint.publish import MAX_DATA_URL, FetchPolicy

    quick = _inert(html)
    event(f"quick path: {quick}")
    if quick:
        here = Path(__file__).parent
        page = Page(FetchPolicy([here]).check, here, False, MAX_DATA_URL)
        scan = _Scanner(html, page, "web" if web else "print")
        assert (scan.edits, scan.warnings) == ([], []), html
