"""Building a site: first the question whether anything changed, then the pipeline.

A build with nothing to do finds it out from file signatures alone: it walks
content/, takes each file's signature and compares them with what the last
build recorded, without reading a source, parsing site.yaml or importing the
modules that parse, link and render (builder.build.pipeline), which cost more than
the whole answer.

On a large site a rebuild asks that question in a forked child, while this
process reads the last build's store and lists its output, which an edit
needs and which take about as long: each on a core of its own.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from builder import __version__
from builder.build.options import (
    BuildOptions,
    BuildResult,
    Scheduled,
    Sources,
    build_date,
    build_time,
)
from builder.build.workers import Background, Parts, Turn
from builder.content.discover import SourceFiles
from builder.core.diagnostics import ContentError, Diagnostic, Position, Report
from builder.incremental.records import (
    SourceSignatures,
    digest,
    signatures_sum,
    source_signatures,
)
from builder.incremental.uptodate import (
    CACHE_FOLDER,
    Summary,
    output_times,
    outputs_intact,
    read_summary,
    summary_file,
    write_summary,
)
from builder.incremental.walked import source_files
from builder.site.theme import theme_digest, theme_for

if TYPE_CHECKING:  # imported only once a build needs them: they import most of the builder
    from builder.build.pipeline import LastBuild, OutputSeen
    from builder.build.warm import Warm


def build(options: BuildOptions, warm: Warm | None = None) -> BuildResult:
    """Build the site; raise ContentError, with every problem, if the content has errors.

    `warm`: what a builder that stays running kept of its last build, and
    the files changed since; the build updates it."""
    # A build makes millions of small objects and frees them by reference
    # counting; the cyclic collector would only rescan the growing heap, again
    # and again (a third of a warm rebuild's time on 5,000 stories).
    if warm is not None:
        warm.settle()  # the last build's store and summary are written
    collecting = gc.isenabled()
    gc.disable()
    try:
        result = _build(options, warm)
    finally:
        if collecting:
            gc.enable()
    if warm is not None:
        warm.start_after()
    return result


def _build(options: BuildOptions, warm: Warm | None) -> BuildResult:
    report = Report(strict=options.strict)
    file = summary_file(options.site, options.out)
    read: LastBuild | None = None
    if warm is not None:
        sources, unchanged = _first_look_warm(options, warm, file, report)
    elif _worth_reading_beside(options):
        sources, unchanged, read = _first_look_beside_the_store(options, file, report)
    elif options.clean and options.write and _PIPELINE not in sys.modules and hasattr(os, "fork"):
        sources, unchanged = _look_beside_the_imports(options, report), None
    else:
        sources, unchanged = _first_look(options, file, report)
    result = _rest(options, sources, unchanged, report, warm, read, file)
    if sources is not None and sources.walk is not None:  # once through, as the summary
        sources.walk.keep()
    return result


def _rest(
    options: BuildOptions,
    sources: Sources | None,
    unchanged: BuildResult | None,
    report: Report,
    warm: Warm | None,
    read: LastBuild | None,
    file: Path,
) -> BuildResult:
    """The build after the first look: its answer, or the pipeline's, and the summary."""
    if unchanged is not None and report.has_errors:  # --strict, and warnings were left
        raise ContentError(report)
    if unchanged is not None:
        return unchanged
    assert sources is not None  # only a build with nothing to do goes without
    # Only now the stages that parse, link and render.
    from builder.build.pipeline import make

    result = make(options, sources, report, warm, read)
    if options.write:
        warnings = tuple(
            (d.position.path, d.position.line, d.position.col, d.message) for d in report.sorted()
        )
        changes_at = result.changes_at.isoformat() if result.changes_at else None
        summary = partial(_summary, sources.fingerprint, result, warnings, changes_at)
        if warm is not None:  # written once the edit is live, as the store is
            warm.after(lambda: write_summary(file, summary()))
        else:
            write_summary(file, summary())
    return result


def _summary(
    inputs: str,
    result: BuildResult,
    warnings: tuple[tuple[str, int, int, str], ...],
    changes_at: str | None,
) -> Summary:
    """What the next build in a new process checks first: each output's size and
    time are gathered from the result's records (63,000 at 50,000 stories)."""
    return Summary(
        inputs,
        str(result.out),
        result.pages,
        output_times(result.outputs),
        warnings,
        changes_at,
        result.scheduled,
    )


def _first_look(
    options: BuildOptions, file: Path, report: Report
) -> tuple[Sources | None, BuildResult | None]:
    """The sources, and the last build's result if it was made from the same ones."""
    sources = look(options, report)
    if options.write and not options.clean and not report.has_errors:
        return sources, _unchanged(read_summary(file), sources, report)
    return sources, None


_PIPELINE = "builder.build.pipeline"  # imported only by a build that renders


def _look_beside_the_imports(options: BuildOptions, report: Report) -> Sources:
    """A cold build's look, in a forked child while this process imports the
    pipeline: at 5,000 stories each takes about a quarter of a second, and
    neither needs the other. Should the child fail, the look is made here."""
    child = Background(partial(_look_alone, options))
    try:
        import builder.build.pipeline  # noqa: F401 (imported now, while the child looks)

        found = child.result()
    finally:
        child.cancel()
    if found is None:
        return look(options, report)
    sources, diagnostics = found
    report.diagnostics.extend(diagnostics)  # made by a report as strict as this one
    return sources


def _look_alone(options: BuildOptions) -> tuple[Sources, list[Diagnostic]]:
    report = Report(strict=options.strict)
    return look(options, report), report.diagnostics


def _first_look_warm(
    options: BuildOptions, warm: Warm, file: Path, report: Report
) -> tuple[Sources | None, BuildResult | None]:
    """As `_first_look`, from a running builder's memory. Its first build goes
    through the pipeline even with nothing changed: it leaves the records in
    memory, so the first edit does not read the whole store. After that, it
    knows when a file changed since its last look, and need not read the
    summary (all the outputs) to learn it."""
    seen = warm.sources.fingerprint if warm.sources is not None else None
    sources = _look_warm(options, warm, report)
    starting = warm.previous is None
    moved = seen is not None and sources.fingerprint != seen
    if options.write and not options.clean and not report.has_errors and not starting and not moved:
        return sources, _unchanged(read_summary(file), sources, report)
    return sources, None


# A store this large (about a thousand stories) takes longer to read than a
# process takes to start: reading it beside the look at the sources pays for an
# edit (0.17 s at 5,000 stories, 1.6 s at 50,000). With nothing changed it is
# read in vain: 0.12 s more at 5,000 stories, 0.13 s at 50,000.
READ_BESIDE_FROM_BYTES = 16 << 20


def _worth_reading_beside(options: BuildOptions) -> bool:
    """True for a rebuild of a large site, on a system that forks."""
    if not options.write or options.clean or not hasattr(os, "fork"):
        return False
    try:
        with os.scandir(options.site / CACHE_FOLDER) as entries:
            stores = [e.stat().st_size for e in entries if e.name.endswith(".sqlite")]
    except OSError:
        return False
    return max(stores, default=0) >= READ_BESIDE_FROM_BYTES


# The output's listing is cut in this many parts, which the two processes of a
# rebuild share (`_list_share`): at 5,000 stories some 400 story folders each.
OUTPUT_PARTS = 16


def _first_look_beside_the_store(
    options: BuildOptions, file: Path, report: Report
) -> tuple[Sources | None, BuildResult | None, LastBuild | None]:
    """As `_first_look`, in a forked child, while this process reads the last
    build's store: at 50,000 stories each takes over a second, on a core of its
    own. Both are wasted when nothing changed. Should the child fail, the look
    is made here, where its error can be reported.

    An edit also needs the output's files, each with its size and time. Both
    processes list them, part by part, each taking the next part left once it is
    free: on a mid-sized site the two are free within milliseconds of each other,
    on a large one this process first. Where the child says that nothing changed
    before this process has read the store, the reading stops there."""
    listing, parts = Turn(), Parts(OUTPUT_PARTS)
    child = Background(partial(_look_apart, options, file, listing, parts))
    try:
        from builder.build.pipeline import last_build

        read = last_build(
            options, partial(_list_share, listing, parts), partial(_nothing_changed, child)
        )
        # Listed here whole, the output is checked here too: its summary is read
        # while the child is still at work.
        listed_here = read is not None and read.output is not None and not read.unlisted
        summary = read_summary(file) if listed_here and not child.done() else None
        found = child.result()
    finally:
        child.cancel()
        listing.close()
        parts.close()
    if found is None:
        return (*_first_look(options, file, report), read and read.listed(None))
    sources, unchanged, diagnostics, seen, unchecked = found
    if unchecked and not _listed_intact(read, summary or read_summary(file)):
        # An output page changed since the last build, and the child, which found
        # the sources unchanged (and kept its walk), did not send them: they are
        # found here.
        return (*_first_look(options, file, report), read and read.listed(None))
    report.diagnostics.extend(diagnostics)  # made by a report as strict as this one
    if unchanged is not None:
        return None, replace(unchanged, report=report), None
    return sources, None, read and read.listed(seen)


def _list_share(listing: Turn, parts: Parts, out: Path) -> tuple[dict[str, tuple[int, int]], bool]:
    """This process's share of the output's listing, and whether it is the whole.
    Taking the turn first tells the child that this process lists, so that it
    leaves the check of an unchanged output to it: then the child lists nothing,
    and this process takes every part."""
    from builder.build.output import files_seen_in_parts

    listing.mine()
    files, taken = files_seen_in_parts(out, parts.take, parts.count)
    return files, taken == parts.count


def _listed_intact(read: LastBuild | None, summary: Summary | None) -> bool:
    """Whether every page the summary records is in the output as listed, with the
    size and time it was written with."""
    if read is None or read.output is None or read.out is None or summary is None:
        return False
    if read.unlisted:  # this process listed only part of it
        return False
    if os.fspath(read.out) != summary.out:
        return False
    listed = read.output
    return all(listed.get(path) == (size, mtime) for path, (size, mtime) in summary.outputs.items())


def _nothing_changed(child: Background[LookedApart]) -> bool:
    """Whether the child has answered already, and that nothing changed. Does not wait."""
    if not child.done():
        return False
    found = child.result()
    return found is not None and found[1] is not None


# What the child sends back: the sources (None when nothing changed), the last
# build's result (when nothing changed), its problems, the output's files it
# listed (when something changed: the parts this process had not taken), and
# whether the output is still to be checked (when this process took the turn:
# it lists the output, and checks it against the summary, while the child
# walks on).
LookedApart = tuple[Sources | None, BuildResult | None, list[Diagnostic], "OutputSeen | None", bool]


def _look_apart(options: BuildOptions, file: Path, listing: Turn, parts: Parts) -> LookedApart:
    """`_first_look` as the child sends it back: the sources only when needed, with
    the parts of the output's listing the main process left. With nothing changed,
    the output is checked here if this process takes the turn, else left to the
    main process to check."""
    report = Report(strict=options.strict)
    sources = look(options, report)
    summary = None
    if options.write and not options.clean and not report.has_errors:
        summary = read_summary(file)

        def intact(summary: Summary) -> bool:
            return outputs_intact(Path(summary.out), summary.outputs) if listing.mine() else True

        unchanged = _unchanged(summary, sources, report, intact)
        if unchanged is not None:
            if sources.walk is not None:  # the build ends with this answer
                sources.walk.keep()
            return None, unchanged, report.diagnostics, None, not listing.mine()
    seen = _output_seen(options, summary or read_summary(file), parts)
    return sources, None, report.diagnostics, seen, False


def _output_seen(options: BuildOptions, summary: Summary | None, parts: Parts) -> OutputSeen | None:
    """The last build's output folder, and the files, each with its size and time,
    of the parts of it this process takes."""
    from builder.build.output import files_seen_in_parts

    if options.out is not None:
        out = options.out
    elif summary is not None:  # site.yaml's folder, as the last build found it
        out = Path(summary.out)  # the caller compares
    else:
        return None
    try:
        return os.fspath(out), files_seen_in_parts(out, parts.take, parts.count)[0]
    except OSError:  # no output: the caller, which knows better, looks itself
        return None


def look(options: BuildOptions, report: Report) -> Sources:
    """Find the site's files and take their signatures. The files are the last
    walk's while no folder changed (builder.incremental.walked), except for a
    clean build, which walks the site whatever was kept."""
    files, walk = source_files(options.site, report, reuse=not options.clean, keep=options.write)
    signatures = source_signatures(options.site, files)
    sources = _with_theme(options, files, signatures, signatures_sum(signatures.bundles))
    return replace(sources, walk=walk) if walk is not None else sources


def _look_warm(options: BuildOptions, warm: Warm, report: Report) -> Sources:
    """The sources, from the last build's and the files changed since when the
    watcher could name them all; else found anew. Kept for the next build when
    finding them raised no problem, which a build reusing them could not repeat."""
    from builder.build.warm import sign_again

    changed = warm.changes.take()
    found = None
    if warm.sources is not None and changed is not None:
        seen = Report()  # kept only if used: a walk after it would say the same again
        folders = warm.bundle_folders(warm.sources)
        signed = sign_again(options.site, warm.sources, sorted(changed), folders, seen)
        if signed is not None:
            report.extend(seen.diagnostics)
            found = _with_theme(options, signed.files, signed.signatures, signed.bundles_sum)
    if found is None:
        found = look(options, report)
        warm.folders = None
    warm.sources = None if report.diagnostics else found
    return found


def _with_theme(
    options: BuildOptions, files: SourceFiles, signatures: SourceSignatures, bundles_sum: int
) -> Sources:
    """The sources with the theme, the fingerprint of it all and the build's time."""
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
        bundles_sum,
        signatures.authors,
        sorted(signatures.media.items()),
        signatures.tags,
    )
    return Sources(files, signatures, theme, themed, fingerprint, build_time(), bundles_sum)


def _unchanged(
    summary: Summary | None,
    sources: Sources,
    report: Report,
    intact: Callable[[Summary], bool] | None = None,
) -> BuildResult | None:
    """The last build's result, if the summary says it was made from the same
    inputs and its output is intact (`intact`: another way to tell)."""
    if summary is None or summary.inputs != sources.fingerprint:
        return None
    if summary.changes_at and sources.now >= datetime.fromisoformat(summary.changes_at):
        return None  # a scheduled story went live, or a story left the news sitemap
    out = Path(summary.out)
    if not (intact(summary) if intact else outputs_intact(out, summary.outputs)):
        return None
    for path, line, col, message in summary.warnings:
        report.warning(Position(path, line, col), message)
    scheduled = tuple(Scheduled(path, at, built) for path, at, built in summary.scheduled)
    return BuildResult(out, summary.pages, 0, report, scheduled=scheduled)
