"""Parsing bundles and rendering their pages, in the process that holds them.

A shard is one process's share of the bundles. It parses the bundles that
changed and keeps them; once the main process has built the glossary index
from every bundle's summary, the same shard links and renders those bundles'
bodies and pages and writes each page straight into the staging folder. Only
summaries, first mentions and problems travel back to the main process, the
larger of them already pickled, as the store will keep them: the main process
unpickles only what it reads.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import NamedTuple

import jinja2
from markdown_it import MarkdownIt

from builder.build.progress import Progress
from builder.build.workers import Shards, no_progress
from builder.content.authors import authors_of
from builder.content.checks import check_quotes, check_unmentioned
from builder.content.discover import BundleFiles, SourceFiles
from builder.content.glossary import GlossaryIndex
from builder.content.images import story_pictures
from builder.content.load import load_bundle
from builder.content.model import (
    Author,
    Bundle,
    BundleDetails,
    BundleSummary,
    Site,
    SiteConfig,
    Tag,
)
from builder.content.source import SourceText
from builder.content.tags import shown_tags, tag_ids
from builder.core.diagnostics import Position, Report, SiteLink
from builder.core.pickled import Pickled
from builder.incremental.plan import ArticleRecord, BundleRecord, Changes, Keys, Previous
from builder.incremental.records import BundleSignature, OutputRecord, SourceSignatures, digest
from builder.incremental.spill import Spill
from builder.site import pages
from builder.site.pictures import body_lookup
from builder.site.templates import PageTarget, PageWriter
from builder.site.views import Cards, root_of
from builder.text.linking import PackedMentions, pack_mentions
from builder.text.markdown import body_parser, render_body


@dataclass(frozen=True)
class ParseJob:
    files: BundleFiles
    # Taken before reading: a file saved meanwhile is read again next time.
    signature: BundleSignature


@dataclass(frozen=True)
class ArticleJob:
    files: BundleFiles
    related: tuple[str, ...]  # paths of the explainers shown as related


@dataclass(frozen=True)
class ArticleContext:
    """What rendering any article needs, sent once to each shard (`take_context`)."""

    config: SiteConfig
    index: GlossaryIndex
    keys: Keys
    target: PageTarget
    related: dict[str, BundleSummary]  # every explainer the pages show as related
    authors: dict[str, Author]  # every author, by id: a few dozen
    tags: dict[str, Tag]  # every tag tags.yaml names, by id
    spill: Spill | None  # where rendered stories leave their first mentions; None: kept in memory
    # A running builder's parser of bodies, kept while the glossary's claims are
    # the same; None: made from the index. Not sent: a worker makes its own.
    parser: MarkdownIt | None = None

    def __getstate__(self) -> dict[str, object]:
        return {**self.__dict__, "parser": None}


@dataclass(frozen=True)
class ParsedBundle:
    """A bundle as a shard hands it to the main process: pickled, as the store keeps it.

    Once the site is assembled, the main process keeps it only `aside()`: its
    rows are in the spill, for the store, and its details are read from there."""

    path: str
    record: Pickled[BundleRecord] | None  # None once put aside
    details: Pickled[BundleDetails] | None  # None for a bundle that could not be used
    has_details: bool = True  # False for a bundle that could not be used

    def loaded(self) -> BundleRecord:
        assert self.record is not None, "a bundle put aside is not loaded again"
        return self.record.load()

    def aside(self) -> ParsedBundle:
        return ParsedBundle(self.path, None, None, self.details is not None)


class ArticleResult(NamedTuple):  # one per story on every build: a tuple, made fast
    path: str
    record: ArticleRecord
    output: tuple[str, OutputRecord] | None  # the page written, or None when checking
    rendered: bool = False  # True when rendered in this build, not reused from the last
    # First mentions, when rendered now and not put aside in the spill (`check`).
    mentions: Pickled[PackedMentions] | None = None


class BundleShard:
    """The bundles one process parsed, kept to render their pages."""

    def __init__(
        self,
        site_folder: Path,
        config: SiteConfig,
        templates: jinja2.Environment,
        spill: Spill | None = None,
    ) -> None:
        self.site_folder = site_folder
        self.config = config
        self.templates = templates  # compiled before the shard's process was forked
        self.spill = spill  # where parsed bundles leave their rows for the store
        self.bundles: dict[str, Bundle] = {}
        self.context: ArticleContext | None = None  # what the articles rendered next need
        self.relating: pages.Relating | None = None  # what counting related stories needs
        self._renderer: _ArticleRenderer | None = None

    def parse(self, job: ParseJob) -> ParsedBundle:
        report = Report()
        path = job.files.path
        read: list[SourceText] = []
        bundle = load_bundle(self.site_folder, job.files, self.config, report, read)
        if bundle is None:
            record = BundleRecord(job.signature, digest(None), None, tuple(report.diagnostics))
            return self._parsed(path, record, None)
        check_quotes(bundle, report)
        self.bundles[path] = bundle
        diagnostics, links = tuple(report.diagnostics), tuple(report.links)
        # Its pictures are what it is made from too: a picture saved anew renders its page.
        made_from = digest(texts_digest(read), bundle.pictures)
        record = BundleRecord(job.signature, made_from, bundle.summary(), diagnostics, links)
        return self._parsed(path, record, bundle.details())

    def _parsed(
        self, path: str, record: BundleRecord, details: BundleDetails | None
    ) -> ParsedBundle:
        """The bundle pickled for the main process, which assembles the site from
        it; its rows for the store also go to the spill, so it need not keep them."""
        pickled = Pickled.of(record)
        timeline = None if details is None else Pickled.of(details)
        if self.spill is not None:
            self.spill.put("bundle", path, pickled.data)
            if timeline is not None:
                self.spill.put("details", path, timeline.data)
        return ParsedBundle(path, pickled, timeline)

    def render(self, context: ArticleContext, job: ArticleJob) -> ArticleResult | None:
        if self._renderer is None or self._renderer.context is not context:
            self._renderer = _ArticleRenderer(context, self.templates)
        bundle = self.bundles.get(job.files.path)
        if bundle is None:  # unchanged since the last build, so not parsed in this one
            bundle = load_bundle(self.site_folder, job.files, self.config, Report())
        if bundle is None:
            return None  # it changed into something broken since it was summarised
        return self._renderer.render(bundle, job.related)


def texts_digest(texts: list[SourceText]) -> str:
    """A digest of what a bundle was parsed from: the same texts make the same bundle.
    A blank sidecar says nothing, as a missing one does."""
    hasher = hashlib.blake2b(digest_size=16)
    for source in texts:
        if not source.text.strip():
            continue
        hasher.update(f"{len(source.path)}:{source.path}{len(source.text)}:".encode())
        hasher.update(source.text.encode("utf-8", "surrogatepass"))
    return hasher.hexdigest()


def parse_share(
    shard: BundleShard,
    jobs: list[ParseJob],
    advance: Callable[[int], None],
    read_ahead: bool = False,
) -> list[ParsedBundle]:
    """A shard step: parse each job's bundle, the disk reading ahead if asked."""
    if read_ahead:
        threading.Thread(target=_read_ahead, args=(jobs,), daemon=True).start()
    found = []
    for job in jobs:
        found.append(shard.parse(job))
        advance(1)
    if shard.spill is not None:
        shard.spill.flush()
    return found


# Parsing waits on the disk for every file not in the page cache; when many
# bundles are parsed, a thread asks the kernel to read each chunk's files ahead,
# at the cost of three quick system calls a file, so that waits overlap with parsing.
PREFETCH_FROM = 200


def _read_ahead(jobs: list[ParseJob]) -> None:
    for job in jobs:
        folder = job.files.location
        for name in job.files.names:
            try:
                descriptor = os.open(f"{folder}/{name}", os.O_RDONLY)
            except OSError:
                continue
            try:
                os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_WILLNEED)
            except OSError:
                pass
            finally:
                os.close(descriptor)


def take_context(
    shard: BundleShard, context: ArticleContext, advance: Callable[[int], None]
) -> None:
    """A shard step: keep what rendering articles needs, sent once for every chunk of them."""
    shard.context = context


def render_share(
    shard: BundleShard, jobs: list[ArticleJob], advance: Callable[[int], None]
) -> list[ArticleResult | None]:
    """A shard step: render each job's article page, in the context taken last."""
    context = shard.context
    assert context is not None, "take_context first"
    found = []
    for job in jobs:
        found.append(shard.render(context, job))
        advance(1)
    if context.spill is not None:
        context.spill.flush()
    return found


class _ArticleRenderer:
    """One Markdown parser, one template environment, for every article of a build."""

    def __init__(self, context: ArticleContext, templates: jinja2.Environment) -> None:
        self.context = context
        self.markdown = context.parser or body_parser(context.index.link_table())
        self.cards = Cards.of_site(context.config)
        self.writer = PageWriter(templates, context.target)

    def render(self, bundle: Bundle, related: tuple[str, ...]) -> ArticleResult:
        context = self.context
        body_key = context.keys.body(bundle.path)
        root = root_of(bundle.path)
        files = story_pictures(bundle.pictures)
        body = render_body(
            self.markdown,
            bundle.body_text(),
            f"{root}glossary/",
            pictures=body_lookup(files, root),
            folders=context.config.directory_urls,
        )
        report = Report()
        for problem in body.problems:
            where = Position(bundle.article_path, problem.line, problem.col)
            (report.warning if problem.warning else report.error)(where, problem.message)
        mentioned = tuple(m.entry_id for m in body.mentions)
        check_unmentioned(bundle, set(mentioned), context.index, report)
        record = None
        if not any(not problem.warning for problem in body.problems):
            shown = tuple(context.related[path] for path in related)
            listed = tuple(sorted(bundle.listed_ids()))
            # The view sees only the entries the key digests, whole.
            index = context.index.only({*listed, *mentioned})
            authors = authors_of(bundle.front, context.authors)
            tags = shown_tags(context.tags, bundle.front.tags)
            view = pages.article_page(
                context.config, bundle, body, index, self.cards, shown, authors, tags
            )
            named = tuple(ref.id for ref in bundle.front.authors)
            tagged = tag_ids(bundle.front.tags)
            key = context.keys.article(listed, body_key, mentioned, related, named, tagged)
            record = self.writer.page(
                f"{bundle.path}/index.html", "article.html", view, report, key
            )
        links = tuple(
            SiteLink(Position(bundle.article_path, line, col), url)
            for line, col, url in body.site_links
        )
        used = tuple(files[src] for src in body.pictures)
        article = ArticleRecord(body_key, mentioned, tuple(report.diagnostics), links, used)
        mentions = pack_mentions(body.mentions)
        if context.spill is None:
            return ArticleResult(bundle.path, article, record, True, mentions)
        context.spill.put("mentions", bundle.path, mentions.data)
        return ArticleResult(bundle.path, article, record, True)


def parse_bundles(
    shards: Shards[BundleShard],
    stale: list[BundleFiles],
    signatures: SourceSignatures,
    progress: Progress,
) -> dict[str, tuple[ParsedBundle, int]]:
    """Parse the stale bundles, chunk by chunk in the shard free first: path ->
    (parsed bundle, shard number). The shard that parses a bundle renders it."""
    jobs = [ParseJob(files, signatures.bundles[files.path]) for files in stale]
    progress.stage("parsing", len(stale))
    step = partial(parse_share, read_ahead=len(jobs) >= PREFETCH_FROM)
    found = shards.run_balanced(step, jobs, progress.advance)
    progress.finish()
    return {
        parsed.path: (parsed, number)
        for number, chunks in enumerate(found)
        for results in chunks
        for parsed in results
    }


@dataclass(frozen=True)
class ArticlePlan:
    """What deciding and rendering the article pages needs."""

    site: Site
    index: GlossaryIndex
    files: SourceFiles
    keys: Keys
    target: PageTarget
    previous: Previous
    changes: Changes
    related: dict[str, tuple[str, ...]]  # article path -> related article paths
    holders: dict[str, int]  # bundle path -> the shard that parsed it in this build
    spill: Spill | None  # where rendered stories leave their first mentions; None: kept in memory
    parser: MarkdownIt | None = None  # a running builder's (ArticleContext.parser)
    last: LastArticles | None = None  # a running builder's last build, whose output it trusts


class LastArticles(NamedTuple):
    """A running builder's articles as its last build left them."""

    previous: Previous  # the records made of them: the next build's `previous`
    results: dict[str, ArticleResult]
    rendered: frozenset[str]  # the paths of those rendered in that build


def render_articles(
    shards: Shards[BundleShard], plan: ArticlePlan, jobs: list[ArticleJob], progress: Progress
) -> dict[str, ArticleResult]:
    """Render each job, in the shard that holds its bundle while that shard has
    any left; the shard that is done first takes over the last of another's,
    reading those bundles again."""
    summaries = plan.site.by_path
    context = ArticleContext(
        plan.site.config,
        plan.index,
        plan.keys,
        plan.target,
        {path: summaries[path] for job in jobs for path in job.related},
        {author.id: author for author in plan.site.authors or ()},
        {tag.id: tag for tag in plan.site.tags},
        plan.spill,
        plan.parser,
    )
    shards.run(take_context, [context] * shards.count, no_progress)
    progress.stage("articles", len(jobs))
    owners = [plan.holders.get(job.files.path, n) for n, job in enumerate(jobs)]
    results: dict[str, ArticleResult] = {}
    for chunks in shards.run_balanced(render_share, jobs, progress.advance, owners):
        for found in chunks:
            results.update((result.path, result) for result in found if result is not None)
    progress.finish()
    return results


def _ids_of(summary: BundleSummary) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The ids of a story's authors, and of its tags."""
    return tuple(ref.id for ref in summary.front.authors), tag_ids(summary.front.tags)


def plan_articles(plan: ArticlePlan) -> tuple[dict[str, ArticleResult], list[ArticleJob]]:
    """The articles whose last page can stay, and jobs for the others.

    An article is looked at again when something it shows may have changed
    (builder.incremental.plan.Changes); then only if its key changed is it rendered.
    """
    # Where only stories changed, the few articles to look at are known at once,
    # and of the others a page whose file is as recorded stays, unasked: those are
    # found at once too (all of them in a running builder that trusts its output).
    looked_at = plan.changes.articles_to_look_at(plan.related, plan.previous.related)
    last = plan.last
    if looked_at is not None and last is not None and last.previous is plan.previous:
        reused, summaries = _reused_from_last(plan, last, looked_at)
        return reused, _plan_each(plan, summaries, looked_at, reused)
    reused = {}
    return reused, _plan_each(plan, plan.site.bundles, looked_at, reused)


def _reused_from_last(
    plan: ArticlePlan, last: LastArticles, looked_at: frozenset[str]
) -> tuple[dict[str, ArticleResult], list[BundleSummary]]:
    """In a running builder that trusts its output, where only stories changed:
    the last build's results, but for the stories to look at and those that
    changed, appeared or went. Each result taken is the one the loop in
    `_plan_each` would make again, 50,000 of them on each edit at that size
    (0.1 s): the record and output of the last build, which are `previous`'s."""
    few = looked_at | plan.changes.bundles
    reused = dict(last.results)
    for path in few:
        reused.pop(path, None)
    for path in last.rendered - few:  # taken as they stand now, as any other
        result = reused[path]
        reused[path] = ArticleResult(path, result.record, result.output)
    return reused, [summary for summary in plan.site.bundles if summary.path in few]


def _plan_each(
    plan: ArticlePlan,
    summaries: Iterable[BundleSummary],
    looked_at: frozenset[str] | None,
    reused: dict[str, ArticleResult],
) -> list[ArticleJob]:
    """Of these stories, those whose last page stays into `reused`; jobs for the others."""
    by_path = {bundle.path: bundle for bundle in plan.files.bundles}
    keys, previous, changes, target = plan.keys, plan.previous, plan.changes, plan.target
    jobs: list[ArticleJob] = []
    # With no author or tag changed, an article's own are not asked: of every
    # article in the archive, on every rebuild.
    asks_ids = bool(changes.authors or changes.tags)
    articles, outputs = previous.articles, previous.outputs
    recorded: Collection[str] = ()
    if looked_at is not None:
        recorded = target.as_recorded(outputs) or ()
    asked: Collection[str] = looked_at or frozenset()
    for summary in summaries:
        path = summary.path
        output = f"{path}/index.html"
        if output in recorded and path not in asked:
            record = articles.get(path)
            if record is not None:
                reused[path] = ArticleResult(path, record, (output, outputs[output]))
                continue
        record, kept = articles.get(path), outputs.get(output)
        related = plan.related.get(path, ())
        if record is not None and kept is not None and target.in_place:
            key = kept.key
            authors, tags = _ids_of(summary) if asks_ids else ((), ())
            if (
                path in looked_at
                if looked_at is not None
                else changes.article_may_change(
                    path, summary.listed, record, related, previous, authors, tags
                )
            ):
                authors, tags = _ids_of(summary)
                current = record.body_key == keys.body(path)
                key = keys.article(
                    summary.listed, record.body_key, record.mentioned, related, authors, tags
                )
                key = key if current else ""
            if target.keeps(kept, output, key):
                reused[path] = ArticleResult(path, record, (output, kept))
                continue
        jobs.append(ArticleJob(by_path[path], related))
    return jobs
