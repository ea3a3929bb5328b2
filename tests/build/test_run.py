"""The seed explainer end to end: the repository's own site built with --out into
a temporary folder, then read the way a reader's browser and a feed reader would."""

from __future__ import annotations

import os
import posixpath
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from builder.build import pipeline, run
from builder.build.options import BuildOptions, BuildResult
from builder.build.output import files_seen_below
from builder.build.run import build
from builder.build.workers import Parts, Turn
from builder.commands.cli import main
from builder.core.diagnostics import ContentError, Report
from builder.incremental.store import Store
from builder.site import listings
from builder.site.templates import PageTarget
from tests.conftest import (
    ARTICLE,
    MINIMAL_SITE,
    PEOPLE,
    SEED_ARTICLE,
    SEED_SITE,
    Call,
    Page,
    Run,
    calls_to,
    no_cache_left_in,
    read_page,
    run_subprocess,
    snapshot,
    write_files,
)

BASE_URL = "https://example.org/news/"
ARTICLE_PAGE = f"{SEED_ARTICLE}/index.html"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def seed_glossary() -> dict[str, str]:
    """Entry id -> kind, read straight from the seed's glossary files."""
    kinds = {}
    for file in sorted((SEED_SITE / "content/glossary").glob("*.yaml")):
        for entry in yaml.safe_load(file.read_text(encoding="utf-8")):
            kinds[entry["id"]] = entry["kind"]
    return kinds


def resolve(page: str, href: str) -> str | None:
    """The output file a relative link on a page leads to; None for other sites."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page), parts.path))
    return f"{target}/index.html" if href.split("#")[0].endswith("/") else target


@pytest.fixture(scope="module")
def seed_out(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("seed") / "public"
    with no_cache_left_in(SEED_SITE):
        assert main(["build", "--site", str(SEED_SITE), "--out", str(out), "--quiet"]) == 0
    yield out


@pytest.fixture(scope="module")
def article_page(seed_out: Path) -> Page:
    return read_page(seed_out / ARTICLE_PAGE)


def html_pages(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))


def test_every_page_of_the_contract_is_there(seed_out: Path) -> None:
    expected = {"index.html", "glossary/index.html", ARTICLE_PAGE}
    expected |= {f"glossary/{entry_id}/index.html" for entry_id in seed_glossary()}
    pages = set(html_pages(seed_out))
    assert expected <= pages
    assert {p for p in pages if p.startswith("glossary/")} == expected - {
        "index.html",
        ARTICLE_PAGE,
    }
    assert (seed_out / "feed.xml").is_file()
    assert (seed_out / "sitemap.xml").is_file()


def test_article_has_one_body_and_four_fact_boxes(article_page: Page) -> None:
    assert article_page.article_bodies == 1
    assert sorted(article_page.factboxes) == ["background", "what", "where", "who"]


def glossary_links(page: Page) -> list[tuple[str, str, str]]:
    """(id, href, text) of every glossary link in the article body."""
    return [
        (a.attrs["data-term"], a.attrs.get("href", ""), a.text)
        for a in page.anchors
        if "data-term" in a.attrs and a.in_article_body
    ]


def test_the_body_links_many_distinct_entries(article_page: Page) -> None:
    ids = {entry_id for entry_id, _, _ in glossary_links(article_page)}
    assert len(ids) >= 20
    assert ids <= set(seed_glossary())


def test_only_the_first_mention_of_each_entry_is_linked(article_page: Page) -> None:
    ids = [entry_id for entry_id, _, _ in glossary_links(article_page)]
    assert len(ids) == len(set(ids))
    assert ids[:3] == ["russia", "vladimir-putin", "kim-jong-un"]


def test_seed_sentences_link_the_right_entries(article_page: Page) -> None:
    linked = {entry_id: text for entry_id, _, text in glossary_links(article_page)}
    assert linked["russia"] == "Russia"  # first met as "Russia’s Vladimir Putin"
    assert linked["kim-jong-il"] == "Kim Jong-il"  # "Kim’s late father Kim Jong-il"
    assert linked["kim-jong-un"] == "Kim Jong Un"


def test_no_glossary_link_stands_in_a_heading(seed_out: Path, article_page: Page) -> None:
    # The headline names Putin and Kim; it must stay unlinked.
    assert "Putin" in (seed_out / ARTICLE_PAGE).read_text(encoding="utf-8").split("<h1")[1]
    assert [a for a in article_page.anchors if "data-term" in a.attrs and a.in_heading] == []


def test_glossary_links_lead_to_entry_pages_that_link_back(
    seed_out: Path, article_page: Page
) -> None:
    for entry_id, href, _ in glossary_links(article_page):
        assert href.endswith(f"glossary/{entry_id}/index.html"), href
        target = resolve(ARTICLE_PAGE, href)
        assert target == f"glossary/{entry_id}/index.html", href
        entry_page = read_page(seed_out / target)
        back = {resolve(target, a.attrs.get("href", "")) for a in entry_page.anchors}
        assert ARTICLE_PAGE in back, entry_id


def test_every_link_to_an_entry_has_one_form(seed_out: Path, article_page: Page) -> None:
    """Mentions, fact boxes and cards all link glossary/ID/index.html: one form
    throughout the site, which opens the page from file:// without JavaScript."""
    hrefs = [a.attrs.get("href", "") for a in article_page.anchors]
    to_entries = [href for href in hrefs if re.search(r"glossary/[a-z0-9-]+/", href)]
    assert to_entries
    assert [h for h in to_entries if not h.endswith("/index.html")] == []


def test_glossary_index_lists_each_entry_once_people_by_family_name(seed_out: Path) -> None:
    page = read_page(seed_out / "glossary/index.html")
    kinds = seed_glossary()
    letters: dict[str, list[str]] = {entry_id: [] for entry_id in kinds}
    for anchor in page.anchors:
        target = resolve("glossary/index.html", anchor.attrs.get("href", "")) or ""
        parts = target.split("/")
        if len(parts) == 3 and parts[0] == "glossary" and parts[1] in kinds:
            letters[parts[1]].append(str(anchor.under_h2))
    assert all(len(found) == 1 for found in letters.values()), letters
    assert letters["vladimir-putin"] == ["P"]
    assert letters["kim-jong-un"] == ["K"]  # sort_as: Korean names put the family first


def test_front_page_lists_the_story(seed_out: Path) -> None:
    page = read_page(seed_out / "index.html")
    stories = [a.text.strip() for a in page.anchors if resolve("index.html", a.attrs["href"])]
    assert "Putin, Kim gift each other rifles at meeting, and a Russian space glove" in stories
    targets = {resolve("index.html", a.attrs.get("href", "")) for a in page.anchors}
    assert ARTICLE_PAGE in targets


def test_feed_is_atom_with_the_story(seed_out: Path) -> None:
    root = ET.parse(seed_out / "feed.xml").getroot()
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}id") == BASE_URL
    # The story's correction is the newest change the site has told readers of.
    assert root.findtext(f"{ATOM}updated") == "2023-09-15T18:30:00+10:00"
    entries = root.findall(f"{ATOM}entry")
    # The scheduled preview is dated 2027: no build before then lists it.
    assert [e.findtext(f"{ATOM}id") for e in entries] == [f"{BASE_URL}{SEED_ARTICLE}/"]
    entry = entries[0]
    assert entry.findtext(f"{ATOM}published") == "2023-09-15T10:00:00+10:00"
    assert entry.findtext(f"{ATOM}updated") == "2023-09-15T18:30:00+10:00"
    assert entry.findtext(f"{ATOM}title") == (
        "Putin, Kim gift each other rifles at meeting, and a Russian space glove"
    )
    link = entry.find(f"{ATOM}link")
    assert link is not None
    assert link.get("href") == f"{BASE_URL}{SEED_ARTICLE}/"


def test_sitemap_lists_every_page_by_absolute_url(seed_out: Path) -> None:
    root = ET.parse(seed_out / "sitemap.xml").getroot()
    assert root.tag == f"{SITEMAP}urlset"
    locations = [url.findtext(f"{SITEMAP}loc") or "" for url in root.findall(f"{SITEMAP}url")]
    expected = {BASE_URL, f"{BASE_URL}{SEED_ARTICLE}/", f"{BASE_URL}glossary/"}
    expected |= {f"{BASE_URL}glossary/{entry_id}/" for entry_id in seed_glossary()}
    assert expected <= set(locations)
    assert len(locations) == len(set(locations))
    for location in locations:
        assert location.startswith(BASE_URL), location
        page = location.removeprefix(BASE_URL) + "index.html"
        assert (seed_out / page).is_file(), location


def test_pages_link_to_each_other_with_relative_urls(seed_out: Path) -> None:
    for page_path in html_pages(seed_out):
        page = read_page(seed_out / page_path)
        for tag, href in page.hrefs:
            if tag == "link" and href.startswith(BASE_URL):
                continue  # rel=canonical is absolute by design
            assert not href.startswith("/"), (page_path, href)
            assert not href.startswith("https://example.org"), (page_path, href)


def test_every_relative_link_resolves_to_a_file(seed_out: Path) -> None:
    for page_path in html_pages(seed_out):
        for tag, href in read_page(seed_out / page_path).hrefs:
            target = resolve(page_path, href)
            if target is not None:
                assert (seed_out / target).is_file(), (page_path, tag, href)


def test_two_builds_are_byte_identical(seed_out: Path, tmp_path: Path) -> None:
    # Another interpreter, another hash seed, another folder, another cwd.
    again = tmp_path / "again"
    with no_cache_left_in(SEED_SITE):
        result = run_subprocess(
            "build", "--site", SEED_SITE, "--out", again, cwd=tmp_path, env={"PYTHONHASHSEED": "7"}
        )
    assert (result.code, result.err) == (0, "")
    assert snapshot(again) == snapshot(seed_out)


# Drafts, incremental builds and parallel builds, on small sites of their own.

DRAFT = "---\ntitle: Not yet\nsection: World\ndate: 2023-09-20\ndraft: true\n---\nKim spoke.\n"


def test_a_draft_is_built_only_with_drafts(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    site = make_site({"content/world/draft/article.md": DRAFT})
    assert cli("build", "--site", site, "--out", tmp_path / "out").code == 0
    assert not (tmp_path / "out/world/draft").exists()
    assert "Not yet" not in (tmp_path / "out/index.html").read_text(encoding="utf-8")
    assert "world/draft" not in (tmp_path / "out/sitemap.xml").read_text(encoding="utf-8")
    assert "Not yet" not in (tmp_path / "out/feed.xml").read_text(encoding="utf-8")

    assert cli("build", "--site", site, "--out", tmp_path / "drafts", "--drafts").code == 0
    assert (tmp_path / "drafts/world/draft/index.html").is_file()
    assert "Not yet" in (tmp_path / "drafts/index.html").read_text(encoding="utf-8")


def test_an_incremental_build_equals_a_clean_one(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    people = "content/glossary/people.yaml"
    site = make_site({"content/world/later/article.md": DRAFT.replace("draft: true\n", "")})
    assert cli("build", "--site", site, "--out", tmp_path / "out").code == 0
    write_files(
        site,
        {
            people: MINIMAL_SITE[people].replace("Leader of North Korea.", "Leader of the DPRK."),
            "content/world/story/article.md": MINIMAL_SITE["content/world/story/article.md"]
            + "\nKim left.\n",
            "content/world/later/article.md": None,
            "content/world/new/article.md": DRAFT.replace("draft: true\n", "").replace(
                "Not yet", "New story"
            ),
        },
    )
    (site / "content/world/later").rmdir()
    assert cli("build", "--site", site, "--out", tmp_path / "out").code == 0
    assert cli("build", "--site", site, "--out", tmp_path / "clean", "--clean").code == 0
    assert snapshot(tmp_path / "out") == snapshot(tmp_path / "clean")
    assert not (tmp_path / "out/world/later").exists()
    assert "Leader of the DPRK." in (tmp_path / "out/glossary/kim-jong-un/index.html").read_text(
        encoding="utf-8"
    )


def test_an_edit_that_keeps_size_and_mtime_is_still_rebuilt(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    people = make_site() / "content/glossary/people.yaml"
    site = people.parents[2]
    assert cli("build", "--site", site, "--out", tmp_path / "out").code == 0
    before = people.stat()
    text = people.read_text(encoding="utf-8").replace(
        "President of Russia.", "President of Narnia."
    )
    people.write_text(text, encoding="utf-8")
    assert people.stat().st_size == before.st_size
    os.utime(people, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert cli("build", "--site", site, "--out", tmp_path / "out").code == 0
    entry = (tmp_path / "out/glossary/vladimir-putin/index.html").read_text(encoding="utf-8")
    assert "President of Narnia." in entry


def test_parallel_and_serial_builds_are_byte_identical(
    make_site: Callable[..., Path], tmp_path: Path
) -> None:
    stories = {
        f"content/world/story-{n}/article.md": DRAFT.replace("draft: true\n", "").replace(
            "Not yet", f"Story {n}"
        )
        for n in range(6)
    }
    site = make_site(stories)
    build(BuildOptions(site=site, out=tmp_path / "serial", workers=1, clean=True))
    build(BuildOptions(site=site, out=tmp_path / "parallel", workers=2, clean=True))
    assert snapshot(tmp_path / "parallel") == snapshot(tmp_path / "serial")
    stories = [p for p in html_pages(tmp_path / "serial") if p.startswith("world/story-")]
    assert len(stories) == 6


def story(title: str, day: str) -> str:
    front = f"---\ntitle: {title}\nsection: World\ndate: {day}\n---\n"
    return front + "Vladimir Putin met Kim Jong Un.\n"


def test_front_page_and_feed_list_explainers_newest_first(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    site = make_site(
        {
            "content/world/story/article.md": story("Middle", "2023-09-15"),
            "content/world/aaa-newest/article.md": story("Newest", "2024-01-02"),
            "content/world/zzz-oldest/article.md": story("Oldest", "2001-07-19"),
        }
    )
    assert cli("build", "--site", site, "--out", tmp_path / "out").code == 0
    front = read_page(tmp_path / "out/index.html")
    titles = [
        a.text.strip() for a in front.anchors if a.text.strip() in {"Newest", "Middle", "Oldest"}
    ]
    assert list(dict.fromkeys(titles)) == ["Newest", "Middle", "Oldest"]
    feed = ET.parse(tmp_path / "out/feed.xml").getroot()
    assert [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")] == [
        "Newest",
        "Middle",
        "Oldest",
    ]


def test_markup_characters_in_titles_are_escaped_in_pages_and_feed(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    title = 'Q&A: <Putin> & Kim\'s "gift"'
    quoted = "'Q&A: <Putin> & Kim''s \"gift\"'"  # YAML single quotes double the apostrophe
    site = make_site({"content/world/story/article.md": story(quoted, "2023-09-15")})
    result = cli("build", "--site", site, "--out", tmp_path / "out")
    assert (result.code, result.err) == (0, "")
    feed = ET.parse(tmp_path / "out/feed.xml").getroot()
    assert [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")] == [title]
    page = (tmp_path / "out/world/story/index.html").read_text(encoding="utf-8")
    assert "<Putin>" not in page
    assert "Q&amp;A: &lt;Putin&gt;" in page


def rebuild_equals_clean(site: Path, tmp_path: Path) -> BuildResult:
    """Rebuild into out/, build clean into clean/, and require the same bytes."""
    result = build(BuildOptions(site=site, out=tmp_path / "out"))
    build(BuildOptions(site=site, out=tmp_path / "clean", clean=True))
    assert snapshot(tmp_path / "out") == snapshot(tmp_path / "clean")
    return result


def test_a_rebuild_with_nothing_changed_renders_and_writes_nothing(
    make_site: Callable[..., Path], tmp_path: Path
) -> None:
    site = make_site()
    build(BuildOptions(site=site, out=tmp_path / "out"))
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "out").rglob("*")}
    (site / "content/world/story/who.yaml").touch()  # saved again, unchanged
    assert rebuild_equals_clean(site, tmp_path).rendered == 0
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "out").rglob("*")} == before


def test_a_template_edit_rerenders_what_uses_it(
    make_site: Callable[..., Path], tmp_path: Path
) -> None:
    site = make_site()
    build(BuildOptions(site=site, out=tmp_path / "out"))
    own = write_files(site, {"templates/entry.html": '{% extends "base.html" %}\n'})
    (own / "templates/entry.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>{{ page.name }} (own)</h1>{% endblock %}\n',
        encoding="utf-8",
    )
    assert rebuild_equals_clean(site, tmp_path).rendered > 0
    page = (tmp_path / "out/glossary/kim-jong-un/index.html").read_text(encoding="utf-8")
    assert "Kim Jong Un (own)" in page


def test_a_site_yaml_edit_rerenders_every_page(
    make_site: Callable[..., Path], tmp_path: Path
) -> None:
    site = make_site()
    build(BuildOptions(site=site, out=tmp_path / "out"))
    site_yaml = site / "site.yaml"
    site_yaml.write_text(
        site_yaml.read_text(encoding="utf-8").replace("title: ", "title: Renamed "),
        encoding="utf-8",
    )
    rebuild_equals_clean(site, tmp_path)
    assert "Renamed" in (tmp_path / "out/world/story/index.html").read_text(encoding="utf-8")


def test_a_hand_edited_or_deleted_output_page_is_made_again(
    make_site: Callable[..., Path], tmp_path: Path
) -> None:
    site = make_site()
    build(BuildOptions(site=site, out=tmp_path / "out"))
    (tmp_path / "out/world/story/index.html").write_text("defaced", encoding="utf-8")
    (tmp_path / "out/glossary/kim-jong-un/index.html").unlink()
    assert rebuild_equals_clean(site, tmp_path).rendered >= 2


def test_the_tags_page_stays_while_the_stories_keep_their_tags(
    make_site: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = calls_to(monkeypatch, listings, "tag_index")
    tagged = MINIMAL_SITE[ARTICLE].replace("section: World\n", "section: World\ntags: [summit]\n")
    site, out = make_site({ARTICLE: tagged}), tmp_path / "out"
    build(BuildOptions(site=site, out=out))
    assert len(made) == 1
    write_files(site, {ARTICLE: tagged.replace("A story", "An edited story")})
    assert build(BuildOptions(site=site, out=out)).rendered > 0
    assert len(made) == 1  # the same tags, the same counts: the page was not made again
    write_files(site, {ARTICLE: tagged.replace("[summit]", "[summit, russia]")})
    build(BuildOptions(site=site, out=out))
    assert len(made) == 2
    assert "Russia" in (out / "tags/index.html").read_text(encoding="utf-8")
    build(BuildOptions(site=site, out=tmp_path / "clean", clean=True))
    assert snapshot(out) == snapshot(tmp_path / "clean")


# --- A large site's rebuild: the sources found in a child, the store read here ---------


@pytest.fixture
def read_beside(monkeypatch: pytest.MonkeyPatch) -> list[Call]:
    """Every rebuild finds its sources in a child process while this one reads the
    store, as a large site's does; the list holds those rebuilds."""
    monkeypatch.setattr(run, "READ_BESIDE_FROM_BYTES", 0)
    return calls_to(monkeypatch, run, "_first_look_beside_the_store")


UNSUMMARISED = MINIMAL_SITE[PEOPLE].replace("  summary: Leader of North Korea.\n", "")


def test_a_rebuild_beside_the_store_builds_what_changed_and_keeps_its_warnings(
    make_site: Callable[..., Path], tmp_path: Path, read_beside: list[Call]
) -> None:
    site, out = make_site({PEOPLE: UNSUMMARISED}), tmp_path / "out"
    first = build(BuildOptions(site=site, out=out))
    warnings = [d.format() for d in first.report.sorted()]
    assert warnings  # the entry without a summary
    write_files(site, {ARTICLE: MINIMAL_SITE[ARTICLE].replace("A story", "An edited story")})
    write_files(out, {"world/stray.html": "<p>put here by hand</p>"})  # removed, as ever
    edited = rebuild_equals_clean(site, tmp_path)
    assert edited.rendered > 0
    assert [d.format() for d in edited.report.sorted()] == warnings
    unchanged = build(BuildOptions(site=site, out=out))
    assert (unchanged.rendered, [d.format() for d in unchanged.report.sorted()]) == (0, warnings)
    with pytest.raises(ContentError):  # the warnings of an unchanged site, counted as errors
        build(BuildOptions(site=site, out=out, strict=True))
    assert len(read_beside) == 3  # not the first build, which has no store to read


# Run in a fresh interpreter: the build, then the names of the modules it imported.
IMPORTED = (
    "import sys\n"
    "from builder.commands.cli import main\n"
    "main(sys.argv[1:])\n"
    "print(' '.join(sorted(sys.modules)))\n"
)


def test_an_edit_without_pictures_imports_no_imaging_and_no_process_pool(
    make_site: Callable[..., Path], tmp_path: Path
) -> None:
    """Pillow's imaging modules, multiprocessing, ctypes, the thread pool that
    encodes pictures, subprocess (for search) and secrets (for a new key) are
    imported where they are used: an edit of a story without pictures, rendered
    in this process, is spared importing them: a thirtieth of its time at 5,000
    stories. So are Babel's date formats, for dates a build spelt before."""
    site, out = make_site(), tmp_path / "out"
    command = [sys.executable, "-c", IMPORTED, "build", "-q", "--site", site, "--out", out]
    subprocess.run(command, check=True, capture_output=True)
    write_files(site, {ARTICLE: MINIMAL_SITE[ARTICLE].replace("A story", "An edited story")})
    edit = subprocess.run(command, check=True, capture_output=True, text=True)
    imported = set(edit.stdout.split())
    assert "builder.build.pipeline" in imported  # the edit was built
    used_elsewhere = {"PIL.Image", "multiprocessing", "ctypes", "concurrent.futures"}
    assert imported & (used_elsewhere | {"subprocess", "secrets"}) == set()
    # Every date the edit shows was spelt by the first build, and kept: no CLDR data.
    assert "babel.dates" not in imported


def looks_fail_in_a_child(monkeypatch: pytest.MonkeyPatch) -> None:
    """`run.look` raises in any process this one forks, and looks as ever here."""
    parent, real_look = os.getpid(), run.look

    def look_here_only(options: BuildOptions, report: Report) -> Any:
        if os.getpid() != parent:
            raise RuntimeError("a child that fails")
        return real_look(options, report)

    monkeypatch.setattr(run, "look", look_here_only)


def test_a_rebuild_whose_child_fails_finds_the_sources_itself(
    make_site: Callable[..., Path],
    tmp_path: Path,
    read_beside: list[Call],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    looks_fail_in_a_child(monkeypatch)
    site = make_site()
    build(BuildOptions(site=site, out=tmp_path / "out"))
    write_files(site, {ARTICLE: MINIMAL_SITE[ARTICLE].replace("A story", "An edited story")})
    assert rebuild_equals_clean(site, tmp_path).rendered > 0
    assert read_beside


@pytest.fixture
def looked(monkeypatch: pytest.MonkeyPatch) -> list[Call]:
    """A cold build looks in a child while this process imports the pipeline,
    as a new process does, though here it is imported already; the list holds
    the looks made in this process, not in a child."""
    monkeypatch.setattr(run, "_PIPELINE", "a module this process has not imported")
    return calls_to(monkeypatch, run, "look")


def test_a_cold_build_looks_in_a_child_to_the_same_output(
    make_site: Callable[..., Path], tmp_path: Path, looked: list[Call]
) -> None:
    site = make_site()
    cold = build(BuildOptions(site=site, out=tmp_path / "cold", clean=True))
    assert looked == []  # not in this process
    build(BuildOptions(site=site, out=tmp_path / "here"))
    assert len(looked) == 1
    assert snapshot(tmp_path / "cold") == snapshot(tmp_path / "here")
    assert cold.rendered == cold.pages


def test_what_a_cold_build_s_child_finds_wrong_is_reported(
    make_site: Callable[..., Path], tmp_path: Path, looked: list[Call]
) -> None:
    site = make_site({"content/world/other/Article.md": "misnamed"})
    with pytest.raises(ContentError) as raised:
        build(BuildOptions(site=site, out=tmp_path / "out", clean=True))
    assert looked == []
    [problem] = [d.format() for d in raised.value.report.sorted()]
    assert problem.startswith("content/world/other/Article.md:")
    assert "did you mean 'article.md'" in problem


def test_a_cold_build_whose_child_fails_looks_itself(
    make_site: Callable[..., Path],
    tmp_path: Path,
    looked: list[Call],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    looks_fail_in_a_child(monkeypatch)
    site = make_site()
    assert build(BuildOptions(site=site, out=tmp_path / "out", clean=True)).pages > 0
    assert len(looked) == 1


def turn_given_to(who: str) -> type[Turn]:
    """A Turn that goes to this process ("parent") or to the child it forks; the
    other finds it taken."""
    parent = os.getpid()

    class Given(Turn):
        def take(self) -> bool:
            in_child = os.getpid() != parent
            return super().take() if in_child == (who == "child") else False

    return Given


@pytest.mark.parametrize("defaced", [False, True], ids=["output intact", "a page defaced"])
def test_with_nothing_changed_the_process_that_listed_the_output_checks_it(
    make_site: Callable[..., Path],
    tmp_path: Path,
    read_beside: list[Call],
    monkeypatch: pytest.MonkeyPatch,
    defaced: bool,
) -> None:
    monkeypatch.setattr(run, "Turn", turn_given_to("parent"))
    monkeypatch.setattr(run, "_nothing_changed", lambda child: False)  # the store read whole
    looked_here = calls_to(monkeypatch, run, "_first_look")
    checked_here = calls_to(monkeypatch, run, "_listed_intact")
    site, out = make_site(), tmp_path / "out"
    first = build(BuildOptions(site=site, out=out))
    looked_here.clear()  # the first build's, which has no store to read beside
    page = out / "world/story/index.html"
    if defaced:
        page.write_text("defaced", encoding="utf-8")
    again = build(BuildOptions(site=site, out=out))
    assert again.rendered == (1 if defaced else 0)
    assert again.pages == first.pages
    # By the listing taken here, not by the child:
    assert [call.result for call in checked_here] == [not defaced]
    assert len(looked_here) == (1 if defaced else 0)  # the sources found here only then
    build(BuildOptions(site=site, out=tmp_path / "clean", clean=True))
    assert snapshot(out) == snapshot(tmp_path / "clean")


@pytest.fixture
def child_answers_first(monkeypatch: pytest.MonkeyPatch) -> list[Call]:
    """The child's answer is in before this process starts reading the store, as on a
    mid-sized site whose store is slow to read; the list holds the tables' readings."""
    asked = run._nothing_changed

    def once_answered(child: Any) -> bool:
        child.result()  # waits for it
        return bool(asked(child))

    monkeypatch.setattr(run, "_nothing_changed", once_answered)
    return calls_to(monkeypatch, Store, "all")


def test_a_rebuild_with_nothing_changed_stops_reading_the_store_once_told(
    make_site: Callable[..., Path],
    tmp_path: Path,
    read_beside: list[Call],
    child_answers_first: list[Call],
) -> None:
    site = make_site()
    first = build(BuildOptions(site=site, out=tmp_path / "out"))
    child_answers_first.clear()
    again = build(BuildOptions(site=site, out=tmp_path / "out"))
    assert (again.rendered, again.pages) == (0, first.pages)
    assert child_answers_first == []  # not one table read in vain
    write_files(site, {ARTICLE: MINIMAL_SITE[ARTICLE].replace("A story", "An edited story")})
    assert rebuild_equals_clean(site, tmp_path).rendered > 0
    tables = {call.args[1] for call in child_answers_first}  # (store, table, stop)
    assert {"bundle", "article"} <= tables  # an edit reads it whole
    assert len(read_beside) == 2


def parts_given(here: range, in_child: range) -> type[Parts]:
    """Parts that this process and the child it forks take as given, each its own
    range, whenever they ask: as two processes free at other times would share them."""
    parent = os.getpid()

    class Given(Parts):
        def __init__(self, count: int) -> None:
            super().__init__(count)
            self.left = {True: list(in_child), False: list(here)}

        def take(self) -> int | None:
            mine = self.left[os.getpid() != parent]
            return mine.pop(0) if mine else None

    return Given


@pytest.mark.parametrize(
    ("here", "in_child"),
    [(range(16), range(0)), (range(0), range(16)), (range(0, 16, 2), range(1, 16, 2))],
    ids=["all here", "all in the child", "half each"],
)
@pytest.mark.parametrize("named", [True, False], ids=["--out", "site.yaml's output"])
def test_the_two_processes_share_the_output_s_listing_part_by_part(
    make_site: Callable[..., Path],
    tmp_path: Path,
    read_beside: list[Call],
    monkeypatch: pytest.MonkeyPatch,
    here: range,
    in_child: range,
    named: bool,
) -> None:
    monkeypatch.setattr(run, "Parts", parts_given(here, in_child))
    listed_whole = calls_to(monkeypatch, pipeline, "files_seen_below")
    site = make_site()
    out = tmp_path / "out" if named else site / "public"
    options = BuildOptions(site=site, out=out if named else None)
    build(options)
    write_files(site, {ARTICLE: MINIMAL_SITE[ARTICLE].replace("A story", "An edited story")})
    write_files(out, {"world/stray.html": "<p>put here by hand</p>"})  # removed, as ever
    (out / "glossary/kim-jong-un/index.html").write_text("defaced", encoding="utf-8")
    everything = files_seen_below(out)
    merged = calls_to(monkeypatch, pipeline.LastBuild, "listed")
    assert build(options).rendered > 0
    build(BuildOptions(site=site, out=tmp_path / "clean", clean=True))
    assert snapshot(out) == snapshot(tmp_path / "clean")
    assert [call.result.output for call in merged] == [everything]
    assert listed_whole == []  # the two shares were the whole
    assert len(read_beside) == 1


def test_a_share_of_the_listing_lost_with_its_child_is_listed_here(
    make_site: Callable[..., Path],
    tmp_path: Path,
    read_beside: list[Call],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(run, "Parts", parts_given(range(0, 16, 2), range(1, 16, 2)))
    looks_fail_in_a_child(monkeypatch)
    listed_whole = calls_to(monkeypatch, pipeline, "files_seen_below")
    site = make_site()
    build(BuildOptions(site=site, out=tmp_path / "out"))
    write_files(site, {ARTICLE: MINIMAL_SITE[ARTICLE].replace("A story", "An edited story")})
    write_files(tmp_path / "out", {"world/stray.html": "<p>put here by hand</p>"})
    assert rebuild_equals_clean(site, tmp_path).rendered > 0
    assert [call.args for call in listed_whole] == [(tmp_path / "out",)]


@pytest.mark.parametrize("beside", [False, True], ids=["in one process", "beside the store"])
def test_a_story_edit_makes_other_stories_pages_changed_by_hand_again(
    make_site: Callable[..., Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    beside: bool,
) -> None:
    """Where only stories changed, the pages of the others stay when their files
    are as recorded, found all at once (`PageTarget.as_recorded`): a page
    changed or removed by hand is not, and is made again."""
    if beside:
        monkeypatch.setattr(run, "READ_BESIDE_FROM_BYTES", 0)
    story = "content/business/story-{}/article.md".format
    stories = {
        story(n): f"---\ntitle: Story {n}\nsection: Business\ndate: 2023-09-1{n}\n---\nText.\n"
        for n in range(4)
    }
    site, out = make_site(stories), tmp_path / "out"
    build(BuildOptions(site=site, out=out))
    asked = calls_to(monkeypatch, PageTarget, "as_recorded")
    (out / "business/story-0/index.html").write_text("defaced", encoding="utf-8")
    (out / "business/story-1/index.html").unlink()
    write_files(site, {story(2): stories[story(2)].replace("Story 2", "Story two")})
    assert rebuild_equals_clean(site, tmp_path).rendered >= 3
    assert len(asked) == 1


@pytest.mark.parametrize("edited", [False, True], ids=["sources unchanged", "a story edited"])
def test_a_rebuild_beside_the_store_makes_hand_edited_or_deleted_pages_again(
    make_site: Callable[..., Path], tmp_path: Path, read_beside: list[Call], edited: bool
) -> None:
    """The output's files are looked at before the build, while the child finds
    the sources: what was changed by hand is found as a build in one process finds it."""
    site = make_site()
    build(BuildOptions(site=site, out=tmp_path / "out"))
    (tmp_path / "out/glossary/kim-jong-un/index.html").write_text("defaced", encoding="utf-8")
    (tmp_path / "out/glossary/vladimir-putin/index.html").unlink()
    if edited:
        write_files(site, {ARTICLE: MINIMAL_SITE[ARTICLE].replace("A story", "An edited story")})
    assert rebuild_equals_clean(site, tmp_path).rendered >= 2
    assert read_beside
