"""Building a site: first the question whether anything changed, then the pipeline.

A build with nothing to do finds it out from file signatures alone: it walks
content/, takes each file's signature and compares them with what the last
build recorded, without reading a source, parsing site.yaml or importing the
modules that parse, link and render (builder.build.pipeline), which cost more than
the whole answer.
"""

from __future__ import annotations

import gc
from datetime import datetime
from pathlib import Path

from builder import __version__
from builder.build.options import (
    BuildOptions,
    BuildResult,
    Scheduled,
    Sources,
    build_date,
    build_time,
)
from builder.content.discover import discover
from builder.core.diagnostics import ContentError, Position, Report
from builder.incremental.records import digest, source_signatures
from builder.incremental.uptodate import (
    Summary,
    output_times,
    outputs_intact,
    read_summary,
    summary_file,
    write_summary,
)
from builder.site.theme import theme_digest, theme_for


def build(options: BuildOptions) -> BuildResult:
    """Build the site; raise ContentError, with every problem, if the content has errors."""
    # A build makes millions of small objects and frees them by reference
    # counting; the cyclic collector would only rescan the growing heap, again
    # and again (a third of a warm rebuild's time on 5,000 stories).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build(options)
    finally:
        if collecting:
            gc.enable()


def _build(options: BuildOptions) -> BuildResult:
    report = Report(strict=options.strict)
    sources = look(options, report)
    file = summary_file(options.site, options.out)
    if options.write and not options.clean and not report.has_errors:
        unchanged = _unchanged(file, sources, options, report)
        if unchanged is not None and report.has_errors:  # --strict, and warnings were left
            raise ContentError(report)
        if unchanged is not None:
            return unchanged
    # Only now the stages that parse, link and render.
    from builder.build.pipeline import make

    result = make(options, sources, report)
    if options.write:
        warnings = tuple(
            (d.position.path, d.position.line, d.position.col, d.message) for d in report.sorted()
        )
        outputs = output_times(result.outputs)
        changes_at = result.changes_at.isoformat() if result.changes_at else None
        summary = Summary(
            sources.fingerprint,
            str(result.out),
            result.pages,
            outputs,
            warnings,
            changes_at,
            result.scheduled,
        )
        write_summary(file, summary)
    return result


def look(options: BuildOptions, report: Report) -> Sources:
    """Find the site's files and take their signatures."""
    files = discover(options.site, report)
    signatures = source_signatures(options.site, files)
    theme = theme_for(options.site)
    themed = theme_digest(theme)
    fingerprint = digest(
        __version__,
        themed,
        options.drafts,
        options.future,
        build_date(),
        signatures.site_yaml,
        sorted(signatures.glossary.items()),
        sorted(signatures.bundles.items()),
        signatures.authors,
        sorted(signatures.media.items()),
        signatures.tags,
    )
    return Sources(files, signatures, theme, themed, fingerprint, build_time())


def _unchanged(
    file: Path, sources: Sources, options: BuildOptions, report: Report
) -> BuildResult | None:
    """The last build's result, if it was made from the same inputs and its output is intact."""
    summary = read_summary(file)
    if summary is None or summary.inputs != sources.fingerprint:
        return None
    if summary.changes_at and sources.now >= datetime.fromisoformat(summary.changes_at):
        return None  # a scheduled story went live, or a story left the news sitemap
    out = Path(summary.out)
    if not outputs_intact(out, summary.outputs):
        return None
    for path, line, col, message in summary.warnings:
        report.warning(Position(path, line, col), message)
    scheduled = tuple(Scheduled(path, at, built) for path, at, built in summary.scheduled)
    return BuildResult(out, summary.pages, 0, report, scheduled=scheduled)
