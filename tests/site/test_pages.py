"""Related explainers: the stories that share the most entries with each story."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.content.model import BundleSummary, FrontMatter, Site, SiteConfig
from builder.content.times import parse_time, resolve
from builder.site import pages
from builder.site.pages import Touched, gather_users, related_articles
from builder.site.views import newest_first

CONFIG = SiteConfig("Site", "https://example.org/", "en", "public", None, 365, 10**6, False)


def story(path: str, date: str, *listed: str) -> BundleSummary:
    front = FrontMatter(
        path, None, "World", resolve(parse_time(date), "UTC"), None, None, (), False
    )
    return BundleSummary(path, f"content/{path}/article.md", front, tuple(sorted(listed)), ())


def site_of(*stories: BundleSummary) -> Site:
    return Site(CONFIG, (), stories)


def test_the_most_shared_come_first_and_a_tie_goes_to_the_newer_story() -> None:
    site = site_of(
        story("a/this", "2024-03-01T00:00Z", "x", "y", "z"),
        story("a/two-old", "2024-01-01T00:00Z", "x", "y"),
        story("a/one-new", "2024-03-05T00:00Z", "z"),
        story("a/one-old", "2024-02-01T00:00Z", "x"),
        story("a/one-older", "2023-01-01T00:00Z", "y"),
        story("a/none", "2024-03-09T00:00Z", "w"),
    )
    assert related_articles(site)["a/this"] == ("a/two-old", "a/one-new", "a/one-old")
    assert related_articles(site)["a/none"] == ()


def test_of_two_stories_at_the_same_instant_the_first_path_wins() -> None:
    # The same instant, written with another offset.
    site = site_of(
        story("a/this", "2024-03-01T00:00Z", "x"),
        story("b/later-path", "2024-03-02T10:00Z", "x"),
        story("b/first-path", "2024-03-02T12:00+02:00", "x"),
    )
    assert related_articles(site)["a/this"] == ("b/first-path", "b/later-path")


def test_an_entry_listed_by_too_many_stories_does_not_count(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pages, "RELATED_ENTRY_LIMIT", 2)
    site = site_of(
        story("a/one", "2024-01-01T00:00Z", "common", "rare"),
        story("a/two", "2024-01-02T00:00Z", "common"),
        story("a/three", "2024-01-03T00:00Z", "common", "rare"),
    )
    related = related_articles(site)
    assert related["a/two"] == ()  # "common" is listed by three stories
    assert related["a/one"] == ("a/three",)


def reference(site: Site) -> dict[str, tuple[str, ...]]:
    """The rule as the handbook states it, one story at a time."""
    users: dict[str, int] = {}
    for bundle in site.bundles:
        for entry_id in bundle.listed:
            users[entry_id] = users.get(entry_id, 0) + 1
    found = {}
    for bundle in site.bundles:
        counted = {e for e in bundle.listed if users[e] <= pages.RELATED_ENTRY_LIMIT}
        scored = [
            (len(counted & set(other.listed)), other.front.date.instant(), other.path)
            for other in site.bundles
            if other.path != bundle.path
        ]
        best = sorted((s for s in scored if s[0]), key=lambda s: (-s[0], -s[1], s[2]))
        found[bundle.path] = tuple(path for _, _, path in best[: pages.RELATED_COUNT])
    return found


DAYS = [f"2024-03-0{day}T00:00Z" for day in range(1, 4)] + ["2024-03-02T02:00+02:00"]
STORY = st.tuples(st.sampled_from(DAYS), st.sets(st.sampled_from("abcdef"), max_size=4))
STORIES = st.lists(STORY, max_size=12)


@settings(max_examples=150, deadline=None)
@given(STORIES, st.dictionaries(st.integers(0, 11), STORY))
def test_equals_the_rule_and_an_update_equals_counting_again(
    made: list[tuple[str, set[str]]], edits: dict[int, tuple[str, set[str]]]
) -> None:
    before = site_of(*(story(f"s/n{n}", day, *listed) for n, (day, listed) in enumerate(made)))
    counted = related_articles(before)
    assert counted == reference(before)
    # Some stories get another date or other entries: counting again only those
    # that share an entry with them gives what counting every story gives.
    edited = [edits.get(n, item) for n, item in enumerate(made)]
    after = site_of(*(story(f"s/n{n}", day, *listed) for n, (day, listed) in enumerate(edited)))
    moved = [n for n in edits if n < len(made)]
    touched = Touched(
        frozenset(f"s/n{n}" for n in moved),
        frozenset(e for n in moved for e in (*made[n][1], *edited[n][1])),
    )
    assert related_articles(after, counted, touched) == reference(after)
    assert related_articles(before, counted, Touched(frozenset(), frozenset())) is counted


@settings(max_examples=100, deadline=None)
@given(STORIES, st.sets(st.sampled_from("abcdef")))
def test_the_users_of_an_entry_come_newest_first_however_many_are_asked_for(
    made: list[tuple[str, set[str]]], wanted: set[str]
) -> None:
    # Asked for every entry, the archive is sorted once; for a few, each one's users.
    stories = [story(f"s/n{n}", day, *listed) for n, (day, listed) in enumerate(made)]
    mentioned = {s.path: ("f",) for s in stories[::3]}  # first mentions count as use too
    found = gather_users(stories, mentioned, wanted)
    for entry_id in wanted:
        users = [s for s in stories if entry_id in (*s.listed, *mentioned.get(s.path, ()))]
        assert found.get(entry_id, []) == [s.path for s in newest_first(users)]
    assert set(found) <= wanted
