"""Gathering backlinks and building the view of every page.

Bodies are rendered first (possibly in parallel); this stage reduces their
mentions into per-entry usage in a sorted, deterministic order, then makes
one view model per output page.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from functools import partial

from markupsafe import Markup

from builder.content.glossary import GlossaryIndex
from builder.content.model import (
    Appearance,
    Bundle,
    BundleSummary,
    Entry,
    Site,
    SiteConfig,
    TimelineEvent,
    display_date,
)
from builder.content.validate import slugify
from builder.site import jsonld
from builder.site.views import (
    ArticlePage,
    Cards,
    EntryCard,
    EntryPage,
    FeedItem,
    FeedPage,
    FrontPage,
    GlossaryPage,
    LinkView,
    ListPage,
    PageMeta,
    SitemapPage,
    SitemapUrl,
    TagCount,
    TagIndexPage,
    TimelineItem,
    WhatView,
    article_summary,
    fact_view,
    glossary_groups,
    letter_groups,
    newest_first,
    root_of,
    site_view,
)
from builder.text.linking import Mention
from builder.text.markdown import RenderedBody


@dataclass(frozen=True)
class Usage:
    """One article that uses an entry: where it first mentions it, if it does, and the
    events of its timeline."""

    bundle: BundleSummary
    mention: Mention | None
    background: tuple[TimelineEvent, ...]


def gather_users(
    bundles: list[BundleSummary], mentioned: dict[str, tuple[str, ...]], wanted: set[str]
) -> dict[str, list[str]]:
    """Entry id -> the paths of the articles that mention or list it, newest first,
    for the wanted entries."""
    users: dict[str, list[str]] = defaultdict(list)
    for bundle in newest_first(bundles):
        for entry_id in wanted.intersection((*mentioned.get(bundle.path, ()), *bundle.listed)):
            users[entry_id].append(bundle.path)
    return dict(users)


# An entry listed by more articles than this says little about how related they are.
RELATED_ENTRY_LIMIT = 200
RELATED_COUNT = 3


@dataclass(frozen=True)
class Touched:
    """Articles whose listed entries or date may have changed, and the entries they
    listed before or list now: only articles sharing one of those can change."""

    paths: frozenset[str]
    entries: frozenset[str]


def related_articles(
    site: Site,
    previous: dict[str, tuple[str, ...]] | None = None,
    touched: Touched | None = None,
) -> dict[str, tuple[str, ...]]:
    """For each article, the others sharing the most entries in their sidecars.

    Ties go to the newer article, then the path, so the choice is deterministic.
    Given the last build's answer and what was touched since, only the
    articles sharing an entry with a touched one are counted again.
    """
    listing: dict[str, list[str]] = defaultdict(list)
    for bundle in site.bundles:
        for entry_id in bundle.listed:
            listing[entry_id].append(bundle.path)
    newest = sorted(site.bundles, key=lambda b: (-b.front.date.toordinal(), b.path))
    rank = {bundle.path: position for position, bundle in enumerate(newest)}
    listed = {b.path: b.listed for b in site.bundles}
    if previous is None or touched is None:
        again = list(listed)
        related: dict[str, tuple[str, ...]] = {}
    else:
        related = {path: previous[path] for path in listed if path in previous}
        fresh = set(listed) - set(related)
        again = sorted(path for path in _sharing(touched, listing) | fresh if path in listed)
    for path in again:
        shared: Counter[str] = Counter()
        for entry_id in listed[path]:
            if len(listing[entry_id]) <= RELATED_ENTRY_LIMIT:
                shared.update(listing[entry_id])  # counted in C: this loop is the hot one
        del shared[path]
        related[path] = _most_shared(shared, rank)
    return related


def _sharing(touched: Touched, listing: dict[str, list[str]]) -> set[str]:
    found = set(touched.paths)
    for entry_id in touched.entries:
        found.update(listing.get(entry_id, ()))
    return found


def _most_shared(shared: Counter[str], rank: dict[str, int]) -> tuple[str, ...]:
    if not shared:
        return ()
    enough = heapq.nlargest(RELATED_COUNT, shared.values())[-1]
    candidates = [path for path, count in shared.items() if count >= enough]
    candidates.sort(key=lambda p: (-shared[p], rank[p]))
    return tuple(candidates[:RELATED_COUNT])


def section_slug(section: str) -> str:
    return slugify(section) or "other"


def article_page(
    config: SiteConfig,
    bundle: Bundle,
    body: RenderedBody,
    index: GlossaryIndex,
    cards: Cards,
    related: tuple[BundleSummary, ...] = (),
) -> ArticlePage:
    root = root_of(bundle.path)
    front = bundle.front
    what = bundle.what
    url = f"{config.base_url}{bundle.path}/"
    return ArticlePage(
        site=site_view(config, root),
        meta=PageMeta(
            title=f"{front.title} · {config.title}",
            description=front.dek,
            url=url,
            type="article",
            jsonld=_article_jsonld(config, bundle, body, index, url),
        ),
        url=url,
        title=front.title,
        dek=front.dek,
        section=front.section,
        date=display_date(front.date),
        date_iso=front.date.isoformat(),
        updated=display_date(front.updated) if front.updated else None,
        updated_iso=front.updated.isoformat() if front.updated else None,
        byline=front.byline,
        section_href=f"{root}sections/{section_slug(front.section)}/index.html",
        tags=tuple(
            LinkView(tag, f"{root}tags/{slugify(tag)}/index.html")
            for tag in front.tags
            if slugify(tag)
        ),
        related=tuple(cards.summary(other, root, None) for other in related),
        body=Markup(body.html),
        who=_cards(bundle.who, index, root, cards),
        what=WhatView(
            summary=cards.inline(what.summary),
            when=display_date(what.when) if what.when else None,
            when_iso=what.when.isoformat() if what.when else None,
            key_facts=tuple(fact_view(f, cards.inline) for f in what.key_facts),
            why_it_matters=cards.inline(what.why_it_matters) if what.why_it_matters else None,
        )
        if what
        else None,
        where=_cards(bundle.where, index, root, cards),
        background=tuple(_timeline_item(e, index, root, cards, None) for e in bundle.background),
        terms=tuple(cards.card(index.entry(m.entry_id), root) for m in body.mentions),
    )


def _article_jsonld(
    config: SiteConfig, bundle: Bundle, body: RenderedBody, index: GlossaryIndex, url: str
) -> Markup:
    def linked(ids: list[str]) -> list[tuple[Entry, str]]:
        base = config.base_url
        found = [index.entries[i] for i in ids if i in index.entries]
        return [(entry, f"{base}glossary/{entry.id}/") for entry in found]

    about = list(dict.fromkeys(item.ref.id for item in (*bundle.who, *bundle.where)))
    mentioned = [m.entry_id for m in body.mentions if m.entry_id not in about]
    return jsonld.news_article(bundle, url, config.title, linked(about), linked(mentioned))


def _cards(
    items: tuple[Appearance, ...], index: GlossaryIndex, root: str, cards: Cards
) -> tuple[EntryCard, ...]:
    return tuple(
        cards.story_card(
            index.entry(item.ref.id), root, item.in_this_story, tuple(q.text for q in item.said)
        )
        for item in items
        if item.ref.id in index.entries
    )


def _timeline_item(
    event: TimelineEvent,
    index: GlossaryIndex,
    root: str,
    cards: Cards,
    article: BundleSummary | None,
) -> TimelineItem:
    mentions = tuple(
        LinkView(index.entry(ref.id).name, f"{root}glossary/{ref.id}/index.html")
        for ref in event.mentions
        if ref.id in index.entries
    )
    source = event.source
    return TimelineItem(
        date=event.date.display(),
        date_iso=event.date.iso(),
        title=event.title,
        summary=cards.inline(event.summary) if event.summary else None,
        mentions=mentions,
        source=source,
        source_is_url=bool(source and source.startswith(("http://", "https://"))),
        article=LinkView(article.front.title, f"{root}{article.path}/index.html")
        if article
        else None,
    )


def entry_page(
    site: Site, entry_id: str, usage: list[Usage], index: GlossaryIndex, cards: Cards
) -> EntryPage:
    entry = index.entry(entry_id)
    root = root_of(f"glossary/{entry_id}")
    card = cards.card(entry, root)
    url = f"{site.config.base_url}glossary/{entry_id}/"
    summary = card.summary.striptags() if card.summary else None
    events = sorted(
        (
            (event, use.bundle)
            for use in usage
            for event in use.background
            if any(ref.id == entry_id for ref in event.mentions)
        ),
        key=lambda pair: (pair[0].date.sort_key(), pair[1].path),
    )
    return EntryPage(
        site=site_view(site.config, root),
        meta=PageMeta(
            title=f"{entry.name} · Glossary · {site.config.title}",
            description=summary,
            url=url,
            type="profile" if entry.kind == "person" else "website",
            jsonld=jsonld.entry_page(entry, url, summary),
        ),
        url=url,
        id=entry.id,
        name=entry.name,
        kind=entry.kind,
        aliases=entry.aliases,
        summary=card.summary,
        facts=card.facts,
        wikidata_url=f"https://www.wikidata.org/wiki/{entry.wikidata}" if entry.wikidata else None,
        coordinates=entry.coordinates,
        timeline=tuple(_timeline_item(e, index, root, cards, b) for e, b in events),
        articles=tuple(
            cards.summary(use.bundle, root, use.mention.sentence if use.mention else None)
            for use in usage
        ),
    )


def glossary_page(site: Site, cards: Cards) -> GlossaryPage:
    root = root_of("glossary")
    return GlossaryPage(
        site=site_view(site.config, root),
        meta=PageMeta(
            title=f"Glossary · {site.config.title}",
            description=f"Who, what and where in the news on {site.config.title}.",
            url=f"{site.config.base_url}glossary/",
            type="website",
            jsonld=None,
        ),
        url=f"{site.config.base_url}glossary/",
        groups=glossary_groups(site, root, cards),
        letters=letter_groups(site, root, cards),
    )


def front_page(site: Site) -> FrontPage:
    return FrontPage(
        site=site_view(site.config, ""),
        meta=PageMeta(
            title=site.config.title,
            description=site.config.description,
            url=site.config.base_url,
            type="website",
            jsonld=None,
        ),
        url=site.config.base_url,
        articles=tuple(article_summary(b, "") for b in newest(site, FRONT_PAGE_SIZE)),
    )


# Section and tag pages show this many stories each, newest first, with links
# to the next and previous pages: a phone need not load a whole archive, and
# an edit to one story re-renders only the page that shows it.
LIST_PAGE_SIZE = 50


@dataclass(frozen=True)
class ListSpec:
    """One page of a section's or a tag's stories."""

    folder: str  # of the section or tag: sections/SLUG or tags/SLUG
    kind: str  # "section" or "tag"
    name: str
    number: int  # from 1
    count: int  # pages in all
    bundles: tuple[BundleSummary, ...]


def _list_groups(site: Site) -> dict[str, tuple[str, str, list[BundleSummary]]]:
    """Each section and tag by folder, sections/SLUG and tags/SLUG: (kind, name,
    its stories newest first)."""
    groups: dict[str, tuple[str, str, list[BundleSummary]]] = {}
    # Thousands of stories share a few sections and tags: each name is
    # turned into its folder once.
    folders: dict[tuple[str, str], str | None] = {}

    def folder_of(kind: str, name: str) -> str | None:
        key = (kind, name)
        if key not in folders:
            slug = section_slug(name) if kind == "section" else slugify(name)
            folders[key] = f"{kind}s/{slug}" if slug else None
        return folders[key]

    for bundle in newest_first(list(site.bundles)):
        front = bundle.front
        named = [("section", front.section)] + [("tag", tag) for tag in front.tags]
        for kind, name in named:
            folder = folder_of(kind, name)
            if folder is not None:
                groups.setdefault(folder, (kind, name, []))[2].append(bundle)
    return dict(sorted(groups.items()))


def list_pages(site: Site) -> dict[str, ListSpec]:
    """Output path -> the page, for every page of every section and tag."""
    pages: dict[str, ListSpec] = {}
    for folder, (kind, name, bundles) in _list_groups(site).items():
        count = max(1, -(-len(bundles) // LIST_PAGE_SIZE))
        for number in range(1, count + 1):
            shown = bundles[(number - 1) * LIST_PAGE_SIZE : number * LIST_PAGE_SIZE]
            spec = ListSpec(folder, kind, name, number, count, tuple(shown))
            pages[f"{_page_folder(folder, number)}/index.html"] = spec
    return pages


def _page_folder(folder: str, number: int) -> str:
    return folder if number == 1 else f"{folder}/page/{number}"


def _list_page(site: Site, spec: ListSpec) -> ListPage:
    here = _page_folder(spec.folder, spec.number)
    root = root_of(here)
    url = f"{site.config.base_url}{here}/"
    heading = spec.name if spec.kind == "section" else f"Tagged “{spec.name}”"
    title = heading if spec.number == 1 else f"{heading}, page {spec.number}"

    def href(number: int) -> str | None:
        if not 1 <= number <= spec.count:
            return None
        return f"{root}{_page_folder(spec.folder, number)}/index.html"

    return ListPage(
        site=site_view(site.config, root),
        meta=PageMeta(f"{title} · {site.config.title}", None, url, "website", None),
        url=url,
        kind=spec.kind,
        heading=heading,
        articles=tuple(article_summary(b, root) for b in site.bundles),
        number=spec.number,
        count=spec.count,
        newer=href(spec.number - 1),
        older=href(spec.number + 1),
    )


def tag_index(site: Site) -> TagIndexPage:
    counts: dict[str, int] = defaultdict(int)
    for bundle in site.bundles:
        for tag in bundle.front.tags:
            if slugify(tag):
                counts[tag] += 1
    root = root_of("tags")
    url = f"{site.config.base_url}tags/"
    return TagIndexPage(
        site=site_view(site.config, root),
        meta=PageMeta(f"Tags · {site.config.title}", None, url, "website", None),
        url=url,
        tags=tuple(
            TagCount(tag, f"{root}tags/{slugify(tag)}/index.html", counts[tag])
            for tag in sorted(counts, key=str.casefold)
        ),
    )


# The front page and the feed show the newest stories; section and tag pages,
# and the sitemap, list every one.
FRONT_PAGE_SIZE = 50
FEED_SIZE = 50


def newest(site: Site, count: int) -> list[BundleSummary]:
    return newest_first(list(site.bundles))[:count]


@dataclass(frozen=True)
class SitePage:
    """A page that shows many stories or entries.

    Its view is made from `shows` alone, a Site that holds only the entries and
    stories the page shows, and from `extra`, the plain values it shows besides.
    The page's key digests each of them whole, so whatever the view or a theme's
    template comes to print of them, an edit to it renders the page again:
    nothing lists which of their fields a page shows.
    """

    template: str
    view: Callable[[Site], object]
    shows: Site  # its stories in the order the page lists them
    extra: object = None  # handed to `view` already; digested into the key

    def make_view(self) -> object:
        return self.view(self.shows)


def site_pages(site: Site, cards: Cards) -> dict[str, SitePage]:
    """Output path -> the page, for every page that shows the whole site."""
    latest = tuple(newest(site, max(FRONT_PAGE_SIZE, FEED_SIZE)))
    lists = list_pages(site)
    stories, entries = replace(site, entries=()), replace(site, bundles=())
    wanted = {
        "index.html": SitePage(
            "index.html", front_page, replace(stories, bundles=latest[:FRONT_PAGE_SIZE])
        ),
        "glossary/index.html": SitePage(
            "glossary.html", partial(glossary_page, cards=cards), entries
        ),
        "tags/index.html": SitePage("tags.html", tag_index, stories),
        "feed.xml": SitePage("feed.xml", feed, replace(stories, bundles=latest[:FEED_SIZE])),
        "sitemap.xml": SitePage(
            "sitemap.xml", partial(sitemap, lists=list(lists)), site, list(lists)
        ),
    }
    for path, spec in lists.items():
        bare = replace(spec, bundles=())  # the view takes its stories from `shows`
        shows = replace(stories, bundles=spec.bundles)
        wanted[path] = SitePage("list.html", partial(_list_page, spec=bare), shows, bare)
    return wanted


def _timestamp(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def feed(site: Site) -> FeedPage:
    base = site.config.base_url
    bundles = newest(site, FEED_SIZE)
    items = tuple(
        FeedItem(
            title=b.front.title,
            url=f"{base}{b.path}/",
            published=_timestamp(b.front.date),
            updated=_timestamp(b.front.updated or b.front.date),
            summary=b.front.dek,
            section=b.front.section,
            byline=b.front.byline,
        )
        for b in bundles
    )
    latest = max((b.front.updated or b.front.date for b in bundles), default=date(1970, 1, 1))
    return FeedPage(site_view(site.config, ""), f"{base}feed.xml", base, _timestamp(latest), items)


def sitemap(site: Site, lists: list[str]) -> SitemapPage:
    base = site.config.base_url
    bundles = newest_first(list(site.bundles))
    latest = max((b.front.updated or b.front.date for b in bundles), default=None)
    urls = [SitemapUrl(base, latest.isoformat() if latest else None)]
    urls.extend(
        SitemapUrl(f"{base}{b.path}/", (b.front.updated or b.front.date).isoformat())
        for b in sorted(bundles, key=lambda b: b.path)
    )
    urls.extend(
        SitemapUrl(f"{base}{path.removesuffix('index.html')}", None)
        for path in ["glossary/index.html", "tags/index.html", *lists]
    )
    urls.extend(SitemapUrl(f"{base}glossary/{e.id}/", None) for e in site.entries)
    return SitemapPage(tuple(urls))
