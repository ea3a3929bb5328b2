"""Plain data passed between the stages of the pipeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from builder.core.diagnostics import Position
from builder.text.markdown import BodyText

ENTRY_KINDS = ("person", "organization", "place", "term", "event")
CORRECTION_KINDS = ("correction", "clarification", "update")


@dataclass(frozen=True)
class PartialDate:
    """A date known to the year, the month or the day, as in background.yaml."""

    year: int
    month: int | None = None
    day: int | None = None

    def iso(self) -> str:
        parts = [f"{self.year:04d}"]
        if self.month is not None:
            parts.append(f"{self.month:02d}")
        if self.day is not None:
            parts.append(f"{self.day:02d}")
        return "-".join(parts)

    def sort_key(self) -> tuple[int, int, int]:
        return (self.year, self.month or 0, self.day or 0)


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def instant_of(at: dt.datetime) -> int:
    """Microseconds since 1970 UTC of an aware datetime."""
    return (at - _EPOCH) // _MICROSECOND


class Moment(NamedTuple):
    """A publish time: the instant, and whether the editor gave a time of day.

    `at` carries a fixed offset: the one written, or the site time zone's at
    that time (midnight there for a day written alone), so that comparing two
    moments compares instants and printing one gives full ISO 8601.
    """

    at: dt.datetime
    has_time: bool

    def instant(self) -> int:
        """Microseconds since 1970 UTC: for sorting an archive by time. Two aware
        datetimes compare through their offsets, many times slower, and a site
        whose offset changes with summer time has two of them."""
        return instant_of(self.at)

    def iso(self) -> str:
        """ "2023-09-15T10:00:00+10:00": for feeds, sitemaps and JSON-LD."""
        return self.at.isoformat()

    def html(self) -> str:
        """For a <time datetime>: the day alone when only a day was written."""
        return self.at.isoformat() if self.has_time else self.at.date().isoformat()

    def __reduce__(self) -> tuple[Callable[..., Moment], tuple[object, bool]]:
        # Pickled as its ISO text: every rebuild unpickles a moment for each story
        # of the archive, and a datetime with its offset is three classes to look
        # up and three objects to make (2.2 µs against 0.4). The offset is fixed
        # and unnamed, so the text gives back an equal datetime, of the same repr;
        # the text has no place for `fold`, which a parsed time never sets.
        if self.at.fold:
            return Moment, (self.at, self.has_time)
        return _moment, (self.at.isoformat(), self.has_time)


def _moment(at: str, has_time: bool) -> Moment:
    return Moment(dt.datetime.fromisoformat(at), has_time)


class Correction(NamedTuple):
    """A change readers are told about, at the foot of the article."""

    at: Moment
    kind: str  # one of CORRECTION_KINDS
    text: str  # inline Markdown


@dataclass(frozen=True)
class ImageFile:
    """A picture file as the builder found it: what it holds, or what is wrong with it."""

    source: str  # relative to the site folder, for messages: content/world/story/handshake.jpg
    name: str  # below content/, which names its published files: world/story/handshake.jpg
    digest: str  # of its bytes
    format: str  # as Pillow reads it: JPEG, PNG or WEBP
    width: int  # as readers see it, turned upright as its EXIF orientation says
    height: int
    problem: str | None = None  # why it cannot be published; the rest is then empty


@dataclass(frozen=True)
class Image:
    """A picture as an editor placed it: the `image` field of a story or an entry."""

    src: str  # as written: a file next to article.md, or media/... for the site-wide folder
    alt: str  # "" only when decorative
    credit: str | None
    caption: str | None
    decorative: bool
    position: Position  # of src, where problems with the file are reported
    file: ImageFile | None = None  # the file src names, once found and read

    def content(self) -> tuple[object, ...]:
        """What the image says, wherever it is written."""
        return (self.src, self.alt, self.credit, self.caption, self.decorative, self.file)


@dataclass(frozen=True)
class Publisher:
    """Who publishes the site, for JSON-LD: a name and a logo under content/media/."""

    name: str
    logo: Image | None


@dataclass(frozen=True)
class SiteConfig:
    title: str
    base_url: str
    language: str
    output: str
    description: str | None
    stale_after_days: int
    max_file_bytes: int
    search: bool
    timezone: str = "UTC"  # an IANA name: for dates and for times written without an offset
    publisher: Publisher | None = None
    # Links to pages as their folders ("glossary/kim/") rather than their
    # index.html, which only a web server resolves: one form throughout the site.
    directory_urls: bool = False


@dataclass(frozen=True)
class Fact:
    label: str
    value: str
    as_of: dt.date | None
    source: str | None
    position: Position


@dataclass(frozen=True)
class Entry:
    id: str
    name: str
    kind: str
    aliases: tuple[str, ...]
    summary: str | None
    facts: tuple[Fact, ...]
    wikidata: str | None
    coordinates: tuple[float, float] | None
    position: Position
    image: Image | None = None
    sort_as: str | None = None  # as written; sort_name() says what lists sort by

    def surface_forms(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def sort_name(self) -> str:
        """What the glossary sorts the entry by: `sort_as` when given; for a person,
        the last word of the name first ("Putin Vladimir"), as readers look people
        up by family name; otherwise the name."""
        if self.sort_as:
            return self.sort_as
        words = self.name.split()
        if self.kind == "person" and len(words) > 1:
            return " ".join([words[-1], *words[:-1]])
        return self.name

    def same_content(self, other: Entry) -> bool:
        """True when two definitions say the same thing, wherever they stand."""
        return _without_positions(self) == _without_positions(other)


def _without_positions(entry: Entry) -> tuple[object, ...]:
    facts = tuple((f.label, f.value, f.as_of, f.source) for f in entry.facts)
    return (
        entry.id,
        entry.name,
        entry.kind,
        entry.aliases,
        entry.summary,
        facts,
        entry.wikidata,
        entry.coordinates,
        entry.image.content() if entry.image else None,
        entry.sort_as,
    )


@dataclass(frozen=True)
class IdRef:
    id: str
    position: Position


@dataclass(frozen=True)
class Quote:
    text: str
    position: Position


@dataclass(frozen=True)
class Appearance:
    """An item of who.yaml or where.yaml: an entry and its part in this story."""

    ref: IdRef
    in_this_story: str | None
    said: tuple[Quote, ...]
    inline_entry: Entry | None


@dataclass(frozen=True)
class WhatBox:
    summary: str
    when: dt.date | None
    key_facts: tuple[Fact, ...]
    why_it_matters: str | None
    position: Position


@dataclass(frozen=True)
class TimelineEvent:
    date: PartialDate
    title: str
    summary: str | None
    mentions: tuple[IdRef, ...]
    source: str | None
    position: Position


@dataclass(frozen=True)
class Author:
    """One of the newsroom's authors, from content/authors.yaml."""

    id: str
    name: str
    role: str | None
    bio: str | None  # inline Markdown
    url: str | None
    email: str | None
    position: Position
    image: Image | None = None  # a portrait under content/media/


@dataclass(frozen=True)
class Tag:
    """A tag as content/tags.yaml names it; a tag it does not name reads as its
    words, capitalised."""

    id: str  # the slug of the tag as stories write it: "north-korea"
    name: str  # as readers see it: "North Korea"
    description: str | None  # shown at the top of the tag's page
    position: Position


class FrontMatter(NamedTuple):
    title: str
    dek: str | None
    section: str
    date: Moment
    updated: Moment | None
    byline: str | None
    tags: tuple[str, ...]
    draft: bool
    # Ids from authors.yaml, each where it is written, so that an unknown one
    # is reported there however long ago its bundle was parsed.
    authors: tuple[IdRef, ...] = ()
    corrections: tuple[Correction, ...] = ()  # oldest first

    def modified(self) -> Moment:
        """The last change readers were told of: the newest of the publish time,
        `updated` and the corrections."""
        if self.updated is None and not self.corrections:
            return self.date  # most stories: asked of each by every build's sitemap
        times = [self.date, *(c.at for c in self.corrections)]
        if self.updated is not None:
            times.append(self.updated)
        return max(times, key=lambda moment: moment.at)

    def scheduled(self, now: dt.datetime) -> bool:
        """True when the story is dated after the build's time."""
        return self.date.at > now

    image: Image | None = None  # the lead image, shown under the headline


@dataclass(frozen=True)
class Bundle:
    """One explainer: an article and its sidecars."""

    path: str  # the folder below content/, e.g. "world/putin-kim-rifles"
    article_path: str  # relative to the site folder, for messages
    front: FrontMatter
    body: str
    body_line: int  # the line of article.md on which the body starts
    who: tuple[Appearance, ...]
    where: tuple[Appearance, ...]
    what: WhatBox | None
    background: tuple[TimelineEvent, ...]
    pictures: tuple[ImageFile, ...] = ()  # the picture files in the bundle's folder, read

    def listed_ids(self) -> set[str]:
        """Entries this bundle's sidecars name: they win ambiguous mentions."""
        ids = {item.ref.id for item in (*self.who, *self.where)}
        ids.update(ref.id for event in self.background for ref in event.mentions)
        return ids

    def body_text(self) -> BodyText:
        """What linking needs of the story."""
        return BodyText(self.path, self.body, self.body_line, frozenset(self.listed_ids()))

    def summary(self) -> BundleSummary:
        appearances = (*self.who, *self.where)
        return BundleSummary(
            path=self.path,
            article_path=self.article_path,
            front=self.front,
            listed=tuple(sorted(self.listed_ids())),
            inline_entries=tuple(item.inline_entry for item in appearances if item.inline_entry),
        )

    def details(self) -> BundleDetails:
        references = [item.ref for item in (*self.who, *self.where)]
        references.extend(ref for event in self.background for ref in event.mentions)
        return BundleDetails(tuple(references), self.background)


class BundleSummary(NamedTuple):
    """A bundle as lists and backlinks show it, kept for every bundle in every build.

    The body and the fact boxes are needed only for the bundle's own page, its
    details only for the pages of the entries it names. Like the front matter,
    a named tuple: a rebuild unpickles thousands of them.
    """

    path: str
    article_path: str
    front: FrontMatter
    listed: tuple[str, ...]  # sorted ids its sidecars name (who, where, timeline mentions)
    inline_entries: tuple[Entry, ...]  # entries defined in its who.yaml and where.yaml


@dataclass(frozen=True)
class BundleDetails:
    """What the pages of the entries a bundle names show of it, and what checks them."""

    references: tuple[IdRef, ...]  # every id its sidecars name, where it is written
    background: tuple[TimelineEvent, ...]


@dataclass(frozen=True)
class Site:
    """Everything loaded and validated: the input of linking and rendering."""

    config: SiteConfig
    entries: tuple[Entry, ...]  # site-wide glossary, inline entries included, sorted by id
    bundles: tuple[BundleSummary, ...]  # sorted by path
    # The authors of content/authors.yaml, sorted by id; None without that file.
    authors: tuple[Author, ...] | None = None
    # The tags content/tags.yaml names, sorted by id: those a page shows.
    tags: tuple[Tag, ...] = ()

    @cached_property
    def by_path(self) -> dict[str, BundleSummary]:
        """Each story by its path, made once: several stages of a build ask, and at
        50,000 stories each dictionary took 5 to 8 ms to make."""
        return {bundle.path: bundle for bundle in self.bundles}
