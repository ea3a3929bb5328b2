"""The Markdown parsers: one for article bodies, with glossary linking, one for
inline fields such as summaries. Raw HTML is never passed through."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from builder.text.linking import (
    Explained,
    LinkProblem,
    Mention,
    glossary_plugin,
    new_link_env,
)
from builder.text.pictures import PictureLookup, pictures_plugin
from builder.text.references import LinkTable
from builder.text.site_links import SITE_LINKS, SiteLinkEnv, site_links_plugin
from builder.text.url_policy import url_policy_plugin


def _base_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(url_policy_plugin)
    md.use(site_links_plugin)
    return md


def body_parser(table: LinkTable) -> MarkdownIt:
    """The parser of article bodies, linking the surface forms the glossary claims."""
    md = _base_parser()
    md.use(glossary_plugin, table=table)
    md.use(pictures_plugin)
    return md


# Text without any of these characters renders to itself, escaped; straight
# quotes go through the parser, which curls them.
_INLINE_MARKUP = re.compile(r"[\\`*_\[\]!<>&~\n'\"]")


def _inline_parser() -> MarkdownIt:
    """Inline fields curl their quotes ("Workers' Party" becomes "Workers’ Party"),
    as editors type them in stories; the other typographic replacements, such as
    "(c)" to "©", stay off: they would change what an editor meant literally."""
    md = _base_parser()
    md.options["typographer"] = True
    md.enable("smartquotes")
    return md


@functools.cache
def _quotes_parser() -> MarkdownIt:
    # No Markdown at all ("zero"): the text comes back as it was, quotes curled.
    return MarkdownIt("zero", {"typographer": True}).enable("smartquotes")


def smart_quotes(text: str) -> str:
    """Plain text (a label, a title) with its straight quotes curled, by the same
    rule as inline fields, so that the two read alike side by side."""
    if "'" not in text and '"' not in text:
        return text
    paragraph = _quotes_parser().parseInline(text)[0]
    return "".join(child.content for child in paragraph.children or ())


class InlineMarkdown:
    """Renders inline Markdown fields, each distinct text once per build and page depth.

    Entry summaries and facts appear on many pages; most are plain text, which
    skips the parser altogether. A link into the site is written relative to
    the file that holds the text (`base`, its folder below content/) and
    published relative to the page that shows it (`root`, the way up to the
    site's top from there): builder.text.site_links, in the site's one form of
    link to a page (`folders`).
    """

    def __init__(self, folders: bool = False) -> None:
        self._md = _inline_parser()
        self._folders = folders
        self._rendered: dict[tuple[str, str, str], Markup] = {}

    def __call__(self, text: str, base: str = "", root: str = "") -> Markup:
        rendered = self._rendered.get((text, base, root))
        if rendered is None:
            if _INLINE_MARKUP.search(text) is None:
                rendered = escape(text)
            else:
                env = {SITE_LINKS: SiteLinkEnv(base, root, None, self._folders)}
                rendered = Markup(self._md.renderInline(text, env))
            self._rendered[text, base, root] = rendered
        return rendered


@dataclass(frozen=True)
class BodyText:
    """An article body, as much of its story as linking needs."""

    path: str  # the bundle's path
    body: str
    body_line: int  # the line of article.md the body starts on
    listed: frozenset[str]  # ids of the entries the story's sidecars list: they win ambiguities


@dataclass(frozen=True)
class RenderedBody:
    path: str  # the bundle's path
    html: str
    mentions: tuple[Mention, ...]  # first mentions, in the order they appear
    problems: tuple[LinkProblem, ...]
    decisions: tuple[Explained, ...] = ()  # every place a glossary form stands, decided
    site_links: tuple[tuple[int, int, str], ...] = ()  # links into the site: line, column, URL
    pictures: tuple[str, ...] = ()  # the srcs of the pictures it shows, each once


def render_body(
    md: MarkdownIt,
    bundle: BodyText,
    glossary_href: str,
    explain: bool = False,
    pictures: PictureLookup | None = None,
    folders: bool = False,
) -> RenderedBody:
    """The body's HTML, first mentions and problems; with `explain`, every decision too.
    Given the story's pictures, body images are checked and published as pictures.
    Links to pages are to their folders where the site says so (`folders`)."""
    line_offset = bundle.body_line - 1
    env = new_link_env(
        glossary_href, bundle.listed, line_offset, bundle.body, explain, pictures, folders
    )
    found: list[tuple[int, str]] = []
    rendering = cast(dict[str, Any], env)
    rendering[SITE_LINKS] = SiteLinkEnv(bundle.path, None, found, folders)
    html = md.render(bundle.body, rendering)
    mentions = list(env["linked"].values())  # dicts keep document order
    problems = list(env["problems"])
    problems.extend(
        LinkProblem(
            bundle.body_line + line,
            column,
            f"link to '{url}' is not allowed; use an http, https, mailto or relative URL",
        )
        for line, column, url in env["unsafe_urls"]
    )
    problems.extend(
        LinkProblem(bundle.body_line + line, column, message, warning=warning)
        for line, column, message, warning in env["picture_problems"]
    )
    decisions = tuple(env["decisions"])
    lines = env["body_lines"]
    links = tuple((bundle.body_line + line, _column(lines, line, url), url) for line, url in found)
    used = tuple(dict.fromkeys(env["pictures_used"]))
    return RenderedBody(bundle.path, html, tuple(mentions), tuple(problems), decisions, links, used)


def _column(lines: list[str], line: int, url: str) -> int:
    """The column of a link's URL on its line of the body, as written; 1 if not there."""
    source = lines[line] if 0 <= line < len(lines) else ""
    for written in (f"({url}", f"<{url}", url, unquote(url)):
        found = source.find(written)
        if found >= 0:
            return found + 1 + (written[0] in "(<")
    return 1
