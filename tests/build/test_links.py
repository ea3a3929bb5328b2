"""Links into the site are checked in every build against the pages it publishes:
a story deleted or renamed breaks the links of stories that did not change."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import ARTICLE, MINIMAL_SITE, PEOPLE, WHO, Run, snapshot, write_files

OTHER = "content/world/other/article.md"
OTHER_TEXT = "---\ntitle: Other\nsection: World\ndate: 2023-09-16\n---\nLater, Kim Jong Un left.\n"
LINKING = MINIMAL_SITE[ARTICLE] + "\nSee [the other story](../other/).\n"


def test_a_story_deleted_breaks_the_links_of_an_unchanged_story_in_a_rebuild(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    site = make_site({ARTICLE: LINKING, OTHER: OTHER_TEXT})
    out = tmp_path / "out"
    assert cli("build", "--site", site, "--out", out).code == 0
    before = snapshot(out)
    (site / OTHER).unlink()
    expected = [
        f"{ARTICLE}:8:23: error: link to '../other/' leads to no page of the site; "
        "did you mean '../story/'?",
        "1 error, 0 warnings in 1 file",
    ]
    for command in (["check"], ["build", "--out", out]):
        result = cli(*command, "--site", site)
        assert (result.code, result.lines) == (1, expected)
    assert snapshot(out) == before


def test_a_story_renamed_breaks_links_with_a_suggestion_and_builds_once_fixed(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    site = make_site({ARTICLE: LINKING, OTHER: OTHER_TEXT})
    out = tmp_path / "out"
    assert cli("build", "--site", site, "--out", out).code == 0
    (site / "content/world/other").rename(site / "content/world/others")
    result = cli("build", "--site", site, "--out", out)
    assert result.problems == [
        f"{ARTICLE}:8:23: error: link to '../other/' leads to no page of the site; "
        "did you mean '../others/'?"
    ]
    write_files(site, {ARTICLE: LINKING.replace("../other/", "../others/")})
    assert cli("build", "--site", site, "--out", out).code == 0
    page = (out / "world/story/index.html").read_text(encoding="utf-8")
    assert '<a href="../others/index.html">the other story</a>' in page


def test_an_entry_removed_breaks_a_link_to_its_page_from_a_sidecar(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    who = "- ref: vladimir-putin\n  in_this_story: Met [Kim](../../glossary/kim-jong-un/).\n"
    site = make_site({WHO: who})
    out = tmp_path / "out"
    assert cli("build", "--site", site, "--out", out).code == 0
    without_kim = MINIMAL_SITE[PEOPLE].split("- id: kim-jong-un")[0]
    write_files(site, {PEOPLE: without_kim})
    result = cli("build", "--site", site, "--out", out)
    assert result.problems == [
        f"{WHO}:2:18: error: link to '../../glossary/kim-jong-un/' leads to no page of the site"
    ]


def test_a_link_to_a_draft_is_an_error_unless_drafts_are_built(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    draft = OTHER_TEXT.replace("---\nLater", "draft: true\n---\nLater")
    site = make_site({ARTICLE: LINKING, OTHER: draft})
    assert cli("check", "--site", site).problems == [
        f"{ARTICLE}:8:23: error: link to '../other/' leads to a draft, which is not published"
    ]
    assert cli("check", "--drafts", "--site", site).code == 0


def test_a_link_to_a_file_of_the_theme_is_fine(
    make_site: Callable[..., Path], cli: Callable[..., Run]
) -> None:
    article = MINIMAL_SITE[ARTICLE] + "\n[Styles](../../static/style.css).\n"
    site = make_site({ARTICLE: article})
    assert cli("check", "--site", site).err == ""
    write_files(site, {ARTICLE: article.replace("style.css", "styles.css")})
    assert cli("check", "--site", site).problems == [
        f"{ARTICLE}:8:10: error: link to '../../static/styles.css' leads to no page of the "
        "site; did you mean '../../static/style.css'?"
    ]


def test_a_link_to_an_author_page_is_checked(
    make_site: Callable[..., Path], cli: Callable[..., Run]
) -> None:
    site = make_site(
        {
            "content/authors.yaml": "- id: jane-doe\n  name: Jane Doe\n",
            ARTICLE: MINIMAL_SITE[ARTICLE]
            + "\nBy [Jane](../../authors/jane-doe/) and [nobody](../../authors/jane-do/).\n",
        }
    )
    result = cli("check", "--site", site)
    assert result.code == 1
    (problem,) = result.problems
    assert "'../../authors/jane-do/'" in problem
    assert problem.endswith("did you mean '../../authors/jane-doe/'?")
