"""The NewsArticle's dates and corrections, as schema.org and search engines read them."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from PIL import Image

from builder.build.options import BuildOptions
from builder.build.run import build
from builder.content.model import Bundle, Correction, FrontMatter, Moment, SiteConfig
from builder.content.times import parse_time, resolve
from builder.site.jsonld import news_article
from tests.conftest import SEED_SITE

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


def test_the_example_story_is_a_news_article_as_search_engines_expect(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Google's article guidelines: a headline, dates with their offset, each author a
    Person with the address of a page about them, the publisher with a logo, and the
    picture in 16:9, 4:3 and 1:1, every address absolute and published."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    site, out = tmp_path / "site", tmp_path / "out"
    shutil.copytree(SEED_SITE / "content", site / "content")
    shutil.copy(SEED_SITE / "site.yaml", site / "site.yaml")
    build(BuildOptions(site=site, out=out, workers=1))
    page = (out / "world/putin-kim-rifles/index.html").read_text(encoding="utf-8")
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert found
    article = json.loads(found.group(1))
    assert article["@type"] == "NewsArticle"
    assert article["headline"] and len(article["headline"]) <= 110
    offset = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
    assert offset.match(article["datePublished"]) and offset.match(article["dateModified"])
    assert article["dateModified"] >= article["datePublished"]
    base = "https://example.org/news/"
    assert len(article["author"]) == 2
    for author in article["author"]:
        assert author["@type"] == "Person" and author["name"]
        assert author["url"].startswith(f"{base}authors/")
        assert (out / author["url"].removeprefix(base) / "index.html").is_file()
    logo = article["publisher"]["logo"]
    assert article["publisher"]["name"] and logo["@type"] == "ImageObject"
    assert (out / logo["url"].removeprefix(base)).is_file() and logo["width"] > 0
    ratios = []
    for url in article["image"]:
        with Image.open(out / url.removeprefix(base)) as picture:
            ratios.append(round(picture.width / picture.height, 2))
    assert ratios == [round(16 / 9, 2), round(4 / 3, 2), 1.0]
    assert all(c["@type"] == "CorrectionComment" for c in article["correction"])
