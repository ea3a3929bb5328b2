"""What a build is asked to do, what it found before starting, and what it made."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import NamedTuple

from builder.build.progress import Progress, Silent
from builder.content.discover import SourceFiles
from builder.core.diagnostics import Report
from builder.incremental.records import OutputRecord, SourceSignatures
from builder.incremental.walked import PendingWalk
from builder.site.theme import Theme


@dataclass(frozen=True)
class BuildOptions:
    site: Path
    out: Path | None = None
    drafts: bool = False
    future: bool = False  # also publish the stories dated after the build's time
    write: bool = True  # False for `check`: validate and render, write nothing
    workers: int | None = None  # None: chosen by the size of the site
    clean: bool = False  # ignore what the previous build left in the cache
    strict: bool = False  # every warning is an error: nothing is written while one is left
    progress: Progress = field(default_factory=Silent)


class Scheduled(NamedTuple):
    """A story dated after the build's time."""

    article_path: str  # relative to the site folder, for messages
    goes_live: str  # ISO 8601, with its offset
    built: bool  # True when --future published it anyway


@dataclass(frozen=True)
class BuildResult:
    out: Path
    pages: int
    rendered: int  # pages rendered anew; the rest were reused from the previous build
    report: Report
    outputs: dict[str, OutputRecord] = field(default_factory=dict)  # what the output holds
    scheduled: tuple[Scheduled, ...] = ()  # by path
    # The first time after the build at which its output would differ with no edit:
    # a scheduled story goes live, or a story leaves the news sitemap.
    changes_at: datetime | None = None
    encoded: int = 0  # picture variants encoded, not found in the cache or the output


@dataclass(frozen=True)
class Sources:
    """The site's files and theme, each file with its signature, taken once per build."""

    files: SourceFiles
    signatures: SourceSignatures
    theme: Theme
    theme_digest: str
    fingerprint: str  # of all the above, the builder's version, the flags and today
    now: datetime  # the build's time, aware: what is scheduled and what is news
    bundles_sum: int = 0  # signatures_sum of the bundles' signatures, part of the fingerprint
    # The walk of content/ to keep once the build is through (builder.incremental.walked).
    walk: PendingWalk | None = None


def build_time() -> datetime:
    """Now, or the time SOURCE_DATE_EPOCH names, for reproducible builds; in UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC)


def build_date() -> date:
    """Today, or the day SOURCE_DATE_EPOCH names, for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC).date()
    return date.today()
