"""The pipeline: the stages of a build, in the order they run.

`stages` reads top to bottom: parse the bundles that changed (load and
validate), assemble the site and its glossary index, link and render the
articles, gather backlinks and render the entry and site pages, check, publish
(write, then index for search), remember. Each stage lives in a module of its
own; this one only sets a build up and hands each stage what the ones before
it made.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import takewhile
from pathlib import Path

from builder.build.articles import (
    ArticlePlan,
    ArticleResult,
    BundleShard,
    LastArticles,
    ParsedBundle,
    parse_bundles,
    plan_articles,
    render_articles,
)
from builder.build.assemble import assemble, related_in
from builder.build.drafts import check_drafts
from builder.build.images import PublishedPictures, publish_pictures, wanted_pictures
from builder.build.links import check_site_links
from builder.build.options import BuildOptions, BuildResult, Scheduled, Sources, build_date
from builder.build.output import check_output_folder, files_seen_below
from builder.build.produce import PageResult, render_entry_and_site_pages
from builder.build.publish import publish, replaces_in_place, staged
from builder.build.remember import remembered, write_store
from builder.build.state import Loaded, Run
from builder.build.warm import Warm
from builder.build.workers import Shards, workers_for
from builder.content import checks
from builder.content.discover import BundleFiles
from builder.content.load import load_config
from builder.content.model import BundleSummary, SiteConfig, instant_of
from builder.core.diagnostics import ContentError, Report
from builder.incremental.plan import (
    Previous,
    SitePageKeys,
    cache_identity,
    load_previous,
    stale_bundles,
    store_file,
)
from builder.incremental.records import OutputRecord, digest
from builder.incremental.spill import Spill
from builder.incremental.store import StoppedReading, Store
from builder.incremental.uptodate import CACHE_FOLDER
from builder.site.listings import NEWS_WINDOW, ListingMemo
from builder.site.templates import PageWriter, Templates
from builder.site.views import dates_of


def make(
    options: BuildOptions,
    sources: Sources,
    report: Report,
    warm: Warm | None = None,
    read: LastBuild | None = None,
) -> BuildResult:
    """Set the build up (settings, the last build's store, templates, staging), then run it.
    `warm`: a running builder's memory of its last build, used in place of the store's
    while the store is as that build left it, and updated. `read`: the store's
    records, read already (`last_build`)."""
    config = load_config(options.site, report)
    if config is None:
        raise ContentError(report)
    out = _output_folder(options, config)
    if options.write:
        check_output_folder(out, options.site)
    with _store(options, out) as store:
        previous = (
            read.previous if read is not None and store is not None else _previous(store, warm)
        )
        _learn_dates(config, previous)
        trusted = warm is not None and warm.trusts(previous, out)
        # Compiled before any worker starts: each inherits them compiled.
        templates = _templates(options, sources, warm)
        seen = read.output if read is not None else None
        with staged(options, out, bool(previous.outputs), trusted, seen) as (staging, target):
            # With no key to sign them, the store keeps nothing; nor is anything put aside.
            spill = (
                Spill.beside(store.file, store.key)
                if store is not None and store.key is not None
                else None
            )
            run = Run(
                options,
                sources,
                config,
                out,
                previous,
                store,
                report,
                templates,
                staging,
                target,
                warm,
                spill,
                *_page_memos(previous, warm),
            )
            try:
                return stages(run)
            except BaseException:
                if spill is not None:  # on success, the store takes its rows, then removes it
                    spill.discard()
                raise


# An output folder, as its path's string, and every file in it with its size
# and time: as another process listed it (builder.build.run).
OutputSeen = tuple[str, dict[str, tuple[int, int]]]


@dataclass(frozen=True)
class LastBuild:
    """What a rebuild reads of the last build while another process finds the
    sources (builder.build.run): its records, as `make` would read them, and
    the files its output holds, as publishing would list them, each with the
    size and time that tell whether the page can stay."""

    previous: Previous
    output: dict[str, tuple[int, int]] | None  # None: an output not to be replaced in place
    out: Path | None = None  # the output folder
    # The output is replaced in place, and `output` holds only what this process
    # listed of it: the other process lists the rest.
    unlisted: bool = False

    def listed(self, seen: OutputSeen | None) -> LastBuild:
        """With the output's files: with those another process listed added, if it
        listed this very folder; otherwise all listed here."""
        if not self.unlisted or self.out is None:
            return self
        if seen is not None and seen[0] == os.fspath(self.out):
            return replace(self, output={**(self.output or {}), **seen[1]}, unlisted=False)
        return replace(self, output=files_seen_below(self.out), unlisted=False)


# The output's files, each with its size and time, that this process listed, and
# whether they are all of them; `last_build` asks for it once the store is read.
Listing = Callable[[Path], tuple[dict[str, tuple[int, int]], bool]]


def _list_all(out: Path) -> tuple[dict[str, tuple[int, int]], bool]:
    return files_seen_below(out), True


def last_build(
    options: BuildOptions, list_here: Listing = _list_all, stop: Callable[[], bool] = lambda: False
) -> LastBuild | None:
    """None where a build would read nothing of the last, or where `stop()`, asked
    now and then, says to read no more; the settings' problems are reported by
    `make`. The output's files are listed by `list_here`, asked only when they
    are needed: what it leaves out, `LastBuild.listed` adds."""
    config = load_config(options.site, Report())
    if config is None or not options.write or options.clean or stop():
        return None
    out = _output_folder(options, config)
    with _store(options, out) as store:
        if store is None:
            return None
        try:
            previous = load_previous(store, stop)
        except StoppedReading:
            return None
    if not replaces_in_place(out, bool(previous.outputs)):
        return LastBuild(previous, None, out)
    files, whole = list_here(out)
    return LastBuild(previous, files, out, unlisted=not whole)


def _output_folder(options: BuildOptions, config: SiteConfig) -> Path:
    return options.out if options.out is not None else options.site / config.output


def _previous(store: Store | None, warm: Warm | None) -> Previous:
    """What the last build left: in this process's memory, else in the store."""
    if store is None:
        return Previous()
    kept = warm.previous_for(store.file) if warm is not None else None
    return kept if kept is not None else load_previous(store)


def _learn_dates(config: SiteConfig, previous: Previous) -> None:
    """The dates the last build spelt, if in this language and time zone: an edit
    that spells no other loads no CLDR data."""
    stored = previous.dates
    if stored is not None and stored[:2] == (config.language, config.timezone):
        dates_of(config).learn(stored[2])


def _page_memos(previous: Previous, warm: Warm | None) -> tuple[ListingMemo, SitePageKeys]:
    """The archive's groupings and the site-wide pages' keys to start from: a
    running builder's own, else those the last build left in the store, made
    again of the stories as the store holds them."""
    if warm is not None:
        return warm.listings, warm.site_keys
    listing, made = previous.pages or (None, None)
    bundles = previous.bundles

    def summary(path: str) -> BundleSummary | None:
        record = bundles.get(path)
        return record.summary if record is not None else None

    return ListingMemo.from_stored(listing, summary), SitePageKeys(made)


def stages(run: Run) -> BuildResult:
    """Every stage, in order; a content error anywhere leaves the last output as it was."""
    local = BundleShard(run.options.site, run.config, run.templates.environment, run.spill)
    stale = _stale_bundles(run)
    # The bundles parsed here stay with the shard that parsed them, which later
    # renders their pages; a small site is one shard, in this process.
    with Shards(_worker_count(run.options, len(stale)), lambda: local) as shards:
        parsed = parse_bundles(shards, stale, run.sources.signatures, run.options.progress)
        loaded = assemble(run, parsed, related_in(shards))
        del parsed  # kept in `loaded`, put aside: a large site's rows are in the spill
        articles = _link_and_render_articles(run, loaded, loaded.parsed, shards, local)
    others = render_entry_and_site_pages(run, loaded, articles)
    _report_found(run, loaded, articles, others)
    check_site_links(run, loaded, articles)
    check_drafts(run, loaded)
    if run.report.has_errors:
        raise ContentError(run.report)
    pictures = _publish_pictures(run, loaded, articles)
    outputs = publish(run, _pages_written(articles, others) + pictures.outputs, loaded.keys.common)
    if run.staging is not None:
        if run.warm is not None and run.store is not None:
            _remember_later(run, run.warm, run.store, loaded, articles, outputs)
        elif run.store is not None:
            write_store(run.store, run, loaded, articles, outputs)
        run.templates.keep()
    pages = len(articles) + len(others)  # articles, entries, and the site-wide pages
    rendered = sum(r.rendered for r in articles.values()) + sum(p.rendered for p in others)
    scheduled = tuple(
        Scheduled(s.article_path, s.front.date.iso(), s.path not in loaded.held_back)
        for s in loaded.scheduled
    )
    return BuildResult(
        run.out,
        pages,
        rendered,
        run.report,
        outputs,
        scheduled,
        _changes_at(run, loaded),
        pictures.encoded,
    )


def _remember_later(
    run: Run,
    warm: Warm,
    store: Store,
    loaded: Loaded,
    articles: dict[str, ArticleResult],
    outputs: dict[str, OutputRecord],
) -> None:
    """A running builder keeps the records in memory now and writes them into
    the store once the output is live: the edit is published first."""
    previous = remembered(run, loaded, articles, outputs)
    warm.keep(previous, run.out, store.file)
    rendered = frozenset(path for path, result in articles.items() if result.rendered)
    warm.articles = LastArticles(previous, articles, rendered)
    warm.remember_records(previous)

    def write() -> None:
        later = Store(store.file, store.identity)
        try:
            write_store(later, run, loaded, articles, outputs)
        finally:
            later.close()

    warm.after(write)


def _changes_at(run: Run, loaded: Loaded) -> datetime | None:
    """When the output would next change with no edit: a scheduled story goes
    live, or a story leaves the news sitemap. A build after that builds again."""
    now = run.sources.now
    times = [s.front.date.at for s in loaded.scheduled]
    # Compared as integers first: an archive's aware datetimes compare slowly.
    since = instant_of(now - NEWS_WINDOW)
    times.extend(s.front.date.at + NEWS_WINDOW for s in _published_after(run, loaded, since))
    later = [time for time in times if time > now]
    return min(later) if later else None


def _published_after(run: Run, loaded: Loaded, since: int) -> Iterable[BundleSummary]:
    """The stories published after an instant. The archive's groupings, made for
    the site-wide pages, hold this very site's stories newest first: those are
    taken from the front, not every story asked (50 ms at 50,000 stories)."""
    listings = run.listings
    if listings.bundles is loaded.site.bundles:
        return takewhile(lambda s: s.front.date.instant() > since, listings.ordered)
    return (s for s in loaded.site.bundles if s.front.date.instant() > since)


def _publish_pictures(
    run: Run, loaded: Loaded, articles: dict[str, ArticleResult]
) -> PublishedPictures:
    """Every picture the pages show, staged beside them; nothing for `check`."""
    if run.staging is None:
        return PublishedPictures([], 0)
    wanted = wanted_pictures(loaded.site, (result.record for result in articles.values()))
    writer = PageWriter(run.templates.environment, run.target)
    site, outputs = run.options.site, run.previous.outputs
    found = publish_pictures(site, wanted, run.target, writer, outputs, run.report)
    if run.report.has_errors:
        raise ContentError(run.report)
    return found


def _stale_bundles(run: Run) -> list[BundleFiles]:
    """The bundles to parse: new or changed ones, or all when site.yaml changed, as a
    limit there may read files anew."""
    reparse = run.previous.config != digest(run.config)
    known = {} if reparse else run.previous.bundles
    return stale_bundles(run.sources.files, run.sources.signatures, known)


def _link_and_render_articles(
    run: Run,
    loaded: Loaded,
    parsed: dict[str, tuple[ParsedBundle, int]],
    shards: Shards[BundleShard],
    local: BundleShard,
) -> dict[str, ArticleResult]:
    """The articles whose page can stay, and the others linked and rendered."""
    plan = ArticlePlan(
        loaded.site,
        loaded.index,
        run.sources.files,
        loaded.keys,
        run.target,
        run.previous,
        loaded.changes,
        loaded.related,
        {path: number for path, (_, number) in parsed.items()},
        run.spill,
        last=run.warm.articles if run.warm is not None and run.target.trusted else None,
    )
    results, jobs = plan_articles(plan)
    if jobs and run.warm is not None:  # asked only of a build that links a body
        plan = replace(plan, parser=run.warm.linking.parser())
    with _render_shards(shards, local, len(jobs), run.options) as renderers:
        results.update(render_articles(renderers, plan, jobs, run.options.progress))
    return results


def _report_found(
    run: Run, loaded: Loaded, results: dict[str, ArticleResult], others: list[PageResult]
) -> None:
    """What parsing and rendering found, and the checks of the glossary as a whole."""
    report = run.report
    # Most stories have nothing to say: asked first, of each of the archive's.
    drafts = run.options.drafts
    for record in loaded.bundles.values():
        if record.diagnostics and (drafts or not record.draft):  # drafts: builder.build.drafts
            report.extend(record.diagnostics)
    for result in results.values():
        if result.record.diagnostics:
            report.extend(result.record.diagnostics)
    for page in others:
        report.extend(page.diagnostics)
    checks.check_entries(loaded.site, build_date(), report)


def _pages_written(
    results: dict[str, ArticleResult], others: list[PageResult]
) -> list[tuple[str, OutputRecord]]:
    found = [r.output for r in results.values()] + [p.output for p in others]
    return [output for output in found if output is not None]


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


def _templates(options: BuildOptions, sources: Sources, warm: Warm | None) -> Templates:
    """The theme's templates, compiled; a running builder's from its last build."""
    cache = _template_cache(options)
    if warm is not None:
        return warm.templates_for(sources.theme, sources.theme_digest, cache)
    templates = Templates(sources.theme, cache)
    templates.compile_all()
    return templates


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
