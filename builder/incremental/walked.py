"""The last walk of content/, kept so that a rebuild need not walk it again.

Walking content/ lists every folder: at 50,000 stories that is 50,000
folders and a second of every rebuild, though an edit seldom adds, removes
or renames a file. A folder's own times change whenever a name in it is
added, removed or renamed; so when every folder the last walk listed has the
times, inode and device it had then (a stat each, a tenth of the walk), the
site holds the files that walk found, and their own signatures
(builder.incremental.records) tell which of them changed. Where only
stories' folders changed (an editor that saves by writing a new file and
renaming it over the old changes its folder), only those are listed again.

A folder changed shortly before it was listed is kept as unknown, to be
listed again next time: a second change within the same tick of the file
system's clock would leave its times as they were. A walk that reported a
problem is not kept, so that the next reports it again. Like the rest of
the cache, the file is signed with this user's key, as loading a pickle runs
code.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import time
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from builder import __version__
from builder.content.discover import (
    FolderStat,
    SourceFiles,
    discover,
    folder_stat,
    rescan_bundle,
)
from builder.core.diagnostics import Report
from builder.incremental.signing import cache_key, signed, verified

WALK_FILE = Path(".cache") / "explainer" / "walk.pickle"
WALK_FORMAT = 2
# A folder whose times are this recent when it is listed is listed again next
# time: a file system's clock ticks in milliseconds to seconds.
RECENT_NS = 2 * 10**9
STAT_NUMBERS = 4  # of each folder: modification and change times, inode, device
UNKNOWN = (-1,) * STAT_NUMBERS  # a folder to list again, whatever its stat says
_UNKNOWN_BYTES = array("q", UNKNOWN).tobytes()


@dataclass(frozen=True)
class Walked:
    """A walk of content/ that reported nothing, as the next build checks it."""

    made_by: tuple[str, int]  # the builder's version and this format's
    site: tuple[str, str]  # the site folder as given to the build, and as an absolute path
    folders: tuple[str, ...]  # every folder walked, in the order walked
    stats: bytes  # theirs, STAT_NUMBERS each, in that order, as taken before each was listed
    files: SourceFiles

    @property
    def settled(self) -> bool:
        """Whether no folder is to be listed again whatever its stat (UNKNOWN)."""
        width = len(_UNKNOWN_BYTES)
        stats = self.stats
        return all(stats[n : n + width] != _UNKNOWN_BYTES for n in range(0, len(stats), width))


@dataclass(frozen=True)
class PendingWalk:
    """A walk to keep, or a kept walk to forget, once the build that looked is
    through: a build refused or failed leaves the site as it found it."""

    file: Path
    data: bytes | None  # the walk, pickled and signed; None: forget the kept one

    def keep(self) -> None:
        """Write the file whole or not at all; a cache not kept is only slower."""
        with contextlib.suppress(OSError):
            if self.data is None:
                self.file.unlink(missing_ok=True)
                return
            self.file.parent.mkdir(parents=True, exist_ok=True)
            staged = self.file.with_name(f"{self.file.name}.{os.getpid()}.tmp")
            staged.write_bytes(self.data)
            staged.replace(self.file)


def source_files(
    site: Path, report: Report, reuse: bool = True, keep: bool = True
) -> tuple[SourceFiles, PendingWalk | None]:
    """The site's source files, as `discover` finds them: the last walk's where no
    folder it walked changed since (`reuse`), else walked anew; and, when `keep`,
    the walk to keep for the next build, if it differs from the last."""
    key = cache_key() if reuse or keep else None
    where = (str(site), str(site.absolute()))
    file = site / WALK_FILE
    last = _read(file, key, where) if reuse and key is not None else None
    started = time.time_ns()
    if last is not None:
        now = folder_stats(last.folders, started)
        if now is not None and now == last.stats and last.settled:
            return last.files, None
        again = _listed_again(site, last, now) if now is not None else None
        if again is not None and keep and key is not None and again != last:
            return again.files, _staged(file, key, again)
        if again is not None:
            return again.files, None
    folders: list[FolderStat] = []
    reported = len(report.diagnostics)
    files = discover(site, report, folders)
    if not keep or key is None:
        return files, None
    if len(report.diagnostics) > reported:  # the next walk must find them again
        return files, PendingWalk(file, None) if last is not None else None
    stats = _numbers(((mtime, ctime, ino, dev) for _, mtime, ctime, ino, dev in folders), started)
    return files, _staged(
        file, key, Walked(_made_by(), where, tuple(f[0] for f in folders), stats, files)
    )


def folder_stats(folders: Sequence[str], started: int) -> bytes | None:
    """The folders' stats as a walk that began at `started` keeps them; None when
    one is gone."""
    found: list[tuple[int, int, int, int]] = []
    for folder in folders:
        try:
            found.append(folder_stat(folder))
        except OSError:
            return None
    return _numbers(found, started)


def _numbers(stats: Iterable[tuple[int, int, int, int]], started: int) -> bytes:
    """Each stat's numbers, UNKNOWN for a folder changed since RECENT_NS before `started`."""
    since = started - RECENT_NS
    numbers = array("q")
    for stat in stats:
        numbers.extend(stat if stat[0] < since and stat[1] < since else UNKNOWN)
    return numbers.tobytes()


def _listed_again(site: Path, last: Walked, now: bytes) -> Walked | None:
    """The last walk with the stories' folders that changed listed again; None
    where another folder changed, or one of them now holds a folder, a link or
    a problem: then only a whole walk tells."""
    width = len(_UNKNOWN_BYTES)
    changed = []
    for n in range(len(last.folders)):
        kept = last.stats[n * width : (n + 1) * width]
        if kept == _UNKNOWN_BYTES or now[n * width : (n + 1) * width] != kept:
            changed.append(n)
    bundles = list(last.files.bundles)
    at = {bundle.location: n for n, bundle in enumerate(bundles)}
    parents = {folder.rpartition("/")[0] for folder in last.folders}
    for n in changed:
        folder = last.folders[n]
        if folder not in at or folder in parents:  # not a story's, or it holds folders
            return None
        problems = Report()
        found = rescan_bundle(site, bundles[at[folder]], problems)
        if found is None or problems.diagnostics:
            return None
        bundles[at[folder]] = found
    return replace(last, stats=now, files=replace(last.files, bundles=tuple(bundles)))


def _made_by() -> tuple[str, int]:
    return (__version__, WALK_FORMAT)


def _read(file: Path, key: bytes, where: tuple[str, str]) -> Walked | None:
    try:
        payload = verified(key, file.read_bytes())
        found = pickle.loads(payload) if payload is not None else None
    except Exception:  # unreadable or not ours: walked anew
        return None
    if not isinstance(found, Walked) or found.made_by != _made_by() or found.site != where:
        return None
    return found


def _staged(file: Path, key: bytes, walked: Walked) -> PendingWalk:
    return PendingWalk(file, signed(key, pickle.dumps(walked, pickle.HIGHEST_PROTOCOL)))
