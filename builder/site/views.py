"""Page view models: what templates see, and nothing else.

Each page gets a plain, typed projection with its text already rendered to
safe HTML and every link already made relative to the page itself.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

from markupsafe import Markup

from builder.content.model import (
    BundleSummary,
    Entry,
    Fact,
    Site,
    SiteConfig,
    Tag,
)
from builder.content.validate import slugify
from builder.core.recent import Recent
from builder.site.dates import DateFormat, date_format
from builder.site.pictures import PORTRAIT_SIZES, PictureView, picture_view
from builder.text import site_links
from builder.text.markdown import InlineMarkdown, smart_quotes
from builder.text.site_links import written_in

# Renders a field of inline Markdown: its text, the folder below content/ of the
# file it was written in, and the way up to the site's top from the page shown.
InlineRenderer = Callable[[str, str, str], Markup]


@dataclass(frozen=True)
class SiteView:
    title: str
    language: str
    base_url: str
    description: str | None
    root: str  # relative URL of the site root from the current page, "" or ending in "/"
    search: bool  # whether the site has a Pagefind index and search box
    directory_urls: bool  # links to pages are their folders, not their index.html

    def href(self, folder: str) -> str:
        """The link from this page to the page of `folder` ("glossary"; "" for the
        front page), in the site's one form."""
        return site_links.page_href(self.root, folder, self.directory_urls)


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


class Quotation(NamedTuple):
    """Words someone in the story said, in the sentence of the story that quotes
    them when it is found (`before` and `after`, plain text, else empty)."""

    words: str
    before: str = ""
    after: str = ""


@dataclass(frozen=True)
class EntryCard:
    """An entry as a fact box shows it beside one story."""

    id: str
    name: str
    kind: str
    href: str
    summary: Markup | None
    in_this_story: Markup | None
    said: tuple[Quotation, ...]
    facts: tuple[FactView, ...]
    pin: int | None = None  # its number on the story's locator map, in the where box
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


class CorrectionView(NamedTuple):
    kind: str  # correction, clarification or update
    date: str
    date_iso: str
    text: Markup


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
    authors: tuple[LinkView, ...]  # each to the author's page, before the byline
    byline: str | None  # free text, such as a news agency
    corrections: tuple[CorrectionView, ...]  # oldest first
    # The kind of the newest correction, for the note under the headline: the story
    # "was corrected", "was clarified" or "was updated".
    corrected: CorrectionView | None
    image: PictureView | None  # the lead image, under the headline
    section_href: str
    tags: tuple[LinkView, ...]
    related: tuple[ArticleSummary, ...]  # explainers sharing the most entries
    body: Markup
    who: tuple[EntryCard, ...]
    what: WhatView | None
    where: tuple[EntryCard, ...]
    where_map: Markup | None  # an inline SVG locator map of the where box's places
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
    map: Markup | None  # an inline SVG locator map with the place's one pin
    timeline: tuple[TimelineItem, ...]
    articles: tuple[ArticleSummary, ...]


@dataclass(frozen=True)
class AuthorPage(Page):
    """An author, and every story the build publishes by them, newest first."""

    id: str
    name: str
    role: str | None
    bio: Markup | None
    website: str | None  # a page about them elsewhere: authors.yaml's url
    email: str | None
    articles: tuple[ArticleSummary, ...]
    portrait: PictureView | None = None


class AuthorCard(NamedTuple):
    """An author as the list of authors shows them."""

    id: str
    name: str
    role: str | None
    href: str


@dataclass(frozen=True)
class AuthorsPage(Page):
    authors: tuple[AuthorCard, ...]  # by name


@dataclass(frozen=True)
class GlossaryGroup:
    kind: str  # the id of the letter's section: letter-a, …, letter-other
    heading: str
    entries: tuple[EntryCard, ...]


@dataclass(frozen=True)
class GlossaryPage(Page):
    letters: tuple[GlossaryGroup, ...]  # A–Z, every kind together: the one list


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
    description: str | None = None  # a tag's, from content/tags.yaml


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


def dates_of(config: SiteConfig) -> DateFormat:
    """How the site writes dates: its language, its time zone."""
    return date_format(config.language, config.timezone)


def site_view(config: SiteConfig, root: str) -> SiteView:
    return SiteView(
        config.title,
        config.language,
        config.base_url,
        config.description,
        root,
        config.search,
        config.directory_urls,
    )


def tag_name(tag: str, named: Iterable[Tag] = ()) -> str:
    """How a tag reads to readers: the name content/tags.yaml gives it among the
    `named` tags; else as written when it has capitals ("UN vote"), a slug
    ("north-korea") as words, each capitalised ("North Korea")."""
    if named:
        slug = slugify(tag)
        for found in named:
            if found.id == slug:
                return found.name
    if tag != tag.lower():
        return tag
    return " ".join(word[:1].upper() + word[1:] for word in re.split(r"[-_\s]+", tag) if word)


def root_of(page_path: str) -> str:
    """Relative URL of the site root from a page folder such as "world/story"."""
    return site_links.root_of(page_path)


def fact_view(fact: Fact, inline: InlineRenderer, root: str, dates: DateFormat) -> FactView:
    return FactView(
        label=smart_quotes(fact.label),
        value=inline(fact.value, written_in(fact.position.path), root),
        as_of=dates.day(fact.as_of) if fact.as_of else None,
        as_of_iso=fact.as_of.isoformat() if fact.as_of else None,
        source=fact.source,
        source_is_url=bool(fact.source and fact.source.startswith(("http://", "https://"))),
    )


class StorySummaries(Recent[tuple[str, str], tuple[BundleSummary, ArticleSummary]]):
    """Stories as lists show them, which a running builder keeps from build to
    build: by path and page depth, each with the summary it was made from.

    An edited title sends the entry pages of the story's twenty entries back to
    the templates, each listing a hundred stories: all but the edited one are
    the very summary objects of the last build, and their list items are taken
    again. Kept only for one site's settings (`made_from` them: its dates, its
    links' form).
    """

    def __init__(self, limit: int = 20_000) -> None:
        super().__init__(limit)


class Cards:
    """Entry cards and fact views, each made once per entry and page depth.

    An entry's card looks the same on every page at the same depth: an article
    shows twenty, the glossary index every one, each entry page its own. Its
    links take the site's one form (`folders`: see site_links.page_href).
    """

    def __init__(
        self,
        inline: InlineRenderer,
        dates: DateFormat,
        folders: bool = False,
        summaries: StorySummaries | None = None,
    ) -> None:
        self.inline = inline
        self.dates = dates
        self.folders = folders
        self._facts: dict[tuple[str, str], tuple[FactView, ...]] = {}
        self._cards: dict[tuple[str, str], EntryCard] = {}
        made: dict[tuple[str, str], tuple[BundleSummary, ArticleSummary]] = {}
        self._summary_of = made.get if summaries is None else summaries.get
        self._keep_summary = made.__setitem__ if summaries is None else summaries.put

    @classmethod
    def of_site(cls, config: SiteConfig, summaries: StorySummaries | None = None) -> Cards:
        """The cards of a site: its dates, and links in its one form, text's too.
        `summaries`: a running builder's, kept from its last build."""
        folders = config.directory_urls
        kept = summaries.made_from(config) if summaries is not None else None
        return cls(InlineMarkdown(folders), dates_of(config), folders, kept)

    def facts(self, entry: Entry, root: str) -> tuple[FactView, ...]:
        found = self._facts.get((entry.id, root))
        if found is None:
            found = tuple(fact_view(fact, self.inline, root, self.dates) for fact in entry.facts)
            self._facts[entry.id, root] = found
        return found

    def card(self, entry: Entry, root: str) -> EntryCard:
        found = self._cards.get((entry.id, root))
        if found is None:
            found = self._cards[entry.id, root] = self.story_card(entry, root, None, ())
        return found

    def summary(self, bundle: BundleSummary, root: str, sentence: str | None) -> ArticleSummary:
        """A story as lists show it, made once per page depth: the hundred entry
        pages that list a story differ only in the sentence quoted from it."""
        key = (bundle.path, root)
        found = self._summary_of(key)
        # A story's summary is a new object when it changed: its item is made again.
        if found is None or found[0] is not bundle:
            found = (bundle, article_summary(bundle, root, self.dates, folders=self.folders))
            self._keep_summary(key, found)
        made = found[1]
        return made if sentence is None else ArticleSummary(*made[:-1], sentence)

    def story_card(
        self,
        entry: Entry,
        root: str,
        story: str | None,
        said: tuple[Quotation, ...],
        story_base: str = "",
    ) -> EntryCard:
        """The card of an entry beside one story, saying what it does there
        (`story`, written in the story's folder `story_base`)."""
        written = written_in(entry.position.path)
        return EntryCard(
            id=entry.id,
            name=entry.name,
            kind=entry.kind,
            href=site_links.page_href(root, f"glossary/{entry.id}", self.folders),
            summary=self.inline(entry.summary, written, root) if entry.summary else None,
            in_this_story=self.inline(story, story_base, root) if story else None,
            said=said,
            facts=self.facts(entry, root),
            portrait=picture_view(entry.image, root, PORTRAIT_SIZES),
        )


def article_summary(
    bundle: BundleSummary,
    root: str,
    dates: DateFormat,
    sentence: str | None = None,
    folders: bool = False,
) -> ArticleSummary:
    """A story as lists show it: the day it was published, in the site's time zone;
    its link in the site's one form (`folders`)."""
    front = bundle.front
    return ArticleSummary(
        title=front.title,
        dek=front.dek,
        section=front.section,
        date=dates.local_day(front.date),
        date_iso=front.date.html(),
        href=site_links.page_href(root, bundle.path, folders),
        sentence=sentence,
    )


def letter_groups(site: Site, root: str, cards: Cards) -> tuple[GlossaryGroup, ...]:
    """Every entry under the letter it sorts by (a person's family name: see
    Entry.sort_name); '#' for the rest."""
    by_letter: dict[str, list[tuple[str, str, Entry]]] = {}
    for entry in site.entries:
        sort_name = entry.sort_name()
        first = unicodedata.normalize("NFKD", sort_name[:1]).upper()[:1]
        letter = first if "A" <= first <= "Z" else "#"
        by_letter.setdefault(letter, []).append((sort_name.casefold(), entry.id, entry))
    return tuple(
        GlossaryGroup(
            f"letter-{letter.lower() if letter != '#' else 'other'}",
            letter,
            tuple(cards.card(entry, root) for _, _, entry in sorted(by_letter[letter])),
        )
        for letter in sorted(by_letter)
    )


def newest_first(bundles: list[BundleSummary]) -> list[BundleSummary]:
    """By the instant of publication, whatever offset each was written with."""
    return sorted(bundles, key=lambda b: (b.front.date.instant(), b.path), reverse=True)


class FeedAuthor(NamedTuple):
    name: str
    uri: str | None  # the absolute URL of the author's page; None for a byline


@dataclass(frozen=True)
class FeedItem:
    title: str
    url: str
    published: str  # RFC 3339 with the offset; a day alone is midnight in the site's zone
    updated: str  # the last change readers were told of: updated, or a correction
    summary: str | None
    section: str
    authors: tuple[FeedAuthor, ...]  # the story's authors, then its byline


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


@dataclass(frozen=True)
class NewsItem:
    loc: str
    title: str
    published: str  # RFC 3339 with the offset


@dataclass(frozen=True)
class NewsSitemapPage:
    """The Google News sitemap: the stories of the last two days."""

    publication: str  # the site's title
    language: str  # ISO 639: the language tag's first part, or zh-cn / zh-tw
    items: tuple[NewsItem, ...]
