"""Rendering and writing every page, in worker processes on large sites.

A map over articles renders each body and its page, then a reduce gathers
their first mentions into backlinks in sorted order; a second map renders the
entry pages from those backlinks. Each worker builds its own Markdown parser
and template environment once; workers write their pages straight into the
staging folder, so no page travels back to the main process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder import pages
from builder.diagnostics import Diagnostic, Position, Report
from builder.index import GlossaryIndex
from builder.linking import Mention
from builder.markdown import InlineMarkdown, RenderedBody, body_parser, render_body
from builder.model import Bundle, Site
from builder.render import Theme, render_page, template_environment
from builder.views import root_of

# Below this many articles the cost of starting workers outweighs the gain.
PARALLEL_THRESHOLD = 200
CHUNK = 32


@dataclass(frozen=True)
class RenderContext:
    """Everything a worker needs, frozen before the workers start."""

    site: Site
    index: GlossaryIndex
    theme: Theme
    site_folder: Path
    staging: Path | None  # None when checking: render, write nothing


@dataclass(frozen=True)
class ArticleResult:
    path: str
    mentions: tuple[Mention, ...]
    diagnostics: tuple[Diagnostic, ...]


EntryUsage = tuple[str, tuple[tuple[str, Mention | None], ...]]  # id, (bundle path, mention)


class PageRenderer:
    """Renders and writes pages; one per process."""

    def __init__(self, context: RenderContext) -> None:
        self.context = context
        self.markdown = body_parser(context.index)
        self.inline = InlineMarkdown()
        self.templates = template_environment(context.theme)
        self.bundles: dict[str, Bundle] = {b.path: b for b in context.site.bundles}

    def article(self, path: str) -> ArticleResult:
        bundle = self.bundles[path]
        body = render_body(self.markdown, bundle, f"{root_of(path)}glossary/")
        report = Report()
        for problem in body.problems:
            report.error(Position(bundle.article_path, problem.line, problem.col), problem.message)
        if not body.problems:
            self._article_page(bundle, body, report)
        return ArticleResult(path, body.mentions, tuple(report.diagnostics))

    def _article_page(self, bundle: Bundle, body: RenderedBody, report: Report) -> None:
        context = self.context
        view = pages.article_page(context.site, bundle, body, context.index, self.inline)
        self.page(f"{bundle.path}/index.html", "article.html", view, report)

    def entry(self, entry_usage: EntryUsage) -> tuple[Diagnostic, ...]:
        entry_id, uses = entry_usage
        report = Report()
        context = self.context
        usage = [pages.Usage(self.bundles[path], mention) for path, mention in uses]
        view = pages.entry_page(context.site, entry_id, usage, context.index, self.inline)
        self.page(f"glossary/{entry_id}/index.html", "entry.html", view, report)
        return tuple(report.diagnostics)

    def page(self, output: str, template: str, view: object, report: Report) -> None:
        text = render_page(self.templates, template, view, report, self.context.site_folder)
        if text is not None and self.context.staging is not None:
            target = self.context.staging / output
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text.encode("utf-8"))


def worker_count(articles: int) -> int:
    if articles < PARALLEL_THRESHOLD:
        return 1
    return max(1, min(len(os.sched_getaffinity(0)), 8))


def render_articles_and_entries(
    context: RenderContext, workers: int
) -> tuple[dict[str, ArticleResult], list[Diagnostic], PageRenderer]:
    """Map over articles, reduce mentions into backlinks, map over entries."""
    renderer = PageRenderer(context)
    paths = sorted(b.path for b in context.site.bundles)
    with _Runner(renderer, workers) as run:
        results = {r.path: r for r in run("article", paths)}
        usages = gather_usages(context.site, results)
        diagnostics = [d for found in run("entry", usages) for d in found]
    return results, diagnostics, renderer


def gather_usages(site: Site, results: dict[str, ArticleResult]) -> list[EntryUsage]:
    """For every entry, the articles that mention or list it, newest first."""
    bodies = {path: RenderedBody(path, "", r.mentions, ()) for path, r in results.items()}
    usage = pages.gather_usage(list(site.bundles), bodies)
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
