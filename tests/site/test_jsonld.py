"""The NewsArticle's dates and corrections, as schema.org and search engines read them."""

from __future__ import annotations

import json

from builder.content.model import Bundle, Correction, FrontMatter, Moment, SiteConfig
from builder.content.times import parse_time, resolve
from builder.site.jsonld import news_article

ZONE = "Asia/Vladivostok"
SITE = SiteConfig("Site", "https://example.org/", "en", "public", None, 365, 1_000_000, False)


def moment(text: str) -> Moment:
    return resolve(parse_time(text), ZONE)


def bundle(front: FrontMatter) -> Bundle:
    return Bundle("world/story", "content/world/story/article.md", front, "", 8, (), (), None, ())


def front(**changes: object) -> FrontMatter:
    made = FrontMatter("A story", None, "World", moment("2023-09-15T10:00"), None, None, (), False)
    return made._replace(**changes)


def data(front: FrontMatter, corrections: tuple[tuple[str, str], ...] = ()) -> dict[str, object]:
    made = [(moment(at).at, text) for at, text in corrections]
    markup = news_article(
        bundle(front), "https://example.org/world/story/", SITE, [], [], corrections=made
    )
    found: dict[str, object] = json.loads(str(markup))
    return found


def test_dates_carry_their_offset() -> None:
    found = data(front())
    assert found["datePublished"] == "2023-09-15T10:00:00+10:00"
    assert found["dateModified"] == "2023-09-15T10:00:00+10:00"


def test_a_day_alone_is_midnight_in_the_site_zone() -> None:
    found = data(front(date=moment("2023-09-15")))
    assert found["datePublished"] == "2023-09-15T00:00:00+10:00"


def test_modified_is_the_newest_of_updated_and_the_corrections() -> None:
    corrections = (
        Correction(moment("2023-09-16T09:00"), "correction", "Fixed."),
        Correction(moment("2023-09-17T09:00+00:00"), "update", "Added."),
    )
    assert data(front(corrections=corrections))["dateModified"] == "2023-09-17T09:00:00+00:00"
    later = front(corrections=corrections, updated=moment("2023-09-18"))
    assert data(later)["dateModified"] == "2023-09-18T00:00:00+10:00"


def test_corrections_are_correction_comments() -> None:
    found = data(front(), (("2023-09-16T09:00", "An earlier version gave the wrong day."),))
    assert found["correction"] == [
        {
            "@type": "CorrectionComment",
            "datePublished": "2023-09-16T09:00:00+10:00",
            "text": "An earlier version gave the wrong day.",
        }
    ]


def test_no_corrections_no_correction_property() -> None:
    assert "correction" not in data(front())
