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
from builder.diagnostics import ContentError, Position, Report
from builder.discover import discover
from builder.index import GlossaryIndex, build_index
from builder.load import load_bundle, load_config, load_glossary
from builder.markdown import InlineMarkdown, RenderedBody, body_parser, render_body
from builder.model import Bundle, Site
from builder.render import Theme, render_page, static_files, template_environment, theme_for
from builder.views import InlineRenderer, root_of
from builder.write import check_output_folder, write_site


@dataclass(frozen=True)
class BuildOptions:
    site: Path
    out: Path | None = None
    drafts: bool = False
    write: bool = True  # False for `check`: validate and render, write nothing


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
    bodies = render_bodies(list(site.bundles), index)
    run_checks(site, index, bodies, report)
    if report.has_errors:
        raise ContentError(report)
    files = render_site(site, index, bodies, theme_for(options.site), options.site, report)
    if report.has_errors:
        raise ContentError(report)
    if options.write:
        write_site(files, out)
    return BuildResult(out, sum(1 for name in files if name.endswith(".html")), report)


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


def render_bodies(bundles: list[Bundle], index: GlossaryIndex) -> dict[str, RenderedBody]:
    md = body_parser(index)
    return {
        b.path: render_body(md, b, f"{root_of(b.path)}glossary/")
        for b in sorted(bundles, key=lambda b: b.path)
    }


def run_checks(
    site: Site, index: GlossaryIndex, bodies: dict[str, RenderedBody], report: Report
) -> None:
    for bundle in site.bundles:
        body = bodies[bundle.path]
        for problem in body.problems:
            report.error(Position(bundle.article_path, problem.line, problem.col), problem.message)
        checks.check_quotes(bundle, report)
        checks.check_unmentioned(bundle, body, index, report)
    checks.check_entries(site, build_date(), report)


def build_date() -> date:
    """Today, or the day SOURCE_DATE_EPOCH names, for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC).date()
    return date.today()


def render_site(
    site: Site,
    index: GlossaryIndex,
    bodies: dict[str, RenderedBody],
    theme: Theme,
    site_folder: Path,
    report: Report,
) -> dict[str, bytes]:
    environment = template_environment(theme)
    wanted = _page_views(site, index, bodies, InlineMarkdown())
    files = static_files(theme)
    for path, (template, view) in wanted.items():
        text = render_page(environment, template, view, report, site_folder)
        if text is not None:
            files[path] = text.encode("utf-8")
    return files


def _page_views(
    site: Site, index: GlossaryIndex, bodies: dict[str, RenderedBody], inline: InlineRenderer
) -> dict[str, tuple[str, object]]:
    usage = pages.gather_usage(list(site.bundles), bodies)
    wanted: dict[str, tuple[str, object]] = {
        "index.html": ("index.html", pages.front_page(site)),
        "glossary/index.html": ("glossary.html", pages.glossary_page(site, inline)),
        "feed.xml": ("feed.xml", pages.feed(site)),
        "sitemap.xml": ("sitemap.xml", pages.sitemap(site)),
    }
    view: object
    for bundle in site.bundles:
        view = pages.article_page(site, bundle, bodies[bundle.path], index, inline)
        wanted[f"{bundle.path}/index.html"] = ("article.html", view)
    for entry_id in index.entries:
        view = pages.entry_page(site, entry_id, usage.get(entry_id, []), index, inline)
        wanted[f"glossary/{entry_id}/index.html"] = ("entry.html", view)
    return wanted
