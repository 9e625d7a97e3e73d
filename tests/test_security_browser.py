"""Hostile pages in a real browser: Chromium opens the HTML counterpoint wrote for the hostile
briefs and template sets (tests/hostile/) and no script runs, nothing is fetched.

Needs Debian's Chromium (/usr/bin/chromium, `make test` installs it) and Playwright for
Python, which drives it; Playwright's own browser download is never used.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from counterpoint import build

pytestmark = pytest.mark.browser

HOSTILE = Path(__file__).parent / "hostile"


# Template sets that build, each with markup a browser reads differently from html.parser
# (tests/hostile/README.md); each page must run nothing and fetch nothing
PARSED_SETS = ["svg", "math", "noscript", "template", "nested-form", "meta-charset"]
# Template sets counterpoint refuses for their control characters (test_hostile.py); here
# they are built with that check off, so the browser tests the parse and the charset alone
CONTROL_SETS = ["iso-2022-jp", "control-names"]


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from counterpoint.publish import sanitize
    from counterpoint.render import sandbox

    out = tmp_path_factory.mktemp("hostile-pages")
    cwd = Path.cwd()
    os.chdir(HOSTILE)
    try:
        built = {
            "raw-html": build("briefs/raw-html.yaml", out, formats=["html"])[0].path,
            "images": build("briefs/images.yaml", out, formats=["html"])[0].path,
            "sources": build("briefs/hostile-sources.yaml", out, formats=["html"])[0].path,
            "script": build("briefs/plain.yaml", out, formats=["html"], audience="script")[0].path,
            "csp-escape": build("briefs/plain.yaml", out, ["html"], "csp-escape")[0].path,
        }
        for name in PARSED_SETS:
            built[name] = build("briefs/plain.yaml", out, ["html"], name)[0].path
        with pytest.MonkeyPatch.context() as patch:
            # the control-character check off, so the parse and charset rules are tested alone
            patch.setattr(sandbox, "first_control", lambda text: None)
            patch.setattr(sanitize, "first_control", lambda text: None)
            for name in CONTROL_SETS:
                built[name] = build("briefs/plain.yaml", out, ["html"], name)[0].path
    finally:
        os.chdir(cwd)
    control = out / "control.html"
    control.write_text(
        '<!DOCTYPE html><title>before</title><script>document.title = "ran"</script>'
    )
    built["control"] = control
    return built


# Every element of the page, in shadow roots and <template> contents too
ACTIVE = """() => {
  const found = [];
  const visit = (root) => {
    for (const el of root.querySelectorAll('*')) {
      for (const a of el.attributes) {
        const v = a.value.trim().toLowerCase();
        if (a.name.startsWith('on')) found.push(el.tagName + ' ' + a.name);
        if (v.startsWith('javascript:')) found.push(el.tagName + ' ' + a.name + '=' + v);
      }
      if (el.localName === 'script') found.push('script');
      if (el.shadowRoot) visit(el.shadowRoot);
      if (el.content instanceof DocumentFragment) visit(el.content);
    }
  };
  visit(document);
  return found;
}"""

# What the tests read off each page once it has loaded (through devtools, not the page:
# its Content-Security-Policy does not apply)
FACTS = (
    """() => ({
  title: document.title,
  active: ("""
    + ACTIVE
    + """)(),
  charset: document.characterSet,
  head: [...document.head.children].slice(0, 2).map(e => e.outerHTML),
  csp: document.querySelector('meta[http-equiv=Content-Security-Policy]')?.content,
  text: document.body.innerText,
  loads: document.querySelectorAll('img, iframe, object, embed, link, base').length,
  probe: document.getElementById('charset-probe')?.textContent,
})"""
)


@dataclass
class Visit:
    """One page's visit: every request, dialog and console message, and its FACTS."""

    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)


@pytest.fixture(scope="module")
def visits(browser, pages) -> dict[str, Visit]:
    """Open each page in turn in one tab, recording what it does, the network blocked. The
    control page comes last: scripts do run in this very tab."""
    page = browser.new_page()
    seen: dict[str, Visit] = {}
    visit = Visit()

    def route(r: Any) -> None:
        visit.requests.append(r.request.url)
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            r.abort()

    page.on("dialog", lambda d: (visit.dialogs.append(d.message), d.dismiss()))
    page.on("console", lambda m: visit.console.append(m.text))
    page.route("**/*", route)
    for name in sorted(pages, key=lambda name: name == "control"):
        visit = seen[name] = Visit()
        page.goto(pages[name].as_uri())
        page.wait_for_load_state("load")
        page.mouse.move(0, 0)
        page.mouse.move(200, 200)  # hover handlers, were there any
        page.wait_for_timeout(300)
        visit.facts = page.evaluate(FACTS)
    page.context.close()
    return seen


def test_control_page_runs_its_script(visits) -> None:
    """The check below means something: this browser does run a page's scripts."""
    assert visits["control"].facts["title"] == "ran"


@pytest.mark.parametrize(
    "name",
    ["raw-html", "images", "sources", "script", "csp-escape", *PARSED_SETS, *CONTROL_SETS],
)
def test_no_script_runs_and_nothing_is_fetched(visits, pages, name: str) -> None:
    visit = visits[name]
    assert visit.dialogs == []
    assert visit.facts["title"] != "pwned"
    assert visit.facts["active"] == []
    assert visit.requests == [pages[name].as_uri()]
    # the page is read as UTF-8, and its first two elements are the charset and the policy
    assert visit.facts["charset"] == "UTF-8"
    first = visit.facts["head"]
    assert first[0] == '<meta charset="utf-8">'
    assert first[1].startswith('<meta http-equiv="Content-Security-Policy" content="default-src')
    csp = visit.facts["csp"]
    assert csp.startswith("default-src 'none'; style-src 'unsafe-inline'; img-src data:;")


def test_a_template_charset_does_not_change_how_the_page_reads(visits) -> None:
    assert visits["meta-charset"].facts["probe"] == "日本語 — naïve"


def test_brief_markup_is_shown_as_text(visits) -> None:
    facts = visits["raw-html"].facts
    assert facts["title"] == '<script>alert("title")</script>'
    text = facts["text"]
    assert '<script>document.title = "pwned"</script>' in text
    assert '<img src="x" onerror="document.title=\'pwned\'">' in text
    assert "A [link](javascript:alert(1))" in text  # CommonMark refuses the link: plain text
    assert facts["loads"] == 0  # img, iframe, object, embed, link, base


def test_css_url_left_by_a_template_is_blocked(visits, pages) -> None:
    """The script set's style="background: url(http://...)" is reported and then blocked."""
    visit = visits["script"]
    assert visit.requests == [pages["script"].as_uri()]
    assert any("Content Security Policy" in m and "203.0.113.9" in m for m in visit.console)
