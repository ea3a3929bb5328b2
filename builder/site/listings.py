"""The pages that show the whole site: the front page, the glossary index,
section and tag pages, the tag index, the authors' pages and their list, the
feed and the sitemap.

Each is a SitePage: its view is made only from the entries and stories it is
handed, which its key digests whole.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import lru_cache, partial

from builder.content.model import Author, BundleSummary, Site
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


def _list_groups(site: Site) -> dict[str, tuple[str, str, list[BundleSummary]]]:
    """Each section and tag by folder, sections/SLUG and tags/SLUG: (kind, name,
    its stories newest first)."""
    groups: dict[str, tuple[str, str, list[BundleSummary]]] = {}
    for bundle in newest_first(list(site.bundles)):
        front = bundle.front
        named = [("section", front.section)] + [("tag", tag) for tag in front.tags]
        for kind, name in named:
            folder = _group_folder(kind, name)
            if folder is not None:
                groups.setdefault(folder, (kind, name, []))[2].append(bundle)
    return dict(sorted(groups.items()))


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


def tag_index(site: Site) -> TagIndexPage:
    counts: dict[str, int] = defaultdict(int)
    for bundle in site.bundles:
        for tag in bundle.front.tags:
            if slugify(tag):
                counts[tag] += 1
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
                counts[tag],
            )
            for tag in sorted(counts, key=str.casefold)
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


def site_page_paths(site: Site) -> list[str]:
    """The output path of every page that shows the whole site: what site_pages makes,
    without making a view of any."""
    people = () if site.authors is None else (f"{authors.FOLDER}/index.html",)
    pages = (f"{authors.FOLDER}/{author.id}/index.html" for author in site.authors or ())
    return [*SITE_WIDE_PAGES, *list_page_paths(site), *people, *pages]


def site_pages(site: Site, cards: Cards, now: datetime) -> dict[str, SitePage]:
    """Output path -> the page, for every page that shows the whole site; `now` is
    the build's time, which decides what the news sitemap lists."""
    latest = tuple(newest(site, max(FRONT_PAGE_SIZE, FEED_SIZE)))
    lists = list_pages(site)
    stories = replace(site, entries=(), authors=None, tags=())
    entries = replace(site, bundles=(), authors=None, tags=())
    in_feed = latest[:FEED_SIZE]
    wanted = {
        "index.html": SitePage(
            "index.html", front_page, replace(stories, bundles=latest[:FRONT_PAGE_SIZE])
        ),
        "glossary/index.html": SitePage(
            "glossary.html", partial(glossary_page, cards=cards), entries
        ),
        "tags/index.html": SitePage("tags.html", tag_index, replace(stories, tags=site.tags)),
        "feed.xml": SitePage(
            "feed.xml",
            feed,
            replace(stories, bundles=in_feed, authors=_authors_of(site, in_feed)),
        ),
        "sitemap.xml": _sitemap_page(site, list(lists)),
        NEWS_SITEMAP: SitePage(
            "news-sitemap.xml", news_sitemap, replace(stories, bundles=news(site, now))
        ),
    }
    wanted.update(author_pages(site, cards))
    for path, spec in lists.items():
        bare = replace(spec, bundles=())  # the view takes its stories from `shows`
        named = tuple(t for t in site.tags if spec.kind == "tag" and t.id == slugify(spec.name))
        shows = replace(stories, bundles=spec.bundles, tags=named)
        wanted[path] = SitePage("list.html", partial(_list_page, spec=bare), shows, bare)
    return wanted


def author_pages(site: Site, cards: Cards) -> dict[str, SitePage]:
    """The list of authors and each author's page; none without authors.yaml."""
    if site.authors is None:
        return {}
    folder = authors.FOLDER
    everyone = replace(site, entries=(), bundles=(), tags=())
    wanted = {f"{folder}/index.html": SitePage("authors.html", authors.authors_index, everyone)}
    by_author: dict[str, list[BundleSummary]] = {author.id: [] for author in site.authors}
    for bundle in newest_first(list(site.bundles)):
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


def _sitemap_page(site: Site, lists: list[str]) -> SitePage:
    """The sitemap shows addresses and dates alone, and is made from them alone:
    a story's new title or an entry's new summary does not render it again."""
    urls = sitemap_urls(site, lists)
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


def news(site: Site, now: datetime) -> tuple[BundleSummary, ...]:
    """The stories published in the two days before the build's time, newest first."""
    since = now - NEWS_WINDOW
    return tuple(newest_first([b for b in site.bundles if since < b.front.date.at <= now]))


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
