"""The view models' small rules: how a tag reads; stories as lists show them,
kept by a running builder."""

from __future__ import annotations

from dataclasses import replace

import pytest

from builder.content.model import BundleSummary, FrontMatter, SiteConfig
from builder.content.times import parse_time, resolve
from builder.site import views
from builder.site.views import Cards, StorySummaries, tag_name


@pytest.mark.parametrize(
    ("tag", "shown"),
    [
        ("north-korea", "North Korea"),
        ("russia", "Russia"),
        ("arms_trade", "Arms Trade"),
        ("North Korea", "North Korea"),
        ("UN vote", "UN vote"),
        ("space race", "Space Race"),
    ],
    ids=[
        "a slug reads as capitalised words",
        "one word",
        "underscores part words too",
        "a name with capitals stays as written",
        "an editor's capitals are kept, even mixed",
        "lower-case words are capitalised",
    ],
)
def test_tag_name(tag: str, shown: str) -> None:
    assert tag_name(tag) == shown


CONFIG = SiteConfig("Site", "https://example.org/", "en", "public", None, 365, 10**6, False)


def story(path: str, title: str = "A title") -> BundleSummary:
    front = FrontMatter(
        title, None, "World", resolve(parse_time("2024-03-01T10:00"), "UTC"), None, None, (), False
    )
    return BundleSummary(path, f"content/{path}/article.md", front, (), ())


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the stories whose summary was made, in order."""
    calls: list[str] = []
    original = views.article_summary

    def counted(bundle: BundleSummary, *args: object, **named: object) -> object:
        calls.append(bundle.path)
        return original(bundle, *args, **named)  # type: ignore[arg-type]

    monkeypatch.setattr(views, "article_summary", counted)
    return calls


def test_a_build_makes_each_summary_once_per_depth_and_quotes_each_sentence(
    made: list[str],
) -> None:
    cards, first = Cards.of_site(CONFIG), story("world/a")
    one = cards.summary(first, "../../", "Said once.")
    two = cards.summary(first, "../../", "Said twice.")
    cards.summary(first, "", None)
    assert (one.sentence, two.sentence, one.title) == ("Said once.", "Said twice.", "A title")
    assert made == ["world/a", "world/a"]  # one for each depth
    assert Cards.of_site(CONFIG).summary(first, "../../", None) == one._replace(sentence=None)
    assert made == ["world/a"] * 3  # without kept summaries, each build makes its own


def test_kept_summaries_are_taken_again_while_the_story_is_the_same_object(
    made: list[str],
) -> None:
    kept = StorySummaries()
    same, edited = story("world/a"), story("world/b")
    for build in range(3):
        cards = Cards.of_site(CONFIG, kept)
        if build == 2:
            edited = edited._replace(front=edited.front._replace(title="An edited title"))
        assert cards.summary(same, "../../", None).title == "A title"
        shown = cards.summary(edited, "../../", "Quoted.")
        assert (shown.title, shown.sentence) == (
            "An edited title" if build == 2 else "A title",
            "Quoted.",
        )
    assert made == ["world/a", "world/b", "world/b"]  # the edited story, made again


def test_kept_summaries_are_emptied_under_other_settings(made: list[str]) -> None:
    kept, first = StorySummaries(), story("world/a")
    Cards.of_site(CONFIG, kept).summary(first, "", None)
    Cards.of_site(CONFIG, kept).summary(first, "", None)
    other = replace(CONFIG, directory_urls=not CONFIG.directory_urls)
    assert Cards.of_site(other, kept).summary(first, "", None).href != (
        Cards.of_site(CONFIG).summary(first, "", None).href
    )
    assert made == ["world/a"] * 3  # once, then again for the other links, then unkept


def test_kept_summaries_keep_the_most_recently_used(made: list[str]) -> None:
    kept = StorySummaries(limit=2)
    stories = [story(f"world/{name}") for name in "abc"]
    cards = Cards.of_site(CONFIG, kept)
    for shown in stories:
        cards.summary(shown, "", None)
    assert list(kept) == [("world/b", ""), ("world/c", "")]
