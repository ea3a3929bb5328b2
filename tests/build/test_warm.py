"""A builder that stays running: told which files changed, it signs only those
again and starts from its last build's records, with the same output as a
clean build."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import builder.build.assemble as assemble
from builder.build.options import BuildOptions
from builder.build.run import build, look
from builder.build.warm import Warm
from builder.content.model import Entry
from builder.core.diagnostics import ContentError, Report
from builder.incremental import plan
from builder.incremental.plan import store_file
from builder.incremental.records import digest
from builder.site.theme import DEFAULT_THEME
from tests.conftest import same_as_clean

LINDMOUTH = Path(__file__).parents[1] / "sites" / "valid" / "lindmouth"
STORY = "content/city/old-mill-bridge-closure"


def copied_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(LINDMOUTH, site, ignore=shutil.ignore_patterns("expected"))
    return site


def edit(site: Path, name: str, old: str, new: str) -> Path:
    file = site / name
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")
    return file


def test_an_edit_reported_signs_only_its_bundle_again(tmp_path: Path) -> None:
    site, out = copied_site(tmp_path), tmp_path / "out"
    warm = Warm()
    build(BuildOptions(site=site, out=out, workers=1), warm)
    before = warm.sources
    assert before is not None and warm.previous is not None
    changed = edit(site, f"{STORY}/article.md", 'title: "', 'title: "Edited ')
    warm.changes.add(str(changed))
    result = build(BuildOptions(site=site, out=out, workers=1), warm)
    after = warm.sources
    assert after is not None and after is not before
    assert result.rendered > 0
    edited = [b for b in after.files.bundles if b.path == STORY.removeprefix("content/")]
    others = [b for b in after.files.bundles if b not in edited]
    assert edited and others
    # The bundles not reported are the very objects the last build found.
    assert all(any(b is old for old in before.files.bundles) for b in others)
    assert after.signatures.bundles[edited[0].path] != before.signatures.bundles[edited[0].path]
    # What a new process would find: the same files, signatures and fingerprint.
    walked = look(BuildOptions(site=site, out=out, workers=1), Report())
    assert walked.files == after.files and walked.signatures == after.signatures
    assert walked.fingerprint == after.fingerprint
    assert same_as_clean(site, out, tmp_path)


def test_a_glossary_edit_reported_is_built(tmp_path: Path) -> None:
    site, out = copied_site(tmp_path), tmp_path / "out"
    warm = Warm()
    build(BuildOptions(site=site, out=out, workers=1), warm)
    glossary = site / "content/glossary/places.yaml"
    text = glossary.read_text(encoding="utf-8")
    glossary.write_text(text.replace('summary: "', 'summary: "Newly, ', 1), encoding="utf-8")
    warm.changes.add(str(glossary))
    assert build(BuildOptions(site=site, out=out, workers=1), warm).rendered > 0
    assert same_as_clean(site, out, tmp_path)


def test_a_new_bundle_makes_the_builder_walk_the_site_again(tmp_path: Path) -> None:
    site, out = copied_site(tmp_path), tmp_path / "out"
    warm = Warm()
    build(BuildOptions(site=site, out=out, workers=1), warm)
    copy = site / "content/city/old-mill-bridge-again"
    shutil.copytree(site / STORY, copy)
    warm.changes.add(str(copy / "article.md"))  # a file of a folder the build never saw
    build(BuildOptions(site=site, out=out, workers=1), warm)
    assert warm.sources is not None
    assert "city/old-mill-bridge-again" in {b.path for b in warm.sources.files.bundles}
    assert (out / "city/old-mill-bridge-again/index.html").is_file()
    assert same_as_clean(site, out, tmp_path)


def test_the_last_builds_records_stand_for_the_bundles_only_until_a_walk(
    tmp_path: Path,
) -> None:
    """Between walks the bundles are the same paths in the same order, and a
    build takes the last one's records whole, with the parsed ones over them; a
    story removed makes a walk, after which each record is taken by its path."""
    site, out = copied_site(tmp_path), tmp_path / "out"
    options = BuildOptions(site=site, out=out, workers=1)
    warm = Warm()
    build(options, warm)
    for title in ("First ", "Second "):
        warm.changes.add(str(edit(site, f"{STORY}/article.md", 'title: "', f'title: "{title}')))
        build(options, warm)
        assert warm.previous is not None
        assert warm.holds_records_of_the_same_bundles(warm.previous)
    gone = site / "content/environment/tidal-lagoon-plan"
    shutil.rmtree(gone)
    warm.changes.add(str(gone))
    build(options, warm)
    assert warm.previous is not None
    assert "environment/tidal-lagoon-plan" not in warm.previous.bundles
    assert not warm.holds_records_of_the_same_bundles(warm.previous)
    assert same_as_clean(site, out, tmp_path)


def test_a_build_by_another_process_sends_the_builder_back_to_the_store(tmp_path: Path) -> None:
    site, out = copied_site(tmp_path), tmp_path / "out"
    warm = Warm()
    options = BuildOptions(site=site, out=out, workers=1)
    build(options, warm)
    warm.settle()  # its store written: as when the builder waits for a save
    kept = warm.previous
    assert kept is not None
    edit(site, f"{STORY}/article.md", 'title: "', 'title: "First ')
    assert warm.previous_for(store_file(site, out)) is kept
    build(options)  # another process: the store and the output change under the builder
    assert warm.previous_for(store_file(site, out)) is None
    second = edit(site, f"{STORY}/article.md", 'title: "First ', 'title: "Second ')
    warm.changes.add(str(second))
    build(options, warm)
    assert warm.previous is not kept
    assert same_as_clean(site, out, tmp_path)
    assert "Second Old Mill" in (out / STORY.removeprefix("content/") / "index.html").read_text()


def test_a_change_the_watcher_cannot_name_is_found_by_a_walk(tmp_path: Path) -> None:
    site, out = copied_site(tmp_path), tmp_path / "out"
    warm = Warm()
    build(BuildOptions(site=site, out=out, workers=1), warm)
    edit(site, f"{STORY}/article.md", 'title: "', 'title: "Unnamed ')
    warm.changes.lose_track()
    build(BuildOptions(site=site, out=out, workers=1), warm)
    assert same_as_clean(site, out, tmp_path)


def test_a_running_builder_checks_every_page_once_the_output_was_touched(
    tmp_path: Path,
) -> None:
    site, out = copied_site(tmp_path), tmp_path / "out"
    warm = Warm()
    options = BuildOptions(site=site, out=out, workers=1)
    build(options, warm)
    assert warm.previous is not None and warm.trusts(warm.previous, out)
    (out / "stray.html").write_text("left here by hand", encoding="utf-8")
    page = out / STORY.removeprefix("content/") / "index.html"
    page.unlink()  # deep down: noticed only because the top of the output changed too
    assert not warm.trusts(warm.previous, out)
    other = "content/environment/tidal-lagoon-plan/article.md"  # an edit elsewhere
    warm.changes.add(str(edit(site, other, 'title: "', 'title: "Edited ')))
    build(options, warm)
    assert not (out / "stray.html").exists()
    assert page.is_file()
    assert same_as_clean(site, out, tmp_path)


def test_the_store_and_summary_are_written_after_the_output_is_live(tmp_path: Path) -> None:
    site, out = copied_site(tmp_path), tmp_path / "out"
    warm = Warm()
    options = BuildOptions(site=site, out=out, workers=1)
    build(options, warm)
    changed = edit(site, f"{STORY}/article.md", 'title: "', 'title: "Later ')
    warm.changes.add(str(changed))
    build(options, warm)
    assert "Later Old Mill" in (out / STORY.removeprefix("content/") / "index.html").read_text()
    warm.settle()
    assert warm.previous is not None
    assert warm.previous_for(store_file(site, out)) is warm.previous
    # A new process finds what the running builder wrote: nothing to do.
    assert build(options).rendered == 0


def test_bookkeeping_that_fails_sends_the_next_build_back_to_the_store(tmp_path: Path) -> None:
    site, out = copied_site(tmp_path), tmp_path / "out"
    warm = Warm()
    options = BuildOptions(site=site, out=out, workers=1)
    build(options, warm)
    warm.settle()

    def fails() -> None:
        raise OSError("the disk is full")

    warm.after(fails)
    warm.start_after()
    warm.settle()
    assert warm.previous_for(store_file(site, out)) is None
    changed = edit(site, f"{STORY}/article.md", 'title: "', 'title: "Again ')
    warm.changes.add(str(changed))
    build(options, warm)
    assert same_as_clean(site, out, tmp_path)


def test_only_the_entries_loaded_anew_are_digested_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The entries of a glossary file not read again keep their digests; those of
    the edited file are digested again, so their pages are looked at again."""
    site, out = copied_site(tmp_path), tmp_path / "out"
    warm = Warm()
    build(BuildOptions(site=site, out=out, workers=1), warm)
    before = {entry.id: value for entry, value in warm.entry_digests.values()}
    digested: list[str] = []

    def counted(*parts: object) -> str:
        digested.extend(part.id for part in parts if isinstance(part, Entry))
        return digest(*parts)

    monkeypatch.setattr(assemble, "digest", counted)
    monkeypatch.setattr(plan, "digest", counted)  # as a glossary file is read
    glossary = site / "content/glossary/places.yaml"
    text = glossary.read_text(encoding="utf-8")
    glossary.write_text(text.replace('summary: "', 'summary: "Newly, ', 1), encoding="utf-8")
    warm.changes.add(str(glossary))
    build(BuildOptions(site=site, out=out, workers=1), warm)
    after = {entry.id: value for entry, value in warm.entry_digests.values()}
    changed = {entry_id for entry_id in after if after[entry_id] != before.get(entry_id)}
    assert changed
    assert changed <= set(digested) < set(after)  # the places, not the people or terms
    assert same_as_clean(site, out, tmp_path)


def test_the_link_table_and_parser_are_kept_while_the_glossary_is_the_same(
    tmp_path: Path,
) -> None:
    """An edited story links with the last build's parser; a claim added to the
    glossary makes both again, and the output is as a clean build's."""
    site, out = copied_site(tmp_path), tmp_path / "out"
    warm = Warm()
    options = BuildOptions(site=site, out=out, workers=1)
    build(options, warm)
    story = edit(site, f"{STORY}/article.md", 'title: "Old Mill', 'title: "The Old Mill')
    warm.changes.add(str(story))
    build(options, warm)
    table, parser = warm.linking.table, warm.linking.parser()
    edit(site, f"{STORY}/article.md", 'title: "The Old Mill', 'title: "Old Mill')
    warm.changes.add(str(story))
    build(options, warm)
    assert warm.linking.table is table and warm.linking.parser() is parser
    assert same_as_clean(site, out, tmp_path)

    glossary = edit(
        site, "content/glossary/places.yaml", "aliases: [Carrow]", "aliases: [Carrow, the Carrow]"
    )
    warm.changes.add(str(glossary))
    build(options, warm)
    assert warm.linking.table is not table and warm.linking.parser() is not parser
    assert "the Carrow" in warm.linking.table.claims
    assert same_as_clean(site, out, tmp_path)


def test_the_templates_are_kept_compiled_while_the_theme_is_the_same(tmp_path: Path) -> None:
    """A story edit renders with the last build's compiled templates, each fragment
    that `once` keeps rendered again; a template of the site's own is compiled
    and shows. Each output as a clean build's."""
    site, out = copied_site(tmp_path), tmp_path / "out"
    warm = Warm()
    options = BuildOptions(site=site, out=out, workers=1)
    build(options, warm)
    assert warm.templates is not None
    kept = warm.templates[1]
    story = edit(site, f"{STORY}/article.md", 'title: "Old Mill', 'title: "The Old Mill')
    warm.changes.add(str(story))
    build(options, warm)
    assert warm.templates[1] is kept
    assert same_as_clean(site, out, tmp_path)

    own = site / "templates" / "entry.html"
    own.parent.mkdir()
    text = (DEFAULT_THEME / "entry.html").read_text(encoding="utf-8")
    own.write_text(text.replace("{% block main %}", "{% block main %}<!-- ours -->"), "utf-8")
    warm.changes.add(str(own))
    build(options, warm)
    assert warm.templates[1] is not kept
    entry_pages = list((out / "glossary").glob("*/index.html"))
    assert entry_pages
    assert all("<!-- ours -->" in page.read_text(encoding="utf-8") for page in entry_pages)
    assert same_as_clean(site, out, tmp_path)


def test_the_glossary_index_is_kept_while_its_definitions_are_the_same(tmp_path: Path) -> None:
    """A story edit that defines nothing anew keeps the last build's index; an
    entry defined in a sidecar and edited makes it again; an index with a problem
    is made, and the problem reported, on every build until it is mended."""
    site, out = copied_site(tmp_path), tmp_path / "out"
    warm = Warm()
    options = BuildOptions(site=site, out=out, workers=1)
    build(options, warm)
    kept = warm.glossary_index.index
    assert kept is not None
    story = edit(site, f"{STORY}/article.md", 'title: "Old Mill', 'title: "The Old Mill')
    warm.changes.add(str(story))
    build(options, warm)
    assert warm.glossary_index.index is kept
    assert same_as_clean(site, out, tmp_path)

    who = edit(
        site, f"{STORY}/who.yaml", "Chief bridge engineer of", "The chief bridge engineer of"
    )
    warm.changes.add(str(who))
    build(options, warm)
    made = warm.glossary_index.index
    assert made is not None and made is not kept
    assert (
        made.entries["tomasz-wilk"].summary
        == "The chief bridge engineer of Lindmouth City Council."
    )
    assert same_as_clean(site, out, tmp_path)

    twice = edit(
        site, f"{STORY}/who.yaml", "- name: Tomasz Wilk", "- name: Tomasz Wilk\n  id: ana-ferreira"
    )
    warm.changes.add(str(twice))
    for _ in range(2):
        with pytest.raises(ContentError) as raised:
            build(options, warm)
        assert "id 'ana-ferreira' is already defined" in str(raised.value.report.sorted())
        assert warm.glossary_index.index is None
