"""The pipeline, stage by stage: discover, load, index, link and render
bodies, check, gather backlinks, build page views, render templates, write.

This module only calls the stages in order; the logic lives in them.
"""

from __future__ import annotations

import gc
import os
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

from builder import __version__, checks, pages
from builder.diagnostics import ContentError, Position, Report
from builder.discover import SourceFiles, discover
from builder.incremental import (
    BuildCache,
    Keys,
    OutputRecord,
    RenderedArticle,
    SourceSignatures,
    cache_file,
    cache_identity,
    current_summary,
    digest,
    inputs_digest,
    load_cache,
    load_sources,
    save_cache,
    save_summary,
    source_signatures,
    summary_file,
)
from builder.index import GlossaryIndex, build_index
from builder.linking import Mention
from builder.load import load_config
from builder.model import Site, SiteConfig
from builder.produce import (
    ArticleResult,
    EntryResult,
    PageRenderer,
    RenderContext,
    render_articles_and_entries,
    render_site_pages,
    worker_count,
)
from builder.progress import Progress, Silent
from builder.render import static_files, theme_digest, theme_for
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


def _build(options: BuildOptions) -> BuildResult:
    report = Report()
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
    inputs = inputs_digest(signatures, common, build_date())
    summary_path = summary_file(cache_file(options.site, out))
    if options.write and not options.clean and not report.has_errors:
        summary = current_summary(summary_path, inputs, out)
        if summary is not None:  # nothing changed since the last build: nothing to do
            for path, line, col, message in summary["warnings"]:
                report.warning(Position(path, line, col), message)
            return BuildResult(out, summary["pages"], 0, report)
    cache = _previous_cache(options, out)
    site, index, digests = load_site(options, config, files, signatures, cache, report)
    keys = Keys(
        common=common,
        claims=digest(index.claims),
        bundles=digests,
        entries={entry.id: digest(entry) for entry in site.entries},
    )
    previous = BuildCache(cache.identity, articles=cache.articles, outputs=cache.outputs)
    related = pages.related_articles(site)
    context = RenderContext(site, index, theme, options.site, None, previous, out, keys, related)
    rendered = _render_and_write(options, context, cache, report)
    if options.write:
        save_summary(summary_path, inputs, cache.outputs, report, _page_count(site))
    return BuildResult(out, _page_count(site), rendered, report)


def _render_and_write(
    options: BuildOptions, context: RenderContext, cache: BuildCache, report: Report
) -> int:
    """Render what is stale, stage it and commit it; the number of pages rendered."""
    site, out = context.site, context.old_output
    in_place = options.write and bool(context.previous.outputs) and (out / MARKER).is_file()
    staging = Staging(out, in_place) if options.write else None
    try:
        if staging is not None:
            context = replace(context, staging=staging.folder, in_place=in_place)
        workers = options.workers or worker_count(context)
        results, entries, renderer = render_articles_and_entries(context, workers, options.progress)
        run_checks(site, context.index, results, entries, report)
        site_pages = render_site_pages(renderer, report)
        if report.has_errors:
            raise ContentError(report)
        if staging is not None:
            site_pages += _write_static(renderer, context, report)
            outputs = dict(_outputs(results, entries) + site_pages)
            _commit(staging, context, set(outputs), report)
            _remember(cache_file(options.site, staging.out), cache, results, outputs)
    finally:
        if staging is not None:
            staging.discard()
    return sum(1 for r in results.values() if r.rendered) + sum(1 for e in entries if e.rendered)


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
    return [renderer.write(name, data, context.keys.common) for name, data in files.items()]


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


def load_site(
    options: BuildOptions,
    config: SiteConfig,
    files: SourceFiles,
    signatures: SourceSignatures,
    cache: BuildCache,
    report: Report,
) -> tuple[Site, GlossaryIndex, dict[str, str]]:
    """The validated site, its glossary index, and a digest of each bundle."""
    glossary, loaded = load_sources(options.site, files, signatures, config, cache, report)
    published = [
        item for item in loaded if item.bundle and (options.drafts or not item.bundle.front.draft)
    ]
    bundles = [item.bundle for item in published if item.bundle]
    index = build_index(glossary, bundles, report)
    site = Site(config, tuple(index.entries.values()), tuple(bundles))
    digests = {item.bundle.path: item.digest for item in published if item.bundle}
    return site, index, digests


def run_checks(
    site: Site,
    index: GlossaryIndex,
    results: dict[str, ArticleResult],
    entries: list[EntryResult],
    report: Report,
) -> None:
    for entry in entries:
        report.extend(entry.diagnostics)
    for bundle in site.bundles:
        result = results[bundle.path]
        report.extend(result.diagnostics)
        checks.check_quotes(bundle, report)
        checks.check_unmentioned(bundle, _mentioned(result.mentions), index, report)
    checks.check_entries(site, build_date(), report)


def _mentioned(mentions: tuple[Mention, ...]) -> set[str]:
    return {m.entry_id for m in mentions}


def build_date() -> date:
    """Today, or the day SOURCE_DATE_EPOCH names, for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC).date()
    return date.today()
