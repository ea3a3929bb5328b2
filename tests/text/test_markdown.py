"""Article bodies: CommonMark, raw HTML never passed through, and unsafe link
targets refused with an error at their line in article.md; sidecar text with its
quotes curled, inline Markdown and plain fields alike."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from builder.text.markdown import InlineMarkdown, smart_quotes
from tests.conftest import ARTICLE, MINIMAL_SITE, Run

FRONT = "---\ntitle: A story\nsection: World\ndate: 2023-09-15\ntags: [russia]\n---\n"


def test_raw_html_in_the_body_is_not_passed_through(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    body = "Vladimir Putin met Kim Jong Un.\n\n<script>alert(1)</script>\n\n"
    body += "<div onclick=x>Hi</div>\n"
    site = make_site({ARTICLE: FRONT + body})
    assert cli("build", "--site", site, "--out", tmp_path / "out").code == 0
    page = (tmp_path / "out/world/story/index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<div onclick" not in page


def test_an_unsafe_link_is_an_error_at_its_line_and_column(
    make_site: Callable[..., Path], check: Callable[[Path], Run]
) -> None:
    body = "Vladimir Putin met Kim Jong Un.\n\n\nSee [this](javascript:alert(1)).\n"
    site = make_site({ARTICLE: FRONT + body})
    assert check(site).problems == [
        f"{ARTICLE}:10:12: error: link to 'javascript:alert(1)' is not allowed; use an http, "
        "https, mailto or relative URL"
    ]


def test_safe_links_are_kept(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    body = "Putin met [Kim](https://example.com/kim) and [wrote](mailto:a@example.com).\n"
    site = make_site({ARTICLE: MINIMAL_SITE[ARTICLE] + "\n" + body})
    result = cli("build", "--site", site, "--out", tmp_path / "out")
    assert (result.code, result.err) == (0, "")
    page = (tmp_path / "out/world/story/index.html").read_text(encoding="utf-8")
    assert '<a href="https://example.com/kim">Kim</a>' in page
    assert '<a href="mailto:a@example.com">wrote</a>' in page


# -- quotes in sidecar text ---------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("the Workers' Party of Korea", "the Workers’ Party of Korea"),
        ('He said "no" *twice*', "He said “no” <em>twice</em>"),
        ("'rifle' & 3 > 2", "‘rifle’ &amp; 3 &gt; 2"),
        ('[the "deal"](https://example.org/?q=it\'s)', '<a href="https://example.org/?q=it\'s">'),
        ("(c) -- and ...", "(c) -- and ..."),
    ],
    ids=[
        "an apostrophe curls",
        "double quotes curl around markup",
        "quotes curl in text that is escaped",
        "quotes in a URL stay straight",
        "no other typographic replacement",
    ],
)
def test_inline_fields_curl_their_quotes(written: str, shown: str) -> None:
    assert shown in InlineMarkdown()(written)


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("Kim's onward trip", "Kim’s onward trip"),
        ('"Highest quality" <rifle> & *gift*', "“Highest quality” <rifle> & *gift*"),
        ("No quotes at all", "No quotes at all"),
    ],
    ids=["an apostrophe curls", "nothing else changes, not even markup", "nothing to do"],
)
def test_plain_fields_curl_their_quotes_alike(written: str, shown: str) -> None:
    assert smart_quotes(written) == shown
