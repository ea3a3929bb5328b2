"""Structured data for search engines: schema.org JSON-LD, safely embedded.

Values come from editors, so the JSON is escaped for an HTML script element:
no "</script>" or "<!--" can end it early, and U+2028/U+2029 are escaped too.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any, NamedTuple

from markupsafe import Markup

from builder.content.model import Author, Bundle, Entry, SiteConfig

SCHEMA_TYPES = {
    "person": "Person",
    "organization": "Organization",
    "place": "Place",
    "term": "DefinedTerm",
    "event": "Event",
}

_SCRIPT_SAFE = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def script_json(data: Any) -> Markup:
    """JSON that is safe inside <script type="application/ld+json">."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return Markup(text.translate(_SCRIPT_SAFE))


def entity(entry: Entry, url: str) -> dict[str, Any]:
    """An entry as a schema.org thing, with sameAs pointing at Wikidata."""
    thing: dict[str, Any] = {"@type": SCHEMA_TYPES[entry.kind], "name": entry.name, "url": url}
    if entry.wikidata:
        thing["sameAs"] = f"https://www.wikidata.org/wiki/{entry.wikidata}"
    if entry.aliases:
        thing["alternateName"] = list(entry.aliases)
    if entry.coordinates and entry.kind == "place":
        latitude, longitude = entry.coordinates
        thing["geo"] = {"@type": "GeoCoordinates", "latitude": latitude, "longitude": longitude}
    return thing


def person(author: Author, url: str) -> dict[str, Any]:
    """An author as a schema.org Person: their page here, and sameAs their own page."""
    thing: dict[str, Any] = {"@type": "Person", "name": author.name, "url": url}
    if author.url:
        thing["sameAs"] = author.url
    return thing


class Logo(NamedTuple):
    url: str  # absolute
    width: int
    height: int


def news_article(
    bundle: Bundle,
    url: str,
    config: SiteConfig,
    about: list[tuple[Entry, str]],
    mentions: list[tuple[Entry, str]],
    authors: Sequence[tuple[Author, str]] = (),
    corrections: Sequence[tuple[dt.datetime, str]] = (),
    logo: Logo | None = None,
    images: tuple[str, ...] = (),
) -> Markup:
    """The story as a NewsArticle; `corrections` are the times and plain texts of
    its corrections and clarifications, oldest first."""
    front = bundle.front
    publisher: dict[str, Any] = {
        "@type": "Organization",
        "name": config.publisher.name if config.publisher else config.title,
    }
    if logo is not None:
        publisher["logo"] = {
            "@type": "ImageObject",
            "url": logo.url,
            "width": logo.width,
            "height": logo.height,
        }
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": front.title,
        "datePublished": front.date.iso(),
        "dateModified": front.modified().iso(),
        "articleSection": front.section,
        "mainEntityOfPage": url,
        "url": url,
        "publisher": publisher,
    }
    if images:
        data["image"] = list(images)
    if front.dek:
        data["description"] = front.dek
    credited = [person(author, link) for author, link in authors]
    if front.byline:
        credited.append({"@type": "Person", "name": front.byline})
    if credited:
        data["author"] = credited
    if front.tags:
        data["keywords"] = list(front.tags)
    if about:
        data["about"] = [entity(entry, link) for entry, link in about]
    if mentions:
        data["mentions"] = [entity(entry, link) for entry, link in mentions]
    if corrections:
        data["correction"] = [
            {"@type": "CorrectionComment", "datePublished": at.isoformat(), "text": text}
            for at, text in corrections
        ]
    return script_json(data)


def entry_page(entry: Entry, url: str, summary: str | None, images: tuple[str, ...] = ()) -> Markup:
    data = {"@context": "https://schema.org", **entity(entry, url)}
    if summary:
        data["description"] = summary
    if images:
        data["image"] = list(images)
    return script_json(data)


def profile_page(author: Author, url: str, bio: str | None, images: tuple[str, ...] = ()) -> Markup:
    """An author's page: a ProfilePage whose main entity is the author."""
    main = person(author, url)
    if images:
        main["image"] = list(images)
    if author.role:
        main["jobTitle"] = author.role
    if bio:
        main["description"] = bio
    data: dict[str, Any] = {"@context": "https://schema.org", "@type": "ProfilePage"}
    data |= {"url": url, "mainEntity": main}
    return script_json(data)
