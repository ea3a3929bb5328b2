"""Page view models: what templates see, and nothing else.

Each page gets a plain, typed projection with its text already rendered to
safe HTML and every link already made relative to the page itself.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from markupsafe import Markup

from builder.content.model import (
    ENTRY_KINDS,
    BundleSummary,
    Entry,
    Fact,
    Site,
    SiteConfig,
    display_date,
)
from builder.site.pictures import PORTRAIT_SIZES, PictureView, picture_view

InlineRenderer = Callable[[str], Markup]

KIND_HEADINGS = {
    "person": "People",
    "organization": "Organizations",
    "place": "Places",
    "term": "Terms",
    "event": "Events",
}


@dataclass(frozen=True)
class SiteView:
    title: str
    language: str
    base_url: str
    description: str | None
    root: str  # relative URL of the site root from the current page, "" or ending in "/"
    search: bool  # whether the site has a Pagefind index and search box


@dataclass(frozen=True)
class PageMeta:
    """What the head of every page says about it, to browsers, feeds and search engines."""

    title: str  # the document title
    description: str | None
    url: str  # absolute, canonical
    type: str  # Open Graph type: "article" or "website"
    jsonld: Markup | None  # schema.org data, already escaped for a script element
    images: tuple[str, ...] = ()  # absolute URLs for og:image, the widest first
    image_alt: str | None = None
    twitter_card: str = "summary"  # "summary_large_image" for a page led by a wide picture


# The small views that lists repeat by the thousand are named tuples, several
# times cheaper to make than frozen dataclasses; templates read them alike.
class FactView(NamedTuple):
    label: str
    value: Markup
    as_of: str | None
    as_of_iso: str | None
    source: str | None
    source_is_url: bool


@dataclass(frozen=True)
class EntryCard:
    """An entry as a fact box shows it beside one story."""

    id: str
    name: str
    kind: str
    href: str
    summary: Markup | None
    in_this_story: Markup | None
    said: tuple[str, ...]
    facts: tuple[FactView, ...]
    portrait: PictureView | None = None


@dataclass(frozen=True)
class WhatView:
    summary: Markup
    when: str | None
    when_iso: str | None
    key_facts: tuple[FactView, ...]
    why_it_matters: Markup | None


class LinkView(NamedTuple):
    text: str
    href: str


class TimelineItem(NamedTuple):
    date: str  # at its real precision: "2000", "July 2000", "13 September 2023"
    date_iso: str
    title: str
    summary: Markup | None
    mentions: tuple[LinkView, ...]
    source: str | None
    source_is_url: bool
    article: LinkView | None  # the story whose background this comes from, on entry pages


class ArticleSummary(NamedTuple):
    title: str
    dek: str | None
    section: str
    date: str
    date_iso: str
    href: str
    sentence: str | None  # where an entry is mentioned, on entry pages; last: Cards.summary sets it


@dataclass(frozen=True)
class Page:
    """What every HTML page's view has: the site, the page's meta tags, its URL."""

    site: SiteView
    meta: PageMeta
    url: str  # absolute, canonical


@dataclass(frozen=True)
class ArticlePage(Page):
    title: str
    dek: str | None
    section: str
    date: str
    date_iso: str
    updated: str | None
    updated_iso: str | None
    byline: str | None
    image: PictureView | None  # the lead image, under the headline
    section_href: str
    tags: tuple[LinkView, ...]
    related: tuple[ArticleSummary, ...]  # explainers sharing the most entries
    body: Markup
    who: tuple[EntryCard, ...]
    what: WhatView | None
    where: tuple[EntryCard, ...]
    background: tuple[TimelineItem, ...]
    terms: tuple[EntryCard, ...]  # every entry linked in the body, in order of first mention


@dataclass(frozen=True)
class EntryPage(Page):
    id: str
    name: str
    kind: str
    aliases: tuple[str, ...]
    summary: Markup | None
    facts: tuple[FactView, ...]
    portrait: PictureView | None
    wikidata_url: str | None
    coordinates: tuple[float, float] | None
    timeline: tuple[TimelineItem, ...]
    articles: tuple[ArticleSummary, ...]


@dataclass(frozen=True)
class GlossaryGroup:
    kind: str  # an entry kind, or a letter for the A–Z list
    heading: str
    entries: tuple[EntryCard, ...]


@dataclass(frozen=True)
class GlossaryPage(Page):
    groups: tuple[GlossaryGroup, ...]  # by kind
    letters: tuple[GlossaryGroup, ...]  # A–Z, every kind together


@dataclass(frozen=True)
class ListPage(Page):
    """A section's or a tag's explainers, newest first."""

    kind: str  # "section" or "tag"
    heading: str
    articles: tuple[ArticleSummary, ...]
    number: int  # of this page, from 1
    count: int  # of pages in all
    newer: str | None  # relative URL of the page before, with newer stories
    older: str | None


@dataclass(frozen=True)
class TagCount:
    name: str
    href: str
    count: int


@dataclass(frozen=True)
class TagIndexPage(Page):
    tags: tuple[TagCount, ...]


@dataclass(frozen=True)
class FrontPage(Page):
    articles: tuple[ArticleSummary, ...]


def site_view(config: SiteConfig, root: str) -> SiteView:
    return SiteView(
        config.title, config.language, config.base_url, config.description, root, config.search
    )


def root_of(page_path: str) -> str:
    """Relative URL of the site root from a page folder such as "world/story"."""
    return "../" * len([part for part in page_path.split("/") if part])


def fact_view(fact: Fact, inline: InlineRenderer) -> FactView:
    return FactView(
        label=fact.label,
        value=inline(fact.value),
        as_of=display_date(fact.as_of) if fact.as_of else None,
        as_of_iso=fact.as_of.isoformat() if fact.as_of else None,
        source=fact.source,
        source_is_url=bool(fact.source and fact.source.startswith(("http://", "https://"))),
    )


class Cards:
    """Entry cards and fact views, each made once per entry and page depth.

    An entry's card looks the same on every page at the same depth: an article
    shows twenty, the glossary index every one, each entry page its own.
    """

    def __init__(self, inline: InlineRenderer) -> None:
        self.inline = inline
        self._facts: dict[str, tuple[FactView, ...]] = {}
        self._cards: dict[tuple[str, str], EntryCard] = {}
        self._summaries: dict[tuple[str, str], ArticleSummary] = {}

    def facts(self, entry: Entry) -> tuple[FactView, ...]:
        found = self._facts.get(entry.id)
        if found is None:
            found = tuple(fact_view(fact, self.inline) for fact in entry.facts)
            self._facts[entry.id] = found
        return found

    def card(self, entry: Entry, root: str) -> EntryCard:
        found = self._cards.get((entry.id, root))
        if found is None:
            found = self._cards[entry.id, root] = self.story_card(entry, root, None, ())
        return found

    def summary(self, bundle: BundleSummary, root: str, sentence: str | None) -> ArticleSummary:
        """A story as lists show it, made once per page depth: the hundred entry
        pages that list a story differ only in the sentence quoted from it."""
        found = self._summaries.get((bundle.path, root))
        if found is None:
            found = self._summaries[bundle.path, root] = article_summary(bundle, root)
        return found if sentence is None else ArticleSummary(*found[:-1], sentence)

    def story_card(
        self, entry: Entry, root: str, story: str | None, said: tuple[str, ...]
    ) -> EntryCard:
        """The card of an entry beside one story, saying what it does there."""
        return EntryCard(
            id=entry.id,
            name=entry.name,
            kind=entry.kind,
            href=f"{root}glossary/{entry.id}/index.html",
            summary=self.inline(entry.summary) if entry.summary else None,
            in_this_story=self.inline(story) if story else None,
            said=said,
            facts=self.facts(entry),
            portrait=picture_view(entry.image, root, PORTRAIT_SIZES),
        )


def article_summary(
    bundle: BundleSummary, root: str, sentence: str | None = None
) -> ArticleSummary:
    front = bundle.front
    return ArticleSummary(
        title=front.title,
        dek=front.dek,
        section=front.section,
        date=display_date(front.date),
        date_iso=front.date.isoformat(),
        href=f"{root}{bundle.path}/index.html",
        sentence=sentence,
    )


def letter_groups(site: Site, root: str, cards: Cards) -> tuple[GlossaryGroup, ...]:
    """Every entry under the letter its name starts with; '#' for the rest."""
    by_letter: dict[str, list[Entry]] = {}
    for entry in site.entries:
        first = unicodedata.normalize("NFKD", entry.name[:1]).upper()[:1]
        letter = first if "A" <= first <= "Z" else "#"
        by_letter.setdefault(letter, []).append(entry)
    return tuple(
        GlossaryGroup(
            f"letter-{letter.lower() if letter != '#' else 'other'}",
            letter,
            tuple(
                cards.card(e, root)
                for e in sorted(by_letter[letter], key=lambda e: (e.name.casefold(), e.id))
            ),
        )
        for letter in sorted(by_letter)
    )


def newest_first(bundles: list[BundleSummary]) -> list[BundleSummary]:
    return sorted(bundles, key=lambda b: (b.front.date, b.path), reverse=True)


def glossary_groups(site: Site, root: str, cards: Cards) -> tuple[GlossaryGroup, ...]:
    groups = []
    for kind in ENTRY_KINDS:
        members = sorted(
            (e for e in site.entries if e.kind == kind), key=lambda e: (e.name.casefold(), e.id)
        )
        if members:
            made = tuple(cards.card(e, root) for e in members)
            groups.append(GlossaryGroup(kind, KIND_HEADINGS[kind], made))
    return tuple(groups)


@dataclass(frozen=True)
class FeedItem:
    title: str
    url: str
    published: str  # RFC 3339, at midnight UTC: content dates carry no time
    updated: str
    summary: str | None
    section: str
    byline: str | None


@dataclass(frozen=True)
class FeedPage:
    site: SiteView
    url: str  # the feed's own absolute URL
    home: str
    updated: str
    items: tuple[FeedItem, ...]


@dataclass(frozen=True)
class SitemapUrl:
    loc: str
    lastmod: str | None


@dataclass(frozen=True)
class SitemapPage:
    urls: tuple[SitemapUrl, ...]
