"""Assembling the site: every id a sidecar names is checked against the glossary,
in the stories parsed now and, when the glossary's ids change, in every story;
related stories are counted in the workers when many are."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import jinja2
import pytest

from builder.build import assemble
from builder.build.articles import BundleShard
from builder.build.options import BuildOptions
from builder.build.run import build
from builder.build.workers import Shards
from builder.core.diagnostics import ContentError
from builder.site import pages
from builder.site.pages import related_articles
from tests.conftest import ARTICLE, MINIMAL_SITE, PEOPLE, WHO, write_files
from tests.site.test_pages import CONFIG, site_of, story

OTHER = "content/world/other"


def problems(raised: pytest.ExceptionInfo[ContentError]) -> list[str]:
    return [d.format() for d in raised.value.report.sorted()]


def test_an_entry_removed_is_reported_where_a_story_not_parsed_again_names_it(
    make_site: Callable[..., Path], tmp_path: Path
) -> None:
    site = make_site(
        {
            WHO: "- ref: kim-jong-un\n",
            f"{OTHER}/article.md": MINIMAL_SITE[ARTICLE].replace("A story", "Another"),
            f"{OTHER}/who.yaml": "- ref: kim-jong-un\n- ref: vladimir-putin\n",
        }
    )
    build(BuildOptions(site=site, out=tmp_path / "out"))
    write_files(site, {PEOPLE: MINIMAL_SITE[PEOPLE].split("- id: kim-jong-un")[0]})
    with pytest.raises(ContentError) as raised:
        build(BuildOptions(site=site, out=tmp_path / "out"))
    unknown = "error: no glossary entry has the id 'kim-jong-un'"
    assert [p for p in problems(raised) if unknown in p] == [
        f"{OTHER}/who.yaml:1:8: {unknown}; define it in content/glossary/ "
        "or inline in who.yaml/where.yaml",
        f"{WHO}:1:8: {unknown}; define it in content/glossary/ or inline in who.yaml/where.yaml",
    ]


def test_a_story_that_names_only_known_ids_draws_no_problem(
    make_site: Callable[..., Path], tmp_path: Path
) -> None:
    site = make_site({WHO: "- ref: kim-jong-un\n- ref: vladimir-putin\n"})
    result = build(BuildOptions(site=site, out=tmp_path / "out", clean=True))
    assert result.report.sorted() == []


def test_related_stories_counted_in_two_workers_are_those_counted_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    days = [f"2024-03-{day:02d}T00:00Z" for day in range(1, 29)]
    stories = [
        story(f"s/n{n}", days[n * 7 % 28], *{f"e{(n * k) % 23}" for k in (1, 3, 5, 11)})
        for n in range(300)
    ]
    site = site_of(*stories, story("s/alone", days[0], "only-here"))
    here = related_articles(site)
    monkeypatch.setattr(assemble, "RELATE_IN_WORKERS_FROM", 10)
    with Shards(2, lambda: BundleShard(Path(), CONFIG, jinja2.Environment())) as shards:

        def not_here(relating: pages.Relating, numbers: list[int]) -> list[tuple[int, ...]]:
            raise AssertionError("counted in this process")

        # The workers were forked before: they count as ever.
        monkeypatch.setattr(pages, "count_related", not_here)
        assert related_articles(site, count=assemble.related_in(shards)) == here
    assert len(here["s/n0"]) == pages.RELATED_COUNT and here["s/alone"] == ()
