"""Glossary linking as a markdown-it-py core rule over the token stream.

Shaped like markdown-it's linkify rule: walk the children of each inline
token, skip everything between link_open and link_close, and replace a run of
text in which first mentions stand by one token that renders it with those
mentions linked. What was linked, and any problem, goes into the per-render env.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import Any, NamedTuple, TypedDict, cast

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import OptionsDict

from builder.core.pickled import Pickled
from builder.text.matcher import FormMatcher, Match


class Mention(NamedTuple):
    """The first mention of an entry in an article; a tuple, cheap to keep by the thousand."""

    entry_id: str
    form: str
    line: int  # in article.md
    sentence: str


# Mentions as stored: plain tuples pickle several times faster than named ones.
PackedMentions = tuple[tuple[str, str, int, str], ...]


def pack_mentions(mentions: tuple[Mention, ...]) -> Pickled[PackedMentions]:
    return Pickled.of(tuple(plain_mention(m) for m in mentions))


def plain_mention(mention: Mention) -> tuple[str, str, int, str]:
    return (mention.entry_id, mention.form, mention.line, mention.sentence)


def unpack_mentions(data: Pickled[PackedMentions]) -> dict[str, Mention]:
    """Stored mentions, by entry id."""
    return {fields[0]: Mention(*fields) for fields in data.load()}


@dataclass(frozen=True)
class LinkProblem:
    line: int
    col: int
    message: str
    form: str = ""  # the ambiguous name, for problems about one


class LinkEnv(TypedDict):
    glossary_href: str  # relative URL of the glossary folder, ending in "/"
    listed: frozenset[str]  # ids named in this article's sidecars
    line_offset: int  # 0-based line of article.md where the body starts
    body_lines: list[str]  # the body's source lines, to place problems on them
    linked: dict[str, Mention]
    problems: list[LinkProblem]
    unsafe_urls: list[tuple[int, int, str]]  # (0-based body line, column, URL)


def new_link_env(
    glossary_href: str, listed: frozenset[str], line_offset: int, body: str
) -> LinkEnv:
    return LinkEnv(
        glossary_href=glossary_href,
        listed=listed,
        line_offset=line_offset,
        body_lines=body.split("\n"),
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
    _render_glossary_links(md)


def _render_glossary_links(md: MarkdownIt) -> None:
    """Render a run of text with its glossary links. The links' attributes are
    known safe (an id of [a-z0-9-] and a relative path of ../), which spares
    escaping them, twenty times an article."""

    def glossary_text(
        renderer: RendererHTML, tokens: list[Token], index: int, options: OptionsDict, env: Any
    ) -> str:
        token = tokens[index]
        content, href = token.content, token.meta["href"]
        pieces: list[str] = []
        done = 0
        for start, end, entry_id in token.meta["links"]:
            pieces.append(escapeHtml(content[done:start]))
            pieces.append(f'<a data-term="{entry_id}" href="{href}{entry_id}/">')
            pieces.append(escapeHtml(content[start:end]))
            pieces.append("</a>")
            done = end
        pieces.append(escapeHtml(content[done:]))
        html = "".join(pieces)
        # A soft break stands in the content as "\n", which escaping leaves alone.
        return html.replace("\n", "<br />\n") if options.breaks else html

    md.add_render_rule("glossary_text", glossary_text)


def _link_children(
    inline: Token, env: LinkEnv, matcher: FormMatcher, claims: dict[str, tuple[str, ...]]
) -> list[Token]:
    """The inline's children with first mentions linked, matching across line breaks."""
    result: list[Token] = []
    run: list[Token] = []  # text and soft breaks outside links: where names are matched
    run_line = 0
    link_depth = 0
    line = (inline.map[0] if inline.map else 0) + env["line_offset"] + 1
    for child in inline.children or []:
        if child.type in ("text", "softbreak") and link_depth == 0:
            if not run:
                run_line = line
            run.append(child)
        else:
            result.extend(_link_run(run, run_line, inline, env, matcher, claims))
            run = []
            result.append(child)
        if child.type == "link_open":
            link_depth += 1
        elif child.type == "link_close":
            link_depth -= 1
        if child.type in ("softbreak", "hardbreak"):
            line += 1
    result.extend(_link_run(run, run_line, inline, env, matcher, claims))
    return result


def _link_run(
    run: list[Token],
    first_line: int,
    inline: Token,
    env: LinkEnv,
    matcher: FormMatcher,
    claims: dict[str, tuple[str, ...]],
) -> list[Token]:
    if len(run) == 1 and run[0].type == "text":
        text = run[0].content  # the common case: one line, or text_join made it one token
    else:
        # A soft break stands for one space, so "Kim\nJong-il" matches "Kim Jong-il".
        text = "".join(t.content if t.type == "text" else " " for t in run)
    matches = matcher.find(text) if text else []
    if not matches:
        return run
    span = _Run(run, first_line, text)
    linked = env["linked"]
    links: list[tuple[int, int, str]] = []
    for match in matches:
        ids = claims.get(match.form, ())
        if len(ids) == 1:
            entry_id: str | None = ids[0]
        else:
            entry_id = _resolve(match, ids, span, env)
        if entry_id is None or entry_id in linked:
            continue  # a later mention of an entry already linked: the common case
        sentence = _sentence_around(inline.content, match.form)
        linked[entry_id] = Mention(entry_id, match.form, span.line(match.start), sentence)
        links.append((match.start, match.end, entry_id))
    if not links:
        return run
    return [span.linked(links, env["glossary_href"])]


class _Run:
    """A run of text and soft-break tokens, matched as one text."""

    def __init__(self, tokens: list[Token], first_line: int, text: str) -> None:
        self.tokens = tokens
        self.first_line = first_line
        self.text = text
        # Where each token starts in the text; a soft break counts as one space.
        starts = accumulate((len(t.content) if t.type == "text" else 1 for t in tokens), initial=0)
        self.breaks = [
            start for t, start in zip(tokens, starts, strict=False) if t.type == "softbreak"
        ]

    def line(self, offset: int) -> int:
        """The line of article.md on which an offset of the text stands."""
        return self.first_line + bisect_left(self.breaks, offset)

    def line_text_before(self, offset: int) -> str:
        """The text from the start of the offset's line up to it."""
        before = bisect_left(self.breaks, offset)
        return self.text[(self.breaks[before - 1] + 1 if before else 0) : offset]

    def linked(self, links: list[tuple[int, int, str]], glossary_href: str) -> Token:
        """The run as one token that renders its text with each (start, end, entry id)
        span linked: far fewer tokens than splitting it into text and links."""
        token = Token("glossary_text", "", 0)
        token.level = self.tokens[0].level
        if self.breaks:
            token.content = "".join(t.content if t.type == "text" else "\n" for t in self.tokens)
        else:
            token.content = self.text
        token.meta = {"links": links, "href": glossary_href}
        return token


def _column(env: LinkEnv, line: int, form: str, earlier: int) -> int:
    """The column of the form in the source line, after as many earlier occurrences."""
    lines = env["body_lines"]
    index = line - env["line_offset"] - 1
    if not 0 <= index < len(lines):
        return 1
    source, found = lines[index], -1
    for _ in range(earlier + 1):
        found = source.find(form, found + 1)
        if found < 0:
            return 1
    return found + 1


def _resolve(match: Match, ids: tuple[str, ...], span: _Run, env: LinkEnv) -> str | None:
    """The entry an ambiguous form stands for in this article, or None (reported)."""
    listed = [i for i in ids if i in env["listed"]]
    if len(listed) == 1:
        return listed[0]
    if any(problem.form == match.form for problem in env["problems"]):
        return None  # one report per ambiguous name and article is enough
    line = span.line(match.start)
    earlier = span.line_text_before(match.start).count(match.form)
    env["problems"].append(
        LinkProblem(
            line,
            _column(env, line, match.form, earlier),
            f"'{match.form}' could mean any of "
            + ", ".join(f"'{i}'" for i in ids)
            + "; list exactly one of them in this article's who.yaml or where.yaml, "
            "or remove the shared name or alias",
            match.form,
        )
    )
    return None


# The end of a sentence: its punctuation, any closing quotes or brackets, a space.
_SENTENCE_END = re.compile(r"[.!?…][\"”’)\]]* ")
_MARKUP = re.compile(r"[*_`]+|!?\[|\]\([^)]*\)")


def _sentence_around(paragraph: str, form: str) -> str:
    """The sentence of the paragraph in which the form first stands, as plain text."""
    sentences = _sentences(paragraph)
    return next((sentence for sentence in sentences if form in sentence), " ".join(sentences))


@lru_cache(maxsize=64)
def _sentences(paragraph: str) -> tuple[str, ...]:
    # A pure function of the paragraph, cached: a paragraph that mentions
    # several entries is split once.
    if any(char in paragraph for char in "*_`[]"):  # most paragraphs have no markup
        paragraph = _MARKUP.sub("", paragraph)
    plain = " ".join(paragraph.split())
    sentences, start = [], 0
    for end in _SENTENCE_END.finditer(plain):
        sentences.append(plain[start : end.start() + 1].strip())
        start = end.end()
    sentences.append(plain[start:].strip())
    return tuple(sentences)
