"""Checking drafts: in every build, as fully as `--drafts` would, without ever
stopping the rest of the site.

Without `--drafts` a draft is not published, so nothing wrong with it may hold
up the stories that are: each problem it has, or causes in another file (its
inline entry's id clashing with the glossary's), is reported as a warning that
starts with "(draft)". The draft is checked against the site as `--drafts`
would publish it: the glossary with every draft's inline entries, and the
pages of every draft. A bundle whose front matter cannot be read is no draft,
as nothing says it is one: its problems stay errors. With `--drafts` drafts are
published, and checked as every story is.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from markdown_it import MarkdownIt

from builder.build.links import report_link_problems, site_targets
from builder.build.options import build_date
from builder.build.state import Loaded, Run
from builder.content import checks
from builder.content.discover import BundleFiles
from builder.content.glossary import GlossaryIndex, build_index, check_references
from builder.content.load import load_bundle
from builder.content.model import Site
from builder.core.diagnostics import Diagnostic, Position, Report, Severity, SiteLink
from builder.incremental.plan import BundleRecord
from builder.text.markdown import body_parser, render_body
from builder.text.site_links import LinkTargets, root_of

DRAFT = "(draft) "  # how a draft's problem starts, reported as a warning


def check_drafts(run: Run, loaded: Loaded) -> None:
    """Without --drafts: every problem of every draft, reported as a draft warning."""
    drafts = dict(sorted((path, r) for path, r in loaded.bundles.items() if r.draft))
    if run.options.drafts or not drafts:
        return
    found = Report()
    for record in drafts.values():
        found.extend(record.diagnostics)
    site, index = _site_with_drafts(run, loaded, drafts, found)
    check = DraftCheck(
        index, body_parser(index.link_table()), site_targets(site, run.sources.theme)
    )
    files = {bundle.path: bundle for bundle in run.sources.files.bundles}
    for path, record in drafts.items():
        _check_draft(run, files[path], record, check, found)
    run.report.extend(_as_draft_warning(d) for d in found.diagnostics)


def _site_with_drafts(
    run: Run, loaded: Loaded, drafts: dict[str, BundleRecord], found: Report
) -> tuple[Site, GlossaryIndex]:
    """The site as --drafts would publish it; what only the drafts cause goes into `found`."""
    summaries = [*loaded.site.bundles, *(r.summary for r in drafts.values() if r.summary)]
    definitions = [entry for glossary in loaded.glossary.values() for entry in glossary.entries]
    never_link = tuple(
        phrase for glossary in loaded.glossary.values() for phrase in glossary.never_link
    )
    merged = Report()
    index = build_index(definitions, summaries, merged, never_link)
    published = {(d.position, d.message) for d in run.report.diagnostics}
    found.extend(d for d in merged.diagnostics if (d.position, d.message) not in published)
    added = tuple(e for i, e in index.entries.items() if i not in loaded.index.entries)
    checks.check_entries(Site(run.config, added, ()), build_date(), found)
    bundles = tuple(sorted(summaries, key=lambda summary: summary.path))
    site = Site(run.config, tuple(index.entries.values()), bundles)
    return site, index


@dataclass(frozen=True)
class DraftCheck:
    """The site as --drafts would publish it, as far as checking a story needs."""

    index: GlossaryIndex
    parser: MarkdownIt  # of bodies, linking the index's names
    targets: LinkTargets


def _check_draft(
    run: Run, files: BundleFiles, record: BundleRecord, check: DraftCheck, found: Report
) -> None:
    """What the build checks of a published story across files: ids, its body's
    links and marks, the entries it lists, its links into the site."""
    bundle = load_bundle(run.options.site, files, run.config, Report())  # problems: in record
    if bundle is None:
        return  # it changed into something unreadable since it was parsed
    check_references(bundle.details(), check.index, found)
    href = f"{root_of(bundle.path)}glossary/"
    body = render_body(check.parser, bundle.body_text(), href)
    for problem in body.problems:
        where = Position(bundle.article_path, problem.line, problem.col)
        (found.warning if problem.warning else found.error)(where, problem.message)
    checks.check_unmentioned(bundle, {m.entry_id for m in body.mentions}, check.index, found)
    links = [
        SiteLink(Position(bundle.article_path, line, col), url)
        for line, col, url in body.site_links
    ]
    report_link_problems([*record.links, *links], check.targets, found)


def _as_draft_warning(diagnostic: Diagnostic) -> Diagnostic:
    return replace(diagnostic, severity=Severity.WARNING, message=DRAFT + diagnostic.message)
