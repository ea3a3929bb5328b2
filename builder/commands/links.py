"""`links SECTION/SLUG`: every place a glossary name stands in one story, and why it
was linked or not.

A reader asks why a name goes to the wrong Kim; the editor runs this and reads,
in order, each candidate mention: linked (to which entry, by which rule) or not
(and why: not the first mention, inside a heading, a short form with no full
name before it, part of a longer name, a currency, marked nolink, ambiguous).
It reads the site as a build does (every bundle, for the entries defined
inline), and writes nothing.
"""

from __future__ import annotations

from pathlib import Path

from builder.content.discover import BundleFiles, discover
from builder.content.glossary import GlossaryIndex, build_index
from builder.content.load import load_bundle, load_config, load_glossary_folder_file
from builder.content.model import Bundle, SiteConfig
from builder.core.diagnostics import ContentError, Report, UsageError, did_you_mean
from builder.site.views import root_of
from builder.text.linking import Explained
from builder.text.markdown import body_parser, render_body


def explain_links(site: Path, story: str) -> list[str]:
    """One line per candidate mention of the story at content/STORY/, in order."""
    report = Report()
    config = load_config(site, report)
    files = discover(site, report)
    if config is None or report.has_errors:
        raise ContentError(report)
    wanted = story.strip("/")
    target = next((files for files in files.bundles if files.path == wanted), None)
    if target is None:
        hint = did_you_mean(wanted, [bundle.path for bundle in files.bundles])
        raise UsageError(f"no story at content/{wanted}/" + hint)
    bundle = load_bundle(site, target, config, report)
    if bundle is None:
        raise ContentError(report)
    index = _index(site, files.glossary, files.bundles, config)
    parser = body_parser(index.link_table())
    href = f"{root_of(bundle.path)}glossary/"
    rendered = render_body(parser, bundle.body_text(), href, explain=True)
    ordered = sorted(rendered.decisions, key=lambda found: (found.line, found.col))
    return [_line(bundle, found) for found in ordered]


def _index(
    site: Path, glossary: tuple[Path, ...], bundles: tuple[BundleFiles, ...], config: SiteConfig
) -> GlossaryIndex:
    """The site's glossary index, as the build makes it: glossary files, never_link,
    and the entries published stories define inline."""
    quiet = Report()  # the build reports these files' problems; this command explains links
    entries, never_link = [], []
    for file in glossary:
        found, phrases = load_glossary_folder_file(site, file, config, quiet)
        entries.extend(found)
        never_link.extend(phrases)
    loaded = (load_bundle(site, files, config, quiet) for files in bundles)
    summaries = [item.summary() for item in loaded if item is not None and not item.front.draft]
    return build_index(entries, summaries, quiet, tuple(never_link))


def _line(bundle: Bundle, found: Explained) -> str:
    decision = found.decision
    where = f"{bundle.article_path}:{found.line}:{found.col}"
    if decision.linked:
        return f"{where}: linked '{decision.text}' to {decision.entry_id}: {decision.reason}"
    entry = f" ({decision.entry_id})" if decision.entry_id else ""
    return f"{where}: not linked '{decision.text}'{entry}: {decision.reason}"
