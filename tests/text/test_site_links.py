"""Links into the site: where each leads, how a page publishes it, and what is
wrong with one that leads nowhere."""

from __future__ import annotations

import pytest

from builder.core.diagnostics import Position, SiteLink
from builder.text.markdown import InlineMarkdown
from builder.text.site_links import (
    LinkTargets,
    link_problem,
    page_href,
    published_href,
    relative_url,
    site_target,
    site_urls_in_inline,
    written_in,
)

STORY = "content/world/story/article.md"
TARGETS = [
    "index.html",
    "feed.xml",
    "glossary/index.html",
    "glossary/kim-jong-un/index.html",
    "world/story/index.html",
    "world/putin-kim-rifles/index.html",
    "sections/world/index.html",
    "static/style.css",
]


def targets() -> LinkTargets:
    found = LinkTargets()
    found.add(TARGETS)
    found.hold_back(["world/plans/index.html"], "a draft")
    return found


def problem(url: str, path: str = STORY) -> tuple[bool, str] | None:
    return link_problem(SiteLink(Position(path, 3, 4), url), targets())


@pytest.mark.parametrize(
    ("path", "folder"),
    [
        ("content/world/story/who.yaml", "world/story"),
        ("content/glossary/people.yaml", "glossary"),
        ("content/authors.yaml", ""),
    ],
)
def test_a_link_is_relative_to_the_folder_of_its_file(path: str, folder: str) -> None:
    assert written_in(path) == folder


@pytest.mark.parametrize(
    ("url", "path", "folder"),
    [
        ("../other/", "world/other/index.html", True),
        ("../other/index.html", "world/other/index.html", False),
        ("../../glossary/kim/#facts", "glossary/kim/index.html", True),
        ("../..", "index.html", True),
        ("./", "world/story/index.html", True),
        ("map.png?v=2", "world/story/map.png", False),
        ("/glossary/", "glossary/index.html", True),
    ],
)
def test_where_a_link_leads(url: str, path: str, folder: bool) -> None:
    target = site_target("world/story", url)
    assert target is not None
    assert (target.path, target.folder) == (path, folder)


@pytest.mark.parametrize(
    "url", ["https://example.org/", "mailto:desk@example.org", "//cdn.example.org/x", "#top", "?q"]
)
def test_links_out_of_the_site_or_within_the_page_are_not_site_links(url: str) -> None:
    assert site_target("world/story", url) is None


def test_a_link_above_the_top_leads_nowhere() -> None:
    target = site_target("world/story", "../../../x/")
    assert target is not None and target.path is None


@pytest.mark.parametrize(
    "url",
    [
        "../putin-kim-rifles/",
        "../putin-kim-rifles/index.html",
        "../putin-kim-rifles/#background",
        "../../glossary/kim-jong-un/index.html?from=story",
        "../../",
        "../../feed.xml",
        "../../static/style.css",
        "./",
    ],
)
def test_a_link_to_a_published_page_or_file_is_fine(url: str) -> None:
    assert problem(url) is None


def test_a_link_to_no_page_suggests_the_nearest_in_the_editors_terms() -> None:
    assert problem("../putin-kim-rifle/") == (
        False,
        "link to '../putin-kim-rifle/' leads to no page of the site; "
        "did you mean '../putin-kim-rifles/'?",
    )
    assert problem("../../glossary/kim-jong-u/index.html#x") == (
        False,
        "link to '../../glossary/kim-jong-u/index.html#x' leads to no page of the site; "
        "did you mean '../../glossary/kim-jong-un/index.html#x'?",
    )


def test_a_pages_folder_without_its_slash_is_no_page() -> None:
    assert problem("../../sections/world") == (
        False,
        "link to '../../sections/world' leads to no page of the site; "
        "did you mean '../../sections/world/'?",
    )


def test_a_link_to_nothing_like_any_page_has_no_suggestion() -> None:
    assert problem("../../archive/2019/") == (
        False,
        "link to '../../archive/2019/' leads to no page of the site",
    )


def test_a_link_to_a_draft_says_it_is_not_published() -> None:
    assert problem("../plans/") == (
        False,
        "link to '../plans/' leads to a draft, which is not published",
    )


def test_a_link_above_the_top_is_an_error() -> None:
    found = problem("../../../x/")
    assert found is not None and found[0] is False and "above the site's top" in found[1]


def test_a_root_relative_link_is_a_warning_suggesting_the_relative_form() -> None:
    assert problem("/glossary/kim-jong-un/#facts") == (
        True,
        "link to '/glossary/kim-jong-un/#facts' starts with '/', so it breaks where base_url "
        "has a path and when the site is opened from the disk; write it relative to this "
        "file: '../../glossary/kim-jong-un/#facts'",
    )


def test_a_root_relative_link_to_no_page_is_an_error() -> None:
    found = problem("/glossary/kim/")
    assert found is not None and found[0] is False


def test_a_glossary_files_links_are_relative_to_the_glossary_folder() -> None:
    people = "content/glossary/people.yaml"
    assert problem("kim-jong-un/", people) is None
    assert problem("../world/story/", people) is None
    assert problem("../../world/story/", people) is not None


@pytest.mark.parametrize(
    ("path", "base", "folder", "climbs", "expected"),
    [
        ("world/other/index.html", "world/story", True, 0, "../other/"),
        ("world/story/index.html", "world/story", True, 1, "../story/"),
        ("world/story/index.html", "world/story", True, 0, "./"),
        ("index.html", "world/story", True, 2, "../../"),
        ("glossary/kim/index.html", "glossary", False, 0, "kim/index.html"),
        ("static/style.css", "", False, 0, "static/style.css"),
    ],
)
def test_relative_url(path: str, base: str, folder: bool, climbs: int, expected: str) -> None:
    assert relative_url(path, base, folder, climbs) == expected


def test_inline_fields_name_the_links_they_hold_into_the_site() -> None:
    text = "See [a](../a/), [b](https://example.org/), [c](#x) and ![d](map.png)."
    assert site_urls_in_inline(text) == ["../a/", "map.png"]
    assert site_urls_in_inline("No links at all.") == []


def test_an_inline_field_is_published_relative_to_the_page_that_shows_it() -> None:
    inline = InlineMarkdown()
    text = "Met at [the summit](../summit/) ([map](map.png#n))."
    on_its_story = inline(text, "world/story", "../../")
    on_the_glossary = inline(text, "world/story", "../")
    assert 'href="../../world/summit/index.html"' in on_its_story
    assert "src" not in on_its_story and 'href="../../world/story/map.png#n"' in on_its_story
    assert 'href="../world/summit/index.html"' in on_the_glossary
    assert 'href="../world/story/map.png#n"' in on_the_glossary


def test_an_inline_field_keeps_links_out_of_the_site_and_root_relative_ones() -> None:
    html = InlineMarkdown()("[a](https://example.org/x) [b](/glossary/) [c](#top)", "x/y", "")
    assert 'href="https://example.org/x"' in html
    assert 'href="/glossary/"' in html
    assert 'href="#top"' in html


@pytest.mark.parametrize(
    ("root", "folder", "as_file", "as_folder"),
    [
        (
            "../../",
            "glossary/kim-jong-un",
            "../../glossary/kim-jong-un/index.html",
            "../../glossary/kim-jong-un/",
        ),
        ("../", "", "../index.html", "../"),
        ("", "", "index.html", "./"),  # the front page from itself: never an empty href
        ("", "tags/russia", "tags/russia/index.html", "tags/russia/"),
    ],
)
def test_a_link_to_a_page_takes_the_sites_one_form(
    root: str, folder: str, as_file: str, as_folder: str
) -> None:
    assert page_href(root, folder, folders=False) == as_file
    assert page_href(root, folder, folders=True) == as_folder


@pytest.mark.parametrize(
    ("url", "root", "as_file", "as_folder"),
    [
        # Published from the page's own folder, as written but for the form.
        ("../other/", None, "../other/index.html", "../other/"),
        ("../other/index.html#facts", None, "../other/index.html#facts", "../other/#facts"),
        ("..", None, "../index.html", "../"),
        ("index.html?x=1", None, "index.html?x=1", "./?x=1"),
        ("map.png", None, "map.png", "map.png"),  # a file, not a page: as written
        ("../other", None, "../other", "../other"),  # no page: the checker says so
        # Published from another page, by way of the site's top.
        ("../other/index.html", "../", "../world/other/index.html", "../world/other/"),
        ("../../", "", "index.html", "./"),
        ("../../feed.xml", "../../", "../../feed.xml", "../../feed.xml"),
    ],
)
def test_an_editors_link_to_a_page_is_published_in_the_sites_one_form(
    url: str, root: str | None, as_file: str, as_folder: str
) -> None:
    target = site_target("world/story", url)
    assert target is not None
    assert published_href(url, target, root, folders=False) == as_file
    assert published_href(url, target, root, folders=True) == as_folder


def test_an_inline_field_links_to_folders_where_the_site_does() -> None:
    text = "Met at [the summit](../summit/index.html) ([map](map.png))."
    html = InlineMarkdown(folders=True)(text, "world/story", "../")
    assert 'href="../world/summit/"' in html
    assert 'href="../world/story/map.png"' in html
