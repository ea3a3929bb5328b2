"""Which URLs content may use: http, https, mailto and relative ones.

Anything else (javascript:, data:, file:, vbscript:, ...) is refused with an
error at the link, in article bodies and in inline Markdown fields alike. What
counts as a scheme is RFC 3986's grammar, read at the start of the URL as a
browser reads it; every other URL is relative.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

SAFE_SCHEMES = ("http", "https", "mailto")

# RFC 3986, section 3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
# Regular-expression source that reads the same to Python and to JSON Schema's
# ECMA-262, so that text_types can quote it in a schema.
SCHEME_NAME = "[A-Za-z][A-Za-z0-9+.-]*"
_SCHEME = re.compile(f"({SCHEME_NAME}):")


def url_scheme(url: str) -> str | None:
    """The scheme at the very start of the URL, lower-cased; None for a relative URL.

    Only a scheme name and a colon at the start make a scheme (RFC 3986, section
    4.2): "this:that" has the scheme "this", while "foo):" has none, ')' being no
    character of a scheme, and neither has "./this:that". Browsers first drop
    controls and spaces at either end and every tab and newline (the WHATWG URL
    standard), so a tab inside "javascript:" hides nothing; this drops a little
    more, every control and format character wherever it stands (older browsers
    skipped NUL too) and any white space at either end.
    """
    visible = "".join(ch for ch in url if unicodedata.category(ch)[0] != "C")
    match = _SCHEME.match(visible.strip())
    return match.group(1).lower() if match else None


def is_safe_url(url: str) -> bool:
    """True for http(s), mailto and relative URLs, as written and percent-decoded.

    markdown-it percent-encodes a link's white space and controls ("java&#9;script:"
    reaches here as "java%09script:"), so the URL is also read with its escapes
    decoded, as the editor wrote it: percent-escapes hide no scheme. A relative
    path whose first segment holds a colon is written "./this:that" (RFC 3986,
    section 4.2).
    """
    return all(url_scheme(reading) in (None, *SAFE_SCHEMES) for reading in (url, unquote(url)))


def _link_targets(tokens: list[Token]) -> list[tuple[Token, str]]:
    found = []
    for token in tokens:
        for attribute in ("href", "src"):
            value = token.attrGet(attribute)
            if isinstance(value, str):
                found.append((token, value))
        if token.children:
            found.extend(_link_targets(token.children))
    return found


def url_policy_plugin(md: MarkdownIt) -> None:
    """Let every link through the parser, then refuse unsafe ones with a problem in env.

    markdown-it's own validateLink would silently turn a javascript: link into
    text; an editor should hear about it instead.
    """
    md.validateLink = lambda url: True  # type: ignore[method-assign]

    def rule(state: StateCore) -> None:
        for block in state.tokens:
            if block.type != "inline" or not block.children:
                continue
            for token, url in _link_targets(block.children):
                if not is_safe_url(url):
                    attribute = "href" if token.attrGet("href") is not None else "src"
                    token.attrSet(attribute, "#")
                    _report(state.env, block, url)

    md.core.ruler.after("inline", "url_policy", rule)


def _report(env: Any, block: Token, url: str) -> None:
    problems = env.get("unsafe_urls") if isinstance(env, dict) else None
    if problems is None:
        return
    first_line = block.map[0] if block.map else 0
    for number, line in enumerate(block.content.split("\n")):
        column = line.find(url)
        if column >= 0:
            problems.append((first_line + number, column + 1, url))
            return
    problems.append((first_line, 1, url))


@cache
def _inline_checker() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False})
    md.use(url_policy_plugin)
    return md


def unsafe_urls_in_inline(text: str) -> list[str]:
    """The unsafe link targets in a field of inline Markdown."""
    if "[" not in text and "<" not in text:
        return []  # no link syntax at all: the common case, without parsing
    env: dict[str, Any] = {"unsafe_urls": []}
    _inline_checker().parseInline(text, env)
    return [url for _, _, url in env["unsafe_urls"]]
