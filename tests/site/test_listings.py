"""The news sitemap: the stories of the two days before the build's time; the list
pages, and the groupings a running builder keeps for them."""

from __future__ import annotations

import datetime as dt
import pickle

import pytest

from builder.content.model import BundleSummary, FrontMatter, Site, SiteConfig
from builder.content.times import parse_time, resolve
from builder.site.listings import (
    LIST_PAGE_SIZE,
    ListingMemo,
    list_page_paths,
    list_pages,
    news,
    news_language,
    news_sitemap,
    site_page_paths,
    site_pages,
)
from builder.site.views import Cards, newest_first

NOW = dt.datetime(2024, 4, 1, tzinfo=dt.UTC)
CONFIG = SiteConfig("Site", "https://example.org/", "en", "public", None, 365, 10**6, False)


def story(path: str, date: str) -> BundleSummary:
    front = FrontMatter(
        path, None, "World", resolve(parse_time(date), "UTC"), None, None, (), False
    )
    return BundleSummary(path, f"content/{path}/article.md", front, (), ())


def test_lists_the_two_days_before_the_build_newest_first() -> None:
    site = Site(
        CONFIG,
        (),
        (
            story("a/too-old", "2024-03-30T00:00Z"),
            story("a/just-in", "2024-03-30T00:00:01Z"),
            story("a/latest", "2024-03-31T23:00+02:00"),
            story("a/scheduled", "2024-04-01T00:00:01Z"),
        ),
    )
    assert [b.path for b in news(site, NOW)] == ["a/latest", "a/just-in"]


def test_each_item_has_its_publication_date_and_title() -> None:
    site = Site(CONFIG, (), (story("a/latest", "2024-03-31T23:00+02:00"),))
    page = news_sitemap(site)
    assert (page.publication, page.language) == ("Site", "en")
    [item] = page.items
    assert (item.loc, item.title, item.published) == (
        "https://example.org/a/latest/",
        "a/latest",
        "2024-03-31T23:00:00+02:00",
    )


@pytest.mark.parametrize(
    ("tag", "code"),
    [("en", "en"), ("en-GB", "en"), ("ko", "ko"), ("zh-Hant-TW", "zh-tw"), ("zh-CN", "zh-cn")],
)
def test_language_is_the_iso_639_code_google_news_asks_for(tag: str, code: str) -> None:
    assert news_language(tag) == code


def tagged(path: str, section: str, tags: tuple[str, ...]) -> BundleSummary:
    found = story(path, "2024-03-01T00:00Z")
    front = FrontMatter(path, None, section, found.front.date, None, None, tags, False)
    return BundleSummary(path, found.article_path, front, (), ())


def test_the_list_page_paths_are_those_of_the_list_pages() -> None:
    bundles = tuple(
        tagged(f"a/s{n}", ["World", "Asia", "!!"][n % 3], (f"tag {n % 7}", "All", "—"))
        for n in range(LIST_PAGE_SIZE * 2 + 5)
    )
    site = Site(CONFIG, (), bundles)
    paths = list_page_paths(site)
    assert paths == list(list_pages(site))
    assert "tags/all/page/3/index.html" in paths and "tags/all/page/4/index.html" not in paths


def test_a_running_builders_groupings_give_the_same_page_paths() -> None:
    """Taken from the groupings site_pages kept, but only for those very stories."""
    bundles = tuple(
        tagged(f"a/s{n}", ["World", "Asia"][n % 2], (f"tag {n % 7}", "All", "ALL", "—"))
        for n in range(LIST_PAGE_SIZE * 2 + 5)
    )
    site, memo = Site(CONFIG, (), bundles), ListingMemo()
    site_pages(site, Cards.of_site(CONFIG), NOW, memo)
    assert site_page_paths(site, memo) == site_page_paths(site)
    assert "tags/all/page/4/index.html" in site_page_paths(site, memo)  # "All" and "ALL"
    fewer = Site(CONFIG, (), bundles[:3])  # not what the groupings were made of
    assert site_page_paths(fewer, memo) == site_page_paths(fewer)


def _archive() -> tuple[BundleSummary, ...]:
    """Stories in two sections and five tags, several on the same day."""
    found = []
    for n in range(LIST_PAGE_SIZE * 3):
        bundle = tagged(f"a/s{n:03d}", ["World", "Asia"][n % 2], (f"tag {n % 5}",))
        date = resolve(parse_time(f"2024-03-{1 + n % 28:02d}T{n % 3:02d}:00Z"), "UTC")
        front = bundle.front._replace(title=f"Story {n}", date=date)
        found.append(bundle._replace(front=front))
    return tuple(found)


EDITS = {
    "title": lambda f: f._replace(title="Edited"),  # the groups stay; the story is new
    "section": lambda f: f._replace(section="Science"),
    "tags": lambda f: f._replace(tags=("tag 9",)),
    "date": lambda f: f._replace(date=resolve(parse_time("2024-03-31T12:00Z"), "UTC")),
    "updated": lambda f: f._replace(updated=resolve(parse_time("2024-03-31T12:00Z"), "UTC")),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_a_running_builders_groupings_equal_those_made_afresh(edit: str) -> None:
    """Kept between builds, the groupings and the sitemap's addresses are what the
    edited archive makes afresh, whether the edit moved the story or not."""
    memo = ListingMemo()
    bundles = _archive()
    site_pages(Site(CONFIG, (), bundles), Cards.of_site(CONFIG), NOW, memo)
    for place in (7, 7, 100):  # the same story twice, then another
        edited = bundles[place]._replace(front=EDITS[edit](bundles[place].front))
        bundles = (*bundles[:place], edited, *bundles[place + 1 :])
        _assert_pages_as_made_afresh(Site(CONFIG, (), bundles), memo)
        ordered = newest_first(list(bundles))
        assert len(memo.ordered) == len(ordered)
        assert all(a is b for a, b in zip(memo.ordered, ordered, strict=True))


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_groupings_kept_by_path_serve_another_process_as_they_serve_a_running_builder(
    edit: str,
) -> None:
    """Stored by path and made again of the stories as the store gives them back
    (copies, not the objects they were made of), the groupings and addresses are
    those the edited archive makes afresh; a new title or `updated` time keeps the
    groupings whole."""
    memo, bundles = ListingMemo(), _archive()
    site_pages(Site(CONFIG, (), bundles), Cards.of_site(CONFIG), NOW, memo)
    stored = pickle.loads(pickle.dumps(memo.stored()))
    copies = {b.path: b for b in pickle.loads(pickle.dumps(bundles))}
    again = ListingMemo.from_stored(stored, copies.get)
    assert again.groups is not None and again.urls == memo.urls
    groups = again.groups
    place = 7
    edited = copies[bundles[place].path]._replace(front=EDITS[edit](bundles[place].front))
    now = tuple(edited if b.path == edited.path else copies[b.path] for b in bundles)
    site = Site(CONFIG, (), now)
    _assert_pages_as_made_afresh(site, again)
    assert (again.groups is groups) == (edit in ("title", "updated"))
    afresh = ListingMemo()
    site_pages(site, Cards.of_site(CONFIG), NOW, afresh)
    assert again.stored() == afresh.stored()


def _assert_pages_as_made_afresh(site: Site, memo: ListingMemo) -> None:
    """The site-wide pages made with the memo show what those made without it show."""
    kept = site_pages(site, Cards.of_site(CONFIG), NOW, memo)
    fresh = site_pages(site, Cards.of_site(CONFIG), NOW)
    assert kept.keys() == fresh.keys()
    for output, page in fresh.items():
        assert kept[output].shows == page.shows, output
        assert kept[output].extra == page.extra, output


def test_groupings_kept_by_path_are_dropped_when_a_story_is_missing_or_they_are_malformed() -> None:
    memo, bundles = ListingMemo(), _archive()
    site_pages(Site(CONFIG, (), bundles), Cards.of_site(CONFIG), NOW, memo)
    stored = memo.stored()
    known = {b.path: b for b in bundles[1:]}
    assert ListingMemo.from_stored(stored, known.get).groups is None
    assert ListingMemo.from_stored(("not", "a", "listing"), known.get).groups is None
    assert ListingMemo.from_stored(None, known.get).groups is None
    assert ListingMemo().stored() is None  # nothing made yet


def test_a_running_builder_counts_the_tags_again_only_when_the_groups_change() -> None:
    memo, bundles = ListingMemo(), _archive()
    first = site_pages(Site(CONFIG, (), bundles), Cards.of_site(CONFIG), NOW, memo)
    counts = first["tags/index.html"].extra
    assert counts == tuple((f"tag {n}", LIST_PAGE_SIZE * 3 // 5) for n in range(5))
    for edit, again in (("title", True), ("tags", False)):
        edited = bundles[7]._replace(front=EDITS[edit](bundles[7].front))
        bundles = (*bundles[:7], edited, *bundles[8:])
        site = Site(CONFIG, (), bundles)
        extra = site_pages(site, Cards.of_site(CONFIG), NOW, memo)["tags/index.html"].extra
        assert (extra is counts) == again
        assert extra == site_pages(site, Cards.of_site(CONFIG), NOW)["tags/index.html"].extra


def test_each_group_lists_its_stories_newest_first_under_the_first_name_seen() -> None:
    """ "All" and "ALL" share tags/all, named by the newest story's spelling; "—" and
    "!!" have no page of their own ("!!" as a section is listed under "other")."""

    def dated(n: int) -> BundleSummary:
        found = tagged(f"a/s{n}", ["World", "!!"][n % 2], (["All", "ALL"][n % 3 == 0], "—"))
        date = resolve(parse_time(f"2024-03-{1 + n:02d}T00:00Z"), "UTC")
        return found._replace(front=found.front._replace(date=date))

    bundles = tuple(dated(n) for n in range(6))
    pages = list_pages(Site(CONFIG, (), bundles))
    newest = ["a/s5", "a/s4", "a/s3", "a/s2", "a/s1", "a/s0"]
    shown = {path: (s.kind, s.name, [b.path for b in s.bundles]) for path, s in pages.items()}
    assert shown == {
        "sections/other/index.html": ("section", "!!", ["a/s5", "a/s3", "a/s1"]),
        "sections/world/index.html": ("section", "World", ["a/s4", "a/s2", "a/s0"]),
        "tags/all/index.html": ("tag", "All", newest),
    }
