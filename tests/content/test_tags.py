"""content/tags.yaml: found, read against its record, ids unique, each naming a tag
some story has; and the names it gives on the pages that show a tag."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from builder.commands.cli import main
from builder.content.discover import discover
from builder.content.model import Tag
from builder.content.tags import index_tags, shown_tags, tag_ids
from builder.core.diagnostics import Position, Report
from tests.conftest import ARTICLE, Run

TAGS = "content/tags.yaml"
NAMED = (
    "- id: north-korea\n  name: DPRK\n  description: The state in the north of Korea.\n"
    "- id: un-vote\n  name: Votes at the UN\n"
)
STORY = "---\ntitle: A story\nsection: World\ndate: 2023-09-15\ntags: [{}]\n---\nQuiet.\n"


def tag(tag_id: str, line: int) -> Tag:
    return Tag(tag_id, tag_id.title(), None, Position(TAGS, line, 7))


def test_discovery_finds_tags_yaml_directly_in_content(make_site: Callable[..., Path]) -> None:
    site = make_site({TAGS: NAMED})
    report = Report()
    assert (discover(site, report).tags, report.diagnostics) == (site / TAGS, [])


def test_a_site_without_tags_yaml_has_none(make_site: Callable[..., Path]) -> None:
    assert discover(make_site(), Report()).tags is None


def test_a_tag_is_known_by_the_slug_of_the_tag_as_stories_write_it() -> None:
    assert tag_ids(["North Korea", "north-korea", "UN vote", "!!"]) == ("north-korea", "un-vote")
    named = {"north-korea": tag("north-korea", 1), "russia": tag("russia", 3)}
    assert shown_tags(named, ["North Korea", "trade"]) == (named["north-korea"],)


def test_an_id_given_twice_is_an_error_naming_the_first() -> None:
    report = Report()
    found = index_tags([tag("russia", 4), tag("russia", 1), tag("china", 7)], report)
    assert list(found) == ["china", "russia"]
    assert found["russia"].position.line == 1
    assert [d.format() for d in report.diagnostics] == [
        "content/tags.yaml:4:7: error: tag id 'russia' is already given at "
        "content/tags.yaml:1:7; name each tag once"
    ]


def test_a_tag_no_story_has_is_a_warning_with_the_nearest_tag(
    make_site: Callable[..., Path], cli: Callable[..., Run]
) -> None:
    site = make_site({TAGS: NAMED, ARTICLE: STORY.format("north-korea, UN votes")})
    checked = cli("check", "--site", site)
    assert (checked.code, checked.problems) == (
        0,
        [
            "content/tags.yaml:4:7: warning: no story has the tag 'un-vote'; "
            "did you mean 'un-votes'?"
        ],
    )


def test_a_tag_record_is_checked_field_by_field(
    make_site: Callable[..., Path], check: Callable[[Path], Run]
) -> None:
    broken = (
        "- id: North Korea\n  name: DPRK\n- id: russia\n- id: china\n  name: China\n  nmae: x\n"
    )
    site = make_site({TAGS: broken, ARTICLE: STORY.format("china")})
    assert check(site).problems == [
        "content/tags.yaml:1:7: error: 'North Korea' is not a valid id: use lower-case ASCII "
        "letters and digits joined by single hyphens, like 'north-korea'",
        "content/tags.yaml:3:3: error: tag is missing required field 'name'",
        "content/tags.yaml:6:3: error: unknown field 'nmae' in tag; did you mean 'name'?",
    ]


def test_pages_show_the_name_tags_yaml_gives_and_else_the_words_capitalised(
    make_site: Callable[..., Path], check_ok: Callable[[Path], Run], tmp_path: Path
) -> None:
    site = make_site({TAGS: NAMED, ARTICLE: STORY.format("north-korea, UN vote, trade")})
    check_ok(site)
    out = tmp_path / "out"
    assert main(["build", "--site", str(site), "--out", str(out), "--quiet"]) == 0
    story = (out / "world/story/index.html").read_text(encoding="utf-8")
    assert ">DPRK</a>" in story and ">Votes at the UN</a>" in story and ">Trade</a>" in story
    page = (out / "tags/north-korea/index.html").read_text(encoding="utf-8")
    assert "Tagged “DPRK”" in page
    assert "The state in the north of Korea." in page
    index = (out / "tags/index.html").read_text(encoding="utf-8")
    assert ">DPRK</a>" in index and ">Trade</a>" in index
