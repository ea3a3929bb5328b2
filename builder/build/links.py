"""Checking links into the site: every link that stories and glossary entries hold
to a page or file of the site, against what this build publishes.

Whether a link leads anywhere depends on the whole site: a story renamed or
deleted breaks the links of stories that did not change. So each link is kept
with what its text was parsed or rendered into (builder.incremental.plan), and
all of them are checked in every build, anew, against the targets that each
kind of output adds to (`site_targets`). A problem found here is never kept.
"""

from __future__ import annotations

from collections.abc import Iterable

from builder.build.articles import ArticleResult
from builder.build.state import Loaded, Run
from builder.content.model import Site
from builder.core.diagnostics import Report, SiteLink
from builder.site.listings import ListingMemo, site_page_paths
from builder.site.theme import Theme, static_names
from builder.text.site_links import INDEX, LinkTargets, link_problem


def site_targets(site: Site, theme: Theme, memo: ListingMemo | None = None) -> LinkTargets:
    """Every page and file a build of this site publishes; one line for each kind.
    `memo`: a running builder's groupings of the archive."""
    targets = LinkTargets()
    targets.add(f"{bundle.path}/{INDEX}" for bundle in site.bundles)  # stories
    targets.add(f"glossary/{entry.id}/{INDEX}" for entry in site.entries)  # entry pages
    targets.add(site_page_paths(site, memo))  # front page, glossary, sections, tags, feeds
    targets.add(static_names(theme))  # the theme's files, copied into static/
    return targets


def check_site_links(run: Run, loaded: Loaded, articles: dict[str, ArticleResult]) -> None:
    """Every link of the published stories and of the glossary leads to a page or
    file this build publishes; one that leads to a draft is broken too."""
    found = _links_into_the_site(loaded, articles)
    if not found:  # then what the site publishes need not be gathered (63,000 paths)
        return
    targets = site_targets(loaded.site, run.sources.theme, run.listings)
    drafts = (path for path, record in loaded.bundles.items() if record.draft)
    if not run.options.drafts:
        targets.hold_back((f"{path}/{INDEX}" for path in drafts), "a draft")
    report_link_problems(found, targets, run.report)


def _links_into_the_site(loaded: Loaded, articles: dict[str, ArticleResult]) -> list[SiteLink]:
    """The links of the glossary, and of the published stories' sidecars and bodies
    (`articles` holds the published stories alone); in no order, as problems are
    reported sorted. Most stories have none: each is asked with as little as can be."""
    published = loaded.site.by_path
    found = [link for glossary in loaded.glossary.values() for link in glossary.links]
    found += [
        link
        for path, record in loaded.bundles.items()
        if record.links and path in published
        for link in record.links
    ]
    found += [link for result in articles.values() for link in result.record.links]
    return found


def report_link_problems(links: Iterable[SiteLink], targets: LinkTargets, report: Report) -> None:
    for link in links:
        problem = link_problem(link, targets)
        if problem is not None:
            warning, message = problem
            (report.warning if warning else report.error)(link.position, message)
