"""The search box (Pagefind, when site.yaml says ``search: true``): it finds the story
over http without a console error or CSP violation, its results stay inside the site
(served below a path, not at the host's root), and without JavaScript or from file://
it stays out of the way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml

from tests.browser.conftest import PAGES, Site, Tab, heading
from tests.conftest import SEED_SITE

pytestmark = pytest.mark.browser

SEARCH = "search, [role=search]"
SEARCH_INPUT = "search input, [role=search] input"
QUERY = "Kim"


@pytest.fixture(scope="module", autouse=True)
def search_is_on() -> None:
    settings = yaml.safe_load((SEED_SITE / "site.yaml").read_text(encoding="utf-8"))
    if not settings.get("search"):
        pytest.skip("search is off in site.yaml")


def search(tab: Tab, site: Site, expect: Any) -> list[str]:
    """Type the query on the front page; return the results' resolved addresses."""
    page = tab.page
    page.goto(site.url("http", PAGES["front"]), wait_until="networkidle")
    box = page.locator(SEARCH_INPUT).first
    expect(box).to_be_visible()
    box.fill(QUERY)
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


@pytest.mark.parametrize("how", ["from file://", "without JavaScript"])
def test_search_box_stays_hidden(
    site: Site, open_tab: Callable[..., Tab], expect: Any, how: str
) -> None:
    if how == "from file://":
        tab = open_tab()
        tab.page.goto(site.url("file", PAGES["front"]))
    else:
        tab = open_tab(java_script_enabled=False)
        tab.page.goto(site.url("http", PAGES["front"]))
    expect(tab.page.locator(SEARCH_INPUT)).to_have_count(0)
    expect(tab.page.locator(SEARCH).first).to_be_hidden()
    assert tab.errors() == []
