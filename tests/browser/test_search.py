"""The search box (Pagefind, when site.yaml says ``search: true``): it finds the story
over http without a console error or CSP violation, a word of the headline lists the
story first, entry pages do not match for the stories they list, each result says what
kind of page it is, and its results stay inside the site (served below a path, not at the
host's root). Pagefind loads only when the box is first used; the box's space is there
from the first paint, so nothing moves when it appears, and without JavaScript or from
file:// it stays invisible."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from tests.browser.conftest import PAGES, Site, Tab, entry_name, heading, require_module
from tests.conftest import SEED_SITE

pytestmark = pytest.mark.browser

SEARCH = "search, [role=search]"
SEARCH_INPUT = "search input, [role=search] input"
RESULTS = ".search-result"
QUERY = "Kim"
# Pagefind's own script: requested when the box is first used, never before.
ENGINE = "pagefind/pagefind.js"
KINDS = {"Explainer", "Person", "Place", "Organization", "Term", "Event", "Author"}


@pytest.fixture(scope="module", autouse=True)
def search_is_on() -> None:
    settings = yaml.safe_load((SEED_SITE / "site.yaml").read_text(encoding="utf-8"))
    if not settings.get("search"):
        pytest.skip("search is off in site.yaml")


def search(tab: Tab, site: Site, expect: Any, query: str = QUERY) -> list[str]:
    """Type the query on the front page; return the results' resolved addresses."""
    page = tab.page
    page.goto(site.url("http", PAGES["front"]), wait_until="networkidle")
    box = page.locator(SEARCH_INPUT).first
    expect(box).to_be_visible()
    box.fill(query)
    expect(page.locator(SEARCH).first.get_by_role("status")).to_contain_text(query)
    results = page.locator(SEARCH).first.locator("a[href]")
    expect(results.first).to_be_visible()
    page.wait_for_load_state("networkidle")
    return [str(link.evaluate("(a) => a.href")) for link in results.all()]


def test_search_finds_the_story(site: Site, open_tab: Callable[..., Tab], expect: Any) -> None:
    tab = open_tab()
    search(tab, site, expect)
    title = heading(site.root / PAGES["article"] / "index.html")
    found = tab.page.locator(SEARCH).first.get_by_role("link", name=title, exact=True)
    expect(found.first).to_be_visible()
    # Enter submits nothing the policy (form-action 'none') would have to refuse.
    tab.page.locator(SEARCH_INPUT).first.press("Enter")
    tab.page.wait_for_timeout(300)
    assert tab.errors() == []


def test_search_results_stay_inside_the_site(
    site: Site, open_tab: Callable[..., Tab], expect: Any
) -> None:
    tab = open_tab()
    hrefs = search(tab, site, expect)
    assert hrefs
    outside = [href for href in hrefs if not href.startswith(site.base)]
    assert outside == [], f"served under {site.base}"
    for href in hrefs:
        assert tab.page.request.get(href).status == 200, href


def article_url(site: Site) -> str:
    return site.url("http", PAGES["article"]) + "index.html"


def headline_words(site: Site) -> list[str]:
    title = heading(site.root / PAGES["article"] / "index.html")
    return [word for word in re.findall(r"\w+", title) if len(word) >= 4]


def test_every_word_of_the_headline_lists_the_story_first(
    site: Site, open_tab: Callable[..., Tab], expect: Any
) -> None:
    words = headline_words(site)
    assert len(words) >= 4, words
    tab = open_tab()
    for word in words:
        hrefs = search(tab, site, expect, word)
        assert hrefs[0] == article_url(site), (word, hrefs)
    assert tab.errors() == []


def test_entry_pages_do_not_match_for_the_stories_they_list(
    site: Site, open_tab: Callable[..., Tab], expect: Any
) -> None:
    # "rifle" is in the story's headline, dek and body; the entry pages list the story
    # with its headline and repeat its timeline, which the index leaves out.
    tab = open_tab()
    hrefs = search(tab, site, expect, "rifle")
    assert hrefs == [article_url(site)]


def test_results_say_what_kind_of_page_they_are(
    site: Site, open_tab: Callable[..., Tab], expect: Any
) -> None:
    tab = open_tab()
    search(tab, site, expect)
    results = tab.page.locator(RESULTS)
    kinds = [item.locator(".search-result-kind").inner_text() for item in results.all()]
    titles = [item.get_by_role("link").inner_text() for item in results.all()]
    assert set(kinds) <= KINDS and len(kinds) == len(titles) >= 2, kinds
    found = dict(zip(titles, kinds, strict=True))
    assert found[heading(site.root / PAGES["article"] / "index.html")] == "Explainer"
    assert found[entry_name(site.root, "kim-jong-un")] == "Person"


def test_results_are_readable_and_announced(
    site: Site, open_tab: Callable[..., Tab], expect: Any
) -> None:
    tab = open_tab(viewport={"width": 360, "height": 800})
    search(tab, site, expect)
    page = tab.page
    sizes = page.locator(f"{SEARCH_INPUT}, {RESULTS} a, .search-result-excerpt").evaluate_all(
        "(nodes) => nodes.map((node) => parseFloat(getComputedStyle(node).fontSize))"
    )
    assert min(sizes) >= 16, sizes
    status = page.locator(SEARCH).first.get_by_role("status")
    expect(status).to_have_text(re.compile(r"^\d+ results? for “Kim”$"))
    # From the box, Tab reaches the first result's link.
    page.locator(SEARCH_INPUT).first.focus()
    page.keyboard.press("Tab")
    first = page.locator(RESULTS).first.get_by_role("link")
    expect(first).to_be_focused()
    # Escape empties the box and the results.
    page.locator(SEARCH_INPUT).first.press("Escape")
    expect(page.locator(RESULTS)).to_have_count(0)
    assert tab.errors() == []


def test_pagefind_loads_on_first_use_only(
    site: Site, open_tab: Callable[..., Tab], expect: Any
) -> None:
    tab = open_tab()
    requested: list[str] = []
    tab.page.on("request", lambda request: requested.append(request.url))
    tab.page.goto(site.url("http", PAGES["article"]), wait_until="networkidle")
    assert [url for url in requested if "/pagefind/" in url] == []
    with tab.page.expect_request(lambda request: request.url.endswith(ENGINE)):
        tab.page.locator(SEARCH_INPUT).first.focus()
    assert tab.errors() == []


@pytest.mark.parametrize("how", ["from file://", "without JavaScript"])
def test_search_box_stays_invisible_and_keeps_its_place(
    site: Site, open_tab: Callable[..., Tab], expect: Any, how: str
) -> None:
    if how == "from file://":
        tab = open_tab()
        tab.page.goto(site.url("file", PAGES["front"]))
    else:
        tab = open_tab(java_script_enabled=False)
        tab.page.goto(site.url("http", PAGES["front"]))
    box = tab.page.locator(SEARCH).first
    expect(box).to_be_hidden()
    expect(tab.page.locator(SEARCH_INPUT)).to_be_hidden()
    assert box.evaluate("(node) => node.getBoundingClientRect().height") > 40
    assert tab.errors() == []


# Every layout shift of the page as it loads, by Chromium's layout-shift entries: the
# score that Core Web Vitals call CLS, over the whole page.
LAYOUT_SHIFT = r"""() => new Promise((resolve) => {
  let score = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) score += entry.value;
  }).observe({type: "layout-shift", buffered: true});
  setTimeout(() => resolve(score), 500);
})"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [360, 768, 1280])
@pytest.mark.parametrize("name", ["front", "article", "entry"])
def test_nothing_moves_when_the_search_box_appears(
    site: Site, open_tab: Callable[..., Tab], expect: Any, name: str, width: int, scheme: str
) -> None:
    tab = open_tab(viewport={"width": width, "height": 800}, color_scheme=scheme)
    tab.page.goto(site.url("http", PAGES[name]), wait_until="networkidle")
    expect(tab.page.locator(SEARCH_INPUT)).to_be_visible()
    assert tab.page.evaluate(LAYOUT_SHIFT) == 0
    assert tab.errors() == []


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two opaque CSS rgb() colours."""

    def luminance(colour: str) -> float:
        channels = [int(part) / 255 for part in re.findall(r"\d+", colour)[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_open_results_pass_axe_and_the_placeholder_is_legible(
    site: Site, open_tab: Callable[..., Tab], expect: Any, scheme: str
) -> None:
    axe = require_module("axe_playwright_python.sync_playwright", "axe-playwright-python").Axe()
    tab = open_tab(color_scheme=scheme)
    tab.page.goto(site.url("http", PAGES["front"]), wait_until="networkidle")
    box = tab.page.locator(SEARCH_INPUT).first
    placeholder, background = box.evaluate(
        "(input) => [getComputedStyle(input, '::placeholder').color,"
        " getComputedStyle(input).backgroundColor]"
    )
    assert contrast(placeholder, background) >= 4.5, (placeholder, background)
    search(tab, site, expect)
    violations = axe.run(tab.page, context="search").response["violations"]
    assert violations == [], violations
