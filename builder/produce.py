"""Rendering the pages that show many stories: entry pages and the site-wide pages.

Once every article has been rendered, a reduce gathers their first mentions
into backlinks in sorted order; a map over entries then renders the entry
pages, in worker processes forked from the main process on large sites, so
that they inherit the site and its index without pickling them. Workers write
their pages straight into the staging folder.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from builder import pages
from builder.articles import ArticleResult
from builder.diagnostics import Diagnostic, Report
from builder.incremental import BuildCache, Keys
from builder.index import GlossaryIndex
from builder.linking import Mention
from builder.markdown import InlineMarkdown
from builder.model import BundleSummary, Site
from builder.parallel import workers_for
from builder.progress import Progress
from builder.records import OutputRecord
from builder.render import PageTarget, PageWriter, Theme
from builder.views import Cards

CHUNK = 32


@dataclass(frozen=True)
class RenderContext:
    """Everything a worker needs, frozen before the workers start."""

    site: Site
    index: GlossaryIndex
    theme: Theme
    target: PageTarget
    previous: BuildCache  # what the last build made; read-only here
    keys: Keys


@dataclass(frozen=True)
class EntryResult:
    diagnostics: tuple[Diagnostic, ...]
    output: tuple[str, OutputRecord] | None
    rendered: bool = False


EntryUsage = tuple[str, tuple[tuple[str, Mention | None], ...]]  # id, (bundle path, mention)


class PageRenderer:
    """Renders and writes entry and site pages, or reuses the previous build's."""

    def __init__(self, context: RenderContext) -> None:
        self.context = context
        self.cards = Cards(InlineMarkdown())
        self.writer = PageWriter(context.theme, context.target)
        self.bundles: dict[str, BundleSummary] = {b.path: b for b in context.site.bundles}

    def entry(self, entry_usage: EntryUsage) -> EntryResult:
        entry_id, uses = entry_usage
        output = f"glossary/{entry_id}/index.html"
        key = self.context.keys.entry(entry_id, uses)
        record = self.reuse(output, key)
        if record is not None:
            return EntryResult((), record)
        report = Report()
        context = self.context
        usage = [pages.Usage(self.bundles[path], mention) for path, mention in uses]
        view = pages.entry_page(context.site, entry_id, usage, context.index, self.cards)
        record = self.writer.page(output, "entry.html", view, report, key)
        return EntryResult(tuple(report.diagnostics), record, True)

    def reuse(self, output: str, key: str) -> tuple[str, OutputRecord] | None:
        """The previous build's record of a page made from the same inputs, left where it is."""
        record = self.context.previous.outputs.get(output)
        if record is None or not self.context.target.keeps(record, output, key):
            return None
        return output, record


def render_site_pages(renderer: PageRenderer, report: Report) -> list[tuple[str, OutputRecord]]:
    """The pages that show the whole site: front page, glossary, lists, feed and sitemap."""
    keys = renderer.context.keys
    written = []
    for output, page in pages.site_pages(renderer.context.site, renderer.cards).items():
        key = keys.site_page(output, page.inputs)
        record = renderer.reuse(output, key) or renderer.writer.page(
            output, page.template, page.make_view(), report, key
        )
        if record is not None:
            written.append(record)
    return written


def render_entries(
    context: RenderContext, results: dict[str, ArticleResult], progress: Progress
) -> tuple[list[EntryResult], PageRenderer]:
    """Reduce mentions into backlinks, then map over entries."""
    renderer = PageRenderer(context)
    usages = gather_usages(context.site, results)
    with _Runner(renderer, workers_for(len(usages))) as run:
        progress.stage("glossary entries", len(usages))
        entries = []
        for entry in run("entry", usages):
            entries.append(entry)
            progress.advance()
    progress.finish()
    return entries, renderer


def gather_usages(site: Site, results: dict[str, ArticleResult]) -> list[EntryUsage]:
    """For every entry, the articles that mention or list it, newest first."""
    mentions = {path: result.mentions for path, result in results.items()}
    usage = pages.gather_usage(list(site.bundles), mentions)
    return [
        (entry.id, tuple((u.bundle.path, u.mention) for u in usage.get(entry.id, [])))
        for entry in site.entries
    ]


class _Runner:
    """Runs a PageRenderer method over items: in worker processes, or in this one."""

    def __init__(self, renderer: PageRenderer, workers: int) -> None:
        self.renderer = renderer
        self.workers = workers
        self.pool: multiprocessing.pool.Pool | None = None

    def __enter__(self) -> Callable[[str, Iterable[Any]], Iterator[Any]]:
        if self.workers <= 1:
            return lambda method, items: map(getattr(self.renderer, method), items)
        # fork: workers inherit the frozen site and index without pickling them.
        start = multiprocessing.get_context("fork")
        self.pool = start.Pool(self.workers, _start_worker, (self.renderer.context,))
        return self._in_pool

    def _in_pool(self, method: str, items: Iterable[Any]) -> Iterator[Any]:
        assert self.pool is not None
        calls = ((method, item) for item in items)
        return iter(self.pool.imap(_call_in_worker, calls, chunksize=CHUNK))

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()


# The worker's renderer lives in a module variable of each worker process:
# a pool initializer has nowhere else to put it.
_worker_renderer: PageRenderer | None = None


def _start_worker(context: RenderContext) -> None:
    global _worker_renderer
    _worker_renderer = PageRenderer(context)


def _call_in_worker(call: tuple[str, Any]) -> Any:
    assert _worker_renderer is not None
    method, item = call
    return getattr(_worker_renderer, method)(item)
