"""Which URLs content may use: http, https, mailto and relative ones.

Anything else (javascript:, data:, file:, vbscript:, ...) is refused with an
error at the link, in article bodies and in inline Markdown fields alike.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

SAFE_SCHEMES = ("http", "https", "mailto")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")


def is_safe_url(url: str) -> bool:
    """True for http(s), mailto and scheme-less (relative) URLs."""
    # Browsers ignore control characters and white space inside a scheme
    # ("java\tscript:"), so they are dropped before the scheme is read.
    cleaned = "".join(ch for ch in url if not ch.isspace() and unicodedata.category(ch)[0] != "C")
    match = _SCHEME.match(cleaned)
    if match is None:
        return ":" not in cleaned.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    return match.group(1).lower() in SAFE_SCHEMES


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
