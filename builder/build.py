"""The pipeline, stage by stage: discover, load, index, link and render
bodies, check, gather backlinks, build page views, render templates, write.

This module only calls the stages in order; the logic lives in them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from builder import __version__, checks, pages
from builder.diagnostics import ContentError, Report
from builder.discover import discover
from builder.incremental import (
    BuildCache,
    OutputRecord,
    RenderedArticle,
    cache_hit,
    cache_identity,
    digest,
    load_cache,
    load_sources,
    save_cache,
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
    worker_count,
)
from builder.render import static_files, theme_digest, theme_for
from builder.write import Staging, check_output_folder


@dataclass(frozen=True)
class BuildOptions:
    site: Path
    out: Path | None = None
    drafts: bool = False
    write: bool = True  # False for `check`: validate and render, write nothing
    workers: int | None = None  # None: chosen by the size of the site
    clean: bool = False  # ignore what the previous build left in the cache


@dataclass(frozen=True)
class BuildResult:
    out: Path
    pages: int
    rendered: int  # pages rendered anew; the rest were reused from the previous build
    report: Report


def build(options: BuildOptions) -> BuildResult:
    """Build the site; raise ContentError, with every problem, if the content has errors."""
    report = Report()
    config = load_config(options.site, report)
    if config is None:
        raise ContentError(report)
    out = options.out if options.out is not None else options.site / config.output
    if options.write:
        check_output_folder(out, options.site)
    cache = _previous_cache(options, out)
    site, index = load_site(options, config, cache, report)
    theme = theme_for(options.site)
    staging = Staging(out) if options.write else None
    try:
        context = RenderContext(
            site,
            index,
            theme,
            options.site,
            staging.folder if staging else None,
            previous=BuildCache(cache.identity, articles=cache.articles, outputs=cache.outputs),
            old_output=out,
            common_key=digest(__version__, theme_digest(theme), config, options.drafts),
        )
        workers = options.workers or worker_count(len(site.bundles))
        results, entries, renderer = render_articles_and_entries(context, workers)
        run_checks(site, index, results, entries, report)
        render_site_pages(renderer, site, report)
        if report.has_errors:
            raise ContentError(report)
        if staging is not None:
            for name, data in static_files(theme).items():
                staging.write(name, data)
            staging.commit()
            _remember(options.site, cache, results, entries)
    finally:
        if staging is not None:
            staging.discard()
    reused = sum(
        1
        for path, record in _outputs(results, entries)
        if cache_hit(context.previous, path, record)
    )
    pages_made = len(site.bundles) + len(site.entries) + 2
    return BuildResult(out, pages_made, pages_made - reused, report)


def _previous_cache(options: BuildOptions, out: Path) -> BuildCache:
    identity = cache_identity(options.site, out, options.drafts)
    if not options.write or options.clean:
        return BuildCache(identity)
    return load_cache(options.site, identity)


def _remember(
    site: Path, cache: BuildCache, results: dict[str, ArticleResult], entries: list[EntryResult]
) -> None:
    cache.articles = {
        path: RenderedArticle(r.body_key, r.mentions, r.diagnostics) for path, r in results.items()
    }
    cache.outputs = dict(_outputs(results, entries))
    save_cache(site, cache)


def _outputs(
    results: dict[str, ArticleResult], entries: list[EntryResult]
) -> list[tuple[str, OutputRecord]]:
    found = [r.output for r in results.values()] + [e.output for e in entries]
    return [output for output in found if output is not None]


def load_site(
    options: BuildOptions, config: SiteConfig, cache: BuildCache, report: Report
) -> tuple[Site, GlossaryIndex]:
    files = discover(options.site, report)
    glossary, loaded = load_sources(options.site, files, config, cache, report)
    bundles = [b for b in loaded if options.drafts or not b.front.draft]
    index = build_index(glossary, bundles, report)
    site = Site(config, tuple(index.entries.values()), tuple(bundles))
    return site, index


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


def render_site_pages(renderer: PageRenderer, site: Site, report: Report) -> None:
    """The pages that show the whole site: front page, glossary, feed and sitemap."""
    inline = renderer.inline
    renderer.page("index.html", "index.html", pages.front_page(site), report)
    renderer.page("glossary/index.html", "glossary.html", pages.glossary_page(site, inline), report)
    renderer.page("feed.xml", "feed.xml", pages.feed(site), report)
    renderer.page("sitemap.xml", "sitemap.xml", pages.sitemap(site), report)
