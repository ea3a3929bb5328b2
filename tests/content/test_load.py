"""Loading files into model values: article.md's front matter, the shape of each
sidecar, and the defaults an entry takes from the file it is written in."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.content.discover import BundleFiles, discover
from builder.content.load import load_bundle
from builder.content.model import Bundle, SiteConfig
from builder.core.diagnostics import Report
from tests.conftest import (
    ARTICLE,
    BACKGROUND,
    MINIMAL_SITE,
    SITE_YAML,
    TERMS,
    WHAT,
    WHERE,
    WHO,
    Run,
)

BODY = "Vladimir Putin met Kim Jong Un.\n"


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            {ARTICLE: BODY},
            f"{ARTICLE}:1:1: error: article.md must start with front matter: a line '---', "
            "fields such as title: ..., and another '---'",
            id="article without front matter",
        ),
        pytest.param(
            {ARTICLE: "---\ntitle: A story\nsection: World\ndate: 2023-09-15\n" + BODY},
            f"{ARTICLE}:1:1: error: front matter is not closed; add a line '---' after the "
            "last field",
            id="front matter not closed",
        ),
        pytest.param(
            {ARTICLE: "---\n---\n" + BODY},
            f"{ARTICLE}:2:1: error: front matter is empty; it needs title, section and date",
            id="empty front matter",
        ),
        pytest.param(
            {ARTICLE: "---\n- title\n---\n" + BODY},
            f"{ARTICLE}:2:1: error: expected a front matter (a mapping of fields), found a list",
            id="front matter that is a list",
        ),
        pytest.param(
            {WHO: "ref: vladimir-putin\n"},
            f"{WHO}:1:1: error: expected a list of entries or refs (items starting with '- '), "
            "found a mapping",
            id="who.yaml that is not a list",
        ),
        pytest.param(
            {WHO: "- vladimir-putin\n"},
            f"{WHO}:1:3: error: expected an entry (a mapping of fields), found text",
            id="who.yaml item that is not a mapping",
        ),
        pytest.param(
            {WHAT: "- summary: They met.\n"},
            f"{WHAT}:1:1: error: expected a what.yaml (a mapping of fields), found a list",
            id="what.yaml that is a list",
        ),
        pytest.param(
            {BACKGROUND: "- 2000\n"},
            f"{BACKGROUND}:1:3: error: expected a background event (a mapping of fields), "
            "found a number",
            id="background item that is not a mapping",
        ),
        pytest.param(
            {TERMS: "- name: Treaty\n  summary: A pact.\n  facts: none\n"},
            f"{TERMS}:3:10: error: expected a list of facts (items starting with '- '), found text",
            id="facts that are not a list",
        ),
        pytest.param(
            {SITE_YAML: ""},
            f"{SITE_YAML}:1:1: error: site.yaml is empty; it needs title and base_url",
            id="empty site.yaml",
        ),
        pytest.param(
            {SITE_YAML: "title: Test site\n"},
            f"{SITE_YAML}:1:1: error: site.yaml is missing required field 'base_url'",
            id="site.yaml without base_url",
        ),
    ],
)
def test_file_shape_errors(
    make_site: Callable[..., Path],
    check: Callable[[Path], Run],
    files: dict[str, str],
    expected: str,
) -> None:
    assert check(make_site(files)).problems == [expected]


def test_front_matter_may_close_with_three_dots(
    make_site: Callable[..., Path], check_ok: Callable[[Path], Run]
) -> None:
    check_ok(make_site({ARTICLE: MINIMAL_SITE[ARTICLE].replace("---\nPutin", "...\nPutin")}))


def test_front_matter_lines_count_from_the_top_of_article_md(
    make_site: Callable[..., Path], check: Callable[[Path], Run]
) -> None:
    article = (
        "---\ntitle: A story\nsection: World\n\n# a comment\ndate: 2023-09-15\nupdated: soon\n---\n"
    )
    site = make_site({ARTICLE: article + BODY})
    assert check(site).problems == [
        f"{ARTICLE}:7:10: error: 'updated' must be a date written YYYY-MM-DD, or "
        "YYYY-MM-DDTHH:MM[:SS][±HH:MM] with a time, like 2023-09-15T10:00+09:00; found 'soon'"
    ]


def test_an_entry_takes_its_default_kind_from_its_file(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    site = make_site(
        {
            TERMS: "- name: Summit\n  summary: A meeting of leaders.\n",
            WHO: "- ref: vladimir-putin\n- name: Dmitry Peskov\n  summary: Spokesman.\n",
            WHERE: "- name: Vostochny\n  summary: A spaceport.\n",
            ARTICLE: MINIMAL_SITE[ARTICLE] + "\nDmitry Peskov spoke of the Summit at Vostochny.\n",
        }
    )
    result = cli("build", "--site", site, "--out", tmp_path / "out")
    assert (result.code, result.err) == (0, "")
    glossary = (tmp_path / "out/glossary/index.html").read_text(encoding="utf-8")
    kinds = dict(re.findall(r'>([^<>]+)</a> <span class="glossary-kind">(\w+)</span>', glossary))
    assert {name: kinds.get(name) for name in ("Summit", "Dmitry Peskov", "Vostochny")} == {
        "Summit": "term",
        "Dmitry Peskov": "person",
        "Vostochny": "place",
    }


def test_a_mistyped_ref_is_read_as_a_reference(
    make_site: Callable[..., Path], check: Callable[[Path], Run]
) -> None:
    site = make_site({WHO: "- rfe: vladimir-putin\n  in_this_story: Met Kim.\n"})
    assert check(site).problems == [
        f"{WHO}:1:3: error: reference is missing required field 'ref'",
        f"{WHO}:1:3: error: unknown field 'rfe' in reference; did you mean 'ref'?",
    ]


def test_an_item_without_ref_or_a_ref_like_key_is_read_as_an_entry(
    make_site: Callable[..., Path], check: Callable[[Path], Run]
) -> None:
    site = make_site({WHO: "- summary: Someone.\n"})
    assert check(site).problems == [f"{WHO}:1:3: error: entry is missing required field 'name'"]


def split_by_lines(text: str) -> tuple[str, str, int] | None:
    """The front matter, body and body line as found by splitting into lines."""
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return None
    closing = next(
        (i for i, line in enumerate(lines[1:], 1) if line.rstrip() in ("---", "...")), None
    )
    if closing is None:
        return None
    return "\n".join(lines[1:closing]), "\n".join(lines[closing + 1 :]), closing + 2


CONFIG = SiteConfig("Test", "https://example.org/", "en", "public", None, 365, 1_000_000, False)


def load_article(site: Path, text: str, report: Report) -> Bundle | None:
    """The bundle of content/x/ made of this article.md alone."""
    folder = site / "content/x"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "article.md").write_text(text, encoding="utf-8", newline="")
    return load_bundle(site, BundleFiles("x", str(folder), ()), CONFIG, report)


# Lines that close front matter or only look as if they might, and fields of
# YAML. After a first field every order of them is valid YAML (" ---" goes on
# the value before it), and each field is numbered for its line, so no key repeats.
LINES = ["---", "...", "--- ", "...\t", "", " ---", "key: ---", "key: ..."]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.sampled_from(LINES), st.lists(st.sampled_from(LINES)))
def test_the_front_matter_is_found_as_by_splitting_into_lines(
    opening: str, following: list[str]
) -> None:
    lines = [opening, "key: first", *following]
    text = "\n".join(line.replace("key", f"key{i}") for i, line in enumerate(lines, 1))
    expected = split_by_lines(text)
    report = Report()
    with tempfile.TemporaryDirectory() as site:
        bundle = load_article(Path(site), text, report)
    if expected is None:
        assert bundle is None
        return
    assert bundle is not None
    front, body, body_line = expected
    assert (bundle.body, bundle.body_line) == (body, body_line)
    # Every field of the front matter is reported as unknown, on its own line.
    unknown = [
        (d.position.line, re.findall(r"unknown field '(\w+)'", d.message)[0])
        for d in report.diagnostics
        if "unknown field" in d.message
    ]
    keys = re.findall(r"^(key\d+):", front, re.MULTILINE)
    assert unknown == [(int(key.removeprefix("key")), key) for key in keys]


@pytest.mark.parametrize("spelling", ["absolute", "relative", "dot"])
def test_a_bundle_file_path_is_relative_to_the_site_however_it_is_spelt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spelling: str
) -> None:
    (tmp_path / "site/content/world/story").mkdir(parents=True)
    (tmp_path / "site/content/world/story/article.md").write_text(BODY, encoding="utf-8")
    site = {"absolute": tmp_path / "site", "relative": Path("site"), "dot": Path()}[spelling]
    monkeypatch.chdir(tmp_path / "site" if spelling == "dot" else tmp_path)
    report = Report()
    (files,) = discover(site, report).bundles
    load_bundle(site, files, CONFIG, report)
    assert [d.format() for d in report.diagnostics] == [
        "content/world/story/article.md:1:1: error: article.md must start with front matter: "
        "a line '---', fields such as title: ..., and another '---'"
    ]


def test_an_entry_without_kind_in_a_file_named_for_a_kind_is_asked_about(
    make_site: Callable[..., Path], cli: Callable[..., Run]
) -> None:
    people = "content/glossary/people.yaml"
    site = make_site(
        {
            people: MINIMAL_SITE[people] + "- name: Dmitry Peskov\n  summary: Spokesman.\n",
            "content/glossary/places.yaml": "- name: Summit\n  kind: term\n  summary: A meeting.\n",
        }
    )
    result = cli("check", "--site", site)
    assert result.code == 0
    assert result.err.splitlines()[:-1] == [
        f"{people}:11:3: warning: 'Dmitry Peskov' has no kind, so it is a term, the glossary's "
        "default; in people.yaml, add kind: person (or kind: term, if it is one)"
    ]
