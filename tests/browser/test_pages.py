"""The four pages every reader meets (the seed article, an entry, the glossary, the
front page) in a real browser: no console error or CSP violation over http and from
file://, no horizontal scroll on a phone or a desktop, no axe-core violation in light or
dark mode, and the article whole without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import ORIGINS, PAGES, Site, Tab, entry_name, require_module

pytestmark = pytest.mark.browser

TERM_LINKS = "[data-article-body] a[data-term]"
ENTRY_PAGE = re.compile(r".*/glossary/kim-jong-un/(index\.html)?$")
FACTBOXES = ("who", "what", "where", "background")

# Relative links to a folder ("../glossary/kim-jong-un/"), the ones file-links.js rewrites.
FOLDER_LINKS = r"""() => Array
  .from(document.querySelectorAll("a[href]"), (a) => a.getAttribute("href"))
  .filter((href) => !/^(?:[a-z][a-z0-9+.\-]*:|\/|#)/i.test(href) && /\/(?:[?#].*)?$/.test(href))"""

# What sticks out past the right edge of the viewport, to say why a page scrolls sideways.
WIDE_ELEMENTS = r"""() => {
  const width = window.innerWidth;
  return Array.from(document.querySelectorAll("body *"))
    .filter((element) => element.getBoundingClientRect().right > width + 0.5)
    .slice(0, 10)
    .map((element) => {
      const classes = typeof element.className === "string" && element.className.trim()
        ? "." + element.className.trim().split(/\s+/).join(".") : "";
      const id = element.id ? "#" + element.id : "";
      const right = Math.round(element.getBoundingClientRect().right);
      return `${element.tagName.toLowerCase()}${id}${classes} (right edge ${right}px)`;
    });
}"""


# -- console errors and the Content-Security-Policy -----------------------------------


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("origin", ORIGINS)
def test_no_console_error_or_csp_violation(
    site: Site, open_tab: Callable[..., Tab], origin: str, name: str
) -> None:
    tab = open_tab()
    tab.page.goto(site.url(origin, PAGES[name]), wait_until="networkidle")
    assert tab.errors() == []


@pytest.mark.parametrize("origin", ORIGINS)
def test_the_page_scripts_run_under_the_policy(
    site: Site, open_tab: Callable[..., Tab], expect: Any, origin: str
) -> None:
    """'self' must let the site's own scripts run, from file:// too."""
    tab = open_tab()
    tab.page.goto(site.url(origin, PAGES["article"]), wait_until="networkidle")
    # terms.js describes each linked mention by its card.
    term = tab.page.locator(TERM_LINKS).first
    expect(term).to_have_attribute("aria-describedby", re.compile(r"^term-"))
    # No link of the page names a folder under file://, where a folder opens its
    # listing: the pages link index.html, and file-links.js mends any left.
    if origin == "file":
        assert tab.page.evaluate(FOLDER_LINKS) == []
    assert tab.errors() == []


@pytest.mark.parametrize("origin", ORIGINS)
def test_an_inline_script_is_blocked_and_reported(
    site: Site, open_tab: Callable[..., Tab], origin: str
) -> None:
    """The policy is in force, and the tests above would see a violation."""
    tab = open_tab()
    page = tab.page
    page.goto(site.url(origin, PAGES["article"]), wait_until="networkidle")
    assert tab.errors() == []
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.inlineScriptRan = true";
          document.body.append(script);
        }"""
    )
    for _ in range(20):
        if any(problem.kind == "CSP violation" for problem in tab.problems):
            break
        page.wait_for_timeout(100)
    assert page.evaluate("window.inlineScriptRan") is None
    kinds = {problem.kind for problem in tab.problems}
    assert {"CSP violation", "console error"} <= kinds, tab.errors()


# -- layout ---------------------------------------------------------------------------


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("name", PAGES)
def test_no_horizontal_scroll(
    site: Site, open_tab: Callable[..., Tab], name: str, width: int
) -> None:
    tab = open_tab(viewport={"width": width, "height": 800})
    tab.page.goto(site.url("http", PAGES[name]))
    scroll_width, inner_width = tab.page.evaluate(
        "[document.scrollingElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width, (
        f"{PAGES[name] or 'front page'} is {scroll_width}px wide in a {inner_width}px "
        f"viewport; too wide: {tab.page.evaluate(WIDE_ELEMENTS)}"
    )


# -- accessibility --------------------------------------------------------------------


@pytest.fixture(scope="module")
def axe() -> Any:
    return require_module("axe_playwright_python.sync_playwright", "axe-playwright-python").Axe()


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']} "
            f"<{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {target}: {summary}\n      {node['html']}")
    return "\n".join(lines)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", PAGES)
def test_no_axe_violation(
    site: Site, open_tab: Callable[..., Tab], axe: Any, name: str, scheme: str
) -> None:
    tab = open_tab(color_scheme=scheme)
    tab.page.goto(site.url("http", PAGES[name]), wait_until="networkidle")
    violations = axe.run(tab.page).response["violations"]
    assert violations == [], describe_violations(violations)


def test_search_box_has_a_visible_label(site: Site, open_tab: Callable[..., Tab], axe: Any) -> None:
    tab = open_tab()
    tab.page.goto(site.url("http", PAGES["front"]), wait_until="networkidle")
    violations = axe.run(tab.page).response["violations"]
    assert [v for v in violations if v["id"] == "label-title-only"] == [], describe_violations(
        violations
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_axe_violation_in_an_open_card(
    site: Site, open_tab: Callable[..., Tab], expect: Any, axe: Any, scheme: str
) -> None:
    tab = open_tab(color_scheme=scheme)
    tab.page.goto(site.url("http", PAGES["article"]))
    tab.page.locator(f'{TERM_LINKS}[data-term="kim-jong-un"]').focus()
    expect(tab.page.locator("#term-kim-jong-un")).to_be_visible()
    violations = axe.run(tab.page, context="#term-kim-jong-un").response["violations"]
    assert violations == [], describe_violations(violations)


# -- without JavaScript ---------------------------------------------------------------


@pytest.mark.parametrize("origin", ORIGINS)
def test_the_article_without_javascript(
    site: Site, open_tab: Callable[..., Tab], expect: Any, origin: str
) -> None:
    tab = open_tab(java_script_enabled=False)
    page = tab.page
    page.goto(site.url(origin, PAGES["article"]))

    body = page.locator("[data-article-body]")
    expect(body).to_have_count(1)
    expect(body).to_be_visible()
    assert len(body.inner_text()) > 500
    for kind in FACTBOXES:
        box = page.locator(f'aside[data-factbox="{kind}"]')
        expect(box).to_have_count(1)
        expect(box).to_be_visible()
        expect(box).not_to_have_text("")

    # Glossary links are plain links: nothing added, nothing rewritten.
    links = page.locator(TERM_LINKS)
    assert links.count() > 0
    for link in links.all():
        term = link.get_attribute("data-term")
        assert link.get_attribute("aria-describedby") is None
        href = link.get_attribute("href") or ""
        assert re.fullmatch(rf"(\.\./)*glossary/{term}/index\.html", href)

    # ...that navigate, from file:// too: they name the page, not its folder.
    links.and_(page.locator('[data-term="kim-jong-un"]')).click()
    page.wait_for_url(ENTRY_PAGE)
    expect(page.locator("h1")).to_have_text(entry_name(site.root, "kim-jong-un"))
    assert tab.errors() == []


# -- pictures -------------------------------------------------------------------------

# What moved within the page's main element as it loaded, by Chromium's layout-shift
# entries: main itself is not counted, only what moved inside it, which is what a picture
# loading without its box reserved would move. (test_search checks that nothing moves
# anywhere on the page.)
SHIFTED_IN_MAIN = r"""() => new Promise((resolve) => {
  const main = document.querySelector("main");
  const moved = (list) => list.getEntries().flatMap((entry) => entry.sources)
    .map((source) => source.node)
    .filter((node) => node && node !== main && main.contains(node))
    .map((node) => (node.outerHTML || node.nodeName).slice(0, 100));
  new PerformanceObserver((list, observer) => {
    observer.disconnect();
    resolve(moved(list));
  }).observe({type: "layout-shift", buffered: true});
  setTimeout(() => resolve([]), 500);
})"""

PICTURES = r"""() => Array.from(document.images, (img) => ({
  src: img.currentSrc, sized: img.hasAttribute("width") && img.hasAttribute("height"),
  loaded: img.complete && img.naturalWidth > 0, lazy: img.loading === "lazy",
  lead: !!img.closest(".lead-image")}))"""


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("origin", ORIGINS)
def test_pictures_load_and_nothing_shifts_as_they_do(
    site: Site, open_tab: Callable[..., Tab], origin: str, width: int
) -> None:
    tab = open_tab(viewport={"width": width, "height": 800})
    tab.page.goto(site.url(origin, PAGES["article"]), wait_until="networkidle")
    pictures = tab.page.evaluate(PICTURES)
    leads = [p for p in pictures if p["lead"]]
    assert len(leads) == 1 and leads[0]["loaded"] and not leads[0]["lazy"], pictures
    assert all(p["sized"] for p in pictures), pictures
    assert tab.page.evaluate(SHIFTED_IN_MAIN) == []
    tab.page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    tab.page.wait_for_load_state("networkidle")
    assert all(p["loaded"] for p in tab.page.evaluate(PICTURES) if not p["lazy"])
    assert tab.errors() == []
