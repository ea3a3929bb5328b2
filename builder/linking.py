"""Glossary linking as a markdown-it-py core rule over the token stream.

Shaped like markdown-it's linkify rule: walk the children of each inline
token, skip everything between link_open and link_close, and split a text
token into text / link_open / text / link_close around the first mention of
each entry. What was linked, and any problem, goes into the per-render env.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TypedDict, cast

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from builder.matcher import FormMatcher, Match


@dataclass(frozen=True)
class Mention:
    """The first mention of an entry in an article."""

    entry_id: str
    form: str
    line: int  # in article.md
    sentence: str


@dataclass(frozen=True)
class LinkProblem:
    line: int
    col: int
    message: str


class LinkEnv(TypedDict):
    glossary_href: str  # relative URL of the glossary folder, ending in "/"
    listed: frozenset[str]  # ids named in this article's sidecars
    line_offset: int  # 0-based line of article.md where the body starts
    linked: dict[str, Mention]
    problems: list[LinkProblem]
    unsafe_urls: list[tuple[int, int, str]]  # (0-based body line, column, URL)


def new_link_env(glossary_href: str, listed: frozenset[str], line_offset: int) -> LinkEnv:
    return LinkEnv(
        glossary_href=glossary_href,
        listed=listed,
        line_offset=line_offset,
        linked={},
        problems=[],
        unsafe_urls=[],
    )


def glossary_plugin(
    md: MarkdownIt, *, matcher: FormMatcher, claims: dict[str, tuple[str, ...]]
) -> None:
    """Link the first mention of each glossary entry in the article body."""

    def rule(state: StateCore) -> None:
        env = cast(LinkEnv, state.env)
        in_heading = False
        for token in state.tokens:
            if token.type == "heading_open":
                in_heading = True
            elif token.type == "heading_close":
                in_heading = False
            elif token.type == "inline" and not in_heading and token.children:
                token.children = _link_children(token, env, matcher, claims)

    md.core.ruler.after("text_join", "glossary_links", rule)


def _link_children(
    inline: Token, env: LinkEnv, matcher: FormMatcher, claims: dict[str, tuple[str, ...]]
) -> list[Token]:
    result: list[Token] = []
    link_depth = 0
    breaks = 0
    for child in inline.children or []:
        if child.type == "link_open":
            link_depth += 1
        elif child.type == "link_close":
            link_depth -= 1
        elif child.type in ("softbreak", "hardbreak"):
            breaks += 1
        if child.type != "text" or link_depth > 0:
            result.append(child)
            continue
        line = (inline.map[0] if inline.map else 0) + env["line_offset"] + breaks + 1
        result.extend(_split_text(child, inline, line, env, matcher.find(child.content), claims))
    return result


def _split_text(
    token: Token,
    inline: Token,
    line: int,
    env: LinkEnv,
    matches: list[Match],
    claims: dict[str, tuple[str, ...]],
) -> list[Token]:
    text = token.content
    pieces: list[Token] = []
    done = 0
    for match in matches:
        entry_id = _resolve(match, text, inline, line, env, claims)
        if entry_id is None or entry_id in env["linked"]:
            continue
        match_line = line + text.count("\n", 0, match.start)
        env["linked"][entry_id] = Mention(
            entry_id, match.form, match_line, _sentence_around(inline.content, match.form)
        )
        pieces.append(_text_token(text[done : match.start], token))
        pieces.extend(_link_tokens(entry_id, match.form, env["glossary_href"], token))
        done = match.end
    if not pieces:
        return [token]
    pieces.append(_text_token(text[done:], token))
    return [piece for piece in pieces if piece.type != "text" or piece.content]


def _resolve(
    match: Match,
    text: str,
    inline: Token,
    line: int,
    env: LinkEnv,
    claims: dict[str, tuple[str, ...]],
) -> str | None:
    """The entry a form stands for in this article, or None (reported) if ambiguous."""
    ids = claims.get(match.form, ())
    if len(ids) == 1:
        return ids[0]
    listed = [i for i in ids if i in env["listed"]]
    if len(listed) == 1:
        return listed[0]
    match_line = line + text.count("\n", 0, match.start)
    env["problems"].append(
        LinkProblem(
            match_line,
            _column_of(inline.content, match.form),
            f"'{match.form}' could mean any of "
            + ", ".join(f"'{i}'" for i in ids)
            + "; list exactly one of them in this article's who.yaml or where.yaml, "
            "or remove the shared name or alias",
        )
    )
    return None


def _text_token(content: str, like: Token) -> Token:
    token = Token("text", "", 0)
    token.content = content
    token.level = like.level
    return token


def _link_tokens(entry_id: str, form: str, glossary_href: str, like: Token) -> list[Token]:
    opening = Token("link_open", "a", 1)
    opening.attrs = {"data-term": entry_id, "href": f"{glossary_href}{entry_id}/"}
    opening.level = like.level
    opening.markup = "glossary"
    closing = Token("link_close", "a", -1)
    closing.level = like.level
    closing.markup = "glossary"
    text = _text_token(form, like)
    text.level = like.level + 1
    return [opening, text, closing]


_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+")
_MARKUP = re.compile(r"[*_`]+|!?\[|\]\([^)]*\)")


def _sentence_around(paragraph: str, form: str) -> str:
    """The sentence of the paragraph in which the form first stands, as plain text."""
    sentences = _sentences(paragraph)
    return next((sentence for sentence in sentences if form in sentence), " ".join(sentences))


@lru_cache(maxsize=64)
def _sentences(paragraph: str) -> tuple[str, ...]:
    # A pure function of the paragraph, cached: a paragraph that mentions
    # several entries is split once.
    plain = " ".join(_MARKUP.sub("", paragraph).split())
    return tuple(s.strip() for s in _SENTENCE_END.split(plain))


def _column_of(paragraph: str, form: str) -> int:
    for line in paragraph.split("\n"):
        found = line.find(form)
        if found >= 0:
            return found + 1
    return 1
