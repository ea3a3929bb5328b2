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
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder import pages
from builder.diagnostics import Diagnostic, Position, Report
from builder.incremental import BuildCache, OutputRecord, digest, record_output, reusable
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
    previous: BuildCache  # what the last build made; read-only here
    old_output: Path  # where the last build's pages are
    common_key: str  # digest of what every page depends on: builder, templates, config


@dataclass(frozen=True)
class ArticleResult:
    path: str
    mentions: tuple[Mention, ...]
    diagnostics: tuple[Diagnostic, ...]
    body_key: str
    output: tuple[str, OutputRecord] | None  # the page written or reused


@dataclass(frozen=True)
class EntryResult:
    diagnostics: tuple[Diagnostic, ...]
    output: tuple[str, OutputRecord] | None


EntryUsage = tuple[str, tuple[tuple[str, Mention | None], ...]]  # id, (bundle path, mention)


class PageRenderer:
    """Renders and writes pages, or reuses the previous build's; one per process."""

    def __init__(self, context: RenderContext) -> None:
        self.context = context
        self.markdown = body_parser(context.index)
        self.inline = InlineMarkdown()
        self.templates = template_environment(context.theme)
        self.bundles: dict[str, Bundle] = {b.path: b for b in context.site.bundles}
        self.claims_key = digest(context.index.claims)
        self._digests: dict[str, str] = {}

    def article(self, path: str) -> ArticleResult:
        bundle = self.bundles[path]
        body_key = digest(self.bundle_digest(path), self.claims_key)
        cached = self.context.previous.articles.get(path)
        if cached is not None and cached.body_key == body_key:
            output = f"{path}/index.html"
            key = self.article_key(bundle, body_key, cached.mentions)
            record = self.reuse(output, key)
            if record is not None:
                return ArticleResult(path, cached.mentions, cached.diagnostics, body_key, record)
        return self._render_article(bundle, body_key)

    def _render_article(self, bundle: Bundle, body_key: str) -> ArticleResult:
        body = render_body(self.markdown, bundle, f"{root_of(bundle.path)}glossary/")
        report = Report()
        for problem in body.problems:
            report.error(Position(bundle.article_path, problem.line, problem.col), problem.message)
        record = None
        if not body.problems:
            context = self.context
            view = pages.article_page(context.site, bundle, body, context.index, self.inline)
            key = self.article_key(bundle, body_key, body.mentions)
            record = self.page(f"{bundle.path}/index.html", "article.html", view, report, key)
        diagnostics = tuple(report.diagnostics)
        return ArticleResult(bundle.path, body.mentions, diagnostics, body_key, record)

    def entry(self, entry_usage: EntryUsage) -> EntryResult:
        entry_id, uses = entry_usage
        output = f"glossary/{entry_id}/index.html"
        key = digest(
            self.context.common_key,
            self.entry_digest(entry_id),
            [(path, self.bundle_digest(path), mention) for path, mention in uses],
        )
        record = self.reuse(output, key)
        if record is not None:
            return EntryResult((), record)
        report = Report()
        context = self.context
        usage = [pages.Usage(self.bundles[path], mention) for path, mention in uses]
        view = pages.entry_page(context.site, entry_id, usage, context.index, self.inline)
        record = self.page(output, "entry.html", view, report, key)
        return EntryResult(tuple(report.diagnostics), record)

    def article_key(self, bundle: Bundle, body_key: str, mentions: tuple[Mention, ...]) -> str:
        # Everything an article page shows: its own bundle (through the body key)
        # and every entry it lists or links. Add here whatever the page comes to show.
        shown = sorted(bundle.listed_ids() | {m.entry_id for m in mentions})
        return digest(
            self.context.common_key,
            body_key,
            [(entry_id, self.entry_digest(entry_id)) for entry_id in shown],
        )

    def bundle_digest(self, path: str) -> str:
        key = f"bundle:{path}"
        if key not in self._digests:
            self._digests[key] = digest(self.bundles[path])
        return self._digests[key]

    def entry_digest(self, entry_id: str) -> str:
        key = f"entry:{entry_id}"
        if key not in self._digests:
            entries = self.context.index.entries
            self._digests[key] = digest(entries.get(entry_id))
        return self._digests[key]

    def reuse(self, output: str, key: str) -> tuple[str, OutputRecord] | None:
        """Link the previous build's page into staging if it was made from the same inputs."""
        context = self.context
        old_file = context.old_output / output
        if not reusable(context.previous.outputs.get(output), key, old_file):
            return None
        if context.staging is not None:
            target = context.staging / output
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(old_file, target)
            except OSError:
                shutil.copy2(old_file, target)
            return output, record_output(target, key)
        return output, context.previous.outputs[output]

    def page(
        self, output: str, template: str, view: object, report: Report, key: str = ""
    ) -> tuple[str, OutputRecord] | None:
        text = render_page(self.templates, template, view, report, self.context.site_folder)
        if text is None or self.context.staging is None:
            return None
        target = self.context.staging / output
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))
        return output, record_output(target, key)


def worker_count(articles: int) -> int:
    if articles < PARALLEL_THRESHOLD:
        return 1
    return max(1, min(len(os.sched_getaffinity(0)), 8))


def render_articles_and_entries(
    context: RenderContext, workers: int
) -> tuple[dict[str, ArticleResult], list[EntryResult], PageRenderer]:
    """Map over articles, reduce mentions into backlinks, map over entries."""
    renderer = PageRenderer(context)
    paths = sorted(b.path for b in context.site.bundles)
    with _Runner(renderer, workers) as run:
        results = {r.path: r for r in run("article", paths)}
        usages = gather_usages(context.site, results)
        entries = list(run("entry", usages))
    return results, entries, renderer


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
