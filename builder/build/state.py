"""What the stages of one build share, and the site as the build assembled it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from builder.build.articles import ParsedBundle
from builder.build.options import BuildOptions, Sources
from builder.build.output import Staging
from builder.build.warm import Warm
from builder.content.glossary import GlossaryIndex
from builder.content.model import BundleSummary, ImageFile, Site, SiteConfig
from builder.core.diagnostics import Report
from builder.incremental.plan import (
    BundleRecord,
    Changes,
    Keys,
    LoadedGlossary,
    Previous,
    SitePageKeys,
)
from builder.incremental.records import Signature
from builder.incremental.spill import Spill
from builder.incremental.store import Store
from builder.site.listings import ListingMemo
from builder.site.templates import PageTarget, Templates


@dataclass(frozen=True)
class Run:
    """One build's settings and surroundings, set before the first stage.

    Every stage takes it; what a stage makes it returns, for the next ones.
    The report is mutable: stages add the problems they find. So is `warm`,
    a running builder's memory, which the build updates once it succeeded.
    """

    options: BuildOptions
    sources: Sources
    config: SiteConfig
    out: Path
    previous: Previous  # what the last build left; empty for a cold build
    store: Store | None  # None for `check`
    report: Report
    templates: Templates  # compiled before any worker starts: each inherits them
    staging: Staging | None  # None for `check`
    target: PageTarget
    warm: Warm | None = None  # None for a build in a process of its own
    spill: Spill | None = None  # rows put aside for the store; None: it keeps none
    # The archive's groupings and the site-wide pages' keys, which the build
    # starts from and updates: a running builder's, or the last build's.
    listings: ListingMemo = field(default_factory=ListingMemo)
    site_keys: SitePageKeys = field(default_factory=SitePageKeys)


@dataclass(frozen=True)
class Loaded:
    """The site as this build sees it, and how it differs from the last."""

    site: Site
    bundles: dict[str, BundleRecord]  # every bundle found, published or not
    parsed: dict[str, tuple[ParsedBundle, int]]  # parsed in this build, and by which shard
    index: GlossaryIndex
    changes: Changes
    keys: Keys
    related: dict[str, tuple[str, ...]]
    glossary: dict[str, LoadedGlossary]  # by file path
    scheduled: tuple[BundleSummary, ...]  # dated after the build's time, built or not
    held_back: frozenset[str]  # the paths of those left out: all of them, without --future
    media: dict[str, tuple[Signature, ImageFile]]  # the pictures under content/media/, read
