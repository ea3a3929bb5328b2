"""What a build is asked to do, what it found before starting, and what it made."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from builder.build.progress import Progress, Silent
from builder.content.discover import SourceFiles
from builder.core.diagnostics import Report
from builder.incremental.records import OutputRecord, SourceSignatures
from builder.site.theme import Theme


@dataclass(frozen=True)
class BuildOptions:
    site: Path
    out: Path | None = None
    drafts: bool = False
    write: bool = True  # False for `check`: validate and render, write nothing
    workers: int | None = None  # None: chosen by the size of the site
    clean: bool = False  # ignore what the previous build left in the cache
    progress: Progress = field(default_factory=Silent)


@dataclass(frozen=True)
class BuildResult:
    out: Path
    pages: int
    rendered: int  # pages rendered anew; the rest were reused from the previous build
    report: Report
    outputs: dict[str, OutputRecord] = field(default_factory=dict)  # what the output holds
    encoded: int = 0  # picture variants encoded, not found in the cache or the output


@dataclass(frozen=True)
class Sources:
    """The site's files and theme, each file with its signature, taken once per build."""

    files: SourceFiles
    signatures: SourceSignatures
    theme: Theme
    theme_digest: str
    fingerprint: str  # of all the above, the builder's version, the drafts flag and today


def build_date() -> date:
    """Today, or the day SOURCE_DATE_EPOCH names, for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC).date()
    return date.today()
