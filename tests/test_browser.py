"""The HTML page in a real browser (Debian Chromium via Playwright) and outside validators:
notes on hover and focus, note links both ways, zero axe-core violations, zero vnu errors."""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .conftest import Built, need

pytestmark = pytest.mark.browser

TOOLS = Path(__file__).parent / "browser" / "node_modules"
AXE = TOOLS / "axe-core" / "axe.min.js"
VNU = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
JVM_FLAGS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData"]
"""One short run: the quick compiler only (half the processor time of a default JVM)."""


@pytest.fixture(scope="module")
def pages(flagship_editions: dict[tuple[str, str], Built]) -> dict[str, Path]:
    """The flagship's page in each audience (built once for the run: conftest)."""
    return {audience: o.path for (audience, fmt), o in flagship_editions.items() if fmt == "html"}


def test_hover_and_focus_show_the_note_next_to_its_call(browser, pages) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(pages["analyst"].as_uri())
    pop = page.locator("#pop-fn-5")
    assert not pop.is_visible()
    page.locator("#fnref-5").hover()
    assert pop.is_visible()
    text = pop.inner_text()
    assert text.startswith("5. ")
    note = page.locator("#fn-5").inner_text()
    assert text[3:].strip() in note
    call_box, pop_box = page.locator("#fnref-5").bounding_box(), pop.bounding_box()
    assert abs(pop_box["y"] - (call_box["y"] + call_box["height"])) < 40  # right under the call
    page.mouse.move(0, 0)
    page.locator("#fnref-6").focus()
    assert page.locator("#pop-fn-6").is_visible()
    page.close()


def test_note_link_goes_to_the_note_and_back(browser, pages) -> None:
    page = browser.new_page()
    page.goto(pages["analyst"].as_uri())
    page.locator("#fnref-12 sup").click()
    assert page.evaluate("location.hash") == "#fn-12"
    assert page.locator("#fn-12").is_visible()
    page.locator("#fn-12 a.backref").click()
    assert page.evaluate("location.hash") == "#fnref-12"
    page.close()


MEASURE = """() => {
    const box = (q) => { const e = document.querySelector(q);
        const r = e && e.getBoundingClientRect(); return r && {x: r.x, width: r.width}; };
    const toc = document.querySelector('nav.toc');
    const svg = document.querySelector('svg.timeline-figure');
    const scale = svg && svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return {
        toc: box('nav.toc'), title: box('h1.title'), main: box('main'),
        position: toc && getComputedStyle(toc).position,
        wide: [...document.querySelectorAll('table, figure, svg, pre')]
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth)
            .map(e => e.tagName + '.' + (e.className.baseVal ?? e.className)),
        scrollWidth: document.documentElement.scrollWidth,
        labels: svg ? [...svg.querySelectorAll('text')].map(
            t => parseFloat(t.getAttribute('font-size')) * scale) : [],
    } }"""
"""What the layout tests below read off a page at one window size."""
WIDTHS = {
    "analyst": [390, 700, 1100, 1200, 1300, 1344, 1500, 1920, 1280],
    "compare": [390],
    "public": [390],
}
"""The window widths each page is measured at, 844 px high for the phone and the timeline
tests (390, 1280), 900 for the contents tests."""


@pytest.fixture(scope="module")
def layout(browser, pages) -> Callable[[str, int], dict[str, Any]]:
    """layout(audience, width): MEASURE at that width. Each page is loaded once, when a test
    first asks about it, and measured at all of its WIDTHS, the window resized in place
    (the pages run no script: their layout is their CSS's alone)."""

    @functools.cache
    def measured(audience: str) -> dict[int, dict[str, Any]]:
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(pages[audience].as_uri())
        seen = {}
        for width in WIDTHS[audience]:
            page.set_viewport_size({"width": width, "height": 844 if width in (390, 1280) else 900})
            seen[width] = page.evaluate(MEASURE)
        page.context.close()
        return seen

    return lambda audience, width: measured(audience)[width]


def test_side_contents_on_wide_screens(layout) -> None:
    wide = layout("analyst", 1500)
    assert wide["position"] == "fixed"
    assert wide["toc"]["x"] + wide["toc"]["width"] <= wide["main"]["x"] + 40
    assert layout("analyst", 700)["position"] == "static"


@pytest.mark.parametrize("width", [1100, 1200, 1300, 1344, 1500, 1920])
def test_side_contents_never_covers_the_text(layout, width: int) -> None:
    """At 1200 px the fixed contents panel once ran 40 px into the page, its border
    drawn through the title."""
    seen = layout("analyst", width)
    toc, text = seen["toc"], seen["title"]
    assert seen["position"] != "fixed" or toc["x"] + toc["width"] <= text["x"], (toc, text)


@pytest.mark.parametrize("audience", ["analyst", "executive", "public", "compare"])
def test_axe_finds_no_violations_in_light_and_dark(browser, pages, audience: str) -> None:
    """One load and one copy of axe, run in the light scheme, then in the dark: the page
    runs no script, so the scheme is switched in place, as a reader's system setting would."""
    need(AXE.exists(), "axe-core (npm)")
    # the page's Content-Security-Policy forbids scripts (docs/security.md); axe is ours
    page = browser.new_page(bypass_csp=True, color_scheme="light")
    page.goto(pages[audience].as_uri())
    page.add_script_tag(path=str(AXE))
    violations, colours = {}, set()
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        colour, violations[scheme] = page.evaluate(
            """async () => [getComputedStyle(document.body).color,
                (await axe.run(document, {resultTypes: ['violations']})).violations.map(
                    v => [v.id, v.help, v.nodes.slice(0, 3).map(n => n.target)])]"""
        )
        colours.add(colour)
    page.close()
    assert violations == {"light": [], "dark": []}
    assert len(colours) == 2  # the scheme was switched: axe saw the dark one's colours


def test_nu_html_checker_finds_no_errors(pages) -> None:
    need(VNU.exists() and shutil.which("java") is not None, "vnu-jar (npm) and Java")
    run = subprocess.run(
        ["java", *JVM_FLAGS, "-jar", str(VNU), "--errors-only", "--format", "json",
         *map(str, pages.values())],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    messages = json.loads(run.stderr or run.stdout or '{"messages": []}')["messages"]
    assert [(m.get("url", "").rsplit("/", 1)[-1], m.get("message")) for m in messages] == []


def test_note_stays_on_screen_on_a_phone(browser, pages) -> None:
    page = browser.new_page(viewport={"width": 420, "height": 860})
    page.goto(pages["analyst"].as_uri())
    for n in (3, 4, 40):
        call = page.locator(f"#fnref-{n}")
        call.scroll_into_view_if_needed()
        call.focus()
        box = page.locator(f"#pop-fn-{n}").bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= 420
        assert box["y"] >= 0 and box["y"] + box["height"] <= 860
    page.close()


@pytest.mark.parametrize("audience", ["analyst", "compare", "public"])
def test_nothing_is_wider_than_a_phone(layout, audience: str) -> None:
    """Tables and figures fit a 390 px screen: no sideways scrolling to read a row."""
    seen = layout(audience, 390)
    assert seen["wide"] == []
    assert seen["scrollWidth"] <= 390


@pytest.mark.parametrize("width", [390, 1280])
def test_timeline_labels_are_twelve_pixels_or_more(layout, width: int) -> None:
    """The timeline is one column on screen; on a 390 px phone its labels are still 12 px."""
    sizes = layout("analyst", width)["labels"]
    assert len(sizes) > 27 and min(sizes) >= 12 and max(sizes) <= 18


CALL = """() => { const s = getComputedStyle(document.querySelector('#background p .fn-call sup'));
    const p = getComputedStyle(document.querySelector('#background p'));
    return [parseFloat(s.fontSize), parseFloat(s.fontWeight), parseFloat(p.fontSize)] }"""
"""A note call's font size and weight, and its paragraph's font size."""


def test_note_calls_stand_out_by_size_and_weight_and_a_jumped_to_note_is_marked(
    browser, pages
) -> None:
    """In the light scheme and the dark, switched in place (the page runs no script)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(pages["analyst"].as_uri())
    background = "n => getComputedStyle(document.querySelector('#fn-' + n)).backgroundColor"
    seen: dict[str, dict[str, str]] = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        call = page.evaluate(CALL)
        assert call[0] >= 0.72 * call[2] and call[1] >= 600, scheme  # not by colour alone
        seen[scheme] = {"plain": page.evaluate(background, 3)}
    page.click("#fnref-3")
    page.wait_for_function("location.hash === '#fn-3'")
    for scheme in ("dark", "light"):
        page.emulate_media(color_scheme=scheme)
        seen[scheme]["marked"] = page.evaluate(background, 3)
        seen[scheme]["other"] = page.evaluate(background, 4)
    page.close()
    for scheme, colours in seen.items():
        assert colours["marked"] != colours["plain"] == colours["other"], (scheme, colours)
    assert seen["light"]["marked"] != seen["dark"]["marked"]  # each scheme's own mark
