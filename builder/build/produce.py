"""Rendering the pages that show many stories: entry pages and the site-wide pages.

Once every article has been rendered, a reduce gathers their first mentions
into backlinks in sorted order; a map over the entries whose page may have
changed, and over the site-wide pages, then renders them, in worker processes
forked from the main process on large sites, so that they inherit the site
and its index without pickling them. Workers write their pages straight into
the staging folder.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from operator import itemgetter
from typing import Literal

import jinja2

from builder.build.articles import ArticleResult
from builder.build.progress import Progress
from builder.build.state import Loaded, Run
from builder.build.warm import Warm
from builder.build.workers import Shards, no_progress, workers_for
from builder.content.glossary import GlossaryIndex
from builder.content.model import BundleDetails, Site, TimelineEvent
from builder.core.diagnostics import Diagnostic, Report
from builder.core.pickled import Pickled, Unpacked
from builder.incremental.plan import (
    Changes,
    Keys,
    Previous,
    SitePageKeys,
    SitePageShows,
    touched_entries,
)
from builder.incremental.records import OutputRecord
from builder.incremental.spill import Spill
from builder.incremental.store import Store
from builder.site import listings, pages
from builder.site.pages import Use
from builder.site.templates import PageTarget, PageWriter
from builder.site.views import Cards, StorySummaries, newest_first
from builder.text.linking import Mention, PackedMentions, plain_mention, unpack_mentions


@dataclass(frozen=True)
class RenderContext:
    """Everything a worker needs, frozen before the workers start."""

    site: Site
    index: GlossaryIndex
    templates: jinja2.Environment  # compiled in the main process, inherited by workers
    target: PageTarget
    previous: Previous  # what the last build made; read-only here
    keys: Keys
    lookup: Lookup  # the timelines and first mentions of the stories entry pages list
    now: datetime  # the build's time: the news sitemap lists the two days before it
    spill: Spill | None  # where entry pages leave what they showed; None: nowhere
    changes: Changes  # since the last build
    memo: listings.ListingMemo | None = None  # the archive's groupings, from the last build
    site_keys: SitePageKeys | None = None  # and the keys of the site-wide pages
    summaries: StorySummaries | None = None  # a running builder's stories as lists show them


@dataclass(frozen=True)
class PageResult:
    diagnostics: tuple[Diagnostic, ...]
    output: tuple[str, OutputRecord] | None
    rendered: bool = False


EntryJob = tuple[str, tuple[str, ...]]  # an entry id, the paths of the stories that use it
SiteJob = tuple[str, str]  # a site-wide page's output path, and its key
PageJob = tuple[Literal["entry"], EntryJob] | tuple[Literal["site"], SiteJob]


# What an entry page showed, as stored: mentions as plain tuples, which pickle
# several times faster than named ones.
PackedUses = tuple[tuple[str, tuple[str, str, int, str] | None, tuple[TimelineEvent, ...]], ...]


def pack_uses(uses: list[tuple[str, Use]]) -> Pickled[PackedUses]:
    plain = tuple((path, plain_mention(m) if m else None, events) for path, (m, events) in uses)
    return Pickled.of(plain)


def unpack_uses(data: Pickled[PackedUses]) -> dict[str, Use]:
    return {
        path: (Mention(*fields) if fields else None, events) for path, fields, events in data.load()
    }


# The entries a process keeps of each story; None: all of them.
Wanted = frozenset[str] | None
_NOT_KEPT: tuple[Wanted, None] = (None, None)


class Lookup:
    """What entry pages show of the stories that use an entry, unpickled on demand.

    Timelines and first mentions are the bulk of what the builder keeps. An
    entry page rendered before left what it showed of each story (`usages`,
    by entry id); that stands for every story not changed since (`fresh` holds
    those that did). The rest comes from each story's own timeline and
    mentions. Each process unpickles only what the pages it renders show, and
    each story once, though a hundred entry pages list it.
    """

    def __init__(
        self,
        details: Mapping[str, Pickled[BundleDetails]],
        mentions: Mapping[str, Pickled[PackedMentions]],
        usages: Mapping[str, Pickled[PackedUses]] | None = None,
        fresh: frozenset[str] = frozenset(),
        spill: Spill | None = None,
        remembered: Unpacked[dict[str, Use]] | None = None,
    ) -> None:
        self._details = details
        self._mentions = mentions  # else in the spill: those of the stories rendered now
        self._spill = spill
        self._usages = usages or {}
        self._fresh = fresh
        self._remembered = remembered  # a running builder's, from its last builds
        # Each story's, as kept for the entries wanted when it was unpacked.
        self._events: dict[str, tuple[Wanted, dict[str, tuple[TimelineEvent, ...]]]] = {}
        self._first: dict[str, tuple[Wanted, dict[str, Mention]]] = {}
        self._shown: dict[str, dict[str, Use]] = {}
        self._wanted: Wanted = None

    @property
    def usages(self) -> Mapping[str, Pickled[PackedUses]]:
        return self._usages

    @property
    def remembered(self) -> Unpacked[dict[str, Use]] | None:
        return self._remembered

    def has_shown(self, entry_id: str) -> bool:
        """Whether the entry's page was rendered before, and what it showed is known."""
        return entry_id in self._usages

    def keep_only(self, entry_ids: set[str]) -> None:
        """Keep of each story only what the pages of these entries show. A worker
        renders a share of the entry pages, whose users span the whole archive:
        it unpacks each story once, and keeps its share of it, not all. Asked
        for more entries later (pages taken over from another worker), it
        unpacks a story again when one of them is looked up."""
        wanted = self._wanted
        if wanted is None or not entry_ids <= wanted:
            self._wanted = frozenset(entry_ids) if wanted is None else wanted | entry_ids

    def use(self, path: str, entry_id: str) -> Use:
        if path not in self._fresh:
            known = self.shown_before(entry_id).get(path)
            if known is not None:
                return known
        return self._mention(path).get(entry_id), self._events_of(path).get(entry_id, ())

    def shown_before(self, entry_id: str) -> dict[str, Use]:
        """What the entry's page showed of each story when it was last rendered."""
        found = self._shown.get(entry_id)
        if found is None:
            data, remembered = self._usages.get(entry_id), self._remembered
            if data is None:
                found = {}
            elif remembered is not None:
                found = remembered.get(entry_id, data.data, partial(unpack_uses, data))
            else:
                found = unpack_uses(data)
            self._shown[entry_id] = found
        return found

    def remember(self, entry_id: str, uses: list[tuple[str, Use]], packed: bytes) -> None:
        """What the entry's page shows now, as the next build will read it packed."""
        if self._remembered is not None:
            self._remembered.put(entry_id, packed, dict(uses))

    def _events_of(self, path: str) -> dict[str, tuple[TimelineEvent, ...]]:
        """The story's timeline events by the entries they name, in timeline order."""
        wanted, found = self._events.get(path, _NOT_KEPT)
        if found is None or wanted is not self._wanted:
            data = self._details.get(path)
            if data is None and self._spill is not None:  # a bundle parsed now
                data = self._spill.get("details", path)
            grouped: dict[str, list[TimelineEvent]] = {}
            wanted = self._wanted
            for event in data.load().background if data else ():
                for entry_id in dict.fromkeys(ref.id for ref in event.mentions):
                    if wanted is None or entry_id in wanted:
                        grouped.setdefault(entry_id, []).append(event)
            found = {k: tuple(v) for k, v in grouped.items()}
            self._events[path] = (wanted, found)
        return found

    def _mention(self, path: str) -> dict[str, Mention]:
        wanted, found = self._first.get(path, _NOT_KEPT)
        if found is None or wanted is not self._wanted:
            data = self._mentions.get(path)
            if data is None and self._spill is not None:
                data = self._spill.get("mentions", path)
            found = unpack_mentions(data, self._wanted) if data else {}
            self._first[path] = (self._wanted, found)
        return found


class PageRenderer:
    """Renders and writes entry and site pages, or reuses the previous build's."""

    def __init__(self, context: RenderContext) -> None:
        self.context = context
        self.cards = Cards.of_site(context.site.config, context.summaries)
        self.writer = PageWriter(context.templates, context.target)
        site, now = context.site, context.now
        self.site_pages = listings.site_pages(site, self.cards, now, context.memo)

    def render(self, job: PageJob) -> PageResult:
        if job[0] == "entry":
            return self.entry(job[1])
        return self.site_page(job[1])

    def entry(self, job: EntryJob) -> PageResult:
        entry_id, users = job
        output = f"glossary/{entry_id}/index.html"
        context, lookup = self.context, self.context.lookup
        uses = [(path, lookup.use(path, entry_id)) for path in users]
        # The view sees the entry and those its stories' events name, whole: the key
        # digests exactly them.
        named = {entry_id} | {
            ref.id for _, (_, events) in uses for e in events for ref in e.mentions
        }
        key = context.keys.entry(entry_id, users, named)
        record = self.reuse(output, key)
        if record is not None:
            return PageResult((), record)
        report = Report()
        stories = context.site.by_path
        usage = [pages.Usage(stories[path], *use) for path, use in uses]
        index = context.index.only(named)
        view = pages.entry_page(context.site.config, entry_id, usage, index, self.cards)
        record = self.writer.page(output, "entry.html", view, report, key)
        if context.spill is not None:  # the pickled (path, Use) it showed, for the next build
            packed = pack_uses(uses).data
            context.spill.put("usage", entry_id, packed)
            lookup.remember(entry_id, uses, packed)
        return PageResult(tuple(report.diagnostics), record, True)

    def site_page(self, job: SiteJob) -> PageResult:
        """A page that shows the whole site, found stale: front page, glossary, lists,
        feed, sitemap."""
        output, key = job
        page = self.site_pages[output]
        report = Report()
        record = self.writer.page(output, page.template, page.make_view(), report, key)
        return PageResult(tuple(report.diagnostics), record, True)

    def reuse(self, output: str, key: str) -> tuple[str, OutputRecord] | None:
        """The previous build's record of a page made from the same inputs, left where it is."""
        record = self.context.previous.outputs.get(output)
        if record is None or not self.context.target.keeps(record, output, key):
            return None
        return output, record


def plan_entries(
    site: Site,
    previous: Previous,
    target: PageTarget,
    touched: frozenset[str] | None,
    mentioned: dict[str, tuple[str, ...]],
    known: Lookup | None = None,
    fresh: frozenset[str] = frozenset(),
) -> tuple[list[PageResult], list[EntryJob]]:
    """The entry pages that can stay, and jobs for the others.

    With `touched` None every page is looked at again; otherwise only those of
    the entries touched since the last build, and any whose file was changed.
    """
    kept: list[PageResult] = []
    again: list[str] = []
    for entry in site.entries:
        output = f"glossary/{entry.id}/index.html"
        record = previous.outputs.get(output)
        looked_at = touched is None or entry.id in touched
        if not looked_at and record is not None and target.keeps(record, output, record.key):
            kept.append(PageResult((), (output, record)))
        else:
            again.append(entry.id)
    users = users_since(site, mentioned, again, known, fresh) if known is not None else None
    if users is None:
        users = pages.gather_users(list(site.bundles), mentioned, set(again))
    return kept, [(entry_id, tuple(users.get(entry_id, ()))) for entry_id in again]


# The share of the stories parsed or rendered since the last build past which
# every story is asked which entries it uses (a template edit renders them all).
FRESH_SHARE = 0.25


def users_since(
    site: Site,
    mentioned: dict[str, tuple[str, ...]],
    again: list[str],
    known: Lookup,
    fresh: frozenset[str],
) -> dict[str, list[str]] | None:
    """`gather_users` for a few entries, from the stories their pages showed last
    (`known`), and the stories parsed or rendered since (`fresh`).

    A story neither parsed nor rendered since names the entries it named then,
    and so uses an entry exactly when its page showed it; only the stories
    parsed or rendered since, and those no longer published, are asked. A story
    edit asks its twenty entries' two thousand users, not 50,000 stories (0.12 s).
    None where a page was never rendered, or many stories are fresh: then ask all.
    """
    if len(fresh) > FRESH_SHARE * len(site.bundles) or not all(map(known.has_shown, again)):
        return None
    published = site.by_path
    found = {
        entry_id: {p for p in known.shown_before(entry_id) if p in published and p not in fresh}
        for entry_id in again
    }
    wanted = set(again)
    for path in fresh:
        bundle = published.get(path)
        if bundle is not None:
            for entry_id in wanted.intersection((*mentioned.get(path, ()), *bundle.listed)):
                found[entry_id].add(path)
    return {
        entry_id: [b.path for b in newest_first([published[p] for p in paths])]
        for entry_id, paths in found.items()
        if paths
    }


def render_pages(
    context: RenderContext, jobs: list[EntryJob], progress: Progress, workers: int | None = None
) -> list[PageResult]:
    """Map over the entries whose page may have changed, and over the site-wide pages,
    in `workers` processes (None: as many as pay)."""
    renderer = PageRenderer(context)
    results: list[PageResult] = []
    work: list[PageJob] = [("entry", job) for job in jobs]
    site_keys = context.site_keys or SitePageKeys()
    outputs = context.previous.outputs
    for output, page in renderer.site_pages.items():  # keys are cheap: decided here
        shows, last = page.shows, outputs.get(output)
        made_from = SitePageShows(
            output,
            page.template,
            [entry.id for entry in shows.entries],
            [bundle.path for bundle in shows.bundles],
            page.extra,
            None if shows.authors is None else [author.id for author in shows.authors],
            [tag.id for tag in shows.tags],
        )
        key = site_keys.key(context.keys, context.changes, last and last.key, made_from)
        kept = renderer.reuse(output, key)
        if kept is not None:
            results.append(PageResult((), kept))
        else:
            work.append(("site", (output, key)))
    progress.stage("entry and list pages", len(work))
    # Forked workers inherit the frozen site, its index and the compiled
    # templates without pickling them; each uses its copy of this renderer.
    with Shards(workers or workers_for(len(work)), lambda: renderer) as shards:
        owners = [number % shards.count for number in range(len(work))]
        entries: list[set[str]] = [set() for _ in range(shards.count)]
        for (kind, job), owner in zip(work, owners, strict=True):
            if kind == "entry":
                entries[owner].add(job[0])
        shards.run(_keep_only, entries, no_progress)
        done = shards.run_balanced(_render_share, list(enumerate(work)), progress.advance, owners)
    progress.finish()
    # Back into the order of the work, each result numbered as its job was.
    found = sorted((pair for chunks in done for chunk in chunks for pair in chunk), key=_NUMBER)
    results.extend(result for _, result in found if result is not None)
    return results


def _keep_only(renderer: PageRenderer, entry_ids: set[str], advance: Callable[[int], None]) -> None:
    """A shard step: the entry pages the worker renders, unless it takes over others'."""
    renderer.context.lookup.keep_only(entry_ids)


_NUMBER = itemgetter(0)  # of a (number, result) pair


def _render_share(
    renderer: PageRenderer, share: list[tuple[int, PageJob]], advance: Callable[[int], None]
) -> list[tuple[int, PageResult]]:
    lookup, spill = renderer.context.lookup, renderer.context.spill
    lookup.keep_only({job[1][0] for _, job in share if job[0] == "entry"})
    found = []
    for number, job in share:
        found.append((number, renderer.render(job)))
        advance(1)
    if spill is not None:
        spill.flush()
    return found


def render_entry_and_site_pages(
    run: Run, loaded: Loaded, results: dict[str, ArticleResult]
) -> list[PageResult]:
    """Reduce first mentions into backlinks, then render the entry pages that may
    have changed, and the site-wide pages."""
    previous, target, store = run.previous, run.target, run.store
    mentioned = {path: result.record.mentioned for path, result in results.items()}
    changes = loaded.changes
    touched = (
        None
        if changes.everything
        else touched_entries(changes, previous, loaded.bundles, mentioned)
    )
    fresh = frozenset(loaded.parsed.keys() | {p for p, r in results.items() if r.rendered})
    known = _shown_before(store, touched, run.warm)
    kept, jobs = plan_entries(loaded.site, previous, target, touched, mentioned, known, fresh)
    lookup = _lookup(loaded, store, results, jobs, known, fresh, run.spill)
    environment = run.templates.environment
    context = RenderContext(
        loaded.site,
        loaded.index,
        environment,
        target,
        previous,
        loaded.keys,
        lookup,
        run.sources.now,
        run.spill,
        changes,
        run.listings,
        run.site_keys,
        run.warm.summaries if run.warm is not None else None,
    )
    return kept + render_pages(context, jobs, run.options.progress, run.options.workers)


def _shown_before(
    store: Store | None, touched: frozenset[str] | None, warm: Warm | None
) -> Lookup | None:
    """What the pages of the touched entries showed when last rendered; None when
    every page is looked at again. The pages of entries not touched are kept."""
    if touched is None or store is None:
        return None
    usages = store.some("usage", touched)
    return Lookup({}, {}, usages, remembered=warm.shown if warm is not None else None)


def _lookup(
    loaded: Loaded,
    store: Store | None,
    results: dict[str, ArticleResult],
    jobs: list[EntryJob],
    known: Lookup | None,
    fresh: frozenset[str],
    spill: Spill | None,
) -> Lookup:
    """What the entry pages to render show of their stories: what each showed last
    time, and for stories changed since or new to a page, their own records."""
    if known is None:
        known = Lookup({}, {}, {})
    usages, remembered = known.usages, known.remembered
    users = {
        path
        for entry_id, paths in jobs
        for path in paths
        if path in fresh or path not in known.shown_before(entry_id)
    }
    details = {
        path: item.details
        for path, (item, _) in loaded.parsed.items()
        if path in users and item.details is not None
    }
    # The stories rendered now left theirs in the spill, or, when checking, here.
    mentions = {path: r.mentions for path, r in results.items() if r.mentions and path in users}
    rendered = {path for path, result in results.items() if result.rendered}
    if store is not None:  # the bundles parsed now left theirs in the spill
        details.update(store.some("details", users - loaded.parsed.keys()))
        mentions.update(store.some("mentions", users - rendered))
    return Lookup(details, mentions, usages, fresh, spill, remembered)
