"""Links from the site's text to its own pages and files.

A link is written relative to the file that holds it, as the output mirrors
content/: from content/world/story/ (article.md or a sidecar), `../other/` is
the story beside it and `../../glossary/kim-jong-un/` an entry's page; from a
file of content/glossary/, `kim-jong-un/` is that entry's page. A markdown-it
core rule reads each link of the token stream, records those that lead into the
site, and publishes each relative to the page that shows it, in the form the
site's own links take (`…/index.html`, which works from the disk too): a
sidecar's text is shown on its story's page, and on entry pages and the
glossary as well. A site with `directory_urls: true` links to a page's folder
(`…/kim-jong-un/`) instead, everywhere: `page_href` makes each such link.
Whether a target exists is known only once every page of the site is
(`LinkTargets`, `link_problem`).
"""

from __future__ import annotations

import difflib
import posixpath
from collections.abc import Iterable
from functools import cache
from typing import Any, NamedTuple
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from builder.core.diagnostics import SiteLink
from builder.text.url_policy import url_scheme

CONTENT = "content/"
INDEX = "index.html"


def page_end(folders: bool) -> str:
    """What follows a page's folder in a link to it: the folder's slash, or its index.html."""
    return "/" if folders else f"/{INDEX}"


def page_href(root: str, folder: str, folders: bool) -> str:
    """The link to the page of `folder` ("glossary/kim-jong-un", "" for the front
    page) from a page whose way up to the site's top is `root` ("../../"): the
    folder itself where the site links to `folders`, else its index.html."""
    if folder:
        return f"{root}{folder}{page_end(folders)}"
    if folders:
        return root or "./"
    return f"{root}{INDEX}"


def root_of(folder: str) -> str:
    """The relative URL of the site's top from a page in `folder`, such as "world/story"."""
    return "../" * len([part for part in folder.split("/") if part])


def written_in(path: str) -> str:
    """The folder a link in the file at `path` (below the site folder) is relative to:
    the file's folder below content/, "" for the site's top."""
    return posixpath.dirname(path.removeprefix(CONTENT))


class SiteTarget(NamedTuple):
    """Where a link into the site leads."""

    path: str | None  # below the output folder, percent-encoded; None: above the top
    folder: bool  # written as a folder ("../story/"), which means its index.html
    root_relative: bool  # written from the site's top ("/glossary/"), not from the file
    rest: str  # the query and fragment, kept as written
    climbs: int = 0  # the "../" it starts with


def site_target(base: str, url: str) -> SiteTarget | None:
    """Where a link written in folder `base` leads; None for a link that leaves the
    site (a scheme, or "//host") or stays on the page ("#fragment", "?query")."""
    if url_scheme(url) is not None or url.startswith("//"):
        return None
    cut = min((at for at in (url.find("?"), url.find("#")) if at >= 0), default=len(url))
    written, rest = url[:cut], url[cut:]
    if not written:
        return None
    root_relative = written.startswith("/")
    parts = [] if root_relative or not base else base.split("/")
    segments = [segment for segment in written.split("/") if segment not in ("", ".")]
    climbs = next((n for n, s in enumerate(segments) if s != ".."), len(segments))
    for segment in segments:
        if segment != "..":
            parts.append(segment)
        elif parts:
            parts.pop()
        else:
            return SiteTarget(None, False, root_relative, rest, climbs)
    folder = written.endswith(("/", "/.", "/..")) or written in (".", "..")
    path = "/".join([*parts, INDEX] if folder else parts)
    return SiteTarget(path, folder, root_relative, rest, climbs)


def published_href(url: str, target: SiteTarget, root: str | None, folders: bool) -> str:
    """The link as a page publishes it: from the site's top, by way of `root`
    ("../../"), or, where the page is in the folder the link was written in
    (root None), as written; a link to a page in the site's one form, its
    folder's index.html or, with `folders`, the folder."""
    path = target.path or ""
    is_page = path == INDEX or path.endswith(f"/{INDEX}")
    if root is not None:
        if is_page:
            return (
                page_href(root, path.removesuffix(INDEX).removesuffix("/"), folders) + target.rest
            )
        return f"{root}{path}{target.rest}"
    written = url[: len(url) - len(target.rest)]
    if not is_page or (target.folder and folders and written.endswith("/")):
        return url
    folder = written if target.folder else written.removesuffix(INDEX)
    folder = folder.removesuffix("/")
    if not folder:
        return f"{page_href('', '', folders)}{target.rest}"
    return f"{folder}{page_end(folders)}{target.rest}"


def relative_url(path: str, base: str, folder: bool, climbs: int = 0) -> str:
    """The relative URL, from folder `base`, of a file below the output folder; a
    page's folder ("../story/") when `folder`. It climbs `climbs` folders first
    where the file is below the folder that reaches, as the editor's link did:
    a suggestion in the editor's own terms ("../story/", not "./")."""
    if folder and posixpath.basename(path) == INDEX:
        found = relative_url(posixpath.dirname(path), base, False, climbs)
        return found if found.endswith("/") else f"{found}/"
    parts = base.split("/") if base else []
    if 0 < climbs <= len(parts):
        ancestor = "/".join(parts[: len(parts) - climbs])
        if not ancestor:
            return "../" * climbs + path
        if path == ancestor or path.startswith(f"{ancestor}/"):
            return "../" * climbs + path[len(ancestor) + 1 :]
    return posixpath.relpath(path or ".", base or ".")


class LinkTargets:
    """Every page and file a build publishes: what a link into the site may lead to.

    Each stage that publishes something adds its paths (below the output folder);
    what exists but is not published, such as a draft, is held back, with what it
    is, for a message that says why a link to it fails.
    """

    def __init__(self) -> None:
        self._paths: set[str] = set()
        self._held_back: dict[str, str] = {}

    def add(self, paths: Iterable[str]) -> None:
        self._paths.update(paths)

    def hold_back(self, paths: Iterable[str], what: str) -> None:
        self._held_back.update((path, what) for path in paths if path not in self._paths)

    def __contains__(self, path: object) -> bool:
        return path in self._paths

    def held_back(self, path: str) -> str | None:
        return self._held_back.get(path)

    def nearest(self, path: str) -> str | None:
        """The published path most like this one, if one is close."""
        close = difflib.get_close_matches(path, sorted(self._paths), n=1, cutoff=0.8)
        return close[0] if close else None


def link_problem(link: SiteLink, targets: LinkTargets) -> tuple[bool, str] | None:
    """What is wrong with a link into the site: (a warning?, the message); None if nothing."""
    base = written_in(link.position.path)
    url = link.url
    target = site_target(base, url)
    if target is None:
        return None
    if target.path is None:
        return False, f"link to '{url}' leads above the site's top folder; remove a '../'"
    path = unquote(target.path)
    if path in targets:
        if not target.root_relative:
            return None
        return True, (
            f"link to '{url}' starts with '/', so it breaks where base_url has a path "
            "and when the site is opened from the disk; write it relative to this file: "
            f"'{relative_url(target.path, base, target.folder)}{target.rest}'"
        )
    what = targets.held_back(path)
    if what is not None:
        return False, f"link to '{url}' leads to {what}, which is not published"
    return False, f"link to '{url}' leads to no page of the site" + _hint(target, base, targets)


def _hint(target: SiteTarget, base: str, targets: LinkTargets) -> str:
    path = unquote(target.path or "")
    near: str | None = f"{path}/{INDEX}"
    folder = True  # "../story": a page's folder, without its slash
    if near not in targets:
        near, folder = targets.nearest(path), target.folder
    if near is None:
        return ""
    return f"; did you mean '{relative_url(near, base, folder, target.climbs)}{target.rest}'?"


class SiteLinkEnv(NamedTuple):
    """What the rule needs to know of the text it reads; kept in the render env."""

    base: str  # the folder the text's links are relative to
    # The relative URL of the site's top from the page shown ("", "../", ...), or
    # None when the page is in the folder `base`, as a story's body is.
    root: str | None
    found: list[tuple[int, str]] | None  # where to record links: (0-based line, URL)
    folders: bool = False  # the site links to pages' folders, not their index.html


SITE_LINKS = "site_links"  # the env key of a SiteLinkEnv


def site_links_plugin(md: MarkdownIt) -> None:
    """Publish each link into the site relative to the page shown, and record it,
    when the render env holds a SiteLinkEnv; leave other links alone."""

    def rule(state: StateCore) -> None:
        env = state.env.get(SITE_LINKS) if isinstance(state.env, dict) else None
        if not isinstance(env, SiteLinkEnv):
            return
        # A body's pictures are published and checked as pictures (text/pictures.py).
        pictures = isinstance(state.env, dict) and state.env.get("pictures") is not None
        kinds = {"link_open": "href"} if pictures else {"link_open": "href", "image": "src"}
        for block in state.tokens:
            if block.type == "inline" and block.children:
                _rebase(block, env, kinds)

    md.core.ruler.after("inline", "site_links", rule)


def _rebase(block: Token, env: SiteLinkEnv, kinds: dict[str, str]) -> None:
    line = block.map[0] if block.map else 0
    for child in block.children or []:
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        attribute = kinds.get(child.type)
        url = child.attrGet(attribute) if attribute else None
        if attribute is None or not isinstance(url, str):
            continue
        target = site_target(env.base, url)
        if target is None:
            continue
        if env.found is not None:
            env.found.append((line, url))
        if target.path is not None and not target.root_relative:
            child.attrSet(attribute, published_href(url, target, env.root, env.folders))


@cache
def _inline_reader() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False})
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    md.use(site_links_plugin)
    return md


def site_urls_in_inline(text: str) -> list[str]:
    """The links into the site that a field of inline Markdown holds, as written."""
    if "[" not in text and "<" not in text:
        return []  # no link syntax at all: the common case, without parsing
    found: list[tuple[int, str]] = []
    env: dict[str, Any] = {SITE_LINKS: SiteLinkEnv("", "", found)}
    _inline_reader().parseInline(text, env)
    return [url for _, url in found]
