"""`links SECTION/SLUG`: every candidate mention of one story, linked or why not."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import ARTICLE, MINIMAL_SITE, PEOPLE, Run

FRONT = "---\ntitle: A story\nsection: World\ndate: 2023-09-15\n---\n"
SHORT_FORM = "a short form of the person last named in full"
KIM_JONG_IL = (
    "- id: kim-jong-il\n  name: Kim Jong-il\n  kind: person\n  aliases: [Kim]\n"
    "  summary: Leader of North Korea until 2011.\n"
)


def test_links_says_what_each_mention_became_and_by_which_rule(
    make_site: Callable[..., Path], cli: Callable[..., Run]
) -> None:
    body = (
        "## Kim Jong-il's legacy\n\n"
        "Kim built the state. Vladimir Putin met [Kim]{.nolink} Yo Jong.\n\n"
        "Kim Yo Jong spoke; Putin left.\n"
    )
    site = make_site({PEOPLE: MINIMAL_SITE[PEOPLE] + KIM_JONG_IL, ARTICLE: FRONT + body})
    run = cli("links", "world/story", "--site", site)
    assert (run.code, run.err) == (0, "")
    assert run.out.splitlines() == [
        f"{ARTICLE}:6:4: not linked 'Kim Jong-il' (kim-jong-il): inside a heading",
        f"{ARTICLE}:8:1: linked 'Kim' to kim-jong-il: " + SHORT_FORM,
        f"{ARTICLE}:8:22: linked 'Vladimir Putin' to vladimir-putin: its name or alias",
        f"{ARTICLE}:8:42: not linked 'Kim': marked nolink",
        f"{ARTICLE}:10:1: not linked 'Kim': continues into another name",
        f"{ARTICLE}:10:20: not linked 'Putin' (vladimir-putin): not the first mention",
    ]


def test_links_of_a_story_that_is_not_there_suggests_the_nearest(
    make_site: Callable[..., Path], cli: Callable[..., Run]
) -> None:
    run = cli("links", "world/stroy", "--site", make_site())
    assert run.code == 2
    assert "no story at content/world/stroy/; did you mean 'world/story'?" in run.err


def test_links_writes_nothing(make_site: Callable[..., Path], cli: Callable[..., Run]) -> None:
    site = make_site()
    before = sorted(site.rglob("*"))
    assert cli("links", "world/story", "--site", site).code == 0
    assert sorted(site.rglob("*")) == before
