"""What a builder that stays running (`build --watch`, `serve`) keeps between builds.

A build in a new process finds its sources by walking content/ and signing
every file, then loads the last build's records from the store: at 5,000
stories that is a third of a second before anything is parsed. A builder
that stays running already holds both. It is told which files changed (by
the file watcher), signs only those again, and starts from the records the
last build left in memory, which are those the store holds: the store is
trusted only while its file is as this process left it, so a build from
another process in between sends it back to the store.

Anything the watcher reports that is not a file of a known bundle, a
glossary file, authors.yaml, tags.yaml, a shared picture or site.yaml (a new or
removed folder, a renamed bundle, an event it could not name) makes the next
build walk the whole site again, as a new process would.

The output is trusted too, while it is the one this process's last build
left (see `Warm.trusts`): a page whose key did not change stays without a
look at its file, and the output is not listed to find what to delete.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from markdown_it import MarkdownIt

from builder.build.options import Sources
from builder.content.discover import BundleFiles, SourceFiles, rescan_bundle
from builder.content.glossary import GlossaryIndex
from builder.content.model import Entry
from builder.core.diagnostics import Report
from builder.core.pickled import Unpacked
from builder.incremental.plan import Previous, SitePageKeys, claims_digest
from builder.incremental.records import (
    SET_MODULUS,
    SourceSignatures,
    bundle_signature,
    signature,
)
from builder.site.listings import ListingMemo
from builder.site.pages import Use
from builder.site.templates import Fragments, Templates
from builder.site.theme import Theme
from builder.site.views import StorySummaries
from builder.text.markdown import body_parser
from builder.text.references import LinkTable

if TYPE_CHECKING:
    from builder.build.articles import LastArticles

FileStamp = tuple[int, int, int]  # size, mtime_ns and inode of a file or folder
# Entry pages whose uses a running builder keeps unpacked: those of the last
# few edits (an entry page lists about a hundred stories on a large site).
SHOWN_ENTRIES = 200


@dataclass
class Changes:
    """The paths the watcher reported since the last build; thread-safe, as the
    watcher reports from its own thread."""

    paths: set[str] = field(default_factory=set)
    unknown: bool = True  # until a build has looked at everything
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, path: str) -> None:
        with self.lock:
            self.paths.add(os.path.abspath(path))  # noqa: PTH100 (compared as strings)

    def lose_track(self) -> None:
        """Something happened the watcher cannot name: look at everything next time."""
        with self.lock:
            self.unknown = True

    def take(self) -> set[str] | None:
        """The changed paths, now forgotten; None when everything must be looked at."""
        with self.lock:
            found = None if self.unknown else set(self.paths)
            self.paths.clear()
            self.unknown = False
            return found


# What the glossary index is made of: the glossary's entries, those each story
# defines in its sidecars, and the phrases never linked.
IndexInputs = tuple[list[Entry], list[tuple[Entry, ...]], tuple[str, ...]]


class IndexMemo:
    """The glossary index, kept by a running builder while what it is made of is
    the same: the entries of files not read again, and of stories not parsed
    again, are the very objects of the last build, compared at once. Made
    again, it took 35 ms of every edit at 50,000 stories and 10,000 entries."""

    def __init__(self) -> None:
        self.inputs: IndexInputs | None = None
        self.index: GlossaryIndex | None = None

    def index_for(
        self, inputs: IndexInputs, report: Report, make: Callable[[Report], GlossaryIndex]
    ) -> GlossaryIndex:
        """The last index if made of equal inputs; else `make(report)`'s, kept
        only if it reported nothing (an index with problems is made again, and
        its problems reported again)."""
        if self.index is not None and self.inputs == inputs:
            return self.index
        reported = len(report.diagnostics)
        index = make(report)
        clean = len(report.diagnostics) == reported
        self.inputs, self.index = (inputs, index) if clean else (None, None)
        return index


class LinkingMemo:
    """What linking makes of the glossary, kept by a running builder while the
    glossary index is the same: the link table, its digest, and the parser of
    bodies built on it. At 50,000 stories the glossary claims some 40,000
    forms, and making these again took a fifth of a second of every edit."""

    def __init__(self) -> None:
        self.index: GlossaryIndex | None = None
        self.table = LinkTable({})
        self.claims = ""
        self._parser: MarkdownIt | None = None

    def table_for(self, index: GlossaryIndex) -> tuple[LinkTable, str]:
        """The index's link table and its digest, made again only for another index."""
        if self.index is None or self.index != index:
            self.table = index.link_table()
            self.claims = claims_digest(self.table)
            self._parser = None
        self.index = index
        return self.table, self.claims

    def parser(self) -> MarkdownIt:
        """The parser of bodies that links what the last `table_for` table claims."""
        if self._parser is None:
            self._parser = body_parser(self.table)
        return self._parser


@dataclass
class Warm:
    """A running builder's memory: the last build's sources and records."""

    changes: Changes = field(default_factory=Changes)
    sources: Sources | None = None  # None until a build found no problem in discovering
    previous: Previous | None = None  # what the store holds after the last build
    stamp: FileStamp | None = None  # of the store's file as the last build left it
    out_stamp: tuple[str, FileStamp | None] | None = None  # the output folder's, likewise
    store_file: Path | None = None
    jobs: list[Callable[[], None]] = field(default_factory=list)
    pending: threading.Thread | None = None  # running the last build's jobs
    # Each bundle's absolute folder -> its place in sources.files.bundles, which
    # signing files again never changes; made again after every walk.
    folders: dict[str, int] | None = None
    # Each glossary entry's digest, by the entry object's identity: an entry whose
    # file was not read again is the very object of the last build.
    entry_digests: dict[int, tuple[Entry, str]] = field(default_factory=dict)
    # The archive sorted and grouped into sections and tags, and the sitemap's addresses.
    listings: ListingMemo = field(default_factory=ListingMemo)
    site_keys: SitePageKeys = field(default_factory=SitePageKeys)  # by the site-wide pages
    fragments: Fragments = field(default_factory=Fragments)  # of pages, by their whole input
    # The theme's templates as the last build compiled them, and what from: (the
    # theme's digest, the folder of compiled templates).
    templates: tuple[tuple[str, Path | None], Templates] | None = None
    summaries: StorySummaries = field(default_factory=StorySummaries)  # as lists show stories
    linking: LinkingMemo = field(default_factory=LinkingMemo)  # the glossary's
    glossary_index: IndexMemo = field(default_factory=IndexMemo)
    # What entry pages showed of each story, unpacked, by entry id (builder.build.produce).
    shown: Unpacked[dict[str, Use]] = field(default_factory=lambda: Unpacked(SHOWN_ENTRIES))
    articles: LastArticles | None = None  # the last build's, with the records made of them
    # The last build's records, and the `folders` of the walk its bundles were found by.
    records_from: tuple[Previous, dict[str, int]] | None = None

    def bundle_folders(self, sources: Sources) -> dict[str, int]:
        if self.folders is None:
            absolute = os.path.abspath
            bundles = sources.files.bundles
            self.folders = {absolute(bundle.location): n for n, bundle in enumerate(bundles)}
        return self.folders

    def remember_records(self, previous: Previous) -> None:
        """The records of the build just finished, and the walk its bundles came from."""
        self.records_from = None if self.folders is None else (previous, self.folders)

    def holds_records_of_the_same_bundles(self, previous: Previous) -> bool:
        """Whether `previous` is the last build's records and no walk was made since:
        signing files again (`sign_again`) keeps each bundle's path and place, so
        the bundles are those of the last build, in the same order."""
        made = self.records_from
        return made is not None and made[0] is previous and made[1] is self.folders

    def templates_for(self, theme: Theme, theme_digest: str, cache: Path | None) -> Templates:
        """The theme's templates compiled: the last build's while the theme is the
        same. Loading them again took 3 ms of every edit (at any size)."""
        made_from = (theme_digest, cache)
        if self.templates is not None and self.templates[0] == made_from:
            return self.templates[1].for_another_build()
        templates = Templates(theme, cache, self.fragments.made_from(theme_digest))
        templates.compile_all()
        self.templates = (made_from, templates)
        return templates

    def previous_for(self, store_file: Path) -> Previous | None:
        """The last build's records, if the store is still as this process left it."""
        if self.previous is None or self.stamp is None or file_stamp(store_file) != self.stamp:
            return None
        return self.previous

    def keep(self, previous: Previous, out: Path, store_file: Path) -> None:
        """The last build's records, whose writing into the store is left for
        after the build (`after`); the output as that build left it."""
        self.previous = previous
        self.out_stamp = (str(out), file_stamp(out))
        self.stamp = None  # until the store is written
        self.store_file = store_file

    def after(self, job: Callable[[], None]) -> None:
        """Bookkeeping for the next builds (writing the store, the summary) that
        can wait until the output is live: run once the build returns."""
        self.jobs.append(job)

    def start_after(self) -> None:
        """Run the jobs left by the build just finished, in order, in a thread of
        their own, while the builder waits for the next save."""
        jobs, self.jobs = self.jobs, []
        if jobs:
            self.pending = threading.Thread(target=self._run, args=(jobs,), name="bookkeeping")
            self.pending.start()

    def settle(self) -> None:
        """Wait for the last build's bookkeeping: before a build, or before exiting."""
        if self.pending is not None:
            self.pending.join()
            self.pending = None
        self.jobs.clear()

    def _run(self, jobs: list[Callable[[], None]]) -> None:
        try:
            for job in jobs:
                job()
        except Exception:
            # The store holds what its last successful write left, which the
            # next build reads again: an older state it can always start from.
            self.stamp = None
            return
        if self.store_file is not None:
            self.stamp = file_stamp(self.store_file)

    def trusts(self, previous: Previous, out: Path) -> bool:
        """Whether the output is as the last build left it, which wrote these records:
        it is this process's, and no file or folder was added or removed at its top.
        Then a page whose key is the same stays without a look at its file, and
        the output is not listed to find what to delete. A page edited or deleted
        by hand further down is not noticed until its key changes: a build in a
        new process checks every page."""
        return previous is self.previous and self.out_stamp == (str(out), file_stamp(out))


def file_stamp(file: Path) -> FileStamp | None:
    try:
        info = file.stat()
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns, info.st_ino


class Signed(NamedTuple):
    """The site's files and their signatures, signed again where they changed."""

    files: SourceFiles
    signatures: SourceSignatures
    bundles_sum: int  # signatures_sum of the bundles' signatures


def sign_again(
    site: Path, before: Sources, changed: Iterable[str], folders: dict[str, int], report: Report
) -> Signed | None:
    """The sources of the last build with the changed files signed again, and
    their bundles listed again; None when a change may have added, removed or
    moved a bundle or a file the builder reads on its own. `folders`: each
    bundle's absolute folder and its place among the sources' bundles."""
    # Paths are compared as absolute strings, as the watcher reports them.
    absolute = os.path.abspath
    files, signatures = before.files, before.signatures
    bundles = list(files.bundles)
    content = absolute(site / "content")
    glossary = {absolute(f): f.relative_to(site).as_posix() for f in files.glossary}
    media = {f"{content}/{name}": name for name in files.media}
    authors = absolute(files.authors) if files.authors is not None else None
    tags = absolute(files.tags) if files.tags is not None else None
    theme = absolute(site / "templates") + os.sep
    site_yaml_file = absolute(site / "site.yaml")
    listed: dict[str, BundleFiles] = {}
    new_glossary, new_media = dict(signatures.glossary), dict(signatures.media)
    new_authors, new_tags, site_yaml = signatures.authors, signatures.tags, signatures.site_yaml
    for path in changed:
        folder = path if path in folders else path.rpartition(os.sep)[0]
        if folder in folders:
            found = rescan_bundle(site, bundles[folders[folder]], report)
            if found is None:
                return None
            bundles[folders[folder]] = found
            listed[found.path] = found
        elif path in glossary:
            new_glossary[glossary[path]] = signature([Path(path)])
        elif path in media:
            new_media[media[path]] = signature([Path(path)])
        elif path == authors:
            new_authors = signature([Path(path)])
        elif path == tags:
            new_tags = signature([Path(path)])
        elif path == site_yaml_file:
            site_yaml = signature([Path(path)])
        elif path != content and not path.startswith(theme):
            # content/ itself "changes" with every file created in it, which is
            # reported on its own; the theme is signed again by every build.
            return None
    if not site_yaml or any(not sig for sig in (*new_glossary.values(), *new_media.values())):
        return None  # a file read on its own was removed
    if (authors is not None and not new_authors) or (tags is not None and not new_tags):
        return None  # authors.yaml or tags.yaml removed
    bundle_signatures = dict(signatures.bundles)
    total = before.bundles_sum
    for path, found in listed.items():
        total -= signatures.bundles[path]
        bundle_signatures[path] = bundle_signature(found)
        total += bundle_signatures[path]
    return Signed(
        replace(files, bundles=tuple(bundles)),
        replace(
            signatures,
            site_yaml=site_yaml,
            glossary=new_glossary,
            bundles=bundle_signatures,
            authors=new_authors,
            tags=new_tags,
            media=new_media,
        ),
        total % SET_MODULUS,
    )
