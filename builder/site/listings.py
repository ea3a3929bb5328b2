"""The pages that show the whole site: the front page, the glossary index,
section and tag pages, the tag index, the authors' pages and their list, the
feed and the sitemap.

Each is a SitePage: its view is made only from the entries and stories it is
handed, which its key digests whole.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import lru_cache, partial
from itertools import dropwhile, takewhile

from builder.content.model import Author, BundleSummary, Site, instant_of
from builder.content.validate import slugify
from builder.site import authors
from builder.site.pages import section_slug
from builder.site.views import (
    Cards,
    FeedItem,
    FeedPage,
    FrontPage,
    GlossaryPage,
    ListPage,
    NewsItem,
    NewsSitemapPage,
    PageMeta,
    SitemapPage,
    SitemapUrl,
    TagCount,
    TagIndexPage,
    article_summary,
    dates_of,
    letter_groups,
    newest_first,
    root_of,
    site_view,
    tag_name,
)
from builder.text.site_links import page_href


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
        articles=tuple(
            article_summary(b, "", dates_of(site.config), folders=site.config.directory_urls)
            for b in newest(site, FRONT_PAGE_SIZE)
        ),
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


@lru_cache(maxsize=4096)
def _group_folder(kind: str, name: str) -> str | None:
    """sections/SLUG or tags/SLUG; None for a name without a letter or digit.
    Thousands of stories share a few sections and tags: each is worked out once."""
    slug = section_slug(name) if kind == "section" else slugify(name)
    return f"{kind}s/{slug}" if slug else None


Groups = dict[str, tuple[str, str, list[BundleSummary]]]

# A ListingMemo as the store keeps it, by the stories' paths (`ListingMemo.stored`):
# the stories it was made of, in the site's order; all of them newest first; each
# group's stories; what else the sitemap's addresses were made from, and them.
StoredListing = tuple[
    tuple[str, ...],
    tuple[str, ...],
    dict[str, tuple[str, str, tuple[str, ...]]],
    object,
    tuple[tuple[str, str | None], ...],
]


class ListingMemo:
    """A running builder's last groupings of the archive, kept between builds:
    the stories of each section and tag newest first, and the sitemap's
    addresses. Each always equals what its stories would make afresh.

    Sorting and grouping 50,000 stories is a large part of a one-story edit.
    When no story was added or removed and those that are new objects since
    (edited, parsed again) have the same path, date, section and tags, the
    groupings are the same but for those stories' new summaries, which are put
    in their places; likewise the sitemap's addresses, when the paths and last
    changes are the same.
    """

    def __init__(self) -> None:
        self.bundles: tuple[BundleSummary, ...] = ()  # those the groups were made of
        self.ordered: list[BundleSummary] = []  # all of them, newest first
        self.groups: Groups | None = None
        self.urls_bundles: tuple[BundleSummary, ...] = ()
        self.urls_from: object = None  # what else the addresses were made from
        self.urls: tuple[tuple[str, str | None], ...] | None = None
        self.counted_from: Groups | None = None  # the groups the tag counts were made with
        self.counts: TagCounts = ()
        # The groups or the addresses were made anew since the memo was made from
        # the store, or last stored: the store's copy is out of date.
        self.remade = False

    def groups_again(
        self, bundles: tuple[BundleSummary, ...]
    ) -> tuple[list[BundleSummary], Groups] | None:
        """The stories newest first, and the groups, if still the same but for
        the new summaries of stories that changed elsewhere."""
        changed = _changed(self.bundles, bundles, _grouped_alike)
        if self.groups is None or changed is None:
            return None
        for before, now in changed:
            _put_in_place(self.ordered, before, now)
            for kind, name in _named(now):
                folder = _group_folder(kind, name)
                if folder is not None:
                    _put_in_place(self.groups[folder][2], before, now)
        self.bundles = bundles
        return self.ordered, self.groups

    def keep_groups(
        self, bundles: tuple[BundleSummary, ...], ordered: list[BundleSummary], groups: Groups
    ) -> None:
        self.bundles, self.ordered, self.groups = bundles, ordered, groups
        self.remade = True

    def urls_again(
        self, bundles: tuple[BundleSummary, ...], made_from: object
    ) -> tuple[tuple[str, str | None], ...] | None:
        if self.urls is None or made_from != self.urls_from:
            return None
        if _changed(self.urls_bundles, bundles, _dated_alike) is None:
            return None
        self.urls_bundles = bundles
        return self.urls

    def keep_urls(
        self,
        bundles: tuple[BundleSummary, ...],
        made_from: object,
        urls: tuple[tuple[str, str | None], ...],
    ) -> None:
        self.urls_bundles, self.urls_from, self.urls = bundles, made_from, urls
        self.remade = True

    def stored(self) -> StoredListing | None:
        """The groupings and addresses by path, for a build in another process;
        None unless both were made of the same stories."""
        if self.groups is None or self.urls is None or self.urls_bundles is not self.bundles:
            return None
        groups = {
            folder: (kind, name, tuple(story.path for story in stories))
            for folder, (kind, name, stories) in self.groups.items()
        }
        paths = tuple(story.path for story in self.bundles)
        ordered = tuple(story.path for story in self.ordered)
        return paths, ordered, groups, self.urls_from, self.urls

    @classmethod
    def from_stored(
        cls, stored: object, summaries: Callable[[str], BundleSummary | None]
    ) -> ListingMemo:
        """The memo a build in another process left (`stored`), made again of the
        last build's summaries (`summaries`: by path, as the store holds them);
        empty if one is missing. A story edited since is then told apart as a
        running builder's memo tells it: by identity, then by `_grouped_alike`."""
        memo = cls()
        if not isinstance(stored, tuple) or len(stored) != 5:
            return memo
        paths, ordered, groups, urls_from, urls = stored
        known: dict[str, BundleSummary] = {}
        for path in paths:
            summary = summaries(path)
            if summary is None:
                return memo
            known[path] = summary
        try:
            memo.bundles = tuple(known[path] for path in paths)
            memo.ordered = [known[path] for path in ordered]
            memo.groups = {
                folder: (kind, name, [known[path] for path in stories])
                for folder, (kind, name, stories) in groups.items()
            }
        except KeyError:  # a path the stories lack: made afresh
            return cls()
        memo.urls_bundles, memo.urls_from, memo.urls = memo.bundles, urls_from, urls
        return memo


def _changed(
    before: tuple[BundleSummary, ...],
    now: tuple[BundleSummary, ...],
    alike: Callable[[BundleSummary, BundleSummary], bool],
) -> list[tuple[BundleSummary, BundleSummary]] | None:
    """The stories that are other objects than last time, with what they were; None
    when one was added or removed, or one differs where `alike` looks."""
    if len(before) != len(now):
        return None
    changed = [(old, new) for old, new in zip(before, now, strict=True) if old is not new]
    return changed if all(alike(old, new) for old, new in changed) else None


def _put_in_place(stories: list[BundleSummary], before: BundleSummary, now: BundleSummary) -> None:
    at = next(n for n, story in enumerate(stories) if story is before)
    stories[at] = now


def _grouped_alike(old: BundleSummary, new: BundleSummary) -> bool:
    same_date = old.front.date.instant() == new.front.date.instant()
    return old.path == new.path and same_date and _named(old) == _named(new)


def _dated_alike(old: BundleSummary, new: BundleSummary) -> bool:
    return old.path == new.path and old.front.modified().iso() == new.front.modified().iso()


def _named(bundle: BundleSummary) -> list[tuple[str, str]]:
    """The section and tags a story is listed under, as written."""
    return [("section", bundle.front.section)] + [("tag", tag) for tag in bundle.front.tags]


_UNSEEN: list[BundleSummary] = []


def _group_list(groups: Groups, kind: str, name: str) -> list[BundleSummary] | None:
    """The list of the group a section or tag is listed in, made if new; None for a
    name with no page. Two names may share a group ("Bench" and "bench"): the
    first seen names it."""
    folder = _group_folder(kind, name)
    return None if folder is None else groups.setdefault(folder, (kind, name, []))[2]


def _list_groups(site: Site, memo: ListingMemo | None = None) -> tuple[list[BundleSummary], Groups]:
    """Every story newest first; and each section and tag by folder, sections/SLUG
    and tags/SLUG: (kind, name, its stories newest first)."""
    kept = memo.groups_again(site.bundles) if memo is not None else None
    if kept is not None:
        return kept
    ordered = newest_first(list(site.bundles))
    groups: Groups = {}
    # Thousands of stories share a few hundred names: each name's list is found once.
    lists: dict[tuple[str, str], list[BundleSummary] | None] = {}
    for bundle in ordered:
        for named in _named(bundle):
            found = lists.get(named, _UNSEEN)
            if found is _UNSEEN:
                found = lists[named] = _group_list(groups, *named)
            if found is not None:
                found.append(bundle)
    groups = dict(sorted(groups.items()))
    if memo is not None:
        memo.keep_groups(site.bundles, ordered, groups)
    return ordered, groups


def list_page_paths(site: Site) -> list[str]:
    """The output path of every page of every section and tag, as list_pages has
    them, from the number of stories in each: nothing is sorted."""
    named: Counter[tuple[str, str]] = Counter(("section", b.front.section) for b in site.bundles)
    named.update(("tag", tag) for b in site.bundles for tag in b.front.tags)
    counts: Counter[str] = Counter()
    for (kind, name), count in named.items():
        folder = _group_folder(kind, name)
        if folder is not None:
            counts[folder] += count
    return [
        f"{_page_folder(folder, number)}/index.html"
        for folder in sorted(counts)
        for number in range(1, max(1, -(-counts[folder] // LIST_PAGE_SIZE)) + 1)
    ]


def list_pages(site: Site) -> dict[str, ListSpec]:
    """Output path -> the page, for every page of every section and tag."""
    return _list_specs(_list_groups(site)[1])


def _list_specs(groups: Groups) -> dict[str, ListSpec]:
    pages: dict[str, ListSpec] = {}
    for folder, (kind, name, bundles) in groups.items():
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
    named = site.tags  # the tag's own record, if content/tags.yaml has one
    heading = spec.name if spec.kind == "section" else f"Tagged “{tag_name(spec.name, named)}”"
    title = heading if spec.number == 1 else f"{heading}, page {spec.number}"

    def href(number: int) -> str | None:
        if not 1 <= number <= spec.count:
            return None
        return page_href(root, _page_folder(spec.folder, number), site.config.directory_urls)

    description = named[0].description if spec.kind == "tag" and named else None
    return ListPage(
        site=site_view(site.config, root),
        meta=PageMeta(f"{title} · {site.config.title}", description, url, "website", None),
        url=url,
        kind=spec.kind,
        heading=heading,
        articles=tuple(
            article_summary(b, root, dates_of(site.config), folders=site.config.directory_urls)
            for b in site.bundles
        ),
        number=spec.number,
        count=spec.count,
        newer=href(spec.number - 1),
        older=href(spec.number + 1),
        description=description,
    )


# Each tag that has a page, with how many stories carry it, in the tags page's order.
TagCounts = tuple[tuple[str, int], ...]


def tag_counts(site: Site, memo: ListingMemo | None = None) -> TagCounts:
    """How many stories carry each tag that has a page (a tag with a slug), by the
    tag as written; sorted case aside, the first written first among equals.
    `memo`: a running builder's groupings, made of this very site's stories: while
    they are the groups of the last build, every story has the tags it had."""
    groups = memo.groups if memo is not None and memo.bundles is site.bundles else None
    if memo is not None and groups is not None and memo.counted_from is groups:
        return memo.counts
    written = Counter(tag for bundle in site.bundles for tag in bundle.front.tags)
    counts = tuple((t, written[t]) for t in sorted(written, key=str.casefold) if slugify(t))
    if memo is not None and groups is not None:
        memo.counted_from, memo.counts = groups, counts
    return counts


def tag_index(site: Site, counts: TagCounts) -> TagIndexPage:
    """The page of every tag. It shows the tags' counts and records only, not the
    stories: an edited story whose tags stay the same leaves it as it is."""
    root = root_of("tags")
    folders = site.config.directory_urls
    url = f"{site.config.base_url}tags/"
    return TagIndexPage(
        site=site_view(site.config, root),
        meta=PageMeta(f"Tags · {site.config.title}", None, url, "website", None),
        url=url,
        tags=tuple(
            TagCount(
                tag_name(tag, site.tags),
                page_href(root, f"tags/{slugify(tag)}", folders),
                count,
            )
            for tag, count in counts
        ),
    )


# The front page and the feed show the newest stories; section and tag pages,
# and the sitemap, list every one.
FRONT_PAGE_SIZE = 50


FEED_SIZE = 50


def newest(site: Site, count: int) -> list[BundleSummary]:
    # The few newest of the whole archive, without sorting all of it.
    return heapq.nlargest(count, site.bundles, key=lambda b: (b.front.date.instant(), b.path))


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


# The pages every site has, whatever its stories: their output paths.
SITE_WIDE_PAGES = (
    "index.html",
    "glossary/index.html",
    "tags/index.html",
    "feed.xml",
    "sitemap.xml",
    "news-sitemap.xml",
)


def site_page_paths(site: Site, memo: ListingMemo | None = None) -> list[str]:
    """The output path of every page that shows the whole site: what site_pages makes,
    without making a view of any. `memo`: a running builder's groupings, which
    give the list pages at once if they are of this very site's stories."""
    people = () if site.authors is None else (f"{authors.FOLDER}/index.html",)
    pages = (f"{authors.FOLDER}/{author.id}/index.html" for author in site.authors or ())
    groups = memo.groups if memo is not None and memo.bundles is site.bundles else None
    lists = list_page_paths(site) if groups is None else _group_page_paths(groups)
    return [*SITE_WIDE_PAGES, *lists, *people, *pages]


def _group_page_paths(groups: Groups) -> list[str]:
    """The output path of every list page, as list_page_paths gives them."""
    return [
        f"{_page_folder(folder, number)}/index.html"
        for folder, (_, _, bundles) in groups.items()
        for number in range(1, max(1, -(-len(bundles) // LIST_PAGE_SIZE)) + 1)
    ]


def site_pages(
    site: Site, cards: Cards, now: datetime, memo: ListingMemo | None = None
) -> dict[str, SitePage]:
    """Output path -> the page, for every page that shows the whole site; `now` is
    the build's time, which decides what the news sitemap lists. `memo`: a
    running builder's groupings from its last build."""
    ordered, groups = _list_groups(site, memo)
    latest = tuple(ordered[: max(FRONT_PAGE_SIZE, FEED_SIZE)])  # as `newest` would pick them
    lists = _list_specs(groups)
    stories = replace(site, entries=(), authors=None, tags=())
    entries = replace(site, bundles=(), authors=None, tags=())
    in_feed = latest[:FEED_SIZE]
    counts = tag_counts(site, memo)
    wanted = {
        "index.html": SitePage(
            "index.html", front_page, replace(stories, bundles=latest[:FRONT_PAGE_SIZE])
        ),
        "glossary/index.html": SitePage(
            "glossary.html", partial(glossary_page, cards=cards), entries
        ),
        "tags/index.html": SitePage(
            "tags.html",
            partial(tag_index, counts=counts),
            replace(stories, bundles=(), tags=site.tags),
            counts,
        ),
        "feed.xml": SitePage(
            "feed.xml",
            feed,
            replace(stories, bundles=in_feed, authors=_authors_of(site, in_feed)),
        ),
        "sitemap.xml": _sitemap_page(site, list(lists), memo),
        NEWS_SITEMAP: SitePage(
            "news-sitemap.xml", news_sitemap, replace(stories, bundles=news(site, now, ordered))
        ),
    }
    wanted.update(author_pages(site, cards, ordered))
    tags = {tag.id: tag for tag in site.tags}
    # Made field by field, not by `replace`: three thousand of each at 50,000 stories.
    for path, spec in lists.items():
        bare = ListSpec(spec.folder, spec.kind, spec.name, spec.number, spec.count, ())
        tag = tags.get(slugify(spec.name)) if spec.kind == "tag" else None
        # The view takes the page's stories from `shows`.
        shows = Site(site.config, (), spec.bundles, None, () if tag is None else (tag,))
        wanted[path] = SitePage("list.html", partial(_list_page, spec=bare), shows, bare)
    return wanted


def author_pages(site: Site, cards: Cards, ordered: list[BundleSummary]) -> dict[str, SitePage]:
    """The list of authors and each author's page; none without authors.yaml.
    `ordered`: the site's stories newest first."""
    if site.authors is None:
        return {}
    folder = authors.FOLDER
    everyone = replace(site, entries=(), bundles=(), tags=())
    wanted = {f"{folder}/index.html": SitePage("authors.html", authors.authors_index, everyone)}
    by_author: dict[str, list[BundleSummary]] = {author.id: [] for author in site.authors}
    for bundle in ordered:
        for ref in bundle.front.authors:
            by_author.get(ref.id, []).append(bundle)
    for author in site.authors:
        shows = replace(everyone, bundles=tuple(by_author[author.id]), authors=(author,))
        view = partial(authors.author_page, cards=cards)
        wanted[f"{folder}/{author.id}/index.html"] = SitePage("author.html", view, shows)
    return wanted


def _authors_of(site: Site, bundles: tuple[BundleSummary, ...]) -> tuple[Author, ...] | None:
    """The authors these stories name, in id order."""
    if site.authors is None:
        return None
    named = {ref.id for bundle in bundles for ref in bundle.front.authors}
    return tuple(author for author in site.authors if author.id in named)


def feed(site: Site) -> FeedPage:
    base = site.config.base_url
    bundles = newest(site, FEED_SIZE)
    by_id = {author.id: author for author in site.authors or ()}
    items = tuple(
        FeedItem(
            title=b.front.title,
            url=f"{base}{b.path}/",
            published=b.front.date.iso(),
            updated=b.front.modified().iso(),
            summary=b.front.dek,
            section=b.front.section,
            authors=authors.feed_authors(b.front, by_id, base),
        )
        for b in bundles
    )
    modified = [b.front.modified() for b in bundles]
    latest = max(modified, key=lambda m: m.at).iso() if modified else "1970-01-01T00:00:00Z"
    return FeedPage(site_view(site.config, ""), f"{base}feed.xml", base, latest, items)


def _sitemap_page(site: Site, lists: list[str], memo: ListingMemo | None = None) -> SitePage:
    """The sitemap shows addresses and dates alone, and is made from them alone:
    a story's new title or an entry's new summary does not render it again."""
    if memo is None:
        urls = sitemap_urls(site, lists)
    else:
        # What the addresses are made from besides the stories' paths and dates.
        made_from = (
            site.config.base_url,
            lists,
            [entry.id for entry in site.entries],
            None if site.authors is None else [author.id for author in site.authors],
        )
        kept = memo.urls_again(site.bundles, made_from)
        if kept is not None:
            urls = kept
        else:
            urls = sitemap_urls(site, lists)
            memo.keep_urls(site.bundles, made_from, urls)
    alone = replace(site, bundles=(), entries=(), authors=None, tags=())
    return SitePage("sitemap.xml", lambda _: sitemap(urls), alone, urls)


def sitemap_urls(site: Site, lists: list[str]) -> tuple[tuple[str, str | None], ...]:
    """(address, last modified or None) of every page: the home page, the stories
    by path, the glossary, tag and list pages, the entries and the authors."""
    base = site.config.base_url
    dated = sorted((b.path, b.front.modified()) for b in site.bundles)
    # The newest; of two at the same instant, written with other offsets, the one
    # the lists show first.
    newest = max(dated, key=lambda item: (item[1].instant(), item[0]), default=None)
    latest = newest[1].iso() if newest is not None else None
    urls: list[tuple[str, str | None]] = [(base, latest)]
    urls.extend((f"{base}{path}/", modified.iso()) for path, modified in dated)
    urls.extend(
        (f"{base}{path.removesuffix('index.html')}", None)
        for path in ["glossary/index.html", "tags/index.html", *lists]
    )
    urls.extend((f"{base}glossary/{e.id}/", None) for e in site.entries)
    if site.authors is not None:
        urls.append((f"{base}{authors.FOLDER}/", None))
        urls.extend((authors.author_url(a, base), None) for a in site.authors)
    return tuple(urls)


def sitemap(urls: tuple[tuple[str, str | None], ...]) -> SitemapPage:
    return SitemapPage(tuple(SitemapUrl(loc, lastmod) for loc, lastmod in urls))


# The Google News sitemap protocol lists the articles of the last two days.
NEWS_SITEMAP = "news-sitemap.xml"
NEWS_WINDOW = timedelta(days=2)


def news(
    site: Site, now: datetime, ordered: list[BundleSummary] | None = None
) -> tuple[BundleSummary, ...]:
    """The stories published in the two days before the build's time, newest first.
    `ordered`: the site's stories newest first, from whose front they are taken
    (each story's time compared, 7 ms at 50,000 stories, where a few are news)."""
    if ordered is None:
        ordered = newest_first(list(site.bundles))
    since, until = instant_of(now - NEWS_WINDOW), instant_of(now)
    published = dropwhile(lambda b: b.front.date.instant() > until, ordered)
    return tuple(takewhile(lambda b: b.front.date.instant() > since, published))


def news_sitemap(site: Site) -> NewsSitemapPage:
    base = site.config.base_url
    items = tuple(
        NewsItem(f"{base}{b.path}/", b.front.title, b.front.date.iso()) for b in site.bundles
    )
    return NewsSitemapPage(site.config.title, news_language(site.config.language), items)


def news_language(tag: str) -> str:
    """The ISO 639 code Google News asks for; Chinese is zh-cn or zh-tw."""
    parts = tag.lower().replace("_", "-").split("-")
    if parts[0] == "zh":
        traditional = {"hant", "tw", "hk", "mo"}.intersection(parts[1:])
        return "zh-tw" if traditional else "zh-cn"
    return parts[0]
