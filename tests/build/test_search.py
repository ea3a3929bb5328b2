"""What the search index holds: each page's own words and its kind, never the
boilerplate around them nor the stories an entry page lists.

The lindmouth fixture site is built with search on and Pagefind's fragments (one
gzipped JSON record per page) are read back: what a reader's query can match and
what the excerpts are cut from."""

from __future__ import annotations

import gzip
import json
import shutil
from typing import Any

import pytest

from tests.conftest import TESTS, Run, run_subprocess

LINDMOUTH = TESTS / "sites" / "valid" / "lindmouth"
FRAGMENT_HEADER = b"pagefind_dcd"
KINDS = {"Explainer", "Person", "Place", "Organization", "Term", "Event", "Author"}
BOILERPLATE = (
    "Source:",
    "Stories that mention",
    "Key facts",
    "Why it matters",
    "In this explainer",
    "Who’s who",
    "Glossary",
)


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Every page's index record, by its URL."""
    site = tmp_path_factory.mktemp("search") / "site"
    shutil.copytree(LINDMOUTH, site, ignore=shutil.ignore_patterns("expected"))
    settings = site / "site.yaml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace("search: false", "search: true"),
        encoding="utf-8",
    )
    out = site.parent / "public"
    run: Run = run_subprocess("build", "--out", out, cwd=site)
    assert run.code == 0, run.err
    records = {}
    for fragment in sorted((out / "pagefind" / "fragment").iterdir()):
        data = gzip.decompress(fragment.read_bytes())
        assert data.startswith(FRAGMENT_HEADER)
        record = json.loads(data[len(FRAGMENT_HEADER) :])
        records[record["url"]] = record
    return records


def explainers(indexed: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {url: r for url, r in indexed.items() if r["meta"]["type"] == "Explainer"}


def test_every_page_says_what_kind_it_is(indexed: dict[str, dict[str, Any]]) -> None:
    kinds = {url: record["meta"].get("type") for url, record in indexed.items()}
    assert set(kinds.values()) <= KINDS, kinds
    assert {kinds[url] for url in kinds if url.startswith("/glossary/")} >= {"Person", "Place"}
    assert len(explainers(indexed)) == 2, kinds


def test_an_explainer_starts_with_its_headline(indexed: dict[str, dict[str, Any]]) -> None:
    for record in explainers(indexed).values():
        assert record["content"].startswith(record["meta"]["title"]), record["content"][:80]


def test_no_page_indexes_boilerplate(indexed: dict[str, dict[str, Any]]) -> None:
    for url, record in indexed.items():
        found = [phrase for phrase in BOILERPLATE if phrase in record["content"]]
        assert found == [], (url, found)


def test_entry_pages_leave_out_the_stories_they_list(indexed: dict[str, dict[str, Any]]) -> None:
    headlines = [record["meta"]["title"] for record in explainers(indexed).values()]
    for url, record in indexed.items():
        if record["meta"]["type"] != "Explainer":
            repeated = [title for title in headlines if title in record["content"]]
            assert repeated == [], url
