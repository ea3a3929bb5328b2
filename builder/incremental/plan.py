"""Incremental builds: what the last build knew, and what this one must redo.

The store (builder.incremental.store) keeps, for every bundle, its stat signature, digest
and summary; for every article, the key of its body and the entries the body
first mentions; for every output, the digest of everything it was made from.
A build parses only the bundles whose signature changed, then asks of each
page whether what it shows changed: its key. A page whose key is the same
and whose file is intact stays where it is.

A store from another builder version, site or output folder is emptied, and
a value in it that is not signed with this user's key is never unpickled.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from builder import __version__
from builder.content.discover import BundleFiles, SourceFiles
from builder.content.images import read_picture
from builder.content.load import load_glossary_folder_file
from builder.content.model import BundleSummary, Entry, ImageFile, SiteConfig
from builder.core.diagnostics import Diagnostic, Report, SiteLink
from builder.incremental.records import (
    BundleSignature,
    OutputRecord,
    Signature,
    SourceSignatures,
    digest,
)
from builder.incremental.store import Store
from builder.incremental.uptodate import CACHE_FOLDER
from builder.text.references import LinkTable

CACHE_FORMAT = 16  # 16: the records of stories and articles also kept whole (snapshots)


class BundleRecord(NamedTuple):
    """What every build keeps of a bundle, whether or not it changed."""

    signature: BundleSignature
    digest: str  # of the whole bundle's content, computed once when it is parsed
    summary: BundleSummary | None  # None when the bundle could not be used

    @property
    def draft(self) -> bool:
        """Its front matter says draft: true, whatever else is wrong with the bundle;
        one that could not be read at all is no draft."""
        return self.summary is not None and self.summary.front.draft

    diagnostics: tuple[Diagnostic, ...]  # of parsing it and of checking its quotations
    links: tuple[SiteLink, ...] = ()  # into the site, from its sidecars' inline Markdown


class ArticleRecord(NamedTuple):
    """What rendering an article's body found, kept while its body key holds."""

    body_key: str
    mentioned: tuple[str, ...]  # ids of the entries the body links, in order of first mention
    diagnostics: tuple[Diagnostic, ...]  # of linking and of checking what is mentioned
    links: tuple[SiteLink, ...] = ()  # into the site, from the body
    pictures: tuple[ImageFile, ...] = ()  # the picture files the body shows, to publish


@dataclass(frozen=True)
class LoadedGlossary:
    signature: Signature
    entries: tuple[Entry, ...]
    diagnostics: tuple[Diagnostic, ...]
    never_link: tuple[str, ...] = ()  # the phrases of never_link.yaml
    links: tuple[SiteLink, ...] = ()  # into the site, from the entries' inline Markdown
    # Each entry's digest, in order: taken once, when the file is read, not by every
    # build in a new process (10,000 entries: a tenth of a second).
    digests: tuple[str, ...] = ()


# The site's language and time zone, and the dates spelt in them, by the parts of
# a day and by the instant of a time (builder.site.dates.Spelt).
StoredDates = tuple[str, str, tuple[dict[tuple[int, ...], str], dict[int, str]]]


@dataclass
class Previous:
    """What the last successful build left in the store; empty for a cold build."""

    glossary: dict[str, LoadedGlossary] = field(default_factory=dict)  # by file path
    bundles: dict[str, BundleRecord] = field(default_factory=dict)  # by bundle path
    articles: dict[str, ArticleRecord] = field(default_factory=dict)  # by bundle path
    outputs: dict[str, OutputRecord] = field(default_factory=dict)  # by output path
    entries: dict[str, str] | None = None  # entry id -> digest of its definition
    related: dict[str, tuple[str, ...]] = field(default_factory=dict)
    authors: dict[str, str] | None = None  # author id -> digest of its definition
    tags: dict[str, str] | None = None  # tag id -> digest of its record in tags.yaml
    common: tuple[str, str] = ("", "")  # the digests of everything and of the claims
    config: str = ""  # digest of the site configuration the bundles were parsed with
    scheduled: frozenset[str] = frozenset()  # bundles left out as dated after the build
    media: dict[str, tuple[Signature, ImageFile]] = field(default_factory=dict)  # by media/NAME
    # The site-wide pages' groupings of the archive (builder.site.listings.StoredListing)
    # and their keys (SitePageKeys.made), as the last build left them.
    pages: tuple[object, SiteKeysMade] | None = None
    dates: StoredDates | None = None  # spelt by the last build's main process


def cache_identity(site: Path, out: Path, drafts: bool) -> str:
    return digest(
        __version__, CACHE_FORMAT, sys.version, str(site.resolve()), str(out.resolve()), drafts
    )


def store_file(site: Path, out: Path) -> Path:
    """One store per output folder, so building into two folders keeps both warm."""
    return site / CACHE_FOLDER / f"build-{digest(str(out.resolve()))[:16]}.sqlite"


def load_previous(store: Store, stop: Callable[[], bool] | None = None) -> Previous:
    """What the last build left in the store. `stop` is asked now and then: when it
    says so, the reading ends with StoppedReading (builder.incremental.store)."""
    state = store.all("state")
    common = state.get("common")
    return Previous(
        glossary=store.all("glossary"),
        bundles=store.all("bundle", stop),
        articles=store.all("article", stop),
        outputs=outputs_of(state.get("outputs")),
        entries=state.get("entries"),
        authors=state.get("authors"),
        tags=state.get("tags"),
        related=state.get("related") or {},
        common=common if isinstance(common, tuple) else ("", ""),
        config=state.get("config") or "",
        scheduled=frozenset(state.get("scheduled") or ()),
        media=state.get("media") or {},
        pages=_pages(state.get("pages")),
        dates=_dates(state.get("dates")),
    )


def _dates(stored: object) -> StoredDates | None:
    """The stored spellings of dates, if of the shape this version writes."""
    if isinstance(stored, tuple) and len(stored) == 3 and isinstance(stored[2], tuple):
        return stored
    return None


def _pages(stored: object) -> tuple[object, SiteKeysMade] | None:
    """The stored groupings and keys of the site-wide pages, if of the shape this
    version writes."""
    if isinstance(stored, tuple) and len(stored) == 2 and isinstance(stored[1], dict):
        return stored
    return None


# The output records as the state keeps them: paths, keys, sizes, times.
OutputColumns = tuple[tuple[str, ...], tuple[str, ...], tuple[int, ...], tuple[int, ...]]


def output_columns(outputs: dict[str, OutputRecord]) -> OutputColumns:
    """The records as four columns: a pickle of plain tuples is made in a third of
    the time of one of named tuples (2 against 8 ms at 5,000 stories), on every
    build, and read in three quarters of it."""
    records = outputs.values()
    return (
        tuple(outputs),
        tuple(record.key for record in records),
        tuple(record.size for record in records),
        tuple(record.mtime_ns for record in records),
    )


def outputs_of(columns: OutputColumns | None) -> dict[str, OutputRecord]:
    if columns is None:
        return {}
    paths, keys, sizes, times = columns
    return dict(
        zip(paths, map(OutputRecord._make, zip(keys, sizes, times, strict=True)), strict=True)
    )


def load_glossary(
    site: Path,
    files: SourceFiles,
    signatures: SourceSignatures,
    config: SiteConfig,
    previous: dict[str, LoadedGlossary],
    report: Report,
) -> dict[str, LoadedGlossary]:
    """Every glossary file loaded, reparsing only those whose signature changed;
    the diagnostics of reused files are replayed."""
    loaded: dict[str, LoadedGlossary] = {}
    for file in files.glossary:
        key = file.relative_to(site).as_posix()
        found = previous.get(key)
        if found is None or found.signature != signatures.glossary[key]:
            local = Report()
            entries, phrases = load_glossary_folder_file(site, file, config, local)
            diagnostics = tuple(local.diagnostics)
            found = LoadedGlossary(
                signatures.glossary[key],
                tuple(entries),
                diagnostics,
                tuple(phrases),
                tuple(local.links),
                tuple(digest(entry) for entry in entries),
            )
        loaded[key] = found
        report.extend(found.diagnostics)
    return loaded


def load_media(
    site: Path,
    files: SourceFiles,
    signatures: SourceSignatures,
    previous: dict[str, tuple[Signature, ImageFile]],
) -> dict[str, tuple[Signature, ImageFile]]:
    """Every picture under content/media/, read again only where its signature changed."""
    loaded = {}
    for name in files.media:
        found = previous.get(name)
        if found is None or found[0] != signatures.media[name]:
            file = read_picture(str(site / "content" / name), f"content/{name}", name)
            found = (signatures.media[name], file)
        loaded[name] = found
    return loaded


def stale_bundles(
    files: SourceFiles, signatures: SourceSignatures, previous: dict[str, BundleRecord]
) -> list[BundleFiles]:
    """The bundles that are new or whose files changed since the last build."""
    return [
        bundle
        for bundle in files.bundles
        if (record := previous.get(bundle.path)) is None
        or record.signature != signatures.bundles[bundle.path]
    ]


@dataclass(frozen=True)
class Keys:
    """The digests that decide whether a page must be rendered again.

    Each key covers everything its page shows; whatever a page comes to show,
    its key must come to cover.
    """

    common: str  # builder version, theme files, site config, drafts
    claims: str  # every surface form and the entries claiming it
    bundles: dict[str, str]  # bundle path -> digest of its content
    entries: dict[str, str]  # entry id -> digest of its definition
    authors: dict[str, str] = field(default_factory=dict)  # author id -> digest of it
    tags: dict[str, str] = field(default_factory=dict)  # tag id -> digest of its record

    def body(self, path: str) -> str:
        return digest(self.bundles[path], self.claims)

    def article(
        self,
        listed: tuple[str, ...],
        body_key: str,
        mentioned: tuple[str, ...],
        related: tuple[str, ...],
        authors: tuple[str, ...] = (),
        tags: tuple[str, ...] = (),
    ) -> str:
        shown = sorted({*listed, *mentioned})
        return digest(
            self.common,
            body_key,
            [(i, self.entries.get(i)) for i in shown],
            [(path, self.bundles[path]) for path in related],
            [(i, self.authors.get(i)) for i in authors],
            [(i, self.tags.get(i)) for i in tags],
        )

    def entry(self, entry_id: str, users: tuple[str, ...], named: set[str]) -> str:
        """An entry's page: the entry, the stories that use it, the entries their
        events name beside it."""
        # Each story's mention is a function of its content and the claims,
        # which are cheaper to digest than the mention itself.
        articles = [(path, self.bundles[path]) for path in users]
        others = [(i, self.entries.get(i)) for i in sorted(named - {entry_id})]
        return digest(self.common, self.claims, self.entries.get(entry_id), articles, others)

    def site_page(self, page: SitePageShows) -> str:
        """A page made from these entries, stories, authors and tags, whole, and
        plain values besides."""
        return digest(
            self.common,
            page.output,
            page.template,
            [(i, self.entries.get(i)) for i in page.entries],
            _joined_digest(page.bundles, self.bundles),
            page.extra,
            None if page.authors is None else [(i, self.authors.get(i)) for i in page.authors],
            [(i, self.tags.get(i)) for i in page.tags],
        )


def _joined_digest(paths: list[str], digests: dict[str, str]) -> str:
    """A digest of each story's path and digest, in order. Joined as lines, not
    repr'd as a list of pairs: the site-wide pages show every story of the
    archive several times over (0.37 s a build at 50,000 stories, by repr).
    A path has no space or line break: its folders are ids (builder.core.patterns)."""
    lines = "\n".join([f"{path} {digests[path]}" for path in paths])
    return hashlib.blake2b(lines.encode(), digest_size=16).hexdigest()


class SitePageShows(NamedTuple):
    """What a site-wide page is made from, by id: what its key digests."""

    output: str
    template: str
    entries: list[str]
    bundles: list[str]  # by path
    extra: object  # plain values besides
    authors: list[str] | None  # None: a page that shows no authors
    tags: list[str]


# By output path: the common key, what the page showed, and the key made of them.
SiteKeysMade = dict[str, tuple[str, SitePageShows, str]]


class SitePageKeys:
    """The keys of the site-wide pages, each with what it shows: a running
    builder's own, or those the last build left in the store.

    A list page's key digests each of its stories' digests, three thousand
    times at 50,000 stories, most of it on every edit. A key is taken again
    when its page shows the same as when the key was made, none of what it
    shows changed since the last build (`Changes`), and the last build's page
    has that very key: so the key and the changes are of the same last build,
    whatever process made it.
    """

    def __init__(self, made: SiteKeysMade | None = None) -> None:
        self._made: SiteKeysMade = dict(made) if made else {}
        self.remade: set[str] = set()  # pages whose key was made since `made` was given or stored

    @property
    def made(self) -> SiteKeysMade:
        """Each page's (common key, what it shows, its key), for a build in another
        process to start from."""
        return self._made

    def key(self, keys: Keys, changes: Changes, last: str | None, page: SitePageShows) -> str:
        """`keys.site_page(page)`; `last`: the key of the last build's page, if any."""
        made = self._made.get(page.output)
        if (
            made is not None
            and made[2] == last
            and made[:2] == (keys.common, page)
            and not changes.touch(page.entries, page.bundles, page.authors or (), page.tags)
        ):
            return made[2]
        key = keys.site_page(page)
        self._made[page.output] = (keys.common, page, key)
        self.remade.add(page.output)
        return key


@dataclass(frozen=True)
class Changes:
    """What differs from the last build, as far as any page can tell.

    A page is looked at again only when something it shows is among these;
    then its key decides. Whatever a page comes to show, the rules below
    must come to cover.
    """

    everything: bool  # the builder, the theme, site.yaml, the drafts flag or the claims
    bundles: frozenset[str]  # paths whose content changed, appeared or went
    entries: frozenset[str]  # ids whose definition changed, appeared or went
    authors: frozenset[str] = frozenset()  # author ids whose definition changed, appeared or went
    tags: frozenset[str] = frozenset()  # tag ids whose record changed, appeared or went

    def touch(
        self,
        entries: Iterable[str],
        bundles: Iterable[str],
        authors: Iterable[str] = (),
        tags: Iterable[str] = (),
    ) -> bool:
        """True when a page that shows these may show something else now."""
        return (
            self.everything
            or not self.bundles.isdisjoint(bundles)
            or not self.entries.isdisjoint(entries)
            or not self.authors.isdisjoint(authors)
            or not self.tags.isdisjoint(tags)
        )

    def articles_to_look_at(
        self, related: Mapping[str, tuple[str, ...]], before: Mapping[str, tuple[str, ...]]
    ) -> frozenset[str] | None:
        """Every article for which `article_may_change` holds, where only stories
        changed and none was related anew (`related` is the last build's): the
        changed ones and those relating one. None: ask of each article."""
        if self.everything or self.entries or self.authors or self.tags or related is not before:
            return None
        changed = self.bundles
        return changed | {path for path, shown in related.items() if not changed.isdisjoint(shown)}

    def article_may_change(
        self,
        path: str,
        listed: tuple[str, ...],
        record: ArticleRecord,
        related: tuple[str, ...],
        previous: Previous,
        authors: tuple[str, ...] = (),
        tags: tuple[str, ...] = (),
    ) -> bool:
        if self.everything or path in self.bundles or not self.authors.isdisjoint(authors):
            return True
        if not self.tags.isdisjoint(tags):
            return True
        if not self.entries.isdisjoint(listed) or not self.entries.isdisjoint(record.mentioned):
            return True
        return related != previous.related.get(path) or not self.bundles.isdisjoint(related)


def claims_digest(table: LinkTable) -> str:
    """Everything linking reads of the glossary: forms, who claims them, which
    are short forms, the phrases never linked, the ids term marks may name."""
    return digest(sorted(table.claims.items()), sorted(table.never), sorted(table.ids))


def find_changes(
    previous: Previous,
    bundles: dict[str, BundleRecord],
    entry_digests: dict[str, str],
    common: str,
    claims: str,
    author_digests: dict[str, str],
    scheduled: frozenset[str],
    tag_digests: dict[str, str] | None = None,
    parsed: Collection[str] | None = None,
) -> Changes:
    """`scheduled`: the bundles this build leaves out as dated after its time. One
    that went live since the last build, or was held back anew, appeared or went
    as a changed bundle does, though not one of its files changed. `parsed`: the
    bundles parsed now; the record of any other is the last build's, the very
    object, and not asked (given None, every record is compared)."""
    everything = previous.entries is None or previous.common != (common, claims)
    before = previous.bundles
    changed = set(before.keys() ^ bundles.keys())  # added or gone
    asked = bundles.keys() if parsed is None else bundles.keys() & parsed
    changed.update(
        path for path in asked if (old := before.get(path)) and old.digest != bundles[path].digest
    )
    changed.update(previous.scheduled ^ scheduled)
    defined = previous.entries or {}
    entries = {
        entry_id
        for entry_id in defined.keys() | entry_digests.keys()
        if defined.get(entry_id) != entry_digests.get(entry_id)
    }
    return Changes(
        everything,
        frozenset(changed),
        frozenset(entries),
        _changed_ids(previous.authors or {}, author_digests),
        _changed_ids(previous.tags or {}, tag_digests or {}),
    )


def _changed_ids(before: dict[str, str], now: dict[str, str]) -> frozenset[str]:
    return frozenset(i for i in before.keys() | now.keys() if before.get(i) != now.get(i))


def listed_by_changed(
    changes: Changes, previous: Previous, bundles: dict[str, BundleRecord]
) -> set[str]:
    """The entries that changed bundles list in their sidecars, in the last build or this one."""
    found: set[str] = set()
    for path in changes.bundles:
        for record in (previous.bundles.get(path), bundles.get(path)):
            if record is not None and record.summary is not None:
                found.update(record.summary.listed)
    return found


def touched_entries(
    changes: Changes,
    previous: Previous,
    bundles: dict[str, BundleRecord],
    mentioned: dict[str, tuple[str, ...]],
) -> frozenset[str]:
    """The entries that changed bundles name or mention, in the last build or this one,
    and the entries whose definition changed."""
    found = listed_by_changed(changes, previous, bundles) | changes.entries
    for path in changes.bundles:
        old = previous.articles.get(path)
        found.update(old.mentioned if old is not None else ())
        found.update(mentioned.get(path, ()))
    return frozenset(found)
