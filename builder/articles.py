"""Parsing bundles and rendering their pages, in the process that holds them.

A shard is one process's share of the bundles. It parses the bundles that
changed and keeps them; once the main process has built the glossary index
from every bundle's summary, the same shard links and renders those bundles'
bodies and pages and writes each page straight into the staging folder. Only
summaries, first mentions and problems travel back to the main process.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from builder import pages
from builder.checks import check_quotes, check_unmentioned
from builder.diagnostics import Diagnostic, Position, Report
from builder.discover import BundleFiles, SourceFiles
from builder.incremental import BuildCache, Keys, LoadedBundle, SourceSignatures
from builder.index import GlossaryIndex
from builder.linking import Mention
from builder.load import load_bundle
from builder.markdown import InlineMarkdown, body_parser, render_body
from builder.model import Bundle, BundleSummary, Site, SiteConfig
from builder.parallel import Shards
from builder.progress import Progress
from builder.records import OutputRecord, Signature, digest
from builder.render import PageTarget, PageWriter, Theme
from builder.views import Cards, root_of


@dataclass(frozen=True)
class ParseJob:
    files: BundleFiles
    signature: Signature  # taken before reading: a file saved meanwhile is read again next time


@dataclass(frozen=True)
class ArticleJob:
    files: BundleFiles
    related: tuple[str, ...]  # paths of the explainers shown as related


@dataclass(frozen=True)
class ArticleContext:
    """What rendering any article needs, sent once to each shard."""

    config: SiteConfig
    index: GlossaryIndex
    theme: Theme
    keys: Keys
    target: PageTarget
    related: dict[str, BundleSummary]  # every explainer the shard's pages show as related


@dataclass(frozen=True)
class ArticleResult:
    path: str
    mentions: tuple[Mention, ...]
    diagnostics: tuple[Diagnostic, ...]  # of linking and of checking what the body mentions
    body_key: str
    output: tuple[str, OutputRecord] | None  # the page written, or None when checking
    rendered: bool = False  # True when rendered in this build, not reused from the last


class BundleShard:
    """The bundles one process parsed, kept to render their pages."""

    def __init__(self, site_folder: Path, config: SiteConfig) -> None:
        self.site_folder = site_folder
        self.config = config
        self.bundles: dict[str, Bundle] = {}
        self._renderer: _ArticleRenderer | None = None

    def parse(self, job: ParseJob) -> LoadedBundle:
        report = Report()
        bundle = load_bundle(self.site_folder, job.files, self.config, report)
        if bundle is None:
            return LoadedBundle(job.signature, None, tuple(report.diagnostics), digest(None))
        check_quotes(bundle, report)
        self.bundles[bundle.path] = bundle
        return LoadedBundle(
            job.signature, bundle.summary(), tuple(report.diagnostics), digest(bundle)
        )

    def render(self, context: ArticleContext, job: ArticleJob) -> ArticleResult | None:
        if self._renderer is None or self._renderer.context is not context:
            self._renderer = _ArticleRenderer(context)
        bundle = self.bundles.get(job.files.path)
        if bundle is None:  # unchanged since the last build, so not parsed in this one
            bundle = load_bundle(self.site_folder, job.files, self.config, Report())
        if bundle is None:
            return None  # it changed into something broken since it was summarised
        return self._renderer.render(bundle, job.related)


def parse_share(
    shard: BundleShard, jobs: list[ParseJob], advance: Callable[[int], None]
) -> list[LoadedBundle]:
    """A shard step: parse each job's bundle."""
    found = []
    for job in jobs:
        found.append(shard.parse(job))
        advance(1)
    return found


def render_share(
    shard: BundleShard,
    work: tuple[ArticleContext, list[ArticleJob]],
    advance: Callable[[int], None],
) -> list[ArticleResult | None]:
    """A shard step: render each job's article page."""
    context, jobs = work
    found = []
    for job in jobs:
        found.append(shard.render(context, job))
        advance(1)
    return found


class _ArticleRenderer:
    """One Markdown parser, one template environment, for every article of a build."""

    def __init__(self, context: ArticleContext) -> None:
        self.context = context
        self.markdown = body_parser(context.index)
        self.cards = Cards(InlineMarkdown())
        self.writer = PageWriter(context.theme, context.target)

    def render(self, bundle: Bundle, related: tuple[str, ...]) -> ArticleResult:
        context = self.context
        body_key = context.keys.body(bundle.path)
        body = render_body(self.markdown, bundle, f"{root_of(bundle.path)}glossary/")
        report = Report()
        for problem in body.problems:
            report.error(Position(bundle.article_path, problem.line, problem.col), problem.message)
        check_unmentioned(bundle, {m.entry_id for m in body.mentions}, context.index, report)
        record = None
        if not body.problems:
            shown = tuple(context.related[path] for path in related)
            view = pages.article_page(
                context.config, bundle, body, context.index, self.cards, shown
            )
            listed = tuple(sorted(bundle.listed_ids()))
            key = context.keys.article(listed, body_key, body.mentions, related)
            record = self.writer.page(
                f"{bundle.path}/index.html", "article.html", view, report, key
            )
        diagnostics = tuple(report.diagnostics)
        return ArticleResult(bundle.path, body.mentions, diagnostics, body_key, record, True)


def parse_bundles(
    shards: Shards[BundleShard],
    stale: list[BundleFiles],
    signatures: SourceSignatures,
    progress: Progress,
) -> dict[str, tuple[LoadedBundle, int]]:
    """Parse the stale bundles, a share per shard: path -> (loaded bundle, shard number)."""
    shares = [
        [ParseJob(files, signatures.bundles[files.path]) for files in stale[n :: shards.count]]
        for n in range(shards.count)
    ]
    progress.stage("parsing", len(stale))
    found = shards.run(parse_share, shares, progress.advance)
    progress.finish()
    return {
        job.files.path: (loaded, number)
        for number, (share, results) in enumerate(zip(shares, found, strict=True))
        for job, loaded in zip(share, results, strict=True)
    }


@dataclass(frozen=True)
class ArticlePlan:
    """What deciding and rendering the article pages needs."""

    site: Site
    index: GlossaryIndex
    theme: Theme
    files: SourceFiles
    keys: Keys
    target: PageTarget
    previous: BuildCache
    related: dict[str, tuple[str, ...]]  # article path -> related article paths
    parsed: dict[str, tuple[LoadedBundle, int]]  # by path: bundles parsed now, and by whom


def render_articles(
    shards: Shards[BundleShard], plan: ArticlePlan, jobs: list[ArticleJob], progress: Progress
) -> dict[str, ArticleResult]:
    """Render each job in the shard that holds its bundle, if one does."""
    results: dict[str, ArticleResult] = {}
    shares: list[list[ArticleJob]] = [[] for _ in range(shards.count)]
    for number, job in enumerate(jobs):
        holder = plan.parsed.get(job.files.path)
        shares[holder[1] if holder else number % shards.count].append(job)
    summaries = {b.path: b for b in plan.site.bundles}
    progress.stage("articles", len(jobs))
    work = []
    for share in shares:
        shown = {path: summaries[path] for job in share for path in job.related}
        context = ArticleContext(
            plan.site.config, plan.index, plan.theme, plan.keys, plan.target, shown
        )
        work.append((context, share))
    for found in shards.run(render_share, work, progress.advance):
        results.update((result.path, result) for result in found if result is not None)
    progress.finish()
    return results


def plan_articles(plan: ArticlePlan) -> tuple[dict[str, ArticleResult], list[ArticleJob]]:
    """The articles whose last page is still current, and jobs for the others."""
    by_path = {bundle.path: bundle for bundle in plan.files.bundles}
    keys, previous = plan.keys, plan.previous
    reused: dict[str, ArticleResult] = {}
    jobs: list[ArticleJob] = []
    for summary in plan.site.bundles:
        path = summary.path
        shown = plan.related.get(path, ())
        cached = previous.articles.get(path)
        if cached is not None and cached.body_key == keys.body(path):
            key = keys.article(summary.listed, cached.body_key, cached.mentions, shown)
            output = f"{path}/index.html"
            record = previous.outputs.get(output)
            if record is not None and plan.target.keeps(record, output, key):
                reused[path] = ArticleResult(
                    path, cached.mentions, cached.diagnostics, cached.body_key, (output, record)
                )
                continue
        jobs.append(ArticleJob(by_path[path], shown))
    return reused, jobs
