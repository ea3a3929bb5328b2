"""content/authors.yaml: found, read against its record, ids unique, and every id a
story names found in it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from builder.content.authors import authors_of, check_author_references, index_authors
from builder.content.discover import discover
from builder.content.model import Author, BundleSummary, FrontMatter, IdRef
from builder.core.diagnostics import Position, Report
from tests.conftest import ARTICLE, Run

AUTHORS = "content/authors.yaml"
DAY = date(2023, 9, 15)
TWO_AUTHORS = (
    "- id: kim-min-ji\n  name: Kim Min-ji\n  role: Moscow correspondent\n"
    "- name: Lee Jae-won\n  url: https://example.org/people/lee\n  email: lee@example.org\n"
)
STORY = "---\ntitle: A story\nsection: World\ndate: 2023-09-15\nauthors: [{}]\n---\nQuiet.\n"


def author(author_id: str, line: int) -> Author:
    return Author(author_id, author_id.title(), None, None, None, None, Position(AUTHORS, line, 3))


def test_discovery_finds_authors_yaml_directly_in_content(make_site: Callable[..., Path]) -> None:
    site = make_site({AUTHORS: TWO_AUTHORS})
    report = Report()
    found = discover(site, report)
    assert (found.authors, report.diagnostics) == (site / AUTHORS, [])


def test_a_site_without_authors_yaml_has_none(make_site: Callable[..., Path]) -> None:
    assert discover(make_site(), Report()).authors is None


def test_authors_named_by_id_or_by_the_slug_of_their_name_pass(
    make_site: Callable[..., Path], check_ok: Callable[[Path], Run]
) -> None:
    check_ok(make_site({AUTHORS: TWO_AUTHORS, ARTICLE: STORY.format("lee-jae-won, kim-min-ji")}))


def test_an_empty_authors_yaml_is_a_site_with_no_authors(
    make_site: Callable[..., Path], check_ok: Callable[[Path], Run]
) -> None:
    check_ok(make_site({AUTHORS: "# No authors yet.\n"}))


def test_an_unknown_id_is_reported_where_it_is_written_with_a_suggestion(
    make_site: Callable[..., Path], check: Callable[[Path], Run]
) -> None:
    site = make_site({AUTHORS: TWO_AUTHORS, ARTICLE: STORY.format("kim-min-ji, lee-jae-wan")})
    assert check(site).problems == [
        "content/world/story/article.md:5:23: error: no author has the id 'lee-jae-wan'; "
        "did you mean 'lee-jae-won'?"
    ]


def test_an_author_is_a_record_every_problem_of_which_is_reported(
    make_site: Callable[..., Path], check: Callable[[Path], Run]
) -> None:
    broken = "- role: Editor\n  url: ftp://example.org/\n- name: Kim\n  email: kim\n- Lee\n"
    assert check(make_site({AUTHORS: broken})).problems == [
        "content/authors.yaml:1:3: error: author is missing required field 'name'",
        "content/authors.yaml:2:8: error: 'url' must be an absolute http or https URL, "
        "like https://example.org/news/",
        "content/authors.yaml:4:10: error: 'email' must be an email address, "
        "like newsdesk@example.org; found 'kim'",
        "content/authors.yaml:5:3: error: expected an author (a mapping of fields), found text",
    ]


def test_authors_yaml_must_be_a_list(
    make_site: Callable[..., Path], check: Callable[[Path], Run]
) -> None:
    assert check(make_site({AUTHORS: "name: Kim Min-ji\n"})).problems == [
        "content/authors.yaml:1:1: error: expected a list of authors (items starting with "
        "'- '), found a mapping"
    ]


def test_an_id_given_twice_names_both_places() -> None:
    report = Report()
    found = index_authors([author("lee", 4), author("kim", 1), author("kim", 7)], report)
    assert list(found) == ["kim", "lee"]
    assert found["kim"].position.line == 1
    assert [d.format() for d in report.diagnostics] == [
        "content/authors.yaml:7:3: error: author id 'kim' is already given at "
        "content/authors.yaml:1:3; give one of them another id"
    ]


def test_without_authors_yaml_every_named_author_is_unknown() -> None:
    front = FrontMatter("T", None, "World", DAY, None, None, (), False)
    front = front._replace(authors=(IdRef("kim", Position("a/article.md", 5, 11)),))
    bundle = BundleSummary("a", "a/article.md", front, (), ())
    report = Report()
    check_author_references([bundle], None, report)
    assert [d.format() for d in report.diagnostics] == [
        "a/article.md:5:11: error: no author has the id 'kim'; the site has no "
        "content/authors.yaml: add it, listing the author"
    ]
    report = Report()
    check_author_references([bundle], {"kim": author("kim", 1)}, report)
    assert report.diagnostics == []


def test_a_story_s_authors_keep_the_order_it_names_them_in() -> None:
    refs = tuple(IdRef(i, Position("a", 1, 1)) for i in ("lee", "gone", "kim"))
    front = FrontMatter("T", None, "World", DAY, None, None, (), False, refs)
    known = {"kim": author("kim", 1), "lee": author("lee", 2)}
    assert [a.id for a in authors_of(front, known)] == ["lee", "kim"]
