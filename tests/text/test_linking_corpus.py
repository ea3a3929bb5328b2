"""The glossary linker scored against an annotated corpus of news stories.

Each story in fixtures/linking-corpus/ carries its gold links inline, written
`{{visible text|entry-id}}`: what a careful editor links under the contract's
rules (the corpus README says which rules and where each trap is). Every story
is built alone, in a site of its own with the corpus glossary, and the links of
its article body are compared with the gold ones. A link is the triple (entry id,
linked text, how often that text occurs in the visible body before the link), so
that the comparison depends neither on markup nor on where the builder splits a
link. The gold positions come from rendering the annotated body with plain
markdown-it-py, each annotation turned into a link to `#gold-ID`.

The corpus is scored as a whole: every produced link must be gold (precision 1)
and at most 3% of the gold links may be missed.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from builder.build.options import BuildOptions
from builder.build.run import build
from builder.core.diagnostics import ContentError

CORPUS = Path(__file__).parents[1] / "fixtures" / "linking-corpus"
GLOSSARY = CORPUS / "glossary"
NEVER_LINK = "never_link.yaml"
SECTION = "world"
SIDECARS = ("who.yaml", "what.yaml", "where.yaml", "background.yaml")

MIN_STORIES = 10
MIN_GOLD_LINKS = 150
MIN_RECALL = 0.97

# {{visible text|entry-id}}; the text may hold emphasis and line breaks.
ANNOTATION = re.compile(r"\{\{(.+?)\|([a-z0-9]+(?:-[a-z0-9]+)*)\}\}", re.DOTALL)
GOLD_HREF = "#gold-"
SITE_YAML = (
    "title: Linking corpus\nbase_url: https://example.org/corpus/\nlanguage: en\nsearch: false\n"
)

# Elements whose content the reader does not see in the body's flow.
HIDDEN_ELEMENTS = frozenset({"script", "style", "template"})
VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    | {"track", "wbr"}
)
# Elements that end a line of text: white space in the visible text, and the end of a
# sentence when a link's sentence is shown.
BLOCK_ELEMENTS = frozenset(
    {"blockquote", "dd", "div", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "li", "p", "pre"}
    | {"table", "td", "th", "tr"}
)
# Stand-ins for the edges of links and blocks in the visible text (private-use characters).
LINK_OPEN, LINK_CLOSE, BLOCK_EDGE = "\ue000", "\ue001", "\ue002"


Link = tuple[str, str, int]  # (entry id, linked text, occurrences of that text before it)
LinkId = Callable[[str, dict[str, str]], str | None]  # (tag, attributes) -> entry id or None


@dataclass(frozen=True)
class Story:
    slug: str
    folder: Path
    front_matter: str  # from the opening "---" line to the closing one, included
    body: str  # annotated

    @property
    def plain_body(self) -> str:
        """The body as an editor would write it: annotations replaced by their text."""
        return ANNOTATION.sub(lambda match: match.group(1), self.body)

    @property
    def gold_markdown(self) -> str:
        """The body with each annotation turned into a Markdown link to #gold-ID."""
        return ANNOTATION.sub(
            lambda match: f"[{match.group(1)}]({GOLD_HREF}{match.group(2)})", self.body
        )

    @property
    def annotations(self) -> list[tuple[str, str]]:
        """(text, entry id) of every annotation, in order."""
        return [(match.group(1), match.group(2)) for match in ANNOTATION.finditer(self.body)]


@dataclass(frozen=True)
class Rendered:
    """The visible text of an article body and the links in it."""

    text: str
    links: list[tuple[str, int, int]]  # (entry id, start, end) in text
    blocks: list[int]  # where blocks start and end in text

    def triples(self) -> list[Link]:
        return [
            (entry_id, self.text[start:end], self.text[:start].count(self.text[start:end]))
            for entry_id, start, end in self.links
        ]

    def sentence(self, link: Link) -> str:
        """The sentence of the visible text in which a link stands."""
        _, linked, earlier = link
        start = -1
        for _ in range(earlier + 1):
            start = self.text.find(linked, start + 1)
        if start < 0:
            return ""
        stop = start + len(linked)
        before = [m.end() for m in re.finditer(r"[.!?][\"”’)]*\s", self.text[:start])]
        before.extend(edge for edge in self.blocks if edge <= start)
        after = re.search(r"[.!?][\"”’)]*(\s|$)", self.text[stop:])
        ends = [stop + after.end() if after else len(self.text)]
        ends.extend(edge for edge in self.blocks if edge >= stop)
        return self.text[max(before, default=0) : min(ends)].strip()


@dataclass
class StoryResult:
    story: Story
    gold: Rendered
    produced: Rendered | None  # None: the build failed
    with_never_link: bool
    errors: list[str] = field(default_factory=list)


def load_stories() -> list[Story]:
    stories = []
    for folder in sorted(path for path in CORPUS.iterdir() if (path / "article.md").is_file()):
        text = (folder / "article.md").read_text(encoding="utf-8")
        match = re.match(r"---\n.*?\n---\n", text, re.DOTALL)
        assert match, f"{folder.name}: article.md has no front matter"
        stories.append(Story(folder.name, folder, match.group(0), text[match.end() :]))
    return stories


def glossary_ids() -> set[str]:
    found: set[str] = set()
    for path in sorted(GLOSSARY.glob("*.yaml")):
        if path.name != NEVER_LINK:
            found.update(re.findall(r"^- id: ([a-z0-9-]+)$", path.read_text("utf-8"), re.M))
    return found


# -- visible text and links of an HTML body ----------------------------------------------


class _BodyParser(HTMLParser):
    """Collects the visible text under one element, with link edges marked in it."""

    def __init__(self, link_id: LinkId, whole_document: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.link_id = link_id
        self.depth: int | None = 0 if whole_document else None  # open elements in the body
        self.found_body = whole_document
        self.open: list[tuple[str, bool, bool]] = []  # (tag, hidden, is a glossary link)
        self.pieces: list[str] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if self.depth is None:
            if "data-article-body" in found and not self.found_body:
                self.found_body = True
                self.depth = 0
            return
        if tag in VOID_ELEMENTS:
            return
        hidden = (
            tag in HIDDEN_ELEMENTS
            or "hidden" in found
            or "popover" in found
            or found.get("aria-hidden") == "true"
            or any(hidden for _, hidden, _ in self.open)
        )
        if tag in BLOCK_ELEMENTS and not hidden:
            self.pieces.append(BLOCK_EDGE)
        entry_id = None if hidden else self.link_id(tag, found)
        if entry_id:
            self.pieces.append(LINK_OPEN)
            self.ids.append(entry_id)
        self.open.append((tag, hidden, bool(entry_id)))
        self.depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS and self.depth:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.depth is None or tag in VOID_ELEMENTS:
            return
        if self.depth == 0:
            self.depth = None  # the body element itself closes
            return
        # Close up to the matching open element, as browsers do with stray end tags.
        while self.open:
            open_tag, hidden, is_link = self.open.pop()
            self.depth -= 1
            if is_link:
                self.pieces.append(LINK_CLOSE)
            if open_tag in BLOCK_ELEMENTS and not hidden:
                self.pieces.append(BLOCK_EDGE)
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.depth is not None and not any(hidden for _, hidden, _ in self.open):
            self.pieces.append(data)


def rendered_body(html: str, link_id: LinkId, whole_document: bool) -> Rendered:
    parser = _BodyParser(link_id, whole_document)
    parser.feed(html)
    parser.close()
    assert parser.found_body, "no element carries data-article-body"
    raw = unicodedata.normalize("NFC", "".join(parser.pieces))
    text: list[str] = []
    starts: list[int] = []
    spans: list[tuple[int, int]] = []
    blocks: list[int] = []
    for char in raw:
        if char == LINK_OPEN:
            starts.append(len(text))
        elif char == LINK_CLOSE:
            spans.append((starts.pop(), len(text)))
        elif char.isspace() or char == BLOCK_EDGE:
            if text and text[-1] != " ":
                text.append(" ")
            if char == BLOCK_EDGE:
                blocks.append(len(text))
        else:
            text.append(char)
    spans.sort()
    links: list[tuple[str, int, int]] = []
    # Anchors open in document order, so ids and sorted spans correspond.
    for entry_id, (start, end) in zip(parser.ids, spans, strict=True):
        previous = links[-1] if links else None
        if previous and previous[0] == entry_id and previous[2] == start:
            # One mention split into adjacent anchors (at an emphasis edge): one link.
            links[-1] = (entry_id, previous[1], end)
        else:
            links.append((entry_id, start, end))
    return Rendered("".join(text), links, blocks)


def glossary_link(tag: str, attrs: dict[str, str]) -> str | None:
    if tag == "a" and attrs.get("data-term"):
        return attrs["data-term"]
    return None


def gold_link(tag: str, attrs: dict[str, str]) -> str | None:
    href = attrs.get("href", "")
    if tag == "a" and href.startswith(GOLD_HREF):
        return href[len(GOLD_HREF) :]
    return None


@cache
def gold_parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def gold_rendering(story: Story) -> Rendered:
    html = gold_parser().render(story.gold_markdown)
    return rendered_body(html, gold_link, whole_document=True)


# -- building one story --------------------------------------------------------------------


def write_site(site: Path, story: Story, with_never_link: bool) -> None:
    site.mkdir(parents=True)
    (site / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    glossary = site / "content" / "glossary"
    glossary.mkdir(parents=True)
    for path in sorted(GLOSSARY.glob("*.yaml")):
        if path.name != NEVER_LINK or with_never_link:
            shutil.copyfile(path, glossary / path.name)
    bundle = site / "content" / SECTION / story.slug
    bundle.mkdir(parents=True)
    (bundle / "article.md").write_text(story.front_matter + story.plain_body, encoding="utf-8")
    for name in SIDECARS:
        if (story.folder / name).is_file():
            shutil.copyfile(story.folder / name, bundle / name)


def problems(error: ContentError) -> list[str]:
    return [diagnostic.format() for diagnostic in error.report.sorted()]


def builder_reads_never_link(root: Path) -> bool:
    """Whether the builder accepts glossary/never_link.yaml (contract version 2): a
    check of a one-story site with the corpus's never_link.yaml finds nothing wrong
    with that file."""
    story = Story("probe", root, "---\ntitle: Probe\nsection: World\ndate: 2024-01-01\n---\n", "")
    site = root / "site"
    write_site(site, story, with_never_link=True)
    try:
        build(BuildOptions(site=site, out=root / "out", write=False, workers=1))
    except ContentError as error:
        return not any(NEVER_LINK in line for line in problems(error))
    return True


def build_story(root: Path, story: Story, with_never_link: bool) -> StoryResult:
    gold = gold_rendering(story)
    site, out = root / "site", root / "out"
    write_site(site, story, with_never_link)
    try:
        build(BuildOptions(site=site, out=out, workers=1))
    except ContentError as error:
        return StoryResult(story, gold, None, with_never_link, problems(error))
    page = out / SECTION / story.slug / "index.html"
    produced = rendered_body(page.read_text(encoding="utf-8"), glossary_link, False)
    return StoryResult(story, gold, produced, with_never_link)


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> list[StoryResult]:
    with_never_link = builder_reads_never_link(tmp_path_factory.mktemp("never-link-probe"))
    return [
        build_story(tmp_path_factory.mktemp(story.slug), story, with_never_link)
        for story in load_stories()
    ]


# -- the tests -----------------------------------------------------------------------------


def test_corpus_is_well_formed() -> None:
    stories = load_stories()
    assert len(stories) >= MIN_STORIES
    known = glossary_ids()
    gold_links = 0
    for story in stories:
        ids = [entry_id for _, entry_id in story.annotations]
        assert not set(ids) - known, f"{story.slug}: unknown ids {sorted(set(ids) - known)}"
        repeated = sorted({entry_id for entry_id in ids if ids.count(entry_id) > 1})
        assert not repeated, f"{story.slug}: only a first mention is linked, {repeated}"
        assert "{{" not in story.plain_body, f"{story.slug}: a malformed annotation"
        # The gold rendering finds every annotation as a link of its own.
        assert [link[0] for link in gold_rendering(story).triples()] == ids, story.slug
        gold_links += len(ids)
    assert gold_links >= MIN_GOLD_LINKS


def test_linker_matches_the_gold_links(results: list[StoryResult]) -> None:
    gold: set[tuple[str, Link]] = set()
    produced: set[tuple[str, Link]] = set()
    for result in results:
        gold.update((result.story.slug, link) for link in result.gold.triples())
        if result.produced is not None:
            produced.update((result.story.slug, link) for link in result.produced.triples())
    right = gold & produced
    precision = len(right) / len(produced) if produced else 1.0
    recall = len(right) / len(gold) if gold else 1.0
    failed = [result for result in results if result.errors]
    print(f"linking corpus: precision {precision:.3f}, recall {recall:.3f}")
    if failed or precision < 1.0 or recall < MIN_RECALL:
        pytest.fail(report(results, gold, produced, precision, recall), pytrace=False)


def report(
    results: list[StoryResult],
    gold: set[tuple[str, Link]],
    produced: set[tuple[str, Link]],
    precision: float,
    recall: float,
) -> str:
    lines = [
        f"precision {precision:.3f} ({len(gold & produced)} of {len(produced)} produced links"
        f" are gold), recall {recall:.3f} ({len(gold & produced)} of {len(gold)} gold links"
        f" produced; at least {MIN_RECALL} needed)",
    ]
    if results and not results[0].with_never_link:
        lines.append(
            f"the builder refuses glossary/{NEVER_LINK}, so the stories were built without it"
        )
    for result in results:
        slug = result.story.slug
        if result.errors:
            lines.append(f"\n{slug}: the build failed, so none of its links count:")
            lines.extend(f"  {line}" for line in result.errors)
            continue
        assert result.produced is not None
        story_gold = set(result.gold.triples())
        story_produced = set(result.produced.triples())
        wrong = [link for link in result.produced.triples() if link not in story_gold]
        missed = [link for link in result.gold.triples() if link not in story_produced]
        for heading, links, rendered in (
            ("wrong links (produced, not gold)", wrong, result.produced),
            ("missed links (gold, not produced)", missed, result.gold),
        ):
            if links:
                lines.append(f"\n{slug}: {heading}:")
                lines.extend(
                    f"  {entry_id} {text!r} (occurrence {earlier + 1}): "
                    f"{rendered.sentence((entry_id, text, earlier))}"
                    for entry_id, text, earlier in links
                )
    return "\n".join(lines)
