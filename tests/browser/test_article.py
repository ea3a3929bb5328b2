"""The seed article as a phone reader meets it: the headline and "What you need to
know" on the first screen, the boxes folded after the story and opened by the chips
that stay on screen; and on paper, the whole story with its boxes on three A4 pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import ORIGINS, PAGES, Site, Tab

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


def bottom_of(tab: Tab, selector: str) -> float:
    box = tab.page.locator(selector).bounding_box()
    assert box is not None, f"{selector} has no box"
    return float(box["y"] + box["height"])


@pytest.mark.parametrize("origin", ORIGINS)
def test_the_first_screen_of_a_phone_shows_what_you_need_to_know(
    site: Site, open_tab: Callable[..., Tab], expect: Any, origin: str
) -> None:
    tab = open_tab(viewport=PHONE)
    tab.page.goto(site.url(origin, PAGES["article"]))
    heading = tab.page.get_by_role("heading", name="What you need to know")
    expect(heading).to_be_in_viewport()
    assert bottom_of(tab, "h1") < PHONE["height"]
    # The summary starts on the first screen too, not only its heading.
    assert bottom_of(tab, ".need-to-know-heading") + 40 < PHONE["height"]
    assert tab.errors() == []


@pytest.mark.parametrize("origin", ORIGINS)
def test_on_a_phone_the_boxes_fold_and_a_chip_opens_its_box(
    site: Site, open_tab: Callable[..., Tab], expect: Any, origin: str
) -> None:
    tab = open_tab(viewport=PHONE)
    page = tab.page
    page.goto(site.url(origin, PAGES["article"]))
    for kind in ("who", "what", "where", "background"):
        expect(page.locator(f'[data-factbox="{kind}"] details')).not_to_have_attribute(
            "open", re.compile(".*")
        )

    page.mouse.wheel(0, 2000)
    chips = page.locator("nav.jump")
    expect(chips).to_be_in_viewport()  # sticky: still there halfway down the story

    chips.get_by_role("link", name="Who’s who").click()
    who = page.locator('[data-factbox="who"] details')
    expect(who).to_have_attribute("open", "")
    expect(page.locator('[data-factbox="who"] .card').first).to_be_in_viewport()
    assert tab.errors() == []


def test_on_a_wide_screen_the_boxes_are_open(
    site: Site, open_tab: Callable[..., Tab], expect: Any
) -> None:
    tab = open_tab(viewport={"width": 1280, "height": 800})
    tab.page.goto(site.url("http", PAGES["article"]))
    for kind in ("who", "what", "where", "background"):
        expect(tab.page.locator(f'[data-factbox="{kind}"] details')).to_have_attribute("open", "")


def test_the_story_prints_on_three_a4_pages(
    site: Site, open_tab: Callable[..., Tab], tmp_path: Path
) -> None:
    tab = open_tab()
    tab.page.goto(site.url("http", PAGES["article"]), wait_until="networkidle")
    tab.page.emulate_media(media="print")
    pdf = tab.page.pdf(format="A4")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert 1 <= pages <= 3, f"the article prints on {pages} A4 pages"
    # Boxes print after the story, each of them.
    text = tab.page.locator("main").inner_text().casefold()
    assert text.index("who’s who") > text.index("yonhap news agency")
    assert "background" in text


def chip_row_fades(tab: Tab) -> tuple[float, float]:
    """How far the chip row fades out at its start and at its end, in pixels."""
    fades = tab.page.evaluate(
        """() => {
          const style = getComputedStyle(document.querySelector('.jump ul'));
          return ['--jump-fade-start', '--jump-fade-end'].map(
            (name) => parseFloat(style.getPropertyValue(name)) || 0);
        }"""
    )
    return float(fades[0]), float(fades[1])


def test_on_a_phone_the_chip_row_fades_where_it_goes_on(
    site: Site, open_tab: Callable[..., Tab]
) -> None:
    tab = open_tab(viewport=PHONE)
    page = tab.page
    page.goto(site.url("http", PAGES["article"]))
    row = page.locator(".jump ul")
    overflow = row.evaluate("(ul) => ul.scrollWidth - ul.clientWidth")
    assert overflow > 0, "at 360 px the chips no longer overflow: this test needs a narrower one"
    before = row.bounding_box()

    start, end = chip_row_fades(tab)
    assert (start, end > 0) == (0, True), "unscrolled, the row fades at its end only"
    row.evaluate("(ul) => { ul.scrollLeft = ul.scrollWidth; }")
    page.wait_for_timeout(50)  # the scroll timeline updates on the next frame
    start, end = chip_row_fades(tab)
    assert (start > 0, end) == (True, 0), "scrolled to its end, the row fades at its start only"
    assert row.bounding_box() == before, "the fade moved something"
    assert tab.errors() == []


def test_a_chip_row_that_fits_does_not_fade(site: Site, open_tab: Callable[..., Tab]) -> None:
    tab = open_tab(viewport={"width": 1280, "height": 800})
    tab.page.goto(site.url("http", PAGES["article"]))
    assert tab.page.locator(".jump ul").evaluate("(ul) => ul.scrollWidth - ul.clientWidth") <= 0
    assert chip_row_fades(tab) == (0, 0)
