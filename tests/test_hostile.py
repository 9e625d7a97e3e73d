"""Malicious briefs and template sets (tests/hostile/): each gives exactly the outcome listed.

The briefs are in tests/hostile/briefs, the template sets in tests/hostile/templates; the
tests run from tests/hostile, so messages show the paths a user there would see.
docs/security.md explains the policy each case checks.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from counterpoint import CounterpointError, build
from counterpoint.cli.main import main
from counterpoint.publish.fetch import FetchPolicy
from counterpoint.render.templates import builtin_root

HOSTILE = Path(__file__).parent / "hostile"
SANDBOX = "; refusing (templates run in a sandbox, see docs/security.md)"
OUTSIDE = "outside the brief's project (its folder, the template set and ./assets)"
REMOTE_OFF = "remote fetches are off (use --allow-remote)"
CONTROLS = (
    "pages hold no control characters but tab, line feed, form feed and carriage return "
    "(see docs/security.md)"
)


@pytest.fixture(autouse=True)
def in_hostile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HOSTILE)


def message(exc: BaseException, out: Path) -> str:
    """The error as a user sees it, with the machine-specific folders named."""
    return str(exc).replace(str(builtin_root()), "BUILTIN").replace(str(out), "OUT")


class _Active(HTMLParser):
    """Everything in a page that could run or load: scripts, handlers, outside URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "object", "embed", "base"):
            self.found.append(f"<{tag}>")
        if tag == "meta" and dict(attrs).get("http-equiv", "").lower() == "refresh":
            self.found.append("<meta refresh>")
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on"):
                self.found.append(f"{name}=")
            elif value.startswith(("javascript:", "vbscript:")) or (
                name in ("src", "srcset", "poster", "data") and not value.startswith("data:")
            ):
                self.found.append(f"{name}={value}")
            elif tag == "link" and name == "href":
                self.found.append(f"<link href={value}>")


def active_content(html: str) -> list[str]:
    parser = _Active()
    parser.feed(html)
    return parser.found


# -- briefs ----------------------------------------------------------------------------
BRIEF_ERRORS = {
    "python-tag.yaml": "briefs/python-tag.yaml:2:8: unsupported YAML tag "
    "'tag:yaml.org,2002:python/object/apply:os.system'; use plain values",
    "billion-laughs.yaml": "briefs/billion-laughs.yaml:3:4: this value is repeated through a "
    "YAML alias (*a); anchors and aliases are not allowed, write the value out",
    "deep-nesting.yaml": "briefs/deep-nesting.yaml:3:109: values are nested more than 100 deep; "
    "refusing",
    "duplicate-key.yaml": "briefs/duplicate-key.yaml:18:1: duplicate key 'title' "
    "(first defined at line 2)",
    "not-utf8.yaml": "briefs/not-utf8.yaml:2:11: is not valid UTF-8 (byte 0xe9); "
    "save the file as UTF-8",
    "bibliography-absolute.yaml": "briefs/bibliography-absolute.yaml:5:30: bibliography[1]: "
    "'/etc/passwd' is outside the brief's folder, the folder above it and the working folder; "
    "source records must be inside one of them",
    "bibliography-escape.yaml": "briefs/bibliography-escape.yaml:5:30: bibliography[1]: "
    "'../../../../../../../../etc' is outside the brief's folder, the folder above it and the "
    "working folder; source records must be inside one of them",
}


@pytest.mark.parametrize("name", sorted(BRIEF_ERRORS))
def test_hostile_brief_is_refused_with_its_message(name: str, tmp_path: Path) -> None:
    with pytest.raises(CounterpointError) as info:
        build(f"briefs/{name}", tmp_path, formats=["html"])
    assert message(info.value, tmp_path) == BRIEF_ERRORS[name]
    assert list(tmp_path.iterdir()) == []


BRIEF_WARNINGS = {
    "plain.yaml": [],
    "bom-crlf.yaml": [],
    # raw HTML, javascript: links, onerror=, <style> and url() in a brief are escaped text:
    # nothing is left for the page's sanitizer to remove (test_security_browser.py runs it)
    "raw-html.yaml": [],
    # a source record's URL: javascript:... loses its link; quotes in a URL stay in it
    # the CSL processor links http(s) addresses only: javascript: stays text, no warning
    "hostile-sources.yaml": [],
    "images.yaml": [
        f"refused to load http://203.0.113.9/pixel.png: {REMOTE_OFF}",
        f"refused to load ../../../../../../../../etc/passwd: {OUTSIDE}",
    ],
}


@pytest.mark.parametrize("name", sorted(BRIEF_WARNINGS))
def test_hostile_brief_builds_inert_with_its_warnings(name: str, tmp_path: Path) -> None:
    (page,) = build(f"briefs/{name}", tmp_path, formats=["html"])
    assert page.warnings == BRIEF_WARNINGS[name]
    assert active_content(page.path.read_text(encoding="utf-8")) == []


def test_markdown_images_follow_the_policy(tmp_path: Path) -> None:
    (page,) = build("briefs/images.yaml", tmp_path, formats=["html"])
    html = page.path.read_text(encoding="utf-8")
    # refused images keep their alt text; a project image is embedded; file: is never a link
    assert '<img alt="pixel">' in html and '<img alt="passwd">' in html
    assert '<img src="data:image/png;base64,iVBORw0KGgo' in html
    assert "![hosts](file:///etc/hosts)" in html  # CommonMark refuses file: URLs: text


@pytest.mark.pdf
def test_raw_html_brief_makes_no_fetch_in_the_pdf(tmp_path: Path, monkeypatch) -> None:
    """The PDF of a brief full of <img>, <style> and url() tricks asks WeasyPrint for nothing."""
    asked = _spy_on_fetches(monkeypatch, tmp_path / "fetched.txt")
    (pdf,) = build("briefs/raw-html.yaml", tmp_path / "out", formats=["pdf"])
    assert pdf.warnings == [] and asked() == []
    text = "".join(p.extract_text() for p in __import__("pypdf").PdfReader(pdf.path).pages)
    assert '<script>document.title = "pwned"</script>' in text


def test_symlinked_source_record_is_refused(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    for f in ("plain.yaml", "sources.yaml"):
        (project / f).write_bytes((HOSTILE / "briefs" / f).read_bytes())
    (project / "secret.yaml").symlink_to("/etc/passwd")
    brief = project / "plain.yaml"
    brief.write_text(brief.read_text().replace("[sources.yaml]", "[sources.yaml, secret.yaml]"))
    with pytest.raises(CounterpointError) as info:
        build(brief, tmp_path / "out", formats=["html"])
    assert message(info.value, tmp_path) == (
        "OUT/project/plain.yaml:5:30: bibliography[1]: 'secret.yaml' is outside the brief's "
        "folder, the folder above it and the working folder; source records must be inside one "
        "of them"
    )


# -- template sets ----------------------------------------------------------------------
TEMPLATE_ERRORS = {
    "mro": "templates/mro/brief.html:1: access to attribute '__class__' of 'str' object is unsafe.",
    "globals": "templates/globals/brief.html:1: access to attribute '__init__' of 'type' object "
    "is unsafe.",
    "include-escape": "template set 'include-escape': no template '../../../../../../etc/passwd' "
    "in templates/include-escape, BUILTIN/base",
    "include-absolute": "template set 'include-absolute': no template '/etc/passwd' in "
    "templates/include-absolute, BUILTIN/base",
    "css-escape": "template set 'css-escape': no template '../../../../../../../etc/passwd' in "
    "templates/css-escape, BUILTIN/base",
    "power": f"templates/power/brief.html:1: the result of 10 ** 100000 is larger than 4096 bits"
    f"{SANDBOX}",
    "repeat": "templates/repeat/brief.html:1: a string or list of 3,000,000,000 items "
    f"(limit 1,000,000){SANDBOX}",
    "width": f"templates/width/brief.html:1: a format width or precision over 10,000{SANDBOX}",
    "format": f"templates/format/brief.html:1: a format width or precision over 10,000{SANDBOX}",
    "nested-width": "templates/nested-width/brief.html:1: a format width or precision taken "
    f"from a nested {{field}}{SANDBOX}",
    "tabs": "templates/tabs/brief.html:1: a string of about 1,000,000,000 characters "
    f"(limit 1,000,000){SANDBOX}",
    "center": "templates/center/brief.html:1: the number 999999999 is over the limit of 10,000 "
    f"for an argument{SANDBOX}",
    # amplification: output far larger than input, refused before it is made (issue 12.9)
    "indent": "templates/indent/brief.html:1: an indented string of about 5,001,010,000 "
    f"characters (limit 1,000,000){SANDBOX}",
    "replace": "templates/replace/brief.html:1: a replaced string of about 9,000,000 characters "
    f"(limit 1,000,000){SANDBOX}",
    "join": "templates/join/brief.html:1: a joined string of about 1,800,000 characters "
    f"(limit 1,000,000){SANDBOX}",
    "tojson": f"templates/tojson/brief.html:1: tojson with an indent of 10000 (limit 16){SANDBOX}",
    "format-sum": "templates/format-sum/brief.html:1: format widths that add up to 1,800,000 "
    f"characters (limit 1,000,000){SANDBOX}",
    "doubling": "templates/doubling/brief.html:1: a concatenated string of about 1,048,576 "
    f"characters (limit 1,000,000){SANDBOX}",
    "plus": "templates/plus/brief.html:1: a string or list of 1,048,576 items "
    f"(limit 1,000,000){SANDBOX}",
    "flood": f"template: its output is over 67,108,864 characters{SANDBOX}",
    "divide": "templates/divide/brief.html:2: ZeroDivisionError: "
    "integer division or modulo by zero",
    "iso-2022-jp": "templates/iso-2022-jp/brief.html:3:21: control character U+001B (ESCAPE) "
    f"in a template; {CONTROLS}",
    "control-names": "templates/control-names/brief.html:5:3: control character U+0000 (NUL) "
    f"in a template; {CONTROLS}",
}


@pytest.mark.parametrize("audience", sorted(TEMPLATE_ERRORS))
def test_hostile_template_set_fails_cleanly(audience: str, tmp_path: Path) -> None:
    with pytest.raises(CounterpointError) as info:
        build("briefs/plain.yaml", tmp_path, formats=["html"], audience=audience)
    assert message(info.value, tmp_path) == TEMPLATE_ERRORS[audience]
    assert list(tmp_path.iterdir()) == []


def test_template_that_never_ends_is_stopped(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["build", "briefs/plain.yaml", "-a", "forever", "-f", "html", "-o", str(tmp_path)]
    result = runner.invoke(main, [*args, "--time-limit", "1"])
    assert result.exit_code == 1
    assert result.output == (
        "briefs/plain.yaml: stopped after 1 s, the build time limit "
        "(use --time-limit to allow longer)\n1 of 1 brief(s) failed\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_template_symlink_out_of_its_set_is_refused(tmp_path: Path) -> None:
    sets = tmp_path / "sets"
    (sets / "leak").mkdir(parents=True)
    (sets / "leak" / "manifest.yaml").write_text("name: leak\nparent: base\n")
    (sets / "leak" / "brief.html").write_text('{% include "stolen.html" %}\n')
    (sets / "leak" / "stolen.html").symlink_to("/etc/passwd")
    with pytest.raises(CounterpointError) as info:
        build("briefs/plain.yaml", tmp_path / "out", ["html"], "leak", templates=sets)
    assert message(info.value, tmp_path) == (
        "OUT/sets/leak/brief.html:1: template 'stolen.html' links to a file outside its template "
        f"set{SANDBOX}"
    )


def test_markup_weasyprints_parser_cannot_read_fails_the_pdf_in_one_line(tmp_path: Path) -> None:
    """tinyhtml5 asserts on an HTML element name inside SVG followed by a table in <desc>;
    a browser reads the page, so the HTML builds, and the PDF stops with one line."""
    sets = tmp_path / "sets"
    (sets / "odd").mkdir(parents=True)
    (sets / "odd" / "manifest.yaml").write_text("name: odd\nparent: base\n")
    (sets / "odd" / "sections").mkdir()
    (sets / "odd" / "sections" / "summary.html").write_text(
        "{% block summary %}<svg><select><desc><table></table></desc></select></svg>"
        "{% endblock %}\n"
    )
    (html,) = build("briefs/plain.yaml", tmp_path / "out", ["html"], "odd", templates=sets)
    assert "<svg><select><desc><table>" in html.path.read_text(encoding="utf-8")
    with pytest.raises(CounterpointError) as info:
        build("briefs/plain.yaml", tmp_path / "out", ["pdf"], "odd", templates=sets)
    assert message(info.value, tmp_path) == (
        "OUT/out/plain-odd.pdf: WeasyPrint's HTML parser failed: AssertionError; "
        "docs/weasyprint.md lists markup it cannot read"
    )


SCRIPT_WARNINGS = [
    "removed a <script> element: pages never run scripts",
    "removed a <meta http-equiv=refresh>: pages never redirect",
    "removed a <base> element: links stay relative to the page",
    f"refused to load http://203.0.113.9/evil.css: {REMOTE_OFF}",
    "cannot load x.png: No such file or directory",
    "removed an onerror= attribute: pages never run scripts",
    "removed a javascript: URL: pages never run scripts",
    "removed an onload= attribute: pages never run scripts",
    f"refused to load http://203.0.113.9/frame: {REMOTE_OFF}",
    f"refused to load http://203.0.113.9/bg.png: {REMOTE_OFF}",
]


def test_policy_cannot_be_pushed_out_of_the_head(tmp_path: Path) -> None:
    """From an adversarial review: a ">" inside a quoted attribute of <head> once put the
    policy inside that attribute, and markup that a browser reads differently from
    html.parser (comments ended by "--!>" or "<!-->", CDATA, srcdoc, data: documents)
    carried scripts past the scan. The page is now parsed as a browser parses it, so the
    comments end where a browser ends them and the images after them are checked."""
    (page,) = build("briefs/plain.yaml", tmp_path, formats=["html"], audience="csp-escape")
    assert page.warnings == [
        f"refused to load http://203.0.113.9/beacon: {REMOTE_OFF}",
        "removed a srcdoc attribute: pages embed no other documents",
        "refused to load a data: URL in <iframe>: only images, video and audio are embedded",
        "refused to load x: only images can be embedded",
        "removed an onerror= attribute: pages never run scripts",
        "refused to load y: only images can be embedded",
        "refused to load z: only images can be embedded",
    ]
    html = page.path.read_text(encoding="utf-8")
    assert html.startswith(
        '<!DOCTYPE html>\n<html lang="en" dir="ltr"><head data-x="a&gt;"><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy"'
    )
    assert "onerror" not in html and "srcdoc" not in html and "data:text/html" not in html


IMG_HANDLER = [
    "refused to load x: only images can be embedded",
    "removed an onerror= attribute: pages never run scripts",
]
PARSED_WARNINGS = {
    "svg": IMG_HANDLER,
    "math": IMG_HANDLER,
    "noscript": [
        "removed a <noscript> element: a browser reads its content as markup or as text, "
        "depending on its settings",
        *IMG_HANDLER,
    ],
    "template": IMG_HANDLER,
    "nested-form": IMG_HANDLER,
    "meta-charset": [
        "removed a <meta> declaring the charset shift_jis: every page is UTF-8, declared first",
        "removed a <meta> declaring the charset windows-1252: every page is UTF-8, declared first",
    ],
}


@pytest.mark.parametrize("audience", sorted(PARSED_WARNINGS))
def test_markup_read_as_a_browser_reads_it(audience: str, tmp_path: Path) -> None:
    """Template sets whose markup html.parser read differently from a browser (foreign
    content, <noscript>, <template>, nested forms, a charset): built, each active part
    removed with a warning, judged by a browser's parse of the page as written."""
    from selectolax.lexbor import LexborHTMLParser

    (page,) = build("briefs/plain.yaml", tmp_path, formats=["html"], audience=audience)
    assert page.warnings == PARSED_WARNINGS[audience]
    html = page.path.read_text(encoding="utf-8")
    assert html.startswith(
        '<!DOCTYPE html>\n<html lang="en" dir="ltr"><head><meta charset="utf-8">'
    )
    tree = LexborHTMLParser(html, scripting=True)
    roots, found = [tree.root], []
    while roots:
        root = roots.pop()
        roots += root.template_fragments()
        for node in root.traverse():
            found += [f"<{node.tag}>"] if node.tag in ("script", "noscript") else []
            found += [name for name in node.attributes if name.startswith("on")]
    assert found == []
    assert "charset=" not in html.replace('<meta charset="utf-8">', "", 1)


def test_a_template_cannot_carry_one_brief_into_another(tmp_path: Path) -> None:
    """templates/persist keeps every title it sees in an imported namespace; one process
    builds two briefs, and the second page must hold only its own (found in a review)."""
    (first,) = build("briefs/plain.yaml", tmp_path, formats=["html"], audience="persist")
    (second,) = build("briefs/images.yaml", tmp_path, formats=["html"], audience="persist")
    seen = re.compile(r'<meta name="seen" content="([^"]*)">')
    assert seen.findall(first.path.read_text()) == [" | Hostile brief"]
    assert seen.findall(second.path.read_text()) == [" | Images from outside"]


def test_template_scripts_are_removed_from_the_page(tmp_path: Path) -> None:
    (page,) = build("briefs/plain.yaml", tmp_path, formats=["html"], audience="script")
    assert page.warnings == SCRIPT_WARNINGS
    html = page.path.read_text(encoding="utf-8")
    assert active_content(html) == ["<iframe>"]  # its src is gone: it shows nothing
    assert html.count('<meta http-equiv="Content-Security-Policy"') == 1


FETCH_WARNINGS = sorted(
    [
        f"refused to load http://203.0.113.9/import.css: {REMOTE_OFF}",
        f"refused to load file:///etc/hosts: {OUTSIDE}",
        f"refused to load http://203.0.113.9/x.css: {REMOTE_OFF}",
        f"refused to load file:///etc/os-release: {OUTSIDE}",
        f"refused to load https://203.0.113.9/font.woff2: {REMOTE_OFF}",
        f"refused to load file:///etc/shadow: {OUTSIDE}",
        f"refused to load http://203.0.113.9/pixel.png: {REMOTE_OFF}",
        f"refused to load file:///etc/group: {OUTSIDE}",
        f"refused to load file:///etc/issue: {OUTSIDE}",
        "refused to load ftp://203.0.113.9/bg.png: ftp: URLs are not allowed",
        f"refused to load file:///etc/hostname: {OUTSIDE}",
        f"refused to load file:///etc/passwd: {OUTSIDE}",
        "Font-face 'Stolen' cannot be loaded",
        "Font-face 'Remote' cannot be loaded",
    ]
)


def _spy_on_fetches(monkeypatch: pytest.MonkeyPatch, log: Path) -> Callable[[], list[str]]:
    """Record every URL that gets past the policy to WeasyPrint's real fetcher. The PDF is
    laid out in a child process, so the URLs go to the file `log`, not to this process's
    memory; returns what it recorded."""
    from weasyprint.urls import URLFetcher

    real = URLFetcher.fetch

    def spy(self, url, headers=None):  # type: ignore[no-untyped-def]
        if not url.startswith("file://" + str(Path.cwd())):
            with log.open("a", encoding="utf-8") as f:
                f.write(url + "\n")
        return real(self, url, headers)

    monkeypatch.setattr(URLFetcher, "fetch", spy)
    return lambda: log.read_text(encoding="utf-8").splitlines() if log.exists() else []


@pytest.mark.pdf
def test_template_fetches_are_refused_in_the_pdf(tmp_path: Path, monkeypatch) -> None:
    """Images, <link>, @import, @font-face, url(), <object> and attachments in a template."""
    asked = _spy_on_fetches(monkeypatch, tmp_path / "fetched.txt")
    (pdf,) = build("briefs/plain.yaml", tmp_path / "out", formats=["pdf"], audience="fetch")
    assert asked() == []
    assert sorted(pdf.warnings) == FETCH_WARNINGS
    data = pdf.path.read_bytes()
    assert b"root:x:0:0" not in data and b"/EmbeddedFile" not in data


@pytest.mark.pdf
def test_refused_fetch_fails_under_strict(tmp_path: Path) -> None:
    with pytest.raises(CounterpointError) as info:
        build("briefs/images.yaml", tmp_path, formats=["html", "pdf"], strict=True)
    assert message(info.value, tmp_path) == (
        f"OUT/images.html: failed under --strict: refused to load http://203.0.113.9/pixel.png: "
        f"{REMOTE_OFF}; refused to load ../../../../../../../../etc/passwd: {OUTSIDE}"
    )
    assert list(tmp_path.iterdir()) == []


def test_policy_decisions() -> None:
    policy = FetchPolicy(roots=[HOSTILE / "briefs"])
    assets = (HOSTILE / "briefs" / "assets" / "dot.png").as_uri()
    assert policy.check(assets) is None
    assert policy.check("data:image/png;base64,AAAA") is None
    assert policy.check("https://example.org/x.png") == REMOTE_OFF
    assert policy.check("ftp://example.org/x") == "ftp: URLs are not allowed"
    assert policy.check("file:///etc/passwd") == OUTSIDE
    hidden = "a hidden file or folder (its name starts with '.')"
    assert policy.check((HOSTILE / "briefs" / ".env").as_uri()) == hidden
    assert policy.check((HOSTILE / "briefs" / ".git" / "config").as_uri()) == hidden
    assert policy.check("file://evil.example/share/x.png") == (
        "file: URLs naming another host are not allowed"
    )
    assert policy.check("data:," + "x" * (2 * 1024 * 1024)) == (
        "data: URL of 2,097,158 bytes is over the 2,097,152-byte limit"
    )
    assert FetchPolicy(roots=[], allow_remote=True).check("https://example.org/x.png") is None
    if os.path.exists("/dev/zero"):
        assert FetchPolicy(roots=[Path("/dev")]).check("file:///dev/zero") == "not a regular file"
