"""The pipeline, stage by stage: discover, load, index, link and render
bodies, check, gather backlinks, build page views, render templates, write.

This module only calls the stages in order; the logic lives in them.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from builder import __version__, checks, pages
from builder.articles import (
    ArticlePlan,
    ArticleResult,
    BundleShard,
    parse_bundles,
    plan_articles,
    render_articles,
)
from builder.diagnostics import ContentError, Position, Report
from builder.discover import SourceFiles, discover
from builder.incremental import (
    BuildCache,
    Keys,
    LoadedBundle,
    RenderedArticle,
    SourceSignatures,
    cache_file,
    cache_identity,
    current_summary,
    inputs_digest,
    load_cache,
    load_glossary,
    save_cache,
    save_summary,
    source_signatures,
    stale_bundles,
    summary_file,
    update_bundles,
)
from builder.index import GlossaryIndex, build_index
from builder.load import load_config
from builder.model import Site, SiteConfig
from builder.parallel import Shards, workers_for
from builder.produce import (
    EntryResult,
    PageRenderer,
    RenderContext,
    render_entries,
    render_site_pages,
)
from builder.progress import Progress, Silent
from builder.records import OutputRecord, digest
from builder.render import PageTarget, Theme, static_files, theme_digest, theme_for
from builder.search import SEARCH_FOLDER, index_site
from builder.write import MARKER, Staging, check_output_folder, replace_folder


@dataclass(frozen=True)
class BuildOptions:
    site: Path
    out: Path | None = None
    drafts: bool = False
    write: bool = True  # False for `check`: validate and render, write nothing
    workers: int | None = None  # None: chosen by the size of the site
    clean: bool = False  # ignore what the previous build left in the cache
    progress: Progress = field(default_factory=Silent)


@dataclass(frozen=True)
class BuildResult:
    out: Path
    pages: int
    rendered: int  # pages rendered anew; the rest were reused from the previous build
    report: Report


def build(options: BuildOptions) -> BuildResult:
    """Build the site; raise ContentError, with every problem, if the content has errors."""
    # A build makes millions of small objects and frees them by reference
    # counting; the cyclic collector would only rescan the growing heap, again
    # and again (a third of a warm rebuild's time on 5,000 stories).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build(options)
    finally:
        if collecting:
            gc.enable()


@dataclass(frozen=True)
class Inputs:
    """What a build is made from, down to each source file's signature."""

    config: SiteConfig
    out: Path
    files: SourceFiles
    theme: Theme
    common: str  # digest of the builder's version, the theme, the config and the drafts flag
    signatures: SourceSignatures
    digest: str  # of all the above and today's date: equal to the last build's, nothing to do


def _build(options: BuildOptions) -> BuildResult:
    report = Report()
    inputs = gather_inputs(options, report)
    summary_path = summary_file(cache_file(options.site, inputs.out))
    if options.write and not options.clean and not report.has_errors:
        summary = current_summary(summary_path, inputs.digest, inputs.out)
        if summary is not None:  # nothing changed since the last build: nothing to do
            for path, line, col, message in summary["warnings"]:
                report.warning(Position(path, line, col), message)
            return BuildResult(inputs.out, summary["pages"], 0, report)
    cache = _previous_cache(options, inputs.out)
    site, rendered = _make(options, inputs, cache, report)
    if options.write:
        save_summary(summary_path, inputs.digest, cache.outputs, report, _page_count(site))
    return BuildResult(inputs.out, _page_count(site), rendered, report)


def gather_inputs(options: BuildOptions, report: Report) -> Inputs:
    config = load_config(options.site, report)
    if config is None:
        raise ContentError(report)
    out = options.out if options.out is not None else options.site / config.output
    if options.write:
        check_output_folder(out, options.site)
    files = discover(options.site, report)
    theme = theme_for(options.site)
    common = digest(__version__, theme_digest(theme), config, options.drafts)
    signatures = source_signatures(options.site, files)
    everything = inputs_digest(signatures, common, build_date())
    return Inputs(config, out, files, theme, common, signatures, everything)


def _make(
    options: BuildOptions, inputs: Inputs, cache: BuildCache, report: Report
) -> tuple[Site, int]:
    """Parse what changed, render what is stale, commit; the site and the pages rendered."""
    previous = BuildCache(cache.identity, articles=cache.articles, outputs=cache.outputs)
    stale = stale_bundles(inputs.files, inputs.signatures, cache)
    local = BundleShard(options.site, inputs.config)
    with _staged(options, inputs.out, bool(previous.outputs)) as (staging, target):
        # The bundles parsed here stay with the shard that parsed them, which
        # later renders their pages; a small site is one shard, in this process.
        with Shards(_worker_count(options, len(stale)), lambda: local) as shards:
            parsed = parse_bundles(shards, stale, inputs.signatures, options.progress)
            site, index = load_site(options, inputs, cache, parsed, report)
            keys = Keys(
                common=inputs.common,
                claims=digest(index.claims),
                bundles={path: cache.bundles[path].digest for path in _paths(site)},
                entries={entry.id: digest(entry) for entry in site.entries},
            )
            related = pages.related_articles(site)
            plan = ArticlePlan(
                site, index, inputs.theme, inputs.files, keys, target, previous, related, parsed
            )
            results, jobs = plan_articles(plan)
            with _render_shards(shards, local, len(jobs), options) as renderers:
                results.update(render_articles(renderers, plan, jobs, options.progress))
        context = RenderContext(site, index, inputs.theme, target, previous, keys)
        entries, renderer = render_entries(context, results, options.progress)
        run_checks(site, results, entries, report)
        site_pages = render_site_pages(renderer, report)
        if report.has_errors:
            raise ContentError(report)
        if staging is not None:
            site_pages += _write_static(renderer, context, report)
            outputs = dict(_outputs(results, entries) + site_pages)
            _commit(staging, context, set(outputs), report)
            _remember(cache_file(options.site, inputs.out), cache, results, outputs)
    rendered = sum(r.rendered for r in results.values()) + sum(e.rendered for e in entries)
    return site, rendered


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


def _paths(site: Site) -> list[str]:
    return [bundle.path for bundle in site.bundles]


def _worker_count(options: BuildOptions, items: int) -> int:
    return options.workers or workers_for(items)


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


def load_site(
    options: BuildOptions,
    inputs: Inputs,
    cache: BuildCache,
    parsed: dict[str, tuple[LoadedBundle, int]],
    report: Report,
) -> tuple[Site, GlossaryIndex]:
    """The validated site and its glossary index, from the cache and what was just parsed."""
    config, files = inputs.config, inputs.files
    glossary = load_glossary(options.site, files, inputs.signatures, config, cache, report)
    fresh = ((path, loaded) for path, (loaded, _) in parsed.items())
    loaded = update_bundles(cache, files, fresh)
    for item in loaded:
        report.extend(item.diagnostics)
    summaries = [
        item.summary
        for item in loaded
        if item.summary is not None and (options.drafts or not item.summary.front.draft)
    ]
    index = build_index(glossary, summaries, report)
    return Site(config, tuple(index.entries.values()), tuple(summaries)), index


def _commit(staging: Staging, context: RenderContext, outputs: set[str], report: Report) -> None:
    """Index for search, then make the staged files the output."""
    config = context.site.config
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
    renderer: PageRenderer, context: RenderContext, report: Report
) -> list[tuple[str, OutputRecord]]:
    files = static_files(context.theme, report)
    if report.has_errors:
        raise ContentError(report)
    writer = renderer.writer
    return [writer.write(name, data, context.keys.common) for name, data in files.items()]


def _page_count(site: Site) -> int:
    return len(site.bundles) + len(site.entries) + 2


def _previous_cache(options: BuildOptions, out: Path) -> BuildCache:
    identity = cache_identity(options.site, out, options.drafts)
    if not options.write or options.clean:
        return BuildCache(identity)
    return load_cache(cache_file(options.site, out), identity)


def _remember(
    file: Path,
    cache: BuildCache,
    results: dict[str, ArticleResult],
    outputs: dict[str, OutputRecord],
) -> None:
    cache.articles = {
        path: RenderedArticle(r.body_key, r.mentions, r.diagnostics) for path, r in results.items()
    }
    cache.outputs = outputs
    save_cache(file, cache)


def _outputs(
    results: dict[str, ArticleResult], entries: list[EntryResult]
) -> list[tuple[str, OutputRecord]]:
    found = [r.output for r in results.values()] + [e.output for e in entries]
    return [output for output in found if output is not None]


def run_checks(
    site: Site,
    results: dict[str, ArticleResult],
    entries: list[EntryResult],
    report: Report,
) -> None:
    """What rendering found, and the checks of the glossary as a whole."""
    for entry in entries:
        report.extend(entry.diagnostics)
    for bundle in site.bundles:
        report.extend(results[bundle.path].diagnostics)
    checks.check_entries(site, build_date(), report)


def build_date() -> date:
    """Today, or the day SOURCE_DATE_EPOCH names, for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC).date()
    return date.today()
