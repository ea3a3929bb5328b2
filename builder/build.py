"""The pipeline, stage by stage: discover, load, index, link and render
bodies, check, gather backlinks, build page views, render templates, write.

This module only calls the stages in order; the logic lives in them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from builder import checks, pages
from builder.diagnostics import ContentError, Report
from builder.discover import discover
from builder.index import GlossaryIndex, build_index
from builder.linking import Mention
from builder.load import load_bundle, load_config, load_glossary
from builder.model import Site
from builder.produce import (
    ArticleResult,
    PageRenderer,
    RenderContext,
    render_articles_and_entries,
    worker_count,
)
from builder.render import static_files, theme_for
from builder.write import Staging, check_output_folder


@dataclass(frozen=True)
class BuildOptions:
    site: Path
    out: Path | None = None
    drafts: bool = False
    write: bool = True  # False for `check`: validate and render, write nothing
    workers: int | None = None  # None: chosen by the size of the site


@dataclass(frozen=True)
class BuildResult:
    out: Path
    pages: int
    report: Report


def build(options: BuildOptions) -> BuildResult:
    """Build the site; raise ContentError, with every problem, if the content has errors."""
    report = Report()
    site, index = load_site(options, report)
    out = output_folder(options, site)
    if options.write:
        check_output_folder(out, options.site)
    staging = Staging(out) if options.write else None
    try:
        theme = theme_for(options.site)
        context = RenderContext(
            site, index, theme, options.site, staging.folder if staging else None
        )
        workers = options.workers or worker_count(len(site.bundles))
        results, entry_problems, renderer = render_articles_and_entries(context, workers)
        report.extend(entry_problems)
        run_checks(site, index, results, report)
        render_site_pages(renderer, site, report)
        if report.has_errors:
            raise ContentError(report)
        if staging is not None:
            for name, data in static_files(theme).items():
                staging.write(name, data)
            staging.commit()
    finally:
        if staging is not None:
            staging.discard()
    return BuildResult(out, len(site.bundles) + len(site.entries) + 2, report)


def load_site(options: BuildOptions, report: Report) -> tuple[Site, GlossaryIndex]:
    config = load_config(options.site, report)
    if config is None:
        raise ContentError(report)
    files = discover(options.site, report)
    glossary = load_glossary(options.site, files, config, report)
    loaded = [load_bundle(options.site, b, config, report) for b in files.bundles]
    bundles = [b for b in loaded if b is not None and (options.drafts or not b.front.draft)]
    index = build_index(glossary, bundles, report)
    site = Site(config, tuple(index.entries.values()), tuple(bundles))
    return site, index


def output_folder(options: BuildOptions, site: Site) -> Path:
    return options.out if options.out is not None else options.site / site.config.output


def run_checks(
    site: Site, index: GlossaryIndex, results: dict[str, ArticleResult], report: Report
) -> None:
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
