"""Remembering: a build writes into the store what changed, and the next build
reads the rest from the rows the earlier builds left."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from builder.build import assemble, pipeline, produce, remember
from builder.build.options import BuildOptions
from builder.build.run import build
from builder.content.model import Entry
from builder.incremental import plan
from builder.incremental.records import OutputRecord
from builder.incremental.store import Store
from builder.site import listings, pages
from tests.conftest import (
    ARTICLE,
    MINIMAL_SITE,
    TERMS,
    Call,
    calls_to,
    same_as_clean,
    write_files,
)

TREATY = "- id: treaty\n  name: Treaty\n  kind: term\n  summary: A pact.\n"


def test_only_a_glossary_file_read_again_is_written_and_the_others_rows_still_serve(
    make_site: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, out = make_site({TERMS: TREATY}), tmp_path / "out"
    build(BuildOptions(site=site, out=out))
    write_files(site, {TERMS: TREATY.replace("A pact.", "A signed pact.")})
    writes = calls_to(monkeypatch, Store, "write")
    build(BuildOptions(site=site, out=out))
    [glossary] = [call.args[2] for call in writes if call.args[1] == "glossary"]
    assert list(glossary) == [TERMS]  # people.yaml's row is the first build's
    read = calls_to(monkeypatch, plan, "load_glossary_folder_file")
    write_files(site, {ARTICLE: MINIMAL_SITE[ARTICLE].replace("A story", "An edited story")})
    edited = build(BuildOptions(site=site, out=out))
    assert edited.rendered > 0 and read == []  # both files from their rows
    people = (out / "glossary/vladimir-putin/index.html").read_text(encoding="utf-8")
    assert "President of Russia." in people and "An edited story" in people


def test_the_output_records_kept_as_columns_are_the_records() -> None:
    outputs = {
        "index.html": OutputRecord("k1", 10, 1_796_587_245_130_640_868),
        "world/story/index.html": OutputRecord("k2", 20, 3),
    }
    assert plan.outputs_of(plan.output_columns(outputs)) == outputs
    assert plan.outputs_of(plan.output_columns({})) == {}
    assert plan.outputs_of(None) == {}


def test_a_rebuild_in_a_new_process_starts_from_the_stored_groupings_and_keys(
    make_site: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The archive's groupings, the sitemap's addresses and the site-wide pages'
    keys are kept in the store. A title edit, rebuilt with no running builder,
    sorts no story, makes no address and no key of a page that does not show the
    story; the groupings are written again only once made anew, the keys once
    enough of them changed, and a key out of date in the store is made again."""
    site, out = make_site(OTHER_STORIES), tmp_path / "out"
    build(BuildOptions(site=site, out=out, workers=1))
    monkeypatch.setattr(remember, "STALE_KEYS", 1.0)  # the keys written with the groupings only
    sorts = calls_to(monkeypatch, listings, "newest_first")
    addresses = calls_to(monkeypatch, listings, "sitemap_urls")
    keys = calls_to(monkeypatch, plan.Keys, "site_page")
    writes = calls_to(monkeypatch, Store, "write")
    world = "sections/world/index.html"
    business = "sections/business/index.html"
    other = "content/business/story-0/article.md"
    # The second edit is of another story: the world section's key in the store is
    # the first build's, out of date since the first edit, and so made again.
    for file, edited, rekeyed, kept in (
        (ARTICLE, MINIMAL_SITE[ARTICLE].replace("A story", "An edited story"), world, business),
        (other, OTHER_STORIES[other].replace("Story 0", "Story zero"), business, "sitemap.xml"),
    ):
        for calls in (sorts, addresses, keys):  # not the clean build's below
            calls.clear()
        write_files(site, {file: edited})
        assert build(BuildOptions(site=site, out=out, workers=1)).rendered > 0
        assert sorts == []  # the news sitemap's stories too are taken from the groupings
        assert addresses == []
        made = {call.args[1].output for call in keys}
        assert rekeyed in made and world in made and kept not in made
        assert "sitemap.xml" not in made
        assert "pages" not in _state_written(writes)
        assert same_as_clean(site, out, tmp_path)
    sorts.clear()
    write_files(site, {ARTICLE: MINIMAL_SITE[ARTICLE].replace("2023-09-15", "2023-09-20")})
    build(BuildOptions(site=site, out=out, workers=1))
    assert sorts and addresses  # the groupings and addresses made anew
    assert "pages" in _state_written(writes)
    assert same_as_clean(site, out, tmp_path)
    monkeypatch.setattr(remember, "STALE_KEYS", 0.125)
    write_files(site, {ARTICLE: MINIMAL_SITE[ARTICLE].replace("A story", "A third title")})
    build(BuildOptions(site=site, out=out, workers=1))
    assert "pages" in _state_written(writes)  # a third of this small site's keys changed


def _state_written(writes: list[Call]) -> dict[str, object]:
    """What the last build wrote of the store's state."""
    return [call.args[2] for call in writes if call.args[1] == "state"][-1]


OTHER_STORIES = {
    f"content/business/story-{n}/article.md": (
        f"---\ntitle: Story {n}\nsection: Business\ndate: 2023-09-1{n}\ntags: [trade]\n---\n"
        "Kim Jong Un spoke.\n"
    )
    for n in range(3)
}


def test_each_entry_is_digested_as_its_glossary_file_is_read_and_not_by_later_builds(
    make_site: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, out = make_site({TERMS: TREATY}), tmp_path / "out"
    build(BuildOptions(site=site, out=out))
    digested = calls_to(monkeypatch, assemble, "digest")
    write_files(site, {ARTICLE: MINIMAL_SITE[ARTICLE].replace("A story", "An edited story")})
    assert build(BuildOptions(site=site, out=out)).rendered > 0
    assert not any(isinstance(call.args[0], Entry) for call in digested)
    write_files(site, {TERMS: TREATY.replace("A pact.", "A signed pact.")})
    build(BuildOptions(site=site, out=out))
    treaty = (out / "glossary/treaty/index.html").read_text(encoding="utf-8")
    assert "A signed pact." in treaty
    assert same_as_clean(site, out, tmp_path)


def test_the_next_change_is_the_last_news_story_leaving_the_window_however_the_stories_are_read(
    make_site: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the output next changes with no edit: the newest story leaves the news
    sitemap two days after it was published. It is read off the archive's
    groupings, newest first, stopping at the first older story: those the build
    made, or, in a new process, those it took from the store."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1694995200")  # 2023-09-18 00:00 UTC
    site, out = make_site(OTHER_STORIES), tmp_path / "out"  # 2023-09-10 to 2023-09-12
    news = MINIMAL_SITE[ARTICLE].replace("2023-09-15", "2023-09-17")
    write_files(site, {ARTICLE: news})
    cold = build(BuildOptions(site=site, out=out, workers=1))
    expected = datetime(2023, 9, 19, tzinfo=UTC)
    assert cold.changes_at is not None and cold.changes_at.astimezone(UTC) == expected
    walks = calls_to(monkeypatch, pipeline, "takewhile")
    write_files(site, {ARTICLE: news.replace("A story", "An edited story")})
    edited = build(BuildOptions(site=site, out=out, workers=1))
    assert edited.rendered > 0 and edited.changes_at == cold.changes_at
    assert len(walks) == 1  # from the newest, and not past the first older story
    write_files(site, {ARTICLE: news.replace("2023-09-17", "2023-09-15")})
    older = build(BuildOptions(site=site, out=out, workers=1))
    assert older.changes_at is None  # no story is news any more


def test_an_entry_page_finds_its_stories_from_those_it_showed_last(
    make_site: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rebuilt in a new process, an entry page's stories are those its page showed
    last, less those gone or changed since, and those changed that use it now;
    the archive is not asked. Each rebuild equals a clean build."""
    story = "content/business/story-{}/article.md".format
    putin = (
        OTHER_STORIES[story(0)]
        .replace("Story 0", "Story 3")
        .replace("Kim Jong Un", "Vladimir Putin")
    )
    site = make_site(OTHER_STORIES | {story(3): putin})
    out = tmp_path / "out"
    build(BuildOptions(site=site, out=out, workers=1))
    monkeypatch.setattr(produce, "FRESH_SHARE", 1.0)  # a small site: most stories change
    asked = calls_to(monkeypatch, pages, "gather_users")
    for files in (
        {story(0): OTHER_STORIES[story(0)].replace("Kim Jong Un", "Vladimir Putin")},
        {story(1): None},  # gone
        {
            story(4): OTHER_STORIES[story(2)]
            .replace("2023-09-12", "2023-09-20")
            .replace("y 2", "y 4")
        },  # new
        {story(2): OTHER_STORIES[story(2)].replace("2023-09-12", "2023-09-21")},  # newest
        {story(3): OTHER_STORIES[story(0)].replace("Story 0", "Story 3")},  # Kim now
    ):
        write_files(site, files)
        assert build(BuildOptions(site=site, out=out, workers=1)).rendered > 0
        assert asked == []
        assert same_as_clean(site, out, tmp_path)
        asked.clear()  # the clean build's
    kim = (out / "glossary/kim-jong-un/index.html").read_text(encoding="utf-8")
    shown = [f"Story {n}" for n in (2, 4, 3)]  # newest first
    assert [kim.index(title) for title in shown] == sorted(kim.index(t) for t in shown)
    assert "Story 0" not in kim and "Story 1" not in kim
