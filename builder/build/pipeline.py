"""The pipeline, stage by stage: load the settings, parse what changed, index the
glossary, link and render the articles, gather backlinks, render the entry and
site pages, check, write, remember.

This module only calls the stages in order; the logic lives in them.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from builder import __version__
from builder.build.articles import (
    ArticlePlan,
    ArticleResult,
    BundleShard,
    ParsedBundle,
    parse_bundles,
    plan_articles,
    render_articles,
)
from builder.build.options import BuildOptions, BuildResult, Sources, build_date
from builder.build.output import MARKER, Staging, check_output_folder, replace_folder
from builder.build.produce import (
    EntryJob,
    Lookup,
    PageRenderer,
    PageResult,
    RenderContext,
    plan_entries,
    render_pages,
)
from builder.build.progress import Progress
from builder.build.search import SEARCH_FOLDER, index_site
from builder.build.workers import Shards, workers_for
from builder.content import checks
from builder.content.glossary import GlossaryIndex, build_index, check_references
from builder.content.load import load_config
from builder.content.model import BundleDetails, BundleSummary, Site, SiteConfig
from builder.core.diagnostics import ContentError, Report
from builder.incremental.plan import (
    BundleRecord,
    Changes,
    Keys,
    LoadedGlossary,
    Previous,
    cache_identity,
    find_changes,
    listed_by_changed,
    load_glossary,
    load_previous,
    stale_bundles,
    store_file,
    touched_entries,
)
from builder.incremental.records import OutputRecord, digest
from builder.incremental.store import Store
from builder.incremental.uptodate import CACHE_FOLDER
from builder.site import pages
from builder.site.templates import PageTarget, Templates
from builder.site.theme import static_files


@dataclass(frozen=True)
class Loaded:
    """The site as this build sees it, and how it differs from the last."""

    site: Site
    bundles: dict[str, BundleRecord]  # every bundle found, published or not
    parsed: dict[str, tuple[ParsedBundle, int]]  # parsed in this build, and by which shard
    index: GlossaryIndex
    changes: Changes
    keys: Keys
    related: dict[str, tuple[str, ...]]
    glossary: dict[str, LoadedGlossary]  # by file path


def make(options: BuildOptions, sources: Sources, report: Report) -> BuildResult:
    config = load_config(options.site, report)
    if config is None:
        raise ContentError(report)
    out = options.out if options.out is not None else options.site / config.output
    if options.write:
        check_output_folder(out, options.site)
    with _store(options, out) as store:
        previous = load_previous(store) if store is not None else Previous()
        return _make(options, sources, config, out, previous, store, report)


def _make(
    options: BuildOptions,
    sources: Sources,
    config: SiteConfig,
    out: Path,
    previous: Previous,
    store: Store | None,
    report: Report,
) -> BuildResult:
    templates = Templates(sources.theme, _template_cache(options))
    templates.compile_all()  # before any worker starts: each inherits them compiled
    local = BundleShard(options.site, config, templates.environment)
    reparse = previous.config != digest(config)  # a limit in site.yaml may read files anew
    known = {} if reparse else previous.bundles
    stale = stale_bundles(sources.files, sources.signatures, known)
    with _staged(options, out, bool(previous.outputs)) as (staging, target):
        # The bundles parsed here stay with the shard that parsed them, which
        # later renders their pages; a small site is one shard, in this process.
        with Shards(_worker_count(options, len(stale)), lambda: local) as shards:
            parsed = parse_bundles(shards, stale, sources.signatures, options.progress)
            loaded = _load(options, sources, config, previous, store, parsed, report)
            plan = ArticlePlan(
                loaded.site,
                loaded.index,
                sources.files,
                loaded.keys,
                target,
                previous,
                loaded.changes,
                loaded.related,
                {path: number for path, (_, number) in parsed.items()},
            )
            results, jobs = plan_articles(plan)
            with _render_shards(shards, local, len(jobs), options) as renderers:
                results.update(render_articles(renderers, plan, jobs, options.progress))
        others, renderer = _render_pages(
            loaded, templates, previous, target, store, results, options.progress
        )
        report_found(loaded, results, others, report)
        if report.has_errors:
            raise ContentError(report)
        outputs: dict[str, OutputRecord] = {}
        if staging is not None:
            static = _write_static(renderer, sources, loaded.keys, report)
            outputs = dict(_outputs(results, others) + static)
            _commit(staging, config, set(outputs), report)
            if store is not None:
                remember(store, previous, loaded, results, others, outputs, config)
            templates.keep()
    pages_count = len(results) + len(others)  # articles, entries, and the site-wide pages
    rendered = sum(r.rendered for r in results.values()) + sum(p.rendered for p in others)
    return BuildResult(out, pages_count, rendered, report, outputs)


@contextmanager
def _store(options: BuildOptions, out: Path) -> Iterator[Store | None]:
    """The store of the last build into this output; none for `check`."""
    if not options.write:
        yield None
        return
    identity = cache_identity(options.site, out, options.drafts)
    store = Store(store_file(options.site, out), identity, fresh=options.clean)
    try:
        yield store
    finally:
        store.close()


def _load(
    options: BuildOptions,
    sources: Sources,
    config: SiteConfig,
    previous: Previous,
    store: Store | None,
    parsed: dict[str, tuple[ParsedBundle, int]],
    report: Report,
) -> Loaded:
    """The site from what was just parsed and what the last build knew; the index."""
    fresh = {path: item.loaded() for path, (item, _) in parsed.items()}
    bundles = {b.path: fresh.get(b.path) or previous.bundles[b.path] for b in sources.files.bundles}
    glossary = load_glossary(
        options.site, sources.files, sources.signatures, config, previous.glossary, report
    )
    summaries = [
        record.summary
        for record in bundles.values()
        if record.summary is not None and (options.drafts or not record.summary.front.draft)
    ]
    definitions = [entry for loaded in glossary.values() for entry in loaded.entries]
    index = build_index(definitions, summaries, report)
    entry_digests = {entry.id: digest(entry) for entry in index.entries.values()}
    claims = digest(index.claims)
    common = digest(__version__, sources.theme_digest, config, options.drafts)
    _check_references(summaries, parsed, previous, index, store, report)
    site = Site(config, tuple(index.entries.values()), tuple(summaries))
    changes = find_changes(previous, bundles, entry_digests, common, claims)
    touched = None if changes.everything else _touched(changes, previous, bundles)
    related = pages.related_articles(site, previous.related, touched)
    keys = Keys(common, claims, {s.path: bundles[s.path].digest for s in summaries}, entry_digests)
    return Loaded(site, bundles, parsed, index, changes, keys, related, glossary)


def _touched(
    changes: Changes, previous: Previous, bundles: dict[str, BundleRecord]
) -> pages.Touched:
    """The bundles that changed, with what they listed before and list now."""
    listed = listed_by_changed(changes, previous, bundles)
    return pages.Touched(changes.bundles, frozenset(listed))


def _check_references(
    summaries: list[BundleSummary],
    parsed: dict[str, tuple[ParsedBundle, int]],
    previous: Previous,
    index: GlossaryIndex,
    store: Store | None,
    report: Report,
) -> None:
    """Every id a sidecar names must name an entry: checked for the bundles parsed now,
    and for every bundle when the set of entries changed."""
    before = previous.entries.keys() if previous.entries is not None else None
    published = {summary.path for summary in summaries}
    blobs = {path: item.details for path, (item, _) in parsed.items() if path in published}
    if before != index.entries.keys() and store is not None:
        blobs.update(store.some("details", published - blobs.keys()))
    for path in sorted(blobs):
        details: BundleDetails = pickle.loads(blobs[path])
        check_references(details, index, report)


def _render_pages(
    loaded: Loaded,
    templates: Templates,
    previous: Previous,
    target: PageTarget,
    store: Store | None,
    results: dict[str, ArticleResult],
    progress: Progress,
) -> tuple[list[PageResult], PageRenderer]:
    """Reduce first mentions into backlinks, then render the entry pages that may
    have changed, and the site-wide pages."""
    mentioned = {path: result.record.mentioned for path, result in results.items()}
    changes = loaded.changes
    touched = (
        None
        if changes.everything
        else touched_entries(changes, previous, loaded.bundles, mentioned)
    )
    kept, jobs = plan_entries(loaded.site, previous, target, touched, mentioned)
    lookup = _lookup(loaded, store, results, jobs, touched is None)
    context = RenderContext(
        loaded.site, loaded.index, templates.environment, target, previous, loaded.keys, lookup
    )
    rendered, renderer = render_pages(context, jobs, progress)
    return kept + rendered, renderer


def _lookup(
    loaded: Loaded,
    store: Store | None,
    results: dict[str, ArticleResult],
    jobs: list[EntryJob],
    everything: bool,
) -> Lookup:
    """What the entry pages to render show of their stories: what each showed last
    time, and for stories changed since or new to a page, their own records."""
    fresh = frozenset(loaded.parsed.keys() | {p for p, r in results.items() if r.rendered})
    usages = {} if everything or store is None else store.some("usage", [e for e, _ in jobs])
    known = Lookup({}, {}, usages)
    users = {
        path
        for entry_id, paths in jobs
        for path in paths
        if path in fresh or path not in known.shown_before(entry_id)
    }
    details = {path: item.details for path, (item, _) in loaded.parsed.items() if path in users}
    mentions = {path: r.mentions for path, r in results.items() if r.mentions and path in users}
    if store is not None:
        details.update(store.some("details", users - details.keys()))
        mentions.update(store.some("mentions", users - mentions.keys()))
    return Lookup(details, mentions, usages, fresh)


def report_found(
    loaded: Loaded,
    results: dict[str, ArticleResult],
    others: list[PageResult],
    report: Report,
) -> None:
    """What parsing and rendering found, and the checks of the glossary as a whole."""
    for record in loaded.bundles.values():
        report.extend(record.diagnostics)
    for result in results.values():
        report.extend(result.record.diagnostics)
    for page in others:
        report.extend(page.diagnostics)
    checks.check_entries(loaded.site, build_date(), report)


def remember(
    store: Store,
    previous: Previous,
    loaded: Loaded,
    results: dict[str, ArticleResult],
    others: list[PageResult],
    outputs: dict[str, OutputRecord],
    config: SiteConfig,
) -> None:
    """Write what changed since the last build into the store, in one transaction."""
    parsed = {path: item for path, (item, _) in loaded.parsed.items()}
    gone = previous.bundles.keys() - loaded.bundles.keys()
    store.write("bundle", payloads={p: i.record for p, i in parsed.items()}, removed=gone)
    with_details = {path: item.details for path, item in parsed.items() if item.details}
    no_details = gone | (parsed.keys() - with_details.keys())
    store.write("details", payloads=with_details, removed=no_details)
    rendered = {path: result for path, result in results.items() if result.rendered}
    unpublished = previous.articles.keys() - results.keys()
    store.write("article", {path: r.record for path, r in rendered.items()}, removed=unpublished)
    mentions = {path: result.mentions for path, result in rendered.items()}
    store.write("mentions", payloads=mentions, removed=unpublished)
    usages = dict(page.usage for page in others if page.usage is not None)
    gone_entries = (previous.entries or {}).keys() - loaded.keys.entries.keys()
    store.write("usage", payloads=usages, removed=gone_entries)
    dropped = previous.glossary.keys() - loaded.glossary.keys()
    store.write("glossary", loaded.glossary, removed=dropped)
    state = {
        "entries": loaded.keys.entries,
        "common": (loaded.keys.common, loaded.keys.claims),
        "config": digest(config),
        "related": loaded.related,
        "outputs": outputs,
    }
    store.write("state", state)
    store.commit()


def _template_cache(options: BuildOptions) -> Path | None:
    """Where compiled templates are kept; none for `check`, which writes nothing."""
    return options.site / CACHE_FOLDER / "templates" if options.write else None


def _worker_count(options: BuildOptions, items: int) -> int:
    return options.workers or workers_for(items)


@contextmanager
def _render_shards(
    shards: Shards[BundleShard], local: BundleShard, jobs: int, options: BuildOptions
) -> Iterator[Shards[BundleShard]]:
    """The shards that parsed, or, when few bundles changed but many pages are
    stale (a template edit), new workers forked with what this process holds."""
    wanted = _worker_count(options, jobs)
    if shards.count > 1 or wanted == 1:
        yield shards
        return
    with Shards(wanted, lambda: local) as more:
        yield more


@contextmanager
def _staged(
    options: BuildOptions, out: Path, warm: bool
) -> Iterator[tuple[Staging | None, PageTarget]]:
    """The staging folder of a build that writes, discarded whatever happens; or none."""
    if not options.write:
        yield None, PageTarget(options.site, None, out)
        return
    in_place = warm and (out / MARKER).is_file()
    staging = Staging(out, in_place)
    try:
        yield staging, PageTarget(options.site, staging.folder, out, in_place)
    finally:
        staging.discard()


def _commit(staging: Staging, config: SiteConfig, outputs: set[str], report: Report) -> None:
    """Index for search, then make the staged files the output."""
    if not config.search:
        staging.commit(outputs)
    elif not staging.in_place:
        index_site(staging.folder, config.language, report)
        if report.has_errors:
            raise ContentError(report)
        staging.commit()
    else:  # the index needs every page where it will stand: index after the commit
        staging.commit(outputs, keep_folder=SEARCH_FOLDER)
        fresh = staging.folder / ".search"
        index_site(staging.out, config.language, report, into=fresh)
        if report.has_errors:
            raise ContentError(report)
        replace_folder(fresh, staging.out / SEARCH_FOLDER)


def _write_static(
    renderer: PageRenderer, sources: Sources, keys: Keys, report: Report
) -> list[tuple[str, OutputRecord]]:
    files = static_files(sources.theme, report)
    if report.has_errors:
        raise ContentError(report)
    writer = renderer.writer
    return [writer.write(name, data, keys.common) for name, data in files.items()]


def _outputs(
    results: dict[str, ArticleResult], others: list[PageResult]
) -> list[tuple[str, OutputRecord]]:
    found = [r.output for r in results.values()] + [p.output for p in others]
    return [output for output in found if output is not None]
