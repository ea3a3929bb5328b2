"""What readers get of authors: linked bylines, author pages that list only what the
build publishes, the list of authors, the feed's and JSON-LD's credits."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

from tests.conftest import ARTICLE, Run

AUTHORS = "content/authors.yaml"
WRITERS = (
    "- id: kim-min-ji\n  name: Kim Min-ji\n  role: Moscow correspondent\n"
    "  bio: Covered *Seoul*.\n  url: https://example.org/people/kim\n"
    "  email: kim@example.org\n"
    "- name: Lee Jae-won\n"
    "- name: Park Soo-ah\n"
)


def story(authors: str, byline: str | None = None, day: int = 15, draft: bool = False) -> str:
    return (
        f"---\ntitle: Story of the {day}th\nsection: World\ndate: 2023-09-{day:02d}\n"
        f"authors: [{authors}]\n"
        + (f"byline: {byline}\n" if byline else "")
        + f"draft: {str(draft).lower()}\n---\nVladimir Putin met Kim Jong Un.\n"
    )


def built(
    make_site: Callable[..., Path],
    cli: Callable[..., Run],
    tmp_path: Path,
    files: dict[str, str],
    *flags: str,
) -> Path:
    out = tmp_path / "out"
    result = cli("build", "--quiet", "--site", make_site(files), "--out", out, *flags)
    assert (result.code, result.err) == (0, "")
    return out


def byline(page: Path) -> str:
    found = re.search(r'<span class="byline">(.*?)</span>', page.read_text(encoding="utf-8"))
    return found.group(1) if found else ""


def json_ld(page: Path) -> dict[str, object]:
    found = re.search(r'ld\+json">(.*?)</script>', page.read_text(encoding="utf-8"))
    assert found is not None
    data: dict[str, object] = json.loads(found.group(1))
    return data


def test_a_byline_names_the_authors_linked_then_the_free_text(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    files = {AUTHORS: WRITERS, ARTICLE: story("lee-jae-won, kim-min-ji, park-soo-ah", "Reuters")}
    out = built(make_site, cli, tmp_path, files)
    assert byline(out / "world/story/index.html") == (
        'By <a href="../../authors/lee-jae-won/index.html" rel="author">Lee Jae-won</a>, '
        '<a href="../../authors/kim-min-ji/index.html" rel="author">Kim Min-ji</a>, '
        '<a href="../../authors/park-soo-ah/index.html" rel="author">Park Soo-ah</a> '
        "and Reuters"
    )


def test_two_authors_are_joined_by_and_and_a_byline_alone_stays_as_it_was(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    files = {
        AUTHORS: WRITERS,
        ARTICLE: story("kim-min-ji, lee-jae-won"),
        "content/world/wire/article.md": story("", "Reuters", day=16),
    }
    out = built(make_site, cli, tmp_path, files)
    assert byline(out / "world/story/index.html") == (
        'By <a href="../../authors/kim-min-ji/index.html" rel="author">Kim Min-ji</a> and '
        '<a href="../../authors/lee-jae-won/index.html" rel="author">Lee Jae-won</a>'
    )
    assert byline(out / "world/wire/index.html") == "By Reuters"


def test_an_author_page_lists_only_published_stories_newest_first(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    files = {
        AUTHORS: WRITERS,
        ARTICLE: story("kim-min-ji", day=15),
        "content/world/later/article.md": story("kim-min-ji, lee-jae-won", day=20),
        "content/world/unfinished/article.md": story("kim-min-ji", day=25, draft=True),
    }
    out = built(make_site, cli, tmp_path, files)
    page = (out / "authors/kim-min-ji/index.html").read_text(encoding="utf-8")
    assert re.findall(r'href="../../(world/[a-z]+)/index.html"', page) == [
        "world/later",
        "world/story",
    ]
    assert "unfinished" not in page and "25th" not in page
    for shown in ("Kim Min-ji", "Moscow correspondent", "Covered <em>Seoul</em>."):
        assert shown in page
    assert 'href="https://example.org/people/kim"' in page
    assert 'href="mailto:kim@example.org"' in page
    assert "No stories by Park Soo-ah yet." in (out / "authors/park-soo-ah/index.html").read_text(
        encoding="utf-8"
    )
    drafts = built(make_site, cli, tmp_path / "drafts", files, "--drafts")
    with_draft = (drafts / "authors/kim-min-ji/index.html").read_text(encoding="utf-8")
    assert "world/unfinished/index.html" in with_draft


def test_the_list_of_authors_is_by_name_and_links_each_page(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    out = built(make_site, cli, tmp_path, {AUTHORS: WRITERS})
    page = (out / "authors/index.html").read_text(encoding="utf-8")
    assert re.findall(r'<a href="([^"]+)">', page.split('id="main"')[1].split("</main>")[0]) == [
        "../authors/kim-min-ji/index.html",
        "../authors/lee-jae-won/index.html",
        "../authors/park-soo-ah/index.html",
    ]


def test_without_authors_yaml_there_are_no_author_pages(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    out = built(make_site, cli, tmp_path, {})
    assert not (out / "authors").exists()
    assert "authors/" not in (out / "sitemap.xml").read_text(encoding="utf-8")


def test_json_ld_credits_people_with_their_pages_and_their_own_links(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    files = {AUTHORS: WRITERS, ARTICLE: story("kim-min-ji, lee-jae-won", "Reuters")}
    out = built(make_site, cli, tmp_path, files)
    assert json_ld(out / "world/story/index.html")["author"] == [
        {
            "@type": "Person",
            "name": "Kim Min-ji",
            "url": "https://example.org/news/authors/kim-min-ji/",
            "sameAs": "https://example.org/people/kim",
        },
        {
            "@type": "Person",
            "name": "Lee Jae-won",
            "url": "https://example.org/news/authors/lee-jae-won/",
        },
        {"@type": "Person", "name": "Reuters"},
    ]
    assert json_ld(out / "authors/kim-min-ji/index.html") == {
        "@context": "https://schema.org",
        "@type": "ProfilePage",
        "url": "https://example.org/news/authors/kim-min-ji/",
        "mainEntity": {
            "@type": "Person",
            "name": "Kim Min-ji",
            "url": "https://example.org/news/authors/kim-min-ji/",
            "sameAs": "https://example.org/people/kim",
            "jobTitle": "Moscow correspondent",
            "description": "Covered Seoul.",
        },
    }


def test_feed_entries_credit_authors_with_their_pages_then_the_byline(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    files = {AUTHORS: WRITERS, ARTICLE: story("lee-jae-won", "Reuters")}
    out = built(make_site, cli, tmp_path, files)
    atom = "{http://www.w3.org/2005/Atom}"
    (entry,) = ElementTree.parse(out / "feed.xml").getroot().iter(f"{atom}entry")
    credits = [
        (author.findtext(f"{atom}name"), author.findtext(f"{atom}uri"))
        for author in entry.iter(f"{atom}author")
    ]
    assert credits == [
        ("Lee Jae-won", "https://example.org/news/authors/lee-jae-won/"),
        ("Reuters", None),
    ]


def test_removing_an_author_a_story_names_fails_the_next_build(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    # The story is unchanged, so not parsed again: its authors are still checked.
    site = make_site({AUTHORS: WRITERS, ARTICLE: story("lee-jae-won")})
    out = tmp_path / "out"
    assert cli("build", "--quiet", "--site", site, "--out", out).code == 0
    (site / AUTHORS).write_text(WRITERS.replace("- name: Lee Jae-won\n", ""), encoding="utf-8")
    again = cli("build", "--quiet", "--site", site, "--out", out)
    assert again.code == 1
    assert again.problems[0] == (
        "content/world/story/article.md:5:11: error: no author has the id 'lee-jae-won'; "
        "add the author to content/authors.yaml"
    )
    assert (out / "authors/lee-jae-won/index.html").is_file()  # the last output stays
