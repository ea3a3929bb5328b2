"""Publishing: staging the output beside the last one, then making it the output
in one step, with the theme's static files and, where asked, the search index."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from pathlib import Path

from builder.build.options import BuildOptions
from builder.build.output import MARKER, Staging, link_or_copy, search_workspace
from builder.build.search import SEARCH_FOLDER, index_site
from builder.build.state import Run
from builder.content.model import SiteConfig
from builder.core.diagnostics import ContentError, Report
from builder.incremental.records import OutputRecord
from builder.site.templates import PageTarget, PageWriter
from builder.site.theme import static_files


@contextmanager
def staged(
    options: BuildOptions,
    out: Path,
    warm: bool,
    trusted: bool = False,
    seen: Mapping[str, tuple[int, int]] | None = None,
) -> Iterator[tuple[Staging | None, PageTarget]]:
    """The staging folder of a build that writes, discarded whatever happens; or none.
    `trusted`: the output is as this process's last build left it (builder.build.warm).
    `seen`: the output's files with their sizes and times, taken already."""
    if not options.write:
        yield None, PageTarget(options.site, None, out)
        return
    in_place = replaces_in_place(out, warm)
    staging = Staging(out, in_place)
    target = PageTarget(
        options.site,
        staging.folder,
        out,
        in_place,
        in_place and trusted,
        seen if in_place else None,
    )
    try:
        yield staging, target
    finally:
        staging.discard()


def replaces_in_place(out: Path, warm: bool) -> bool:
    """True when a build replaces only what changed in the output, in place: one
    with a last build (`warm`) into an output this builder made."""
    return warm and (out / MARKER).is_file()


def publish(
    run: Run, pages: list[tuple[str, OutputRecord]], common: str
) -> dict[str, OutputRecord]:
    """Stage the static files, then swap the staged site in: every output by path.
    Nothing for `check`, which writes nothing."""
    if run.staging is None:
        return {}
    outputs = dict(pages + _write_static(run, common))
    # A trusted output holds what the last build wrote and nothing else: no need to list it.
    # Views of the archive's paths, not copies of them.
    listing: AbstractSet[str] | None = run.previous.outputs.keys() if run.target.trusted else None
    if listing is None and run.target.seen is not None:  # listed already, before the build
        listing = run.target.seen.keys()
    _commit(run.staging, run.config, outputs.keys(), run.report, listing)
    return outputs


def _write_static(run: Run, common: str) -> list[tuple[str, OutputRecord]]:
    """The theme's static files, staged beside the pages."""
    files = static_files(run.sources.theme, run.report)
    if run.report.has_errors:
        raise ContentError(run.report)
    writer = PageWriter(run.templates.environment, run.target)
    return [writer.write(name, data, common) for name, data in files.items()]


def _commit(
    staging: Staging,
    config: SiteConfig,
    outputs: AbstractSet[str],
    report: Report,
    listing: AbstractSet[str] | None = None,
) -> None:
    """Index for search, then make the staged files the output: nothing in the
    output changes before the index is made. `listing`: the output's files, when
    known without listing the folder."""
    if not config.search:
        staging.commit(outputs, listing=listing)
    elif not staging.in_place:
        index_site(staging.folder, config.language, report)
        if report.has_errors:
            raise ContentError(report)
        staging.commit()
    else:  # the index needs every page where it will stand: index a view of the new site
        with search_workspace(staging.out) as (view, fresh):
            _link_new_site(staging, outputs, view)
            index_site(view, config.language, report, into=fresh)
            if report.has_errors:
                raise ContentError(report)
            staging.commit(outputs, keep_folder=SEARCH_FOLDER, folder=fresh, listing=listing)


def _link_new_site(staging: Staging, kept: AbstractSet[str], view: Path) -> None:
    """The pages of the new site in one folder, as links to the files: the reused
    ones where they stand in the output, the new ones where they are staged."""
    staged = staging.staged_files()
    sources = {relative: staging.out / relative for relative in kept}
    sources.update({relative: staging.folder / relative for relative in staged})
    for relative, source in sources.items():
        if relative.endswith(".html"):
            link_or_copy(source, view / relative)
