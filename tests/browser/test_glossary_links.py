"""Glossary links in the seed article: the pop-over card on focus, on hover (after a
delay) and on a tap, closed by Escape, turned off by the reader, and the link itself,
which leads to the entry page that lists the story."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import ORIGINS, PAGES, Site, Tab, entry_name

pytestmark = pytest.mark.browser

TERM_LINKS = "[data-article-body] a[data-term]"
FOCUSED_TERM = f"document.activeElement.matches({TERM_LINKS!r})"


def card_inside_viewport(tab: Tab, card_id: str) -> None:
    box = tab.page.locator(f"#{card_id}").bounding_box()
    width = tab.page.evaluate("window.innerWidth")
    assert box is not None, f"#{card_id} has no box"
    assert box["x"] >= 0, f"#{card_id} starts left of the viewport: {box}"
    assert box["x"] + box["width"] <= width, f"#{card_id} ends past {width}px: {box}"


@pytest.mark.parametrize("origin", ORIGINS)
def test_card_opens_on_keyboard_focus_and_closes_on_escape(
    site: Site, open_tab: Callable[..., Tab], expect: Any, origin: str
) -> None:
    tab = open_tab()
    page = tab.page
    page.goto(site.url(origin, PAGES["article"]))
    first = page.locator(TERM_LINKS).first
    term = first.get_attribute("data-term")
    assert term

    # Tab from the top of the page (skip link, header, jump links) to the first mention.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED_TERM):
            break
    else:
        pytest.fail("no glossary link in the article body takes keyboard focus in 40 tabs")
    assert page.evaluate("document.activeElement.dataset.term") == term

    card = page.locator(f"#term-{term}")
    expect(card).to_be_visible()
    expect(card).to_contain_text(entry_name(site.root, term))
    # Described by the card's kind ("Person"), not by the whole card.
    expect(first).to_have_attribute("aria-describedby", f"term-{term}-kind")
    card_inside_viewport(tab, f"term-{term}")

    page.keyboard.press("Escape")
    expect(card).to_be_hidden()
    assert page.evaluate(FOCUSED_TERM), "Escape moved the focus away from the link"
    assert tab.errors() == []


@pytest.mark.parametrize("origin", ORIGINS)
def test_card_opens_on_hover_and_closes_on_escape(
    site: Site, open_tab: Callable[..., Tab], expect: Any, origin: str
) -> None:
    tab = open_tab(viewport={"width": 360, "height": 740})
    page = tab.page
    page.goto(site.url(origin, PAGES["article"]))
    link = page.locator(f'{TERM_LINKS}[data-term="kim-jong-un"]')
    card = page.locator("#term-kim-jong-un")
    expect(card).to_be_hidden()

    link.hover()
    expect(card).to_be_visible()
    expect(card).to_contain_text(entry_name(site.root, "kim-jong-un"))
    card_inside_viewport(tab, "term-kim-jong-un")
    page.keyboard.press("Escape")
    expect(card).to_be_hidden()

    # The pointer may move onto the card and read it (WCAG 1.4.13); leaving both hides it.
    page.mouse.move(0, 0)
    link.hover()
    expect(card).to_be_visible()
    card.hover()
    page.wait_for_timeout(400)  # longer than the script's hide delay
    expect(card).to_be_visible()
    page.mouse.move(0, 0)
    expect(card).to_be_hidden()
    assert tab.errors() == []


@pytest.mark.parametrize("origin", ORIGINS)
def test_glossary_link_leads_to_the_entry_that_lists_the_story(
    site: Site, open_tab: Callable[..., Tab], expect: Any, origin: str
) -> None:
    tab = open_tab()
    page = tab.page
    article = site.url(origin, PAGES["article"])
    page.goto(article)
    title = page.locator("h1").inner_text().strip()

    page.locator(f'{TERM_LINKS}[data-term="kim-jong-un"]').click()
    # The link names the entry's index.html, which opens from file:// as over http.
    page.wait_for_url(re.compile(r".*/glossary/kim-jong-un/(index\.html)?$"))
    expect(page.locator("h1")).to_have_text(entry_name(site.root, "kim-jong-un"))

    story = page.locator("main").get_by_role("link", name=title, exact=True).first
    expect(story).to_be_visible()
    story.click()
    page.wait_for_url(
        lambda url: url.removesuffix("index.html") == article.removesuffix("index.html")
    )
    assert tab.errors() == []


def test_hover_waits_before_opening_the_card(
    site: Site, open_tab: Callable[..., Tab], expect: Any
) -> None:
    """A pointer passing over a mention opens nothing; one that rests there does."""
    tab = open_tab()
    page = tab.page
    page.goto(site.url("http", PAGES["article"]))
    link = page.locator(f'{TERM_LINKS}[data-term="kim-jong-un"]')
    card = page.locator("#term-kim-jong-un")

    link.hover()
    page.wait_for_timeout(150)
    expect(card).to_be_hidden()
    page.mouse.move(0, 0)
    page.wait_for_timeout(500)
    expect(card).to_be_hidden()

    link.hover()
    expect(card).to_be_visible()
    assert tab.errors() == []


@pytest.mark.parametrize("origin", ORIGINS)
def test_a_tap_opens_the_card_and_its_link_leads_on(
    site: Site, open_tab: Callable[..., Tab], expect: Any, origin: str
) -> None:
    tab = open_tab(viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True)
    page = tab.page
    article = site.url(origin, PAGES["article"])
    page.goto(article)
    link = page.locator(f'{TERM_LINKS}[data-term="kim-jong-un"]')
    card = page.locator("#term-kim-jong-un")

    link.tap()
    expect(card).to_be_visible()
    assert page.url == article, "the tap left the article instead of opening the card"
    card_inside_viewport(tab, "term-kim-jong-un")

    # A tap elsewhere closes it.
    page.locator("h1").tap()
    expect(card).to_be_hidden()

    link.tap()
    card.get_by_role("link", name="Open entry").tap()
    page.wait_for_url(re.compile(r".*/glossary/kim-jong-un/(index\.html)?$"))
    expect(page.locator("h1")).to_have_text(entry_name(site.root, "kim-jong-un"))
    assert tab.errors() == []


def test_cards_can_be_turned_off_and_stay_off(
    site: Site, open_tab: Callable[..., Tab], expect: Any
) -> None:
    tab = open_tab()
    page = tab.page
    page.goto(site.url("http", PAGES["article"]))
    link = page.locator(f'{TERM_LINKS}[data-term="kim-jong-un"]')
    card = page.locator("#term-kim-jong-un")

    page.get_by_role("button", name="Turn cards off").click()
    link.focus()
    link.hover()
    page.wait_for_timeout(700)
    expect(card).to_be_hidden()
    expect(link).not_to_have_attribute("aria-describedby", re.compile("."))

    page.reload()
    switch = page.get_by_role("button", name="Turn cards on")
    expect(switch).to_be_visible()
    link.hover()
    page.wait_for_timeout(700)
    expect(card).to_be_hidden()

    switch.click()
    link.hover()
    expect(card).to_be_visible()
    assert tab.errors() == []
