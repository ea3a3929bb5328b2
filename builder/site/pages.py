"""Gathering backlinks, and the views of article and entry pages.

Bodies are rendered first (possibly in parallel); this stage reduces their
mentions into per-entry usage in a sorted, deterministic order, then makes
the view of each story's page and each entry's page. The pages that show the
whole site are in builder.site.listings.
"""

from __future__ import annotations

import dataclasses
import heapq
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup

from builder.content.checks import quoted_passage
from builder.content.glossary import GlossaryIndex
from builder.content.model import (
    Appearance,
    Author,
    Bundle,
    BundleSummary,
    Entry,
    Site,
    SiteConfig,
    Tag,
    TimelineEvent,
)
from builder.content.validate import slugify
from builder.site import jsonld
from builder.site.authors import article_credits, byline_links
from builder.site.locator_map import locator_map
from builder.site.map_frame import Pin
from builder.site.pictures import LEAD_SIZES, crop_urls, picture_view, portrait_urls, responsive
from builder.site.views import (
    ArticlePage,
    Cards,
    CorrectionView,
    EntryCard,
    EntryPage,
    LinkView,
    PageMeta,
    Quotation,
    TimelineItem,
    WhatView,
    fact_view,
    newest_first,
    root_of,
    site_view,
    tag_name,
)
from builder.text.linking import Mention
from builder.text.markdown import RenderedBody, smart_quotes
from builder.text.site_links import page_href, written_in

# What an entry page shows of one story: the story's first mention of the
# entry, if any, and the events of its timeline that name the entry.
Use = tuple[Mention | None, tuple[TimelineEvent, ...]]


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
    if not wanted:
        return {}
    users: dict[str, list[BundleSummary]] = defaultdict(list)
    for bundle in bundles:
        mentions = mentioned.get(bundle.path, ())
        # Most stories use none of the few entries an edit touches: asked first,
        # without making a set for each story of the archive.
        if wanted.isdisjoint(mentions) and wanted.isdisjoint(bundle.listed):
            continue
        for entry_id in wanted.intersection((*mentions, *bundle.listed)):
            users[entry_id].append(bundle)
    if sum(len(found) for found in users.values()) <= len(bundles):
        # An edit's few entries: their users are sorted, not the archive.
        return {
            entry_id: [b.path for b in newest_first(found)] for entry_id, found in users.items()
        }
    # Every entry (a first build): each story is among the users of twenty or so,
    # so the archive is sorted once (0.2-0.4 s less at 50,000 stories).
    order = {b.path: n for n, b in enumerate(newest_first(bundles))}
    return {
        entry_id: sorted((b.path for b in found), key=order.__getitem__)
        for entry_id, found in users.items()
    }


# An entry listed by more articles than this says little about how related they are.
RELATED_ENTRY_LIMIT = 200
RELATED_COUNT = 3


@dataclass(frozen=True)
class Touched:
    """Articles whose listed entries or date may have changed, and the entries they
    listed before or list now: only articles sharing one of those can change."""

    paths: frozenset[str]
    entries: frozenset[str]


@dataclass(frozen=True)
class Relating:
    """What counting related stories needs, in numbers, as `count_related` reads it:
    small to send to another process. Each story's number orders it as a tie is
    broken: the newest, and of two at the same instant the first path, has the largest."""

    listed: tuple[array[int], ...]  # by story: the numbers of the entries it lists that count
    listing: tuple[array[int], ...]  # by entry: the stories that list it, newest first


# Counts the stories most related to each of the stories numbered, returning
# theirs in the same order: here (`count_related`), or shared among workers.
RelatedCounter = Callable[[Relating, list[int]], list[tuple[int, ...]]]


def count_related(relating: Relating, numbers: list[int]) -> list[tuple[int, ...]]:
    """The numbers of the most related stories of each story numbered."""
    found = []
    for number in numbers:
        shared: Counter[int] = Counter()
        for entry in relating.listed[number]:
            shared.update(relating.listing[entry])  # counted in C: this loop is the hot one
        del shared[number]
        found.append(_most_shared(shared))
    return found


def related_articles(
    site: Site,
    previous: dict[str, tuple[str, ...]] | None = None,
    touched: Touched | None = None,
    count: RelatedCounter = count_related,
) -> dict[str, tuple[str, ...]]:
    """For each article, the others sharing the most entries in their sidecars.

    Ties go to the newer article, then the path, so the choice is deterministic.
    Given the last build's answer and what was touched since, only the
    articles sharing an entry with a touched one are counted again, by `count`.
    """
    unmoved = touched is not None and not touched.paths
    if previous is not None and unmoved and previous.keys() == site.by_path.keys():
        return previous  # nothing that relates stories changed
    # Counted and compared as numbers, not paths: three times faster at 50,000 stories.
    oldest = sorted(site.bundles, key=lambda b: b.path, reverse=True)
    oldest.sort(key=lambda b: b.front.date.instant())  # stable: ties keep the path order
    number = {bundle.path: n for n, bundle in enumerate(oldest)}
    listing: dict[str, list[int]] = defaultdict(list)
    # Newest first: counted in that order, the stories that tie come largest first,
    # and picking the three most shared seldom replaces one already picked.
    for n in range(len(oldest) - 1, -1, -1):
        for entry_id in oldest[n].listed:
            listing[entry_id].append(n)
    if previous is None or touched is None:
        again = list(range(len(oldest)))
        related: dict[str, tuple[str, ...]] = {}
    else:
        related = {b.path: previous[b.path] for b in oldest if b.path in previous}
        sharing = _sharing(touched, listing, oldest) | (number.keys() - related.keys())
        again = sorted(number[path] for path in sharing if path in number)
    found = count(_relating(oldest, listing, again), again)
    for n, most in zip(again, found, strict=True):
        related[oldest[n].path] = tuple(oldest[m].path for m in most)
    return related


def _relating(
    oldest: list[BundleSummary], listing: dict[str, list[int]], again: list[int]
) -> Relating:
    """The stories to count again, and the entries they list that count, by number:
    an entry listed by more than RELATED_ENTRY_LIMIT stories does not. Only those
    entries are made arrays: an edit counts a few stories of the archive again."""
    entries: dict[str, int] = {}
    listed = [_NONE] * len(oldest)
    for n in again:
        mine = []
        for entry_id in oldest[n].listed:
            if len(listing[entry_id]) <= RELATED_ENTRY_LIMIT:
                mine.append(entries.setdefault(entry_id, len(entries)))
        listed[n] = array("i", mine)
    return Relating(tuple(listed), tuple(array("i", listing[e]) for e in entries))


_NONE = array("i")


def _sharing(
    touched: Touched, listing: dict[str, list[int]], oldest: list[BundleSummary]
) -> set[str]:
    found = set(touched.paths)
    for entry_id in touched.entries:
        found.update(oldest[n].path for n in listing.get(entry_id, ()))
    return found


def _most_shared(shared: Counter[int]) -> tuple[int, ...]:
    """The numbers of the most shared stories, and of two equally shared the larger."""
    # (count, number) pairs compare in C; a sort keyed in Python was most of the
    # time at 50,000 stories, where hundreds of stories tie at one shared entry.
    pairs = zip(shared.values(), shared, strict=True)
    return tuple(n for _, n in heapq.nlargest(RELATED_COUNT, pairs))


def section_slug(section: str) -> str:
    return slugify(section) or "other"


def article_page(
    config: SiteConfig,
    bundle: Bundle,
    body: RenderedBody,
    index: GlossaryIndex,
    cards: Cards,
    related: tuple[BundleSummary, ...] = (),
    authors: tuple[Author, ...] = (),
    tags: tuple[Tag, ...] = (),
) -> ArticlePage:
    """A story's page; `tags` are those of its tags that content/tags.yaml names."""
    root = root_of(bundle.path)
    folders = config.directory_urls
    front = bundle.front
    what = bundle.what
    url = f"{config.base_url}{bundle.path}/"
    dates = cards.dates
    written = written_in(bundle.article_path)
    corrections = tuple(
        CorrectionView(c.kind, dates.moment(c.at), c.at.html(), cards.inline(c.text, written, root))
        for c in front.corrections
    )
    where = _numbered(_cards(bundle.where, index, root, cards, bundle.body), index)
    lead = front.image
    shared = crop_urls(lead.file, config.base_url) if lead and lead.file else ()
    return ArticlePage(
        site=site_view(config, root),
        meta=PageMeta(
            title=f"{front.title} · {config.title}",
            description=front.dek,
            url=url,
            type="article",
            jsonld=_article_jsonld(config, bundle, body, index, url, authors, corrections, shared),
            images=shared,
            image_alt=front.image.alt if shared and front.image else None,
            twitter_card="summary_large_image" if shared else "summary",
        ),
        url=url,
        title=front.title,
        dek=front.dek,
        section=front.section,
        date=dates.moment(front.date),
        date_iso=front.date.html(),
        updated=dates.moment(front.updated) if front.updated else None,
        updated_iso=front.updated.html() if front.updated else None,
        authors=byline_links(authors, root, config.directory_urls),
        byline=front.byline,
        corrections=corrections,
        corrected=corrections[-1] if corrections else None,
        image=picture_view(lead, root, LEAD_SIZES),
        section_href=page_href(root, f"sections/{section_slug(front.section)}", folders),
        tags=tuple(
            LinkView(tag_name(tag, tags), page_href(root, f"tags/{slugify(tag)}", folders))
            for tag in front.tags
            if slugify(tag)
        ),
        related=tuple(cards.summary(other, root, None) for other in related),
        body=Markup(body.html),
        who=_cards(bundle.who, index, root, cards, bundle.body),
        what=WhatView(
            summary=cards.inline(what.summary, written_in(what.position.path), root),
            when=dates.day(what.when) if what.when else None,
            when_iso=what.when.isoformat() if what.when else None,
            key_facts=tuple(fact_view(f, cards.inline, root, dates) for f in what.key_facts),
            why_it_matters=cards.inline(what.why_it_matters, written_in(what.position.path), root)
            if what.why_it_matters
            else None,
        )
        if what
        else None,
        where=where,
        where_map=_where_map(where, index) if any(card.pin for card in where) else None,
        background=tuple(_timeline_item(e, index, root, cards, None) for e in bundle.background),
        terms=tuple(cards.card(index.entry(m.entry_id), root) for m in body.mentions),
    )


def _article_jsonld(
    config: SiteConfig,
    bundle: Bundle,
    body: RenderedBody,
    index: GlossaryIndex,
    url: str,
    authors: tuple[Author, ...],
    corrections: tuple[CorrectionView, ...],
    images: tuple[str, ...],
) -> Markup:
    def linked(ids: list[str]) -> list[tuple[Entry, str]]:
        base = config.base_url
        found = [index.entries[i] for i in ids if i in index.entries]
        return [(entry, f"{base}glossary/{entry.id}/") for entry in found]

    about = list(dict.fromkeys(item.ref.id for item in (*bundle.who, *bundle.where)))
    mentioned = [m.entry_id for m in body.mentions if m.entry_id not in about]
    credits = article_credits(authors, config.base_url)
    # An update adds to a story; only what was wrong or unclear is a schema.org correction.
    corrected = [
        (moment.at, view.text.striptags())
        for moment, view in zip((c.at for c in bundle.front.corrections), corrections, strict=True)
        if view.kind != "update"
    ]
    return jsonld.news_article(
        bundle,
        url,
        config,
        linked(about),
        linked(mentioned),
        credits,
        corrected,
        _logo(config),
        images,
    )


def _logo(config: SiteConfig) -> jsonld.Logo | None:
    publisher = config.publisher
    logo = publisher.logo if publisher else None
    if logo is None or logo.file is None:
        return None
    widest = responsive(logo.file)[-1]
    return jsonld.Logo(f"{config.base_url}{widest.output}", widest.width, widest.height)


def _cards(
    items: tuple[Appearance, ...], index: GlossaryIndex, root: str, cards: Cards, body: str
) -> tuple[EntryCard, ...]:
    return tuple(
        cards.story_card(
            index.entry(item.ref.id),
            root,
            item.in_this_story,
            tuple(_quotation(quote.text, body) for quote in item.said),
            written_in(item.ref.position.path),
        )
        for item in items
        if item.ref.id in index.entries
    )


def _quotation(quote: str, body: str) -> Quotation:
    """The quotation in the sentence of the story that holds it, its quotes
    curled as the story's are: a fragment ("quickly prepare") reads as what it
    is only beside the words around it."""
    passage = quoted_passage(body, quote)
    if passage is None:
        return Quotation(smart_quotes(quote))
    sentence = smart_quotes("".join(passage))
    if len(sentence) != sum(len(part) for part in passage):
        return Quotation(smart_quotes(passage.words))  # curling changed the length
    start, end = len(passage.before), len(passage.before) + len(passage.words)
    return Quotation(sentence[start:end], sentence[:start], sentence[end:])


def _numbered(where: tuple[EntryCard, ...], index: GlossaryIndex) -> tuple[EntryCard, ...]:
    """The where box's cards, those with coordinates numbered from 1 in order:
    the numbers of their pins on the map."""
    numbered: list[EntryCard] = []
    pins = 0
    for card in where:
        if index.entry(card.id).coordinates is not None:
            pins += 1
            card = dataclasses.replace(card, pin=pins)
        numbered.append(card)
    return tuple(numbered)


def _where_map(where: tuple[EntryCard, ...], index: GlossaryIndex) -> Markup:
    pins = []
    for card in where:
        coordinates = index.entry(card.id).coordinates
        if card.pin is not None and coordinates is not None:
            pins.append(Pin(card.pin, card.name, *coordinates))
    return locator_map(pins, "Map of the places in this story", "where-map")


def _timeline_item(
    event: TimelineEvent,
    index: GlossaryIndex,
    root: str,
    cards: Cards,
    article: BundleSummary | None,
) -> TimelineItem:
    mentions = tuple(
        LinkView(index.entry(ref.id).name, page_href(root, f"glossary/{ref.id}", cards.folders))
        for ref in event.mentions
        if ref.id in index.entries
    )
    source = event.source
    return TimelineItem(
        date=cards.dates.partial(event.date),
        date_iso=event.date.iso(),
        title=smart_quotes(event.title),
        summary=cards.inline(event.summary, written_in(event.position.path), root)
        if event.summary
        else None,
        mentions=mentions,
        source=source,
        source_is_url=bool(source and source.startswith(("http://", "https://"))),
        article=LinkView(article.front.title, page_href(root, article.path, cards.folders))
        if article
        else None,
    )


def entry_page(
    config: SiteConfig, entry_id: str, usage: list[Usage], index: GlossaryIndex, cards: Cards
) -> EntryPage:
    entry = index.entry(entry_id)
    root = root_of(f"glossary/{entry_id}")
    card = cards.card(entry, root)
    url = f"{config.base_url}glossary/{entry_id}/"
    summary = card.summary.striptags() if card.summary else None
    shared = portrait_urls(entry.image, config.base_url)
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
        site=site_view(config, root),
        meta=PageMeta(
            title=f"{entry.name} · Glossary · {config.title}",
            description=summary,
            url=url,
            type="profile" if entry.kind == "person" else "website",
            jsonld=jsonld.entry_page(entry, url, summary, shared),
            images=shared,
            image_alt=entry.image.alt if shared and entry.image else None,
        ),
        url=url,
        id=entry.id,
        name=entry.name,
        kind=entry.kind,
        aliases=entry.aliases,
        summary=card.summary,
        facts=card.facts,
        portrait=card.portrait,
        wikidata_url=f"https://www.wikidata.org/wiki/{entry.wikidata}" if entry.wikidata else None,
        coordinates=entry.coordinates,
        map=locator_map(
            [Pin(None, entry.name, *entry.coordinates)], f"Map: {entry.name}", "place-map"
        )
        if entry.kind == "place" and entry.coordinates
        else None,
        timeline=tuple(_timeline_item(e, index, root, cards, b) for e, b in events),
        articles=tuple(
            cards.summary(use.bundle, root, use.mention.sentence if use.mention else None)
            for use in usage
        ),
    )
