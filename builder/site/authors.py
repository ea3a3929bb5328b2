"""What readers see of the newsroom's authors: their pages, the list of them,
and the credits of a story (bylines, feed authors, JSON-LD).

An author's page is at authors/ID/, beside the glossary's pages at the same
depth; every link to it is relative, in the form glossary links take.
"""

from __future__ import annotations

from builder.content.model import Author, FrontMatter, Site
from builder.site import jsonld
from builder.site.pictures import PORTRAIT_SIZES, picture_view, portrait_urls
from builder.site.views import (
    AuthorCard,
    AuthorPage,
    AuthorsPage,
    Cards,
    FeedAuthor,
    LinkView,
    PageMeta,
    newest_first,
    root_of,
    site_view,
)
from builder.text.site_links import page_href, written_in

FOLDER = "authors"


def author_href(author: Author, root: str, folders: bool) -> str:
    """The author's page, relative to a page whose root is `root`, in the
    site's one form of link (`folders`: site_links.page_href)."""
    return page_href(root, f"{FOLDER}/{author.id}", folders)


def author_url(author: Author, base_url: str) -> str:
    """The author's page, absolute and canonical."""
    return f"{base_url}{FOLDER}/{author.id}/"


def byline_links(authors: tuple[Author, ...], root: str, folders: bool) -> tuple[LinkView, ...]:
    return tuple(LinkView(author.name, author_href(author, root, folders)) for author in authors)


def feed_authors(
    front: FrontMatter, authors: dict[str, Author], base_url: str
) -> tuple[FeedAuthor, ...]:
    """A story's authors with their pages, then its byline, which has no page."""
    found = [
        FeedAuthor(authors[ref.id].name, author_url(authors[ref.id], base_url))
        for ref in front.authors
        if ref.id in authors
    ]
    if front.byline:
        found.append(FeedAuthor(front.byline, None))
    return tuple(found)


def author_page(site: Site, cards: Cards) -> AuthorPage:
    """The page of the one author `site` holds, listing the stories it holds."""
    (author,) = site.authors or ()
    config = site.config
    root = root_of(f"{FOLDER}/{author.id}")
    url = author_url(author, config.base_url)
    written = written_in(author.position.path)
    bio = cards.inline(author.bio, written, root) if author.bio else None
    description = bio.striptags() if bio else author.role
    image = author.image
    shared = portrait_urls(image, config.base_url)
    return AuthorPage(
        site=site_view(config, root),
        meta=PageMeta(
            title=f"{author.name} · Authors · {config.title}",
            description=description,
            url=url,
            type="profile",
            jsonld=jsonld.profile_page(author, url, bio.striptags() if bio else None, shared),
            images=shared,
            image_alt=image.alt if shared and image else None,
        ),
        url=url,
        id=author.id,
        name=author.name,
        role=author.role,
        bio=bio,
        website=author.url,
        email=author.email,
        articles=tuple(cards.summary(b, root, None) for b in newest_first(list(site.bundles))),
        portrait=picture_view(image, root, PORTRAIT_SIZES),
    )


def authors_index(site: Site) -> AuthorsPage:
    """Every author `site` holds, by name."""
    config = site.config
    root = root_of(FOLDER)
    url = f"{config.base_url}{FOLDER}/"
    authors = sorted(site.authors or (), key=lambda a: (a.name.casefold(), a.id))
    return AuthorsPage(
        site=site_view(config, root),
        meta=PageMeta(
            title=f"Authors · {config.title}",
            description=f"Who writes the explainers on {config.title}.",
            url=url,
            type="website",
            jsonld=None,
        ),
        url=url,
        authors=tuple(
            AuthorCard(a.id, a.name, a.role, author_href(a, root, config.directory_urls))
            for a in authors
        ),
    )


def article_credits(authors: tuple[Author, ...], base_url: str) -> list[tuple[Author, str]]:
    """Each author of a story with the absolute URL of their page, for JSON-LD."""
    return [(author, author_url(author, base_url)) for author in authors]


__all__ = [
    "FOLDER",
    "article_credits",
    "author_href",
    "author_page",
    "author_url",
    "authors_index",
    "byline_links",
    "feed_authors",
]
