"""Assembling the site: the bundles parsed now and those the last build knew,
the glossary index, what changed since the last build, and the keys of pages."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import replace

from builder import __version__
from builder.build.articles import BundleShard, ParsedBundle
from builder.build.state import Loaded, Run
from builder.build.warm import Warm
from builder.build.workers import Shards, no_progress
from builder.content.authors import check_author_references, index_authors
from builder.content.glossary import GlossaryIndex, build_index, check_references
from builder.content.images import with_author_images, with_entry_images, with_publisher_logo
from builder.content.load import load_authors, load_tags
from builder.content.model import Author, BundleSummary, Entry, Site, Tag
from builder.content.tags import check_tag_use, index_tags
from builder.content.yaml_errors import is_syntax_error
from builder.core.diagnostics import Report
from builder.incremental.plan import (
    BundleRecord,
    Changes,
    Keys,
    LoadedGlossary,
    Previous,
    claims_digest,
    find_changes,
    listed_by_changed,
    load_glossary,
    load_media,
)
from builder.incremental.records import digest
from builder.incremental.store import Store
from builder.site import pages


def assemble(
    run: Run,
    parsed: dict[str, tuple[ParsedBundle, int]],
    count: pages.RelatedCounter = pages.count_related,
) -> Loaded:
    """The site from what was just parsed and what the last build knew: the
    glossary index, the keys of every page, and what changed since. Drafts and,
    without --future, stories dated after the build's time are left out.
    `count`: how the related stories are counted (`related_in`)."""
    options, sources, config, previous = run.options, run.sources, run.config, run.previous
    report = run.report
    fresh = {path: item.loaded() for path, (item, _) in parsed.items()}
    bundles = _bundle_records(run, fresh)
    glossary = load_glossary(
        options.site, sources.files, sources.signatures, config, previous.glossary, report
    )
    candidates = [
        record.summary
        for record in bundles.values()
        if record.summary is not None and (options.drafts or not record.summary.front.draft)
    ]
    scheduled = tuple(s for s in candidates if s.front.scheduled(sources.now))
    held_back = frozenset() if options.future else frozenset(s.path for s in scheduled)
    summaries = [summary for summary in candidates if summary.path not in held_back]
    index = _glossary_index(run, glossary, summaries)
    media = load_media(options.site, sources.files, sources.signatures, previous.media)
    pictures = {name: file for name, (_, file) in media.items()}
    index = replace(index, entries=with_entry_images(index.entries, pictures, report))
    config = with_publisher_logo(config, pictures, report)
    entry_digests = _entry_digests(index.entries.values(), glossary, run.warm)
    if run.warm is not None:
        claims = run.warm.linking.table_for(index)[1]
    else:
        claims = claims_digest(index.link_table())
    common = digest(__version__, sources.theme_digest, config, options.drafts)
    authors = with_author_images(_authors(run), pictures, report)
    if not _yaml_broken(report, bundles.values()):  # a broken file may define the ids
        _check_references(summaries, parsed, previous, index, run.store, report)
        check_author_references(summaries, authors, report)
    author_digests = {author.id: digest(author) for author in (authors or {}).values()}
    shown_authors = None if authors is None else tuple(authors.values())
    tags = _tags(run)
    check_tag_use(tags, summaries, report)
    tag_digests = {tag.id: digest(tag) for tag in tags.values()}
    site = Site(
        config, tuple(index.entries.values()), tuple(summaries), shown_authors, tuple(tags.values())
    )
    changes = find_changes(
        previous,
        bundles,
        entry_digests,
        common,
        claims,
        author_digests,
        held_back,
        tag_digests,
        parsed=fresh.keys(),
    )
    touched = None if changes.everything else _touched(changes, previous, bundles, site)
    related = pages.related_articles(site, previous.related, touched, count)
    digests = {s.path: bundles[s.path].digest for s in summaries}
    keys = Keys(common, claims, digests, entry_digests, author_digests, tag_digests)
    if run.spill is not None:  # their rows are in the spill: the bytes need not stay
        parsed = {path: (item.aside(), shard) for path, (item, shard) in parsed.items()}
    return Loaded(
        site,
        bundles,
        parsed,
        index,
        changes,
        keys,
        related,
        glossary,
        scheduled,
        held_back,
        media,
    )


def _bundle_records(run: Run, fresh: dict[str, BundleRecord]) -> dict[str, BundleRecord]:
    """Every bundle's record, in the order found: parsed now, else the last build's.
    A running builder that has not walked content/ since its last build has the
    same bundles, in the same order: it takes that build's records with the new
    ones over them (made bundle by bundle, 30 ms of each edit at 50,000 stories)."""
    previous, warm = run.previous, run.warm
    if warm is not None and warm.holds_records_of_the_same_bundles(previous):
        return previous.bundles | fresh
    return {
        b.path: fresh.get(b.path) or previous.bundles[b.path] for b in run.sources.files.bundles
    }


def _glossary_index(
    run: Run, glossary: dict[str, LoadedGlossary], summaries: list[BundleSummary]
) -> GlossaryIndex:
    """The index of the glossary's entries and of those the stories define; a
    running builder's last one while they are the same."""
    definitions = [entry for loaded in glossary.values() for entry in loaded.entries]
    never_link = tuple(phrase for loaded in glossary.values() for phrase in loaded.never_link)

    def make(report: Report) -> GlossaryIndex:
        return build_index(definitions, summaries, report, never_link)

    if run.warm is None:
        return make(run.report)
    inputs = (definitions, [summary.inline_entries for summary in summaries], never_link)
    return run.warm.glossary_index.index_for(inputs, run.report, make)


# Stories counted again, from which counting their related stories is shared
# among the workers: sending each what counting needs takes a few milliseconds.
RELATE_IN_WORKERS_FROM = 1000


def related_in(shards: Shards[BundleShard]) -> pages.RelatedCounter:
    """Counting related stories in the workers, chunk by chunk, when many are
    counted: they wait while this process assembles the site, and counting was
    most of that (2.7 of 3.9 s at 50,000 stories)."""

    def count(relating: pages.Relating, numbers: list[int]) -> list[tuple[int, ...]]:
        if shards.count == 1 or len(numbers) < RELATE_IN_WORKERS_FROM:
            return pages.count_related(relating, numbers)
        shards.run(take_relating, [relating] * shards.count, no_progress)
        found = shards.run_balanced(relate_share, numbers, no_progress)
        counted = {n: most for chunks in found for pairs in chunks for n, most in pairs}
        return [counted[n] for n in numbers]

    return count


def take_relating(
    shard: BundleShard, relating: pages.Relating, advance: Callable[[int], None]
) -> None:
    """A shard step: keep what counting related stories needs, for every chunk of them."""
    shard.relating = relating


def relate_share(
    shard: BundleShard, numbers: list[int], advance: Callable[[int], None]
) -> list[tuple[int, tuple[int, ...]]]:
    """A shard step: each numbered story's number, with those of its most related."""
    assert shard.relating is not None, "take_relating first"
    return list(zip(numbers, pages.count_related(shard.relating, numbers), strict=True))


def _yaml_broken(report: Report, bundles: Iterable[BundleRecord]) -> bool:
    """Whether a glossary file or a sidecar could not be read as YAML."""
    found = itertools.chain(report.diagnostics, *(record.diagnostics for record in bundles))
    return any(is_syntax_error(diagnostic.message) for diagnostic in found)


def _authors(run: Run) -> dict[str, Author] | None:
    """The authors of content/authors.yaml by id; None when the site has no such file.
    The file is small: read again by every build that gets this far."""
    file = run.sources.files.authors
    if file is None:
        return None
    found = load_authors(run.options.site, file, run.config, run.report)
    return index_authors(found, run.report)


def _tags(run: Run) -> dict[str, Tag]:
    """The tags content/tags.yaml names, by id; none without that file."""
    file = run.sources.files.tags
    if file is None:
        return {}
    return index_tags(load_tags(run.options.site, file, run.config, run.report), run.report)


def _touched(
    changes: Changes, previous: Previous, bundles: dict[str, BundleRecord], site: Site
) -> pages.Touched:
    """The changed bundles whose related stories may change, with what they listed
    before and list now: those published or withdrawn since, and those whose
    listed entries or date changed. A new title or body relates nothing anew."""
    published = site.by_path
    moved = frozenset(
        path
        for path in changes.bundles
        if (path in published) != (path in previous.related)
        or _relating(previous.bundles.get(path)) != _relating(bundles.get(path))
    )
    narrowed = replace(changes, bundles=moved)
    return pages.Touched(moved, frozenset(listed_by_changed(narrowed, previous, bundles)))


def _relating(record: BundleRecord | None) -> object:
    """What of a bundle decides which stories are related to it, and to which it is."""
    if record is None or record.summary is None:
        return None
    return record.summary.listed, record.summary.front.date.at


def _entry_digests(
    entries: Iterable[Entry], glossary: dict[str, LoadedGlossary], warm: Warm | None
) -> dict[str, str]:
    """Each entry's digest by id. Those of the glossary files' entries were taken
    as the files were read; a running builder keeps the others' too (an inline
    entry, one given its picture), taking again only those of entries loaded anew."""
    kept = warm.entry_digests if warm is not None else {}
    taken = {
        id(entry): (entry, value)
        for loaded in glossary.values()
        if len(loaded.digests) == len(loaded.entries)
        for entry, value in zip(loaded.entries, loaded.digests, strict=True)
    }
    found: dict[int, tuple[Entry, str]] = {}
    for entry in entries:
        known = taken.get(id(entry)) or kept.get(id(entry))
        if known is None or known[0] is not entry:
            known = (entry, digest(entry))
        found[id(entry)] = known
    if warm is not None:
        warm.entry_digests = found
    return {entry.id: value for entry, value in found.values()}


def _check_references(
    summaries: list[BundleSummary],
    parsed: dict[str, tuple[ParsedBundle, int]],
    previous: Previous,
    index: GlossaryIndex,
    store: Store | None,
    report: Report,
) -> None:
    """Every id a sidecar names must name an entry: checked for the bundles parsed now,
    and for every bundle when the set of entries changed.

    A story's summary lists the very ids its references name (`Bundle.listed_ids`),
    so only a story that lists an id the glossary lacks has its references, and
    where each is written, read: every story's timeline was unpickled for this,
    in the main process alone (0.28 s at 5,000 stories, 1.9 s at 50,000)."""
    before = previous.entries.keys() if previous.entries is not None else None
    # The stored stories are checked too only when the entries' ids changed.
    stored = store if before != index.entries.keys() else None
    known = index.entries.__contains__
    # Asked only of the stories to check: an edit's few, not the archive's.
    wrong = {
        s.path
        for s in summaries
        if (stored is not None or s.path in parsed) and not all(map(known, s.listed))
    }
    blobs = {
        path: item.details
        for path, (item, _) in parsed.items()
        if path in wrong and item.details is not None
    }
    if stored is not None:
        blobs.update(stored.some("details", wrong - blobs.keys()))
    for path in sorted(blobs):
        check_references(blobs[path].load(), index, report)
