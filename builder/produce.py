"""Rendering and writing every page, in worker processes on large sites.

A map over articles renders each body and its page, then a reduce gathers
their first mentions into backlinks in sorted order; a second map renders the
entry pages from those backlinks. Each worker builds its own Markdown parser
and template environment once; workers write their pages straight into the
staging folder, so no page travels back to the main process.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder import pages
from builder.diagnostics import Diagnostic, Position, Report
from builder.incremental import (
    BuildCache,
    Keys,
    OutputRecord,
    RenderedArticle,
    record_output,
    reusable,
)
from builder.index import GlossaryIndex
from builder.linking import Mention
from builder.markdown import InlineMarkdown, body_parser, render_body
from builder.model import Bundle, Site
from builder.parallel import workers_for
from builder.progress import Progress
from builder.render import Theme, render_page, template_environment
from builder.views import root_of

CHUNK = 32


@dataclass(frozen=True)
class RenderContext:
    """Everything a worker needs, frozen before the workers start."""

    site: Site
    index: GlossaryIndex
    theme: Theme
    site_folder: Path
    staging: Path | None  # None when checking: render, write nothing
    previous: BuildCache  # what the last build made; read-only here
    old_output: Path  # where the last build's pages are
    keys: Keys
    related: dict[str, tuple[str, ...]]  # article path -> related article paths
    in_place: bool = False  # staging holds only what changed; the rest stays in old_output


@dataclass(frozen=True)
class ArticleResult:
    path: str
    mentions: tuple[Mention, ...]
    diagnostics: tuple[Diagnostic, ...]
    body_key: str
    output: tuple[str, OutputRecord] | None  # the page written or reused
    rendered: bool = False  # False when the previous build's page was reused


@dataclass(frozen=True)
class EntryResult:
    diagnostics: tuple[Diagnostic, ...]
    output: tuple[str, OutputRecord] | None
    rendered: bool = False


EntryUsage = tuple[str, tuple[tuple[str, Mention | None], ...]]  # id, (bundle path, mention)


class PageRenderer:
    """Renders and writes pages, or reuses the previous build's; one per process."""

    def __init__(self, context: RenderContext) -> None:
        self.context = context
        self.markdown = body_parser(context.index)
        self.inline = InlineMarkdown()
        self.templates = template_environment(context.theme)
        self.bundles: dict[str, Bundle] = {b.path: b for b in context.site.bundles}

    def cached_article(self, path: str) -> tuple[RenderedArticle, str] | None:
        """The last build's result for an unchanged body, with the page's key now."""
        keys = self.context.keys
        cached = self.context.previous.articles.get(path)
        if cached is None or cached.body_key != keys.body(path):
            return None
        related = self.context.related.get(path, ())
        return cached, keys.article(self.bundles[path], cached.body_key, cached.mentions, related)

    def article(self, path: str) -> ArticleResult:
        found = self.cached_article(path)
        if found is not None:  # the body is unchanged: perhaps the whole page is
            cached, key = found
            record = self.reuse(f"{path}/index.html", key)
            if record is not None:
                return ArticleResult(
                    path, cached.mentions, cached.diagnostics, cached.body_key, record
                )
        return self._render_article(self.bundles[path])

    def _render_article(self, bundle: Bundle) -> ArticleResult:
        body_key = self.context.keys.body(bundle.path)
        body = render_body(self.markdown, bundle, f"{root_of(bundle.path)}glossary/")
        report = Report()
        for problem in body.problems:
            report.error(Position(bundle.article_path, problem.line, problem.col), problem.message)
        record = None
        if not body.problems:
            context = self.context
            related = context.related.get(bundle.path, ())
            view = pages.article_page(
                context.site,
                bundle,
                body,
                context.index,
                self.inline,
                tuple(self.bundles[path] for path in related),
            )
            key = context.keys.article(bundle, body_key, body.mentions, related)
            record = self.page(f"{bundle.path}/index.html", "article.html", view, report, key)
        diagnostics = tuple(report.diagnostics)
        return ArticleResult(bundle.path, body.mentions, diagnostics, body_key, record, True)

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
        view = pages.entry_page(context.site, entry_id, usage, context.index, self.inline)
        record = self.page(output, "entry.html", view, report, key)
        return EntryResult(tuple(report.diagnostics), record, True)

    def is_current(self, output: str, key: str) -> bool:
        context = self.context
        previous = context.previous.outputs.get(output)
        return reusable(previous, key, context.old_output / output)

    def reuse(self, output: str, key: str) -> tuple[str, OutputRecord] | None:
        """The previous build's record of a page made from the same inputs, left where it is.

        Only a build that commits in place can reuse: one that stages the whole
        site has no previous output beside it (a cold build) and renders it all.
        """
        context = self.context
        if context.staging is not None and not context.in_place:
            return None
        if not self.is_current(output, key):
            return None
        return output, context.previous.outputs[output]

    def page(
        self, output: str, template: str, view: object, report: Report, key: str = ""
    ) -> tuple[str, OutputRecord] | None:
        text = render_page(self.templates, template, view, report, self.context.site_folder)
        if text is None or self.context.staging is None:
            return None
        return self.write(output, text.encode("utf-8"), key)

    def write(self, output: str, data: bytes, key: str) -> tuple[str, OutputRecord]:
        """Stage a file, or, in place, keep the old one where its bytes are the same."""
        context = self.context
        assert context.staging is not None
        if context.in_place:
            old_file = context.old_output / output
            if old_file.is_file() and old_file.read_bytes() == data:
                return output, record_output(old_file, key)
        target = context.staging / output
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return output, record_output(target, key)


def render_site_pages(renderer: PageRenderer, report: Report) -> list[tuple[str, OutputRecord]]:
    """The pages that show the whole site: front page, glossary, lists, feed and sitemap."""
    keys = renderer.context.keys
    written = []
    for output, page in pages.site_pages(renderer.context.site, renderer.inline).items():
        key = keys.site_page(output, page.inputs)
        record = renderer.reuse(output, key) or renderer.page(
            output, page.template, page.make_view(), report, key
        )
        if record is not None:
            written.append(record)
    return written


def worker_count(context: RenderContext) -> int:
    """One process when few articles need rendering; otherwise one per core, up to eight."""
    keys, previous = context.keys, context.previous.articles
    stale = sum(
        1
        for path in keys.bundles
        if path not in previous or previous[path].body_key != keys.body(path)
    )
    return workers_for(stale)


def render_articles_and_entries(
    context: RenderContext, workers: int, progress: Progress
) -> tuple[dict[str, ArticleResult], list[EntryResult], PageRenderer]:
    """Map over articles, reduce mentions into backlinks, map over entries."""
    renderer = PageRenderer(context)
    paths = sorted(b.path for b in context.site.bundles)
    with _Runner(renderer, workers) as run:
        progress.stage("articles", len(paths))
        results: dict[str, ArticleResult] = {}
        for result in run("article", paths):
            results[result.path] = result
            progress.advance()
        usages = gather_usages(context.site, results)
        progress.stage("glossary entries", len(usages))
        entries = []
        for entry in run("entry", usages):
            entries.append(entry)
            progress.advance()
    progress.finish()
    return results, entries, renderer


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
