"""Glossary linking as a markdown-it-py core rule over the token stream.

Shaped like markdown-it's linkify rule: for each inline token, find the
glossary's forms in the text the reader sees (builder.text.visible), decide in
reading order what each one refers to (builder.text.references), and put links
around the first mentions; a text token with links in it becomes one token
that renders them. Editors' marks (`[Kim]{.nolink}`, `[the leader]{term=ID}`)
come from mdit-py-plugins' attrs spans. What was linked, every decision, and
any problem go into the per-render env.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple, TypedDict, cast

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import OptionsDict
from mdit_py_plugins.attrs import attrs_plugin

from builder.core.diagnostics import did_you_mean
from builder.core.pickled import Pickled
from builder.text.matcher import FormMatcher
from builder.text.pictures import PictureLookup, PictureProblem
from builder.text.references import Decision, LinkTable, Place, Reader
from builder.text.site_links import page_end
from builder.text.visible import Mark, VisibleText


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


def unpack_mentions(
    data: Pickled[PackedMentions], wanted: frozenset[str] | None = None
) -> dict[str, Mention]:
    """Stored mentions, by entry id; only those of the `wanted` entries, if given."""
    found = data.load()
    return {f[0]: Mention(*f) for f in found if wanted is None or f[0] in wanted}


@dataclass(frozen=True)
class LinkProblem:
    line: int
    col: int
    message: str
    form: str = ""  # the ambiguous name, for problems about one
    warning: bool = False  # a warning for `check`, not an error


class Explained(NamedTuple):
    """One decision about a name in the body, where it stands, for `links`."""

    line: int
    col: int
    decision: Decision


class LinkEnv(TypedDict):
    glossary_href: str  # relative URL of the glossary folder, ending in "/"
    glossary_end: str  # what follows an entry's id in its link: "/index.html", or "/"
    listed: frozenset[str]  # ids named in this article's sidecars
    line_offset: int  # 0-based line of article.md where the body starts
    body_lines: list[str]  # the body's source lines, to place problems on them
    linked: dict[str, Mention]
    problems: list[LinkProblem]
    unsafe_urls: list[tuple[int, int, str]]  # (0-based body line, column, URL)
    explain: bool  # keep every decision, with its column, for `links`
    decisions: list[Explained]  # every place a form stands, decided, in order
    pictures: PictureLookup | None  # the story's picture files, for builder.text.pictures
    pictures_used: list[str]  # the srcs of the pictures the body shows
    picture_problems: list[PictureProblem]


def new_link_env(
    glossary_href: str,
    listed: frozenset[str],
    line_offset: int,
    body: str,
    explain: bool = False,
    pictures: PictureLookup | None = None,
    folders: bool = False,
) -> LinkEnv:
    return LinkEnv(
        glossary_href=glossary_href,
        glossary_end=page_end(folders),
        listed=listed,
        line_offset=line_offset,
        body_lines=body.split("\n"),
        linked={},
        problems=[],
        unsafe_urls=[],
        explain=explain,
        decisions=[],
        pictures=pictures,
        pictures_used=[],
        picture_problems=[],
    )


def glossary_plugin(md: MarkdownIt, *, table: LinkTable) -> None:
    """Link the first mention of each glossary entry in the article body; let editors
    mark single mentions with `[text]{.nolink}` and `[text]{term=ID}`."""
    matcher = FormMatcher(table.forms())
    # Spans are editors' marks on names; after an image, `{.decorative}` (builder.text.pictures).
    md.use(attrs_plugin, after=("image",), spans=True)

    def rule(state: StateCore) -> None:
        env = cast(LinkEnv, state.env)
        marks = editor_marks(state.tokens)
        reader = Reader(table, env["listed"], frozenset(i for i in marks if i in table.ids))
        in_heading = False
        for token in state.tokens:
            if token.type == "heading_open":
                in_heading = True
            elif token.type == "heading_close":
                in_heading = False
            elif token.type == "inline" and token.children:
                blocked = "inside a heading" if in_heading else ""
                token.children = _link_inline(token, blocked, env, matcher, reader)

    md.core.ruler.after("text_join", "glossary_links", rule)
    _render_glossary_links(md)


def editor_marks(tokens: list[Token]) -> list[str]:
    """The ids of every `[text]{term=ID}` mark that links, in order: not those in
    headings or inside links, where nothing is linked."""
    found = []
    in_heading = False
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            in_heading = token.type == "heading_open"
        if in_heading or not token.children:
            continue
        links = 0
        for child in token.children:
            links += {"link_open": 1, "link_close": -1}.get(child.type, 0)
            if child.type == "span_open" and "term" in child.attrs and not links:
                found.append(str(child.attrs["term"]))
    return found


def _render_glossary_links(md: MarkdownIt) -> None:
    """Render a run of text with its glossary links. The links' attributes are
    known safe (an id of [a-z0-9-] and a relative path of ../), which spares
    escaping them, twenty times an article."""

    def glossary_text(
        renderer: RendererHTML, tokens: list[Token], index: int, options: OptionsDict, env: Any
    ) -> str:
        token = tokens[index]
        content, href, href_end = token.content, token.meta["href"], token.meta["end"]
        pieces: list[str] = []
        done = 0
        for start, end, entry_id in token.meta["links"]:
            pieces.append(escapeHtml(content[done:start]))
            pieces.append(f'<a data-term="{entry_id}" href="{href}{entry_id}{href_end}">')
            pieces.append(escapeHtml(content[start:end]))
            pieces.append("</a>")
            done = end
        pieces.append(escapeHtml(content[done:]))
        return "".join(pieces)

    md.add_render_rule("glossary_text", glossary_text)


def _link_inline(
    inline: Token, blocked: str, env: LinkEnv, matcher: FormMatcher, reader: Reader
) -> list[Token]:
    """The inline's children with first mentions linked and editors' marks applied."""
    children = inline.children or []
    seen = VisibleText(children, blocked)
    line = (inline.map[0] if inline.map else 0) + env["line_offset"] + 1
    links: list[tuple[int, int, str]] = []
    _report_odd_marks(seen, line, env)
    for mark in seen.marks:
        entry_id = _marked_entry(mark, seen, line, env, reader)
        if entry_id is not None:
            links.append((mark.start, mark.end, entry_id))
    matches = matcher.find(seen.text) if seen.text else []
    starts = {match.start for match in matches}
    for match in matches:
        where = seen.blocked(match.start, match.end)
        following = match.end + 1
        place = Place(seen.text, match.start, match.end, match.form, where, following in starts)
        decision = reader.decide(place)
        match_line = line + seen.breaks_before(match.start)
        _note(decision, match_line, seen, env, reader)
        if decision.linked and decision.entry_id is not None:
            entry_id = decision.entry_id
            sentence = _sentence_around(inline.content, decision.text)
            env["linked"][entry_id] = Mention(entry_id, match.form, match_line, sentence)
            links.append((match.start, match.end, entry_id))
    if not links and not seen.marks and not seen.spans:
        return children
    return seen.with_links(sorted(links), env["glossary_href"], env["glossary_end"])


def _report_odd_marks(seen: VisibleText, line: int, env: LinkEnv) -> None:
    """A span that is neither mark is an error; text that looks like a mistyped
    mark (`[Kim]{nolink}`, which readers would see as typed) is a warning."""
    for odd in seen.odd_spans:
        odd_line = line + seen.breaks_before(odd.start)
        column = _column(env, odd_line, "]" + odd.says, 0)  # as written, mostly
        message = f"unknown mark {odd.says}; mark a name [name]{{.nolink}} or [text]{{term=ID}}"
        env["problems"].append(LinkProblem(odd_line, column, message))
    for at in (found.start() for found in _MISTYPED_MARK.finditer(seen.text)):
        mark_line = line + seen.breaks_before(at)
        message = (
            "this looks like a mark but is not one, and readers will see it as typed; "
            "write [text]{.nolink} or [text]{term=ID}, with no space before the brace"
        )
        column = _column(env, mark_line, seen.text[at : at + 2], 0)
        env["problems"].append(LinkProblem(mark_line, column, message, warning=True))


# "[Kim]{nolink}", "[Kim] {.nolink}", "{term = id}": what the attrs plugin left as text.
_MISTYPED_MARK = re.compile(r"\] ?\{ *(?:\.?nolink|term *=)")


def _marked_entry(
    mark: Mark, seen: VisibleText, line: int, env: LinkEnv, reader: Reader
) -> str | None:
    """The entry an editor's term mark links, if it names one and links it first."""
    mark_line = line + seen.breaks_before(mark.start)
    if mark.entry_id not in reader.table.ids:
        hint = did_you_mean(mark.entry_id, sorted(reader.table.ids))
        column = _column(env, mark_line, mark.entry_id, 0)
        message = f"no glossary entry has the id '{mark.entry_id}' of this term mark" + (
            hint or "; use the id of an entry in content/glossary/ or the story's sidecars"
        )
        env["problems"].append(LinkProblem(mark_line, column, message))
        return None
    seen_text = seen.text[mark.start : mark.end]
    first = mark.entry_id not in reader.linked
    reason = "the editor's term mark" if first else "not the first mention"
    _note(
        Decision(mark.start, mark.end, seen_text, mark.entry_id, first, reason),
        mark_line,
        seen,
        env,
        reader,
    )
    if not first:
        return None
    reader.linked.add(mark.entry_id)
    sentence = _sentence_around(seen.text, seen_text)
    env["linked"][mark.entry_id] = Mention(mark.entry_id, seen_text, mark_line, sentence)
    return mark.entry_id


def _note(decision: Decision, line: int, seen: VisibleText, env: LinkEnv, reader: Reader) -> None:
    """Keep the decision, and turn the ones an editor must hear about into problems.
    Columns are found only where someone will read them: most decisions are not."""
    told = bool(decision.warning) or decision.reason == "ambiguous"
    column = 0
    if told or env["explain"]:
        earlier = seen.line_text_before(decision.start).count(decision.text)
        column = _column(env, line, decision.text, earlier)
    if env["explain"]:
        env["decisions"].append(Explained(line, column, decision))
    if not told:
        return
    if decision.warning and not any(p.form == decision.text for p in env["problems"]):
        env["problems"].append(LinkProblem(line, column, decision.warning, decision.text, True))
    elif decision.reason == "ambiguous":
        ids = [claim.entry_id for claim in reader.table.claims.get(decision.text, ())]
        _report_ambiguous(decision.text, ids, line, column, env)


def _report_ambiguous(form: str, ids: list[str], line: int, column: int, env: LinkEnv) -> None:
    """One error per ambiguous name and article: it could mean several entries."""
    if any(problem.form == form for problem in env["problems"]):
        return
    env["problems"].append(
        LinkProblem(
            line,
            column,
            f"'{form}' could mean any of "
            + ", ".join(f"'{i}'" for i in ids)
            + "; list exactly one of them in this article's who.yaml or where.yaml, "
            "or remove the shared name or alias",
            form,
        )
    )


def _column(env: LinkEnv, line: int, form: str, earlier: int) -> int:
    """The column of the form in the source line, after as many earlier occurrences."""
    lines = env["body_lines"]
    index = line - env["line_offset"] - 1
    if not 0 <= index < len(lines):
        return 1
    source, found = lines[index], -1
    # Markup inside a name ("Vladimir *Putin*") hides the whole of it: its first word.
    if form not in source and " " in form:
        form = form.split(" ", 1)[0]
    for _ in range(earlier + 1):
        found = source.find(form, found + 1)
        if found < 0:
            return 1
    return found + 1


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
