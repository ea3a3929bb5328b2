"""Glossary linking: the fixture cases of fixtures/linking.md, then the rules that
need a whole site (line numbers in article.md, sidecars per article), then the
properties that hold for every body."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from builder.content.glossary import GlossaryIndex, build_index
from builder.content.model import Appearance, Bundle, Entry, FrontMatter, IdRef, Moment
from builder.content.schema import GLOSSARY_ENTRY
from builder.content.source import read_source
from builder.content.validate import entry_from, read_list, read_record
from builder.content.yamltree import parse_yaml
from builder.core.diagnostics import Position, Report
from builder.text.markdown import body_parser, render_body
from builder.text.references import LinkTable
from tests.conftest import ARTICLE, MINIMAL_SITE, PEOPLE, TESTS, WHERE, WHO, Run

FIXTURES = TESTS / "fixtures"
GLOSSARY_HREF = "../../glossary/"
GLOSSARY_LINK = re.compile(r'<a data-term="([^"]*)" href="([^"]*)">(.*?)</a>', re.DOTALL)


@dataclass(frozen=True)
class LinkingCase:
    title: str
    line: int  # of the title in the fixture file
    listed: tuple[str, ...]  # ids the article's sidecars list
    xfail: str | None
    markdown: str
    html: str
    problems: tuple[str, ...]  # "LINE:COL: MESSAGE", lines of the body


def load_cases(path: Path) -> list[LinkingCase]:
    """Read `## title`, optional `key: value` lines, then `.`-separated blocks."""
    lines = path.read_text(encoding="utf-8").split("\n")
    cases = []
    number = 0
    while number < len(lines):
        if not lines[number].startswith("## "):
            number += 1
            continue
        title, title_line = lines[number][3:], number + 1
        settings_found: dict[str, str] = {}
        number += 1
        while lines[number] != ".":
            key, _, value = lines[number].partition(":")
            if key.strip():
                settings_found[key.strip()] = value.strip()
            number += 1
        blocks = []
        for _ in range(2):
            start = number = number + 1
            while lines[number] != ".":
                number += 1
            blocks.append(lines[start:number])
        markdown, expected = blocks
        listed = settings_found.get("listed", "")
        cases.append(
            LinkingCase(
                title=title,
                line=title_line,
                listed=tuple(part.strip() for part in listed.split(",") if part.strip()),
                xfail=settings_found.get("xfail"),
                markdown="\n".join(markdown) + "\n",
                html="".join(f"{line}\n" for line in expected if not line.startswith(PROBLEM)),
                problems=tuple(line for line in expected if line.startswith(PROBLEM)),
            )
        )
        number += 1
    return cases


PROBLEM = ("error: ", "warning: ")


def load_entries(path: Path) -> list[Entry]:
    """The glossary file, read and checked as the builder reads content/glossary/."""
    report = Report()
    source = read_source(path, "content/glossary/linking.yaml", report)
    assert source is not None
    entries = []
    for item in read_list(parse_yaml(source.text, source.path, report), "entries", report):
        fields = read_record(item, GLOSSARY_ENTRY, report)
        entry = entry_from(fields, "term", report) if fields else None
        if entry is not None:
            entries.append(entry)
    assert report.diagnostics == []
    return entries


def article(body: str, listed: tuple[str, ...] = ()) -> Bundle:
    """content/world/story/article.md whose body starts on line 1."""
    where = Position("content/world/story/who.yaml")
    return Bundle(
        path="world/story",
        article_path="content/world/story/article.md",
        front=FrontMatter(
            title="A story",
            dek=None,
            section="World",
            date=Moment(datetime.datetime(2023, 9, 15, tzinfo=datetime.UTC), False),
            updated=None,
            byline=None,
            tags=(),
            draft=False,
        ),
        body=body,
        body_line=1,
        who=tuple(Appearance(IdRef(entry_id, where), None, (), None) for entry_id in listed),
        where=(),
        what=None,
        background=(),
    )


CASES = load_cases(FIXTURES / "linking.md")
NEVER_LINK = ("New Russia",)  # as glossary/never_link.yaml would list it
ENTRIES = load_entries(FIXTURES / "linking-glossary.yaml")


@pytest.fixture(scope="module")
def index() -> GlossaryIndex:
    return build_index(ENTRIES, [], Report(), never_link=NEVER_LINK)


@pytest.fixture(scope="module")
def parser(index: GlossaryIndex) -> MarkdownIt:
    return body_parser(index.link_table())


def test_the_fixture_file_has_a_case_for_every_rule() -> None:
    titles = [case.title for case in CASES]
    assert len(titles) == len(set(titles)) >= 20
    for case in CASES:
        assert case.markdown.strip() and case.html.strip(), case.title


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            case,
            id=case.title,
            marks=[pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else [],
        )
        for case in CASES
    ],
)
def test_linking_case(parser: MarkdownIt, case: LinkingCase) -> None:
    rendered = render_body(parser, article(case.markdown, case.listed).body_text(), GLOSSARY_HREF)
    problems = tuple(
        f"{'warning' if p.warning else 'error'}: {p.line}:{p.col}: {p.message}"
        for p in rendered.problems
    )
    assert (rendered.html, problems) == (case.html, case.problems), (
        f"linking.md:{case.line}: {case.title}"
    )


def test_mentions_record_the_first_mention_of_each_entry(parser: MarkdownIt) -> None:
    body = "Vladimir Putin met Kim Jong Un.\n\nKim Jong-il was\nKim's father; Putin left.\n"
    rendered = render_body(parser, article(body).body_text(), GLOSSARY_HREF)
    assert [(m.entry_id, m.form, m.line) for m in rendered.mentions] == [
        ("vladimir-putin", "Vladimir Putin", 1),
        ("kim-jong-un", "Kim Jong Un", 1),
        ("kim-jong-il", "Kim Jong-il", 3),
    ]


# Whole sites: positions in article.md, and sidecars that belong to one article.

KOREAS = (
    "- id: north-korea\n"
    "  name: North Korea\n"
    "  kind: place\n"
    "  aliases: [Korea]\n"
    "  summary: Country in East Asia.\n"
    "- id: south-korea\n"
    "  name: South Korea\n"
    "  kind: place\n"
    "  aliases: [Korea]\n"
    "  summary: Country in East Asia.\n"
)
PLACES = "content/glossary/places.yaml"
AMBIGUOUS = (
    "'Korea' could mean any of 'north-korea', 'south-korea'; list exactly one of them in this "
    "article's who.yaml or where.yaml, or remove the shared name or alias"
)


def test_ambiguous_alias_is_an_error_at_its_line_in_article_md(
    make_site: Callable[..., Path], check: Callable[[Path], Run]
) -> None:
    body = "---\ntitle: A story\nsection: World\ndate: 2023-09-15\n---\n"
    body += "Vladimir Putin met Kim Jong Un.\n\n"
    site = make_site({PLACES: KOREAS, ARTICLE: body + "They spoke of\nKorea.\n"})
    assert check(site).problems == [f"{ARTICLE}:9:1: error: {AMBIGUOUS}"]


def test_ambiguous_alias_is_resolved_per_article_by_its_own_sidecars(
    make_site: Callable[..., Path], check: Callable[[Path], Run]
) -> None:
    other = "content/world/other/article.md"
    front = "---\ntitle: Other\nsection: World\ndate: 2023-09-16\n---\n"
    site = make_site(
        {
            PLACES: KOREAS,
            ARTICLE: MINIMAL_SITE[ARTICLE] + "\nKorea protested.\n",
            WHERE: "- ref: south-korea\n",
            other: front + "Korea protested.\n",
        }
    )
    assert check(site).problems == [f"{other}:6:1: error: {AMBIGUOUS}"]


def test_listed_entry_wins_and_links_in_the_built_page(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    site = make_site(
        {
            PLACES: KOREAS,
            ARTICLE: MINIMAL_SITE[ARTICLE] + "\nKorea protested.\n",
            WHERE: "- ref: south-korea\n",
        }
    )
    assert cli("build", "--site", site, "--out", tmp_path / "out").code == 0
    page = (tmp_path / "out/world/story/index.html").read_text(encoding="utf-8")
    assert (
        '<a data-term="south-korea" href="../../glossary/south-korea/index.html">Korea</a>' in page
    )
    assert 'data-term="north-korea"' not in page


def test_entry_defined_inline_in_who_yaml_links_and_gets_a_page(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    site = make_site(
        {
            ARTICLE: MINIMAL_SITE[ARTICLE] + "\nDmitry Peskov said so.\n",
            WHO: "- name: Dmitry Peskov\n  aliases: [Peskov]\n  summary: Kremlin spokesman.\n",
        }
    )
    assert cli("build", "--site", site, "--out", tmp_path / "out").code == 0
    page = (tmp_path / "out/world/story/index.html").read_text(encoding="utf-8")
    link = (
        '<a data-term="dmitry-peskov" href="../../glossary/dmitry-peskov/index.html">'
        "Dmitry Peskov</a>"
    )
    assert link in page
    entry = (tmp_path / "out/glossary/dmitry-peskov/index.html").read_text(encoding="utf-8")
    assert "../../world/story/index.html" in entry


def test_decomposed_article_text_links_a_precomposed_glossary_name(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    decomposed = "Jose\u0301 Marti\u0301"
    site = make_site(
        {
            PEOPLE: MINIMAL_SITE[PEOPLE] + "- name: José Martí\n  summary: Cuban poet.\n",
            ARTICLE: MINIMAL_SITE[ARTICLE] + f"\n{decomposed} wrote it.\n",
        }
    )
    assert cli("build", "--site", site, "--out", tmp_path / "out").code == 0
    page = (tmp_path / "out/world/story/index.html").read_text(encoding="utf-8")
    assert (
        '<a data-term="jose-marti" href="../../glossary/jose-marti/index.html">José Martí</a>'
        in page
    )
    assert decomposed not in page


# Properties that hold for every body.

WORDS = [
    "Putin",
    "Vladimir Putin",
    "Kim",
    "Kim Jong-il",
    "Kim Jong Un",
    "Russia",
    "Russian",
    "North Korea",
    "TASS",
    "Путин",
    "김정은",
    "’s",
    "'s",
    " ",
    " ",
    "\n",
    "\n\n",
    ", ",
    ". ",
    "# ",
    "> ",
    "- ",
    "*",
    "`",
    "[",
    "](https://example.com/)",
    "![",
    "x",
]
BODIES = st.lists(st.sampled_from(WORDS), max_size=30).map("".join)


@pytest.fixture(scope="module")
def plain_parser() -> MarkdownIt:
    return body_parser(LinkTable({}))


@settings(max_examples=150, deadline=None, derandomize=True)
@given(body=BODIES)
def test_linking_only_wraps_text_in_links_to_its_own_entries(
    parser: MarkdownIt, plain_parser: MarkdownIt, index: GlossaryIndex, body: str
) -> None:
    linked = render_body(parser, article(body).body_text(), GLOSSARY_HREF).html
    plain = render_body(plain_parser, article(body).body_text(), GLOSSARY_HREF).html
    assert GLOSSARY_LINK.sub(r"\3", linked) == plain
    found = GLOSSARY_LINK.findall(linked)
    ids = [entry_id for entry_id, _, _ in found]
    assert len(ids) == len(set(ids)), "an entry is linked more than once"
    for entry_id, href, text in found:
        assert href == f"{GLOSSARY_HREF}{entry_id}/index.html"
        assert text in index.entry(entry_id).surface_forms()
