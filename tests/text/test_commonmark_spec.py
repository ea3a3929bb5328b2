"""Every example of the CommonMark spec, rendered as an article body with a glossary
whose names share the examples' words, links nothing off a word boundary.

For each example the render must (a) raise nothing and report no problem but a
link the URL policy refuses for a scheme that really is one other than http,
https and mailto; (b) put every glossary link (`<a data-term=…>`) around text that
stands on word boundaries in the text the reader sees, whatever markup (emphasis,
code, links, entities, escapes) the text around it came from; (c) link nothing
inside a heading, code, a link or an image.

The examples are in fixtures/commonmark-spec.txt: those of the CommonMark Spec
0.31.2, whose text is licensed under CC BY-SA 4.0, as is that extract (its header
says so). The wheels of markdown-it-py, commonmark, marko, mistletoe and pycmark
hold no copy of them, so the file was generated once from the spec's spec.json,
which markdown-it-py's source distribution ships as
tests/test_cmark_spec/commonmark.json, by:

    examples = json.load(open("spec.json", encoding="utf-8"))
    digest = hashlib.sha256("".join(e["markdown"] for e in examples).encode())
    # a header with the licence note and digest.hexdigest(), then for each example
    # "## " + its section when that changes, a blank line, and
    FENCE = "`" * 32
    lines += [f"{FENCE} example {e['example']}"]
    lines += e["markdown"].replace("\\t", "→")[:-1].split("\\n") + [FENCE]
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import unquote

import pytest
from markdown_it import MarkdownIt

from builder.text.markdown import BodyText, body_parser, render_body
from builder.text.matcher import is_word_character
from builder.text.references import Claim, LinkTable
from tests.conftest import TESTS

FIXTURE = TESTS / "fixtures" / "commonmark-spec.txt"
FENCE = "`" * 32
GLOSSARY_HREF = "../../glossary/"

# Entry id -> its name and aliases: the spec's own words, one entry for each
# word or two so that every example links many first mentions. They collide
# with words inside emphasis, links and their titles, code spans and blocks,
# autolinks, entity and character references, raw HTML (escaped, as the builder
# passes none through), list markers and headings.
GLOSSARY: dict[str, tuple[str, ...]] = {
    "foo": ("foo", "Foo", "FOO"),
    "foo-bar": ("foo bar", "Foo bar", "bar baz"),
    "bar": ("bar", "Bar", "BAR"),
    "baz": ("baz", "Baz"),
    "bim": ("bim", "bam", "boo", "bop", "zoop"),
    "hi": ("hi", "Hi", "hello", "Hello"),
    "link": ("link", "ref"),
    "url": ("url", "uri", "url1", "https", "example", "com"),
    "title": ("title", "ti"),
    "code": ("code", "pre", "indented", "block"),
    "emphasis": ("emphasis", "strong", "em", "Emphasized"),
    "letter-a": ("a", "A"),
    "letter-b": ("b", "f"),
    "letter-c": ("c", "d", "e", "x", "q", "i", "p"),
    "aaa": ("aaa", "bbb", "aa"),
    "ccc": ("ccc",),
    "number": ("one", "two", "1", "2", "3", "10", "42"),
    "image": ("moon", "train", "jpg", "tracks"),
    "entity": ("amp", "nbsp", "copy", "quot", "ouml"),
    "html": ("html", "div", "DIV", "span", "href", "src", "table", "tr", "td", "del", "br"),
    "script": ("script", "JavaScript", "style", "class", "textarea", "CDATA", "php"),
    "list": ("list", "Heading", "paragraph", "lines"),
    "greek": ("φ", "ὐ"),
    "words": ("not", "with", "and", "of", "is", "okay", "The", "text", "more", "Warning"),
}
TABLE = LinkTable(
    {
        form: (Claim(entry_id, short=False),)
        for entry_id, forms in GLOSSARY.items()
        for form in forms
    },
    ids=frozenset(GLOSSARY),
)

SAFE_SCHEMES = ("http", "https", "mailto")
UNSAFE_LINK = re.compile(
    r"link to '(?P<url>.*)' is not allowed; use an http, https, mailto or relative URL"
)
SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")

# Elements whose text is never linked, and those that end a run of visible text.
NOT_LINKED = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "code", "pre", "a", "img"})
BLOCKS = frozenset(
    {"p", "li", "ul", "ol", "blockquote", "pre", "hr", "h1", "h2", "h3", "h4", "h5", "h6"}
    | {"table", "thead", "tbody", "tr", "th", "td", "br"}
)
VOID = frozenset({"br", "hr", "img"})


@dataclass(frozen=True)
class Example:
    number: int
    section: str
    markdown: str

    def __str__(self) -> str:
        return f"example {self.number} ({self.section})"


def load_examples() -> tuple[list[Example], str]:
    """The examples of the fixture file, and the digest its header records."""
    examples: list[Example] = []
    section, digest = "", ""
    lines: list[str] | None = None
    number = 0
    for line in FIXTURE.read_text(encoding="utf-8").split("\n"):
        if lines is not None:
            if line == FENCE:
                markdown = "\n".join(lines).replace("→", "\t") + "\n"
                examples.append(Example(number, section, markdown))
                lines = None
            else:
                lines.append(line)
        elif line.startswith(f"{FENCE} example "):
            number, lines = int(line.rsplit(" ", 1)[1]), []
        elif line.startswith("## "):
            section = line[3:]
        elif line.startswith("sha256 "):
            digest = line.rsplit(" ", 1)[1]
    return examples, digest


EXAMPLES, DIGEST = load_examples()


@dataclass(frozen=True)
class GlossaryLink:
    entry_id: str
    start: int  # where its text starts and ends in the visible text
    end: int
    inside: tuple[str, ...]  # the elements it stands in, outermost first
    holds: tuple[str, ...]  # the elements inside it


class VisibleText(HTMLParser):
    """The text a reader sees, with where each glossary link's text stands in it.

    Block elements and line breaks end a run of text with a newline; an image
    stands as U+FFFC, an object and no word character.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.size = 0
        self.open: list[tuple[str, dict[str, str | None]]] = []
        self.starts: list[tuple[int, int, list[str]]] = []  # (depth, start, holds)
        self.links: list[GlossaryLink] = []
        self.alts: list[str | None] = []

    def _add(self, text: str) -> None:
        self.text.append(text)
        self.size += len(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for _, _, holds in self.starts:
            holds.append(tag)
        if tag in BLOCKS:
            self._add("\n")
        if tag == "img":
            self._add("\ufffc")
            self.alts.append(attributes.get("alt"))
        if tag in VOID:
            return
        if tag == "a" and "data-term" in attributes:
            self.starts.append((len(self.open), self.size, []))
        self.open.append((tag, attributes))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        while self.open:
            name, attributes = self.open.pop()
            if self.starts and self.starts[-1][0] == len(self.open):
                _, start, holds = self.starts.pop()
                inside = tuple(t for t, _ in self.open)
                entry_id = attributes.get("data-term") or ""
                self.links.append(GlossaryLink(entry_id, start, self.size, inside, tuple(holds)))
            if name == tag:
                break
        if tag in BLOCKS:
            self._add("\n")

    def handle_data(self, data: str) -> None:
        self._add(data)

    @classmethod
    def of(cls, html: str) -> VisibleText:
        parser = cls()
        parser.feed(html)
        parser.close()
        return parser

    def visible(self) -> str:
        return "".join(self.text)


@pytest.fixture(scope="module")
def parser() -> MarkdownIt:
    return body_parser(TABLE)


@pytest.fixture(scope="module")
def plain_parser() -> MarkdownIt:
    return body_parser(LinkTable({}))


def test_the_fixture_holds_every_example_of_the_spec_unchanged() -> None:
    assert [example.number for example in EXAMPLES] == list(range(1, 653))
    joined = "".join(example.markdown for example in EXAMPLES).encode()
    assert hashlib.sha256(joined).hexdigest() == DIGEST, "the fixture's examples were edited"


def test_every_name_of_the_glossary_stands_in_some_example() -> None:
    text = "".join(example.markdown for example in EXAMPLES)
    assert [form for form in TABLE.claims if form not in text] == []


def unsafe_scheme(url: str) -> str | None:
    """The scheme other than http, https and mailto that the URL starts with, if any."""
    for reading in (url, unquote(url)):
        match = SCHEME.match("".join(ch for ch in reading if ch.isprintable()).strip())
        if match is not None and match.group(1).lower() not in SAFE_SCHEMES:
            return match.group(1)
    return None


def render(md: MarkdownIt, example: Example) -> tuple[str, list[str]]:
    body = BodyText("world/story", example.markdown, 1, frozenset())
    rendered = render_body(md, body, GLOSSARY_HREF)
    return rendered.html, [f"{p.line}:{p.col}: {p.message}" for p in rendered.problems]


@pytest.mark.parametrize("example", EXAMPLES, ids=str)
def test_a_spec_example_links_only_on_word_boundaries_and_only_in_text(
    parser: MarkdownIt, plain_parser: MarkdownIt, example: Example
) -> None:
    html, problems = render(parser, example)
    # (a) No problem but an unsafe scheme.
    for problem in problems:
        refused = UNSAFE_LINK.search(problem)
        assert refused is not None, f"{example}: {problem}"
        assert unsafe_scheme(refused["url"]) is not None, f"{example}: {problem}"

    page = VisibleText.of(html)
    text = page.visible()
    for link in page.links:
        linked = text[link.start : link.end]
        where = f"{example}: {linked!r} in {text!r}"
        # (b) On word boundaries of the text the reader sees.
        assert linked, where
        assert link.start == 0 or not is_word_character(text[link.start - 1]), where
        assert link.end == len(text) or not is_word_character(text[link.end]), where
        # (c) Not in a heading, code, a link or an image, nor around one.
        assert not NOT_LINKED.intersection(link.inside), f"{where}, inside {link.inside}"
        assert not NOT_LINKED.intersection(link.holds), f"{where}, around {link.holds}"
    # (c) An image's text, its alt attribute, is the text it has unlinked.
    assert page.alts == VisibleText.of(render(plain_parser, example)[0]).alts, str(example)
