"""The HTML page in a real browser (Debian Chromium via Playwright) and outside validators:
notes on hover and focus, note links both ways, zero axe-core violations, zero vnu errors."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from counterpoint import build

from .conftest import ROOT, need

pytestmark = pytest.mark.browser

TOOLS = Path(__file__).parent / "browser" / "node_modules"
AXE = TOOLS / "axe-core" / "axe.min.js"
VNU = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
FLAGSHIP = ROOT / "briefs" / "russian-far-east.yaml"


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("browser")
    outputs = build(FLAGSHIP, out, formats=["html"], audience="all")
    return {o.audience: o.path for o in outputs}


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
    page.screenshot(path=str(pages["analyst"].with_suffix(".png")))
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


def test_side_contents_on_wide_screens(browser, pages) -> None:
    page = browser.new_page(viewport={"width": 1500, "height": 900})
    page.goto(pages["analyst"].as_uri())
    toc = page.locator("nav.toc")
    assert toc.evaluate("e => getComputedStyle(e).position") == "fixed"
    main_box = page.locator("main").bounding_box()
    assert toc.bounding_box()["x"] + toc.bounding_box()["width"] <= main_box["x"] + 40
    page.set_viewport_size({"width": 700, "height": 900})
    assert toc.evaluate("e => getComputedStyle(e).position") == "static"
    page.close()


@pytest.mark.parametrize("width", [1100, 1200, 1300, 1344, 1500, 1920])
def test_side_contents_never_covers_the_text(browser, pages, width: int) -> None:
    """At 1200 px the fixed contents panel once ran 40 px into the page, its border
    drawn through the title."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(pages["analyst"].as_uri())
    toc = page.locator("nav.toc").bounding_box()
    text = page.locator("h1.title").bounding_box()
    fixed = page.locator("nav.toc").evaluate("e => getComputedStyle(e).position") == "fixed"
    assert not fixed or toc["x"] + toc["width"] <= text["x"], (toc, text)
    page.close()


@pytest.mark.parametrize("audience", ["analyst", "executive", "public", "compare"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations(browser, pages, audience: str, scheme: str) -> None:
    need(AXE.exists(), "axe-core (npm)")
    # the page's Content-Security-Policy forbids scripts (docs/security.md); axe is ours
    page = browser.new_page(color_scheme=scheme, bypass_csp=True)
    page.goto(pages[audience].as_uri())
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    violations = [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
    ]
    assert violations == []
    page.close()


def test_nu_html_checker_finds_no_errors(pages) -> None:
    need(VNU.exists() and shutil.which("java") is not None, "vnu-jar (npm) and Java")
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, pages.values())],
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
def test_nothing_is_wider_than_a_phone(browser, pages, audience: str) -> None:
    """Tables and figures fit a 390 px screen: no sideways scrolling to read a row."""
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(pages[audience].as_uri())
    wide = page.evaluate(
        """() => [...document.querySelectorAll('table, figure, svg, pre')]
              .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth)
              .map(e => e.tagName + '.' + (e.className.baseVal ?? e.className))"""
    )
    assert wide == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_timeline_labels_are_twelve_pixels_or_more(browser, pages, width: int) -> None:
    """The timeline is one column on screen; on a 390 px phone its labels are still 12 px."""
    page = browser.new_page(viewport={"width": width, "height": 844})
    page.goto(pages["analyst"].as_uri())
    sizes = page.evaluate(
        """() => { const svg = document.querySelector('svg.timeline-figure');
            const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            return [...svg.querySelectorAll('text')].map(
                t => parseFloat(t.getAttribute('font-size')) * scale) }"""
    )
    page.close()
    assert len(sizes) > 27 and min(sizes) >= 12 and max(sizes) <= 18


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_note_calls_stand_out_by_size_and_weight_and_a_jumped_to_note_is_marked(
    browser, pages, scheme: str
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page.goto(pages["analyst"].as_uri())
    call = page.evaluate(
        """() => { const s = getComputedStyle(document.querySelector('#background p .fn-call sup'));
            const p = getComputedStyle(document.querySelector('#background p'));
            return [parseFloat(s.fontSize), parseFloat(s.fontWeight), parseFloat(p.fontSize)] }"""
    )
    assert call[0] >= 0.72 * call[2] and call[1] >= 600  # not told apart by colour alone
    plain = page.evaluate("getComputedStyle(document.querySelector('#fn-3')).backgroundColor")
    page.click("#fnref-3")
    page.wait_for_function("location.hash === '#fn-3'")
    marked = page.evaluate("getComputedStyle(document.querySelector('#fn-3')).backgroundColor")
    other = page.evaluate("getComputedStyle(document.querySelector('#fn-4')).backgroundColor")
    assert marked != plain and other == plain
    page.close()
