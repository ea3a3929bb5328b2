"""The URL policy: http, https, mailto and relative URLs pass, every other scheme is
refused. A scheme is RFC 3986's (a letter, then letters, digits, "+", "-" or ".", then
":") at the very start of the URL as a browser reads it; every other URL is relative,
whatever colons it holds further on."""

from __future__ import annotations

from typing import Any

import pytest
from markdown_it import MarkdownIt

from builder.content.field_types import SOURCE
from builder.text.url_policy import (
    is_safe_url,
    unsafe_urls_in_inline,
    url_policy_plugin,
    url_scheme,
)
from tests.content.schema_probe import judge

# RFC 3986, section 5.4: the relative references of its examples, normal and abnormal,
# and section 4.2's way of writing a first segment with a colon in it.
RFC_RELATIVE = (
    *("g", "./g", "g/", "/g", "//g", "?y", "g?y", "#s", "g#s", "g?y#s", ";x", "g;x"),
    *("g;x?y#s", "", ".", "./", "..", "../", "../g", "../..", "../../", "../../g"),
    *("g.", ".g", "g..", "..g", "./../g", "./g/.", "g/./h", "g/../h", "g;x=1/./y"),
    *("g;x=1/../y", "g?y/./x", "g?y/../x", "g#s/./x", "g#s/../x"),
    "./this:that",
)

# A colon that does not follow a scheme name at the very start: relative.
COLON_LATER = (
    "foo):",  # CommonMark's [link](foo\)\:): ')' is no character of a scheme
    "foo\\):",
    "a/b:c",
    "../x:y",
    "?q=a:b",
    "#x:y",
    "1a:b",  # a scheme starts with a letter
    "-a:b",
    "a_b:c",  # "_" is no character of a scheme
    "a b:c",  # nor is a space, unless at either end
    "%C3%BCber:x",  # nor is "ü", percent-encoded or not
    "über:x",
    "java%5Cscript:alert(1)",  # [x](java\script:alert(1)): a path to browsers
    "//example.org/a:b",
)

SAFE = (
    "http://example.org/",
    "https://example.org/a?b=1&c=2",
    "HTTPS://EXAMPLE.ORG/",
    "http:g",  # RFC 3986, section 5.4.2: the scheme http, not a relative "g"
    "mailto:desk@example.org",
    "MailTo:desk@example.org",
    " https://example.org/",
)

# (URL, the scheme a browser reads in it): schemes other than http, https, mailto.
REFUSED = (
    ("this:that", "this"),  # RFC 3986, section 4.2: a scheme, though it reads like a path
    ("g:h", "g"),  # RFC 3986, section 5.4.1
    ("a+b+c:d", "a+b+c"),
    ("localhost:5001/foo", "localhost"),
    ("made-up-scheme://foo,bar", "made-up-scheme"),
    ("ftp://example.org/", "ftp"),
    ("x:", "x"),
    ("javascript:alert(1)", "javascript"),
    ("JAVASCRIPT:alert(1)", "javascript"),
    ("JaVaScRiPt:alert(1)", "javascript"),
    ("data:text/html;base64,PHNjcmlwdD4=", "data"),
    ("vbscript:msgbox(1)", "vbscript"),
    ("file:///etc/passwd", "file"),
    # What browsers drop before they read a scheme: leading and trailing controls and
    # spaces, tabs and newlines anywhere.
    (" javascript:alert(1)", "javascript"),
    ("\x00\x1f javascript:alert(1)", "javascript"),
    ("java\tscript:alert(1)", "javascript"),
    ("java\nscript:alert(1)", "javascript"),
    ("java\rscript:alert(1)", "javascript"),
    ("javascript\t:alert(1)", "javascript"),
    ("\u00a0javascript:alert(1)", "javascript"),
    # A little more than browsers drop: NUL and invisible characters anywhere.
    ("java\x00script:alert(1)", "javascript"),
    ("java\u200bscript:alert(1)", "javascript"),
)

# Schemes hidden behind percent-escapes, as markdown-it hands over what an editor wrote
# ("java&#9;script:" arrives as "java%09script:"): refused all the same.
PERCENT_ENCODED = (
    "java%09script:alert(1)",
    "java%0Ascript:alert(1)",
    "%20javascript:alert(1)",
    "%6Aavascript:alert(1)",
    "javascript%3Aalert(1)",
    "this%3Athat",  # write ./this:that instead
)


@pytest.mark.parametrize("url", RFC_RELATIVE + COLON_LATER, ids=repr)
def test_a_url_without_a_scheme_at_its_start_is_relative_and_allowed(url: str) -> None:
    assert url_scheme(url) is None
    assert is_safe_url(url)


@pytest.mark.parametrize("url", SAFE, ids=repr)
def test_http_https_and_mailto_are_allowed_in_any_case(url: str) -> None:
    assert url_scheme(url) in ("http", "https", "mailto")
    assert is_safe_url(url)


@pytest.mark.parametrize(("url", "scheme"), REFUSED, ids=[repr(url) for url, _ in REFUSED])
def test_any_other_scheme_is_refused_as_a_browser_reads_it(url: str, scheme: str) -> None:
    assert url_scheme(url) == scheme
    assert not is_safe_url(url)


@pytest.mark.parametrize("url", PERCENT_ENCODED, ids=repr)
def test_percent_escapes_hide_no_scheme(url: str) -> None:
    assert not is_safe_url(url)


def render(markdown: str) -> tuple[str, list[str]]:
    """The HTML of a body, and the link targets the policy refused in it."""
    md = MarkdownIt("commonmark", {"html": False}).use(url_policy_plugin)
    env: dict[str, Any] = {"unsafe_urls": []}
    html = md.render(markdown, env)
    return html, [url for _, _, url in env["unsafe_urls"]]


@pytest.mark.parametrize(
    ("markdown", "href"),
    [
        ("[link](foo\\)\\:)", "foo):"),  # CommonMark spec, example 500
        ("[link](./this:that)", "./this:that"),
        ("[link](<a b:c>)", "a%20b:c"),
        ("[x][r]\n\n[r]: ../x:y", "../x:y"),
        ('![x](img:1.png "title")', "#"),
    ],
)
def test_a_body_link_renders_with_its_target_or_is_refused(markdown: str, href: str) -> None:
    html, problems = render(markdown + "\n")
    assert f'="{href}"' in html
    assert bool(problems) == (href == "#"), problems


@pytest.mark.parametrize(
    "markdown",
    [
        "[x](java&#x09;script:alert(1))",
        "[x](<java\tscript:alert(1)>)",
        "[x](javascript&colon;alert(1))",
        "[x](jav&#97;script:alert(1))",
        "[x](&#x20;javascript:alert(1))",
        "<JavaScript:alert(1)>",
        "[x](this:that)",
    ],
)
def test_a_body_link_with_a_hidden_scheme_is_refused(markdown: str) -> None:
    html, problems = render(markdown + "\n")
    assert 'href="#"' in html
    assert len(problems) == 1, problems


def test_inline_fields_follow_the_same_policy() -> None:
    assert unsafe_urls_in_inline("[a](foo\\)\\:) and [b](./this:that)") == []
    assert unsafe_urls_in_inline("[a](this:that) and <data:text/html,x>") == [
        "this:that",
        "data:text/html,x",
    ]


@pytest.mark.parametrize(
    "url",
    [
        *("this:that", "g:h", "a+b+c:d", "localhost:5001/foo", "javascript:alert(1)", "http:g"),
        *("foo):", "./this:that", "1a:b", "a_b:c", "../x:y", "?q=a:b", "mailto:desk@example.org"),
    ],
)
def test_a_sidecar_source_reads_a_scheme_as_links_do(url: str) -> None:
    # A source that is a URL (its scheme followed at once by more) is refused for the
    # same schemes as a link, by the builder and by its JSON Schema alike.
    allowed = is_safe_url(url)
    assert judge(SOURCE, f'"{url}"') == (allowed, allowed)
