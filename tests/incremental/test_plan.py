"""Incremental builds: after any sequence of edits an editor can make, a rebuild
writes exactly what a clean build writes, and a rebuild after no edit renders
nothing.

The site is generated from a small model (stories, glossary entries), so that
every edit keeps it valid; hypothesis picks the edits.
"""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from builder.build import articles, produce, run, workers
from builder.build.options import BuildOptions
from builder.build.run import build
from builder.build.warm import Warm
from builder.content.discover import FolderStat, SourceFiles
from builder.content.model import ENTRY_KINDS
from builder.core.diagnostics import ContentError, Report
from builder.incremental import walked
from builder.incremental.plan import (
    ArticleRecord,
    Changes,
    Keys,
    Previous,
    SitePageKeys,
    SitePageShows,
)
from tests.conftest import snapshot, write_files

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
RANDOM = bool(os.environ.get("FUZZ_RANDOM"))  # a new search each run, as in test_fuzz
SECTIONS = ("World", "Politics", "Science")
TAGS = ("russia", "space", "trade", "north-korea")


@dataclass(frozen=True)
class EntryModel:
    name: str
    alias: str
    summary: str
    kind: str = "person"
    fact: str | None = None  # the value of a "Born" fact
    wikidata: str | None = None
    file: str = "people"  # the glossary file that defines it
    coordinates: tuple[float, float] | None = None  # written for places only
    portrait: int | None = None  # which picture content/media/portrait-N.png holds
    sort_as: str | None = None  # moves the entry in the glossary's A to Z list


@dataclass(frozen=True)
class AuthorModel:
    name: str
    role: str | None = None
    bio: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class StoryModel:
    title: str = "A story"
    section: str = "World"
    folder: str = "world"  # the bundle's section folder: a move changes its path
    day: int = 1
    updated: int | None = None
    dek: str | None = None
    byline: str | None = None
    authors: tuple[int, ...] = ()  # ids from authors.yaml, in byline order
    tags: tuple[str, ...] = ()
    mentions: tuple[int, ...] = ()  # entries named in the body, in order
    who: tuple[int, ...] = ()  # entries listed in who.yaml
    in_this_story: str | None = None  # said of each entry in who.yaml
    where: tuple[int, ...] = ()  # places defined in where.yaml
    where_refs: tuple[int, ...] = ()  # glossary entries where.yaml points at: map pins
    what: str | None = None  # what.yaml's summary
    background: tuple[tuple[int, tuple[int, ...]], ...] = ()  # (year offset, mentioned entries)
    draft: bool = False
    # Pages the body links to, "story-N" (in world/) or "entry-N": a move, a removal,
    # a draft breaks the link.
    links: tuple[str, ...] = ()
    time: str = ""  # after the day: "", "T10:00" (the site's zone) or with an offset
    corrections: tuple[str, ...] = ()  # their kinds, one a day from 1 October
    lead: int | None = None  # which picture lead.png, the lead image, holds
    inline: int | None = None  # which picture inline.png, shown in the body, holds


@dataclass
class SiteModel:
    entries: dict[int, EntryModel] = field(default_factory=dict)
    stories: dict[str, StoryModel] = field(default_factory=dict)
    title: str = "Test site"
    authors: dict[int, AuthorModel] = field(default_factory=dict)  # none: no authors.yaml
    timezone: str | None = None
    # The build's time (SOURCE_DATE_EPOCH): the stories dated after it are scheduled,
    # and those of the two days before it are news.
    clock: str = "2024-04-01T00:00:00+00:00"
    future: bool = False  # build with --future
    logo: int | None = None  # which picture the publisher's logo, media/logo.png, is
    directory_urls: bool = False  # links to pages are their folders
    # content/tags.yaml: a name (and a description) per tag it names; none: no file
    tags: dict[str, tuple[str, str | None]] = field(default_factory=dict)

    def files(self) -> dict[str, str | bytes]:
        settings = f"title: {self.title}\nbase_url: https://example.org/news/\n"
        if self.timezone:
            settings += f"timezone: {self.timezone}\n"
        if self.directory_urls:
            settings += "directory_urls: true\n"
        if self.logo is not None:
            settings += "publisher: {name: Desk, logo: media/logo.png}\n"
            found: dict[str, str | bytes] = {"content/media/logo.png": picture(self.logo)}
        else:
            found = {}
        found["site.yaml"] = settings
        found["content/glossary/people.yaml"] = "[]\n"
        if self.authors:
            found["content/authors.yaml"] = "".join(
                author_yaml(n, a) for n, a in sorted(self.authors.items())
            )
        for number, entry in sorted(self.entries.items()):
            path = f"content/glossary/{entry.file}.yaml"
            text = str(found.get(path, "[]\n")).removeprefix("[]\n")
            found[path] = text + entry_yaml(number, entry)
            if entry.portrait is not None:
                found[f"content/media/portrait-{number}.png"] = picture(entry.portrait)
        if self.tags:
            found["content/tags.yaml"] = "".join(
                f"- id: {tag}\n  name: {name}\n"
                + (f"  description: {description}\n" if description else "")
                for tag, (name, description) in sorted(self.tags.items())
            )
        for slug, story in self.stories.items():
            found.update(self.story_files(slug, story))
        return found

    def story_files(self, slug: str, story: StoryModel) -> dict[str, str | bytes]:
        folder = f"content/{story.folder}/{slug}"
        names = [self.entries[n].name for n in story.mentions if n in self.entries]
        authors = [n for n in story.authors if n in self.authors]
        body = " ".join(f"Today {name} spoke, and {name} left." for name in names) or "Quiet."
        body += "".join(f" See [{page}]({LINKS[page[:5]].format(page)})." for page in story.links)
        files: dict[str, str | bytes] = {}
        if story.inline is not None:
            body += "\n\n![A picture](inline.png)"
            files[f"{folder}/inline.png"] = picture(story.inline)
        if story.lead is not None:
            files[f"{folder}/lead.png"] = picture(story.lead)
        front = (
            f"---\ntitle: {story.title}\nsection: {story.section}\n"
            f"date: 2023-09-{story.day:02d}{story.time}\ntags: [{', '.join(story.tags)}]\n"
            f"draft: {str(story.draft).lower()}\n"
            + (f"updated: 2023-10-{story.updated:02d}\n" if story.updated else "")
            + corrections_yaml(story.corrections)
            + (f"dek: {story.dek}\n" if story.dek else "")
            + (f"byline: {story.byline}\n" if story.byline else "")
            + f"authors: [{', '.join(f'author-{n}' for n in authors)}]\n"
            + (
                "image: {src: lead.png, alt: A lead, credit: Desk}\n"
                if story.lead is not None
                else ""
            )
            + "---\n"
        )
        files[f"{folder}/article.md"] = f"{front}{body}\n"
        who = [n for n in story.who if n in self.entries]
        if who:
            said = f"  in_this_story: {story.in_this_story}\n" if story.in_this_story else ""
            files[f"{folder}/who.yaml"] = "".join(f"- ref: entry-{n}\n{said}" for n in who)
        refs = [n for n in story.where_refs if n in self.entries]
        if story.where or refs:
            files[f"{folder}/where.yaml"] = "".join(
                f"- id: place-{n}\n  name: Placetown{n}\n  summary: A town.\n"
                f"  coordinates: [{n}.5, {n}.25]\n"
                for n in story.where
            ) + "".join(f"- ref: entry-{n}\n" for n in refs)
        if story.what:
            files[f"{folder}/what.yaml"] = f"summary: {story.what}\n"
        events = [(year, [n for n in ids if n in self.entries]) for year, ids in story.background]
        if events:
            files[f"{folder}/background.yaml"] = "".join(
                f"- date: {2000 + year}\n  title: Event {year}\n"
                f"  mentions: [{', '.join(f'entry-{n}' for n in ids)}]\n"
                for year, ids in events
            )
        return files


# How a body links to a story or an entry: to its folder, and to its index.html.
LINKS = {"story": "../../world/{}/", "entry": "../../glossary/{}/index.html"}


def corrections_yaml(kinds: tuple[str, ...]) -> str:
    """Corrections a day apart from 1 October, before any `updated` the edits give."""
    if not kinds:
        return ""
    items = (
        f"  - date: 2023-10-01T0{n}:00\n    kind: {kind}\n    text: Fixed *{n}*.\n"
        for n, kind in enumerate(kinds)
    )
    return "corrections:\n" + "".join(items)


def entry_yaml(number: int, entry: EntryModel) -> str:
    text = (
        f"- id: entry-{number}\n  name: {entry.name}\n  kind: {entry.kind}\n"
        f"  aliases: [{entry.alias}]\n  summary: {entry.summary}\n"
    )
    if entry.fact:
        text += f"  facts:\n    - label: Born\n      value: {entry.fact}\n"
    if entry.wikidata:
        text += f"  wikidata: {entry.wikidata}\n"
    if entry.sort_as:
        text += f"  sort_as: {entry.sort_as}\n"
    if entry.coordinates and entry.kind == "place":
        text += f"  coordinates: [{entry.coordinates[0]}, {entry.coordinates[1]}]\n"
    if entry.portrait is not None:
        text += f"  image: {{src: media/portrait-{number}.png, alt: A face, credit: Desk}}\n"
    return text


def author_yaml(number: int, author: AuthorModel) -> str:
    return (
        f"- id: author-{number}\n  name: {author.name}\n"
        + (f"  role: {author.role}\n" if author.role else "")
        + (f"  bio: {author.bio}\n" if author.bio else "")
        + (f"  url: {author.url}\n" if author.url else "")
    )


@cache
def picture(number: int) -> bytes:
    """A small PNG, different in size and colour for each number."""
    data = io.BytesIO()
    Image.new("RGB", (300 + 20 * number, 200), (40 * number % 256, 90, 160)).save(data, "PNG")
    return data.getvalue()


def initial_site() -> SiteModel:
    model = SiteModel()
    for n in range(5):
        fact = f"{n + 1} May 1950" if n % 2 else None
        model.entries[n] = EntryModel(
            f"Person{n} Name", f"Alias{n}", f"Person number {n}.", fact=fact
        )
    model.entries[4] = replace(model.entries[4], kind="place", coordinates=(64.5, -165.4))
    for n in range(5):
        model.stories[f"story-{n}"] = StoryModel(
            title=f"Story {n}",
            section=SECTIONS[n % 3],
            day=n + 1,
            tags=(TAGS[n % 4],),
            mentions=(n % 5, (n + 1) % 5),
            who=(n % 5,),
            where=(n % 2,),
            where_refs=(4,) if n == 1 else (),
            what="It happened." if n % 2 else None,
            background=((n, ((n + 2) % 5,)),),
            links=INITIAL_LINKS.get(n, ()),
            authors=(n % 3,) if n < 4 else (),
            lead=n % 2 or None,
            inline=0 if n == 3 else None,
        )
    for n in range(3):
        model.authors[n] = AuthorModel(f"Writer{n} Surname", role="Reporter" if n else None)
    for n in (0, 1):
        model.entries[n] = replace(model.entries[n], portrait=n)
    model.logo = 1
    return model


# Links between the first stories and entries: removing, moving or drafting what
# they lead to breaks the stories that link to it, which did not change.
INITIAL_LINKS = {0: ("story-1",), 2: ("entry-4",), 4: ("story-3", "entry-0")}

# Times of day after a story's day, in the site's zone or at an offset.
TIMES = ("", "T10:00", "T23:30:15-05:00", "T00:30+14:00")
# Build times among the stories' days (1 to 5 September, and those edits give),
# one within a day of story-2's 10:00, and the default, after every story.
CLOCKS = (
    "2023-09-03T12:00:00+00:00",
    "2023-09-03T09:00:00+00:00",
    "2023-09-20T00:00:00+00:00",
    "2024-04-01T00:00:00+00:00",
)
ZONES = (None, "Asia/Seoul", "America/New_York")

# Mostly the five stories and entries that exist, sometimes one that does not yet.
stories = st.integers(0, 5)
entry_numbers = st.integers(0, 5)
maybe_text = st.sampled_from([None, "Said *this*.", "Other & more"])
linked_text = st.sampled_from(
    [None, "Said *this*.", "See [her](../../glossary/entry-1/).", "Like [this](../story-2/)."]
)
linked_pages = st.lists(st.sampled_from(["story-0", "story-2", "story-5", "entry-1", "entry-5"]))
edits = st.one_of(
    st.tuples(st.just("title"), stories, st.sampled_from(["Edited", "Q&A", "New", "Tale 01"])),
    st.tuples(st.just("day"), stories, st.integers(1, 28)),
    st.tuples(st.just("updated"), stories, st.sampled_from([None, 2, 9])),
    st.tuples(st.just("dek"), stories, maybe_text),
    st.tuples(st.just("byline"), stories, maybe_text),
    st.tuples(st.just("authors"), stories, st.lists(st.integers(0, 3), max_size=2)),
    st.tuples(st.just("author-name"), st.integers(0, 3), st.sampled_from(["Ed Itor", "Q&A"])),
    st.tuples(st.just("author-role"), st.integers(0, 3), maybe_text),
    st.tuples(st.just("author-bio"), st.integers(0, 3), maybe_text),
    st.tuples(
        st.just("author-url"), st.integers(0, 3), st.sampled_from([None, "https://example.org/a"])
    ),
    st.tuples(st.just("add-author"), st.integers(0, 3), st.just(None)),
    st.tuples(st.just("remove-author"), st.integers(0, 3), st.just(None)),
    st.tuples(st.just("section"), stories, st.sampled_from(SECTIONS)),
    st.tuples(st.just("folder"), stories, st.sampled_from(["world", "politics"])),
    st.tuples(st.just("tags"), stories, st.lists(st.sampled_from(TAGS), max_size=2)),
    st.tuples(st.just("mentions"), stories, st.lists(entry_numbers, max_size=3)),
    st.tuples(st.just("who"), stories, st.lists(entry_numbers, max_size=2)),
    st.tuples(st.just("in_this_story"), stories, linked_text),
    st.tuples(st.just("links"), stories, linked_pages.map(lambda pages: pages[:2])),
    st.tuples(st.just("where"), stories, st.lists(st.integers(0, 2), max_size=2)),
    st.tuples(st.just("where_refs"), stories, st.lists(entry_numbers, max_size=2)),
    st.tuples(st.just("what"), stories, maybe_text),
    st.tuples(
        st.just("background"),
        stories,
        st.lists(st.tuples(st.integers(0, 9), st.lists(entry_numbers, max_size=2)), max_size=2),
    ),
    st.tuples(st.just("draft"), stories, st.booleans()),
    st.tuples(st.just("time"), stories, st.sampled_from(TIMES)),
    st.tuples(
        st.just("corrections"),
        stories,
        st.lists(st.sampled_from(["correction", "clarification", "update"]), max_size=2),
    ),
    st.tuples(st.just("clock"), st.just(0), st.sampled_from(CLOCKS)),
    st.tuples(st.just("future"), st.just(0), st.booleans()),
    st.tuples(st.just("timezone"), st.just(0), st.sampled_from(ZONES)),
    st.tuples(st.just("directory_urls"), st.just(0), st.booleans()),
    st.tuples(
        st.just("tag-name"),
        st.integers(0, len(TAGS) - 1),
        st.sampled_from([None, ("Named", None), ("Q&A", "About *this*."), ("Named", "Other")]),
    ),
    st.tuples(
        st.just("summary"),
        entry_numbers,
        st.sampled_from(["Changed.", "A *new* summary.", "In [a story](../world/story-0/)."]),
    ),
    st.tuples(st.just("alias"), entry_numbers, st.sampled_from(["Other", "Nickname"])),
    st.tuples(st.just("kind"), entry_numbers, st.sampled_from(ENTRY_KINDS)),
    st.tuples(st.just("fact"), entry_numbers, st.sampled_from([None, "1 June 1960", "2 July"])),
    st.tuples(st.just("wikidata"), entry_numbers, st.sampled_from([None, "Q1", "Q42"])),
    st.tuples(st.just("sort_as"), entry_numbers, st.sampled_from([None, "Aardvark", "Zulu"])),
    st.tuples(
        st.just("coordinates"),
        entry_numbers,
        st.sampled_from([None, (10.5, 20.25), (64.7, 177.5), (64.5, -165.4)]),
    ),
    st.tuples(st.just("file"), entry_numbers, st.sampled_from(["people", "more"])),
    st.tuples(st.just("add-entry"), entry_numbers, st.just(None)),
    st.tuples(st.just("remove-entry"), entry_numbers, st.just(None)),
    st.tuples(st.just("add-story"), st.integers(5, 6), st.just(None)),
    st.tuples(st.just("remove-story"), stories, st.just(None)),
    st.tuples(st.just("site-title"), st.just(0), st.sampled_from(["Test site", "Renamed"])),
    st.tuples(st.just("touch"), stories, st.just(None)),
    st.tuples(st.just("lead"), stories, st.sampled_from([None, 0, 1])),
    st.tuples(st.just("inline"), stories, st.sampled_from([None, 0, 1])),
    st.tuples(st.just("portrait"), entry_numbers, st.sampled_from([None, 0, 1])),
    st.tuples(st.just("logo"), st.just(0), st.sampled_from([None, 0, 1])),
)

# One of each kind of edit, each changing something that some page shows.
SINGLE_EDITS = [
    ("title", 1, "Edited"),
    ("title", 2, "Tale 02"),  # as long as "Story 2": same size, and its time put back
    ("day", 0, 28),
    ("updated", 1, 9),
    ("dek", 2, "A new dek"),
    ("byline", 2, "By Someone"),
    ("authors", 4, [1, 2]),  # a story gains authors: its page, the feed, their pages
    ("authors", 0, []),
    ("author-name", 1, "Ed Itor"),  # shown in bylines, the feed and the author's page
    ("author-role", 0, "Editor"),
    ("author-bio", 2, "Writes *a lot*."),
    ("author-url", 1, "https://example.org/a"),  # JSON-LD sameAs on the story
    ("add-author", 3, None),
    ("remove-author", 2, None),  # its stories drop it; its page goes
    ("remove-author", 0, None),
    ("section", 0, "Science"),
    ("folder", 1, "politics"),  # the bundle moves: a new path, the old page goes
    ("tags", 2, ["space", "trade"]),
    ("mentions", 0, [3, 4]),  # the body names other entries: their pages list the story
    ("mentions", 0, []),
    ("who", 1, [3]),
    ("in_this_story", 1, "Spoke first."),
    ("where", 0, [2]),
    ("where_refs", 0, [4, 3]),  # a glossary place pinned on the story's map
    ("coordinates", 4, (64.7, 177.5)),  # the place moves: its page's map and the story's
    ("what", 0, "Something happened."),
    ("background", 2, [(5, [0, 1])]),
    ("draft", 3, True),
    ("links", 0, ["story-2", "entry-1"]),
    ("links", 4, ["story-5"]),  # a link to no page: the build fails, the output stays
    ("in_this_story", 1, "Like [this](../story-2/)."),  # shown on story-1's page only
    ("summary", 3, "In [a story](../world/story-0/)."),  # on the glossary's page, and entry-3's
    ("time", 2, "T23:30:15-05:00"),
    ("corrections", 1, ["correction", "update"]),
    ("clock", 0, "2023-09-03T12:00:00+00:00"),  # stories 3 and 4 are scheduled
    ("future", 0, True),
    ("timezone", 0, "America/New_York"),  # every day-only date moves by 4 hours
    ("directory_urls", 0, True),  # every link to a page changes form, on every page
    ("tag-name", 3, ("DPRK", None)),  # north-korea's chips, its page and the tags index
    ("tag-name", 1, ("Space", "Rockets & all.")),  # a tag no story has yet: a warning
    ("summary", 2, "Changed."),
    ("alias", 1, "Nickname"),  # a new surface form: every body is linked again
    ("kind", 2, "organization"),
    ("fact", 1, "1 June 1960"),  # shown on the glossary index's cards too
    ("fact", 2, "2 July"),
    ("wikidata", 3, "Q42"),
    ("sort_as", 1, "Aardvark"),  # moves entry-1 to the top of the glossary's list
    ("file", 2, "more"),  # the entry moves to another glossary file, unchanged
    ("add-entry", 5, None),
    ("remove-entry", 4, None),
    ("add-story", 5, None),
    ("remove-story", 3, None),
    ("site-title", 0, "Renamed"),
    ("touch", 2, None),
    ("lead", 0, 1),  # a story without a lead image gets one
    ("lead", 1, 0),  # the same name, other bytes
    ("lead", 1, None),
    ("inline", 2, 1),
    ("inline", 3, None),
    ("portrait", 0, 1),
    ("portrait", 1, None),
    ("portrait", 3, 0),
    ("logo", 0, 0),
    ("logo", 0, None),
]

ENTRY_EDITS = (
    "add-entry",
    "remove-entry",
    "summary",
    "alias",
    "kind",
    "fact",
    "wikidata",
    "sort_as",
    "file",
    "coordinates",
    "portrait",
)


def apply(model: SiteModel, edit: tuple[str, int, object]) -> None:
    """Change the model as an editor would; an edit that cannot apply does nothing."""
    kind, number, value = edit
    slug = f"story-{number}"
    story = model.stories.get(slug)
    if kind in ENTRY_EDITS:
        _edit_entry(model, kind, number, value)
    elif kind.endswith("-author") or kind.startswith("author-"):
        _edit_author(model, kind, number, value)
    elif kind == "site-title":
        model.title = str(value)
    elif kind == "tag-name":
        _edit_tag(model, TAGS[number], value)
    elif kind in ("clock", "future", "timezone", "directory_urls"):
        setattr(model, kind, value)
    elif kind == "logo":
        model.logo = value if isinstance(value, int) else None
    elif kind == "add-story":
        model.stories.setdefault(slug, StoryModel(title=f"Added {number}", day=number + 1))
    elif story is None or kind == "touch":
        return
    elif kind == "remove-story":
        del model.stories[slug]
    else:
        if isinstance(value, list):
            value = (
                tuple(dict.fromkeys(value))
                if kind != "background"
                else tuple((year, tuple(dict.fromkeys(ids))) for year, ids in value)
            )
        model.stories[slug] = replace(story, **{kind: value})


def _edit_tag(model: SiteModel, tag: str, value: object) -> None:
    """Name the tag in content/tags.yaml, or, with None, take it out of the file."""
    if isinstance(value, tuple):
        model.tags[tag] = value
    else:
        model.tags.pop(tag, None)


def _edit_entry(model: SiteModel, kind: str, number: int, value: object) -> None:
    entry = model.entries.get(number)
    if kind == "add-entry" and entry is None:
        model.entries[number] = EntryModel(f"Person{number} Name", f"Alias{number}", "Added.")
    elif kind == "remove-entry" and entry is not None:
        del model.entries[number]  # the stories drop what named it: story_files skips it
    elif entry is None or kind in ("add-entry", "remove-entry"):
        return
    elif kind == "alias":
        model.entries[number] = replace(entry, alias=f"{value}{number}")
    else:
        model.entries[number] = replace(entry, **{kind: value})


def _edit_author(model: SiteModel, kind: str, number: int, value: object) -> None:
    author = model.authors.get(number)
    if kind == "add-author" and author is None:
        model.authors[number] = AuthorModel(f"Writer{number} Added")
    elif kind == "remove-author" and author is not None:
        del model.authors[number]  # the stories drop it: story_files skips it
    elif author is not None and kind.startswith("author-"):
        model.authors[number] = replace(author, **{kind.removeprefix("author-"): value})


def write_model(
    site: Path, model: SiteModel, before: dict[str, str | bytes]
) -> dict[str, str | bytes]:
    """Write what changed since `before`, remove what went; the files now."""
    files = model.files()
    write_files(site, {path: text for path, text in files.items() if before.get(path) != text})
    for gone in before.keys() - files.keys():
        (site / gone).unlink()
        folder = (site / gone).parent
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    return files


# A theme whose every template prints the whole view it is given, as Python
# sees it: a page that shows anything stale shows it here.
TEMPLATES = (
    "article.html",
    "entry.html",
    "glossary.html",
    "index.html",
    "list.html",
    "author.html",
    "authors.html",
)
EVERYTHING = {
    f"templates/{name}": "{{ page }}\n"
    for name in (*TEMPLATES, "tags.html", "feed.xml", "sitemap.xml", "news-sitemap.xml")
}
THEMES = {"default": {}, "everything": EVERYTHING}


@contextmanager
def clock_at(when: str) -> Iterator[None]:
    """The builds inside take their time from SOURCE_DATE_EPOCH = `when`."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(datetime.fromisoformat(when).timestamp()))
    try:
        yield
    finally:
        if before is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


def build_model(
    site: Path, out: Path, model: SiteModel, clean: bool = False, warm: Warm | None = None
) -> int:
    """Build at the model's clock, with its flags; the pages rendered."""
    with clock_at(model.clock):
        options = BuildOptions(site=site, out=out, future=model.future, workers=1, clean=clean)
        return build(options, warm).rendered


def built(
    site: Path, out: Path, model: SiteModel, clean: bool = False, warm: Warm | None = None
) -> list[str]:
    """Build at the model's clock, with its flags; every problem reported, as the
    editor reads them, whether the build succeeded or failed ("failed" last)."""
    options = BuildOptions(site=site, out=out, future=model.future, workers=1, clean=clean)
    with clock_at(model.clock):
        try:
            result = build(options, warm)
        except ContentError as failure:
            return [d.format() for d in failure.report.sorted()] + ["failed"]
    return [d.format() for d in result.report.sorted()]


def keep_times(site: Path, files: dict[str, str | bytes]) -> dict[str, tuple[int, int]]:
    """Each file's access and modification times, in nanoseconds."""
    found = {}
    for path in files:
        info = (site / path).stat()
        found[path] = (info.st_atime_ns, info.st_mtime_ns)
    return found


def same_instant(
    site: Path,
    times: dict[str, tuple[int, int]],
    before: dict[str, str | bytes],
    after: dict[str, str | bytes],
) -> None:
    """Give every file rewritten at its old size its old modification time back:
    an edit within the same tick of the file system's clock, which neither size
    nor time tells apart."""
    for path, text in after.items():
        old = before.get(path)
        if old is not None and old != text and len(_bytes(old)) == len(_bytes(text)):
            os.utime(site / path, ns=times[path])


def _bytes(text: str | bytes) -> bytes:
    return text.encode("utf-8") if isinstance(text, str) else text


def report_changes(
    warm: Warm | None, site: Path, before: dict[str, str | bytes], after: dict[str, str | bytes]
) -> None:
    """Tell a running builder what changed, as a file watcher would: each file
    written or removed, and a folder made or removed as an event it cannot name."""
    if warm is None:
        return
    folders = {str(Path(path).parent) for path in before}
    if folders != {str(Path(path).parent) for path in after}:
        warm.changes.lose_track()
    for path in sorted(before.keys() | after.keys()):
        if before.get(path) != after.get(path):
            warm.changes.add(str(site / path))


def rebuild_after(
    work: Path, steps: list[list[tuple[str, int, object]]], theme: str, running: bool = False
) -> None:
    """Build, then after each step of edits rebuild and build clean: the same problems
    and, when they are no errors, the same bytes. A last rebuild, with nothing
    changed, renders nothing. `running`: the rebuilds are made by a builder that
    stays running, told of each change, as `build --watch` and `serve` are."""
    shutil.rmtree(work, ignore_errors=True)
    site, model = work / "site", initial_site()
    warm = Warm() if running else None
    write_files(site, THEMES[theme])
    files = write_model(site, model, {})
    problems = built(site, work / "out", model, warm=warm)
    assert "failed" not in problems
    for step in steps:
        for edit in step:
            apply(model, edit)
        times = keep_times(site, files)
        files, before_files = write_model(site, model, files), files
        same_instant(site, times, before_files, files)
        report_changes(warm, site, before_files, files)
        before = snapshot(work / "out")
        problems = built(site, work / "out", model, warm=warm)
        shutil.rmtree(work / "clean", ignore_errors=True)
        assert problems == built(site, work / "clean", model, clean=True), step
        if "failed" in problems:  # a link broken: nothing written, the last output stays
            assert snapshot(work / "out") == before, step
            continue
        assert snapshot(work / "out") == snapshot(work / "clean"), step
    if "failed" in problems:
        return
    for article in sorted(site.glob("content/*/*/article.md"))[:1]:  # any the edits left
        article.touch()  # saved again, unchanged
        if warm is not None:
            warm.changes.add(str(article))
    assert build_model(site, work / "out", model, warm=warm) == 0


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("edit", SINGLE_EDITS, ids=lambda edit: f"{edit[0]}-{edit[1]}")
def test_a_rebuild_after_an_edit_equals_a_clean_build(
    edit: tuple[str, int, object], theme: str, tmp_path: Path
) -> None:
    rebuild_after(tmp_path / "work", [[edit]], theme)


@settings(
    max_examples=max(10, EXAMPLES // 2),
    deadline=None,
    derandomize=not RANDOM,
    database=settings().database if RANDOM else None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(st.lists(edits, min_size=1, max_size=3), min_size=1, max_size=3),
    theme=st.sampled_from(list(THEMES)),
    running=st.booleans(),
)
def test_a_rebuild_after_any_edits_equals_a_clean_build(
    steps: list[list[tuple[str, int, object]]], theme: str, running: bool, tmp_path: Path
) -> None:
    rebuild_after(tmp_path / "work", steps, theme, running)


@pytest.mark.parametrize("edit", SINGLE_EDITS, ids=lambda edit: f"{edit[0]}-{edit[1]}")
def test_a_running_builder_told_of_an_edit_equals_a_clean_build(
    edit: tuple[str, int, object], tmp_path: Path
) -> None:
    rebuild_after(tmp_path / "work", [[edit]], "everything", running=True)


def test_a_rebuild_in_worker_processes_equals_a_clean_build(tmp_path: Path) -> None:
    site, model = tmp_path / "site", initial_site()
    files = write_model(site, model, {})
    build(BuildOptions(site=site, out=tmp_path / "out", workers=2))
    for edit in [("title", 1, "Edited"), ("summary", 2, "Changed."), ("remove-story", 2, None)]:
        apply(model, edit)
    write_model(site, model, files)
    build(BuildOptions(site=site, out=tmp_path / "out", workers=2))
    build(BuildOptions(site=site, out=tmp_path / "clean", workers=2, clean=True))
    assert snapshot(tmp_path / "out") == snapshot(tmp_path / "clean")


def test_a_scheduled_story_goes_live_once_the_clock_passes_its_time(tmp_path: Path) -> None:
    """No file changes and the day stays the same: only the story's time tells the
    build that its output is out of date."""
    site, out, model = tmp_path / "site", tmp_path / "out", initial_site()
    model.stories["story-2"] = replace(model.stories["story-2"], time="T10:00")
    model.clock = "2023-09-03T09:59:00+00:00"
    write_model(site, model, {})
    build_model(site, out, model)
    assert not (out / "world/story-2/index.html").exists()
    assert "story-2" not in (out / "feed.xml").read_text(encoding="utf-8")
    assert build_model(site, out, model) == 0  # nothing changed yet
    model.clock = "2023-09-03T10:00:00+00:00"
    assert build_model(site, out, model) > 0
    assert (out / "world/story-2/index.html").is_file()
    assert "story-2" in (out / "news-sitemap.xml").read_text(encoding="utf-8")
    build_model(site, tmp_path / "clean", model, clean=True)
    assert snapshot(out) == snapshot(tmp_path / "clean")
    model.clock = "2023-09-05T10:00:00+00:00"  # two days on: no longer news
    build_model(site, out, model)
    assert "story-2" not in (out / "news-sitemap.xml").read_text(encoding="utf-8")


@pytest.mark.parametrize("edit", SINGLE_EDITS[::3], ids=lambda edit: f"{edit[0]}-{edit[1]}")
def test_a_rebuild_that_reads_the_store_beside_its_look_equals_a_clean_build(
    edit: tuple[str, int, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large site's rebuild finds its sources in a child process while this one
    reads the store (builder.build.run): here for a site of any size."""
    monkeypatch.setattr(run, "READ_BESIDE_FROM_BYTES", 0)
    rebuild_after(tmp_path / "work", [[edit]], "everything")


# Edits that add, remove, move or rename files and folders, and some that do not.
WALK_EDITS = [
    edit
    for edit in SINGLE_EDITS
    if edit[0] in {"title", "folder", "file", "add-entry", "add-story", "remove-story", "touch"}
    or edit[0] in {"lead", "inline", "portrait", "logo", "add-author", "remove-author", "who"}
]


@pytest.mark.parametrize("edit", WALK_EDITS, ids=lambda edit: f"{edit[0]}-{edit[1]}")
def test_a_rebuild_that_takes_the_last_walk_equals_a_clean_build(
    edit: tuple[str, int, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild takes the files the last walk of content/ found while no folder
    changed (builder.incremental.walked): here each walk is kept at once, as on
    a site whose folders have not changed for a while."""
    monkeypatch.setattr(walked, "RECENT_NS", 0)
    walks: list[Path] = []
    discover = walked.discover

    def counted(site: Path, report: Report, folders: list[FolderStat]) -> SourceFiles:
        walks.append(site)
        return discover(site, report, folders)

    monkeypatch.setattr(walked, "discover", counted)
    rebuild_after(tmp_path / "work", [[edit]], "everything")
    walked_before = len(walks)
    try:
        build(BuildOptions(site=tmp_path / "work/site", out=tmp_path / "work/out"))
    except ContentError:  # an edit that breaks a link: a failed build keeps no walk
        return
    assert len(walks) == walked_before  # taken again: nothing changed since the clean build


@given(
    related=st.dictionaries(
        st.sampled_from([f"s/{n}" for n in range(8)]),
        st.lists(st.sampled_from([f"s/{n}" for n in range(8)]), max_size=3).map(tuple),
        min_size=1,
    ),
    changed=st.frozensets(st.sampled_from([f"s/{n}" for n in range(10)])),
)
def test_the_articles_to_look_at_are_those_that_may_change(
    related: dict[str, tuple[str, ...]], changed: frozenset[str]
) -> None:
    """Where only stories changed, the set found at once is what asking each
    article would find; with anything else changed, each is asked."""
    previous = Previous(related=related)
    changes = Changes(False, changed, frozenset())
    record = ArticleRecord("body", (), ())
    asked = {
        path
        for path in related
        if changes.article_may_change(path, (), record, related[path], previous)
    }
    assert changes.articles_to_look_at(related, previous.related) == asked | changed
    assert changes.articles_to_look_at(dict(related), previous.related) is None
    with_entry = Changes(False, changed, frozenset({"kim"}))
    assert with_entry.articles_to_look_at(related, previous.related) is None


def test_a_site_pages_key_is_taken_again_only_while_it_is_the_last_builds() -> None:
    keys = Keys("common", "claims", {"s/1": "one", "s/2": "two"}, {"kim": "k"})
    shows = SitePageShows("index.html", "list.html", ["kim"], ["s/1", "s/2"], 1, None, [])
    memo, nothing = SitePageKeys(), Changes(False, frozenset(), frozenset())
    first = memo.key(keys, nothing, None, shows)
    assert first == keys.site_page(shows)
    assert memo.key(keys, nothing, first, shows) == first
    # Another process built since, from other stories: its page has another key,
    # and the changes are measured from its build.
    other = Keys("common", "claims", {"s/1": "one", "s/2": "edited"}, {"kim": "k"})
    assert memo.key(other, nothing, other.site_page(shows), shows) == other.site_page(shows)
    # A story the page shows changed since the last build.
    memo.key(keys, nothing, first, shows)
    edited = Changes(False, frozenset({"s/2"}), frozenset())
    assert memo.key(other, edited, first, shows) == other.site_page(shows)
    # The page shows other stories now.
    fewer = shows._replace(bundles=["s/1"])
    assert memo.key(keys, nothing, first, fewer) == keys.site_page(fewer)


@pytest.fixture(autouse=True)
def entry_users_from_what_pages_showed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every rebuild here finds an entry page's stories from those it showed last,
    as a large site's edit does: these small sites' edits change most stories,
    past the share where every story is asked instead."""
    monkeypatch.setattr(produce, "FRESH_SHARE", 1.0)


def test_pages_taken_over_from_the_other_worker_equal_a_clean_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker done first takes over the last chunks of the other: articles,
    reading their bundles again, and entry pages, unpacking again what it kept
    of their stories for its own. Here every chunk goes first to the other worker."""
    monkeypatch.setattr(workers, "MIN_CHUNK", 1)
    balanced = workers._queues

    def the_other_first(items: list[object], count: int, owners: list[int] | None) -> object:
        return balanced(items, count, None if owners is None else [o + 1 for o in owners])

    monkeypatch.setattr(workers, "_queues", the_other_first)
    site, model = tmp_path / "site", initial_site()
    write_model(site, model, {})
    build(BuildOptions(site=site, out=tmp_path / "out", workers=2))
    monkeypatch.undo()
    build(BuildOptions(site=site, out=tmp_path / "clean", workers=1, clean=True))
    assert snapshot(tmp_path / "out") == snapshot(tmp_path / "clean")


def test_bundles_parsed_in_small_chunks_reading_ahead_equal_a_build_in_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers, "MIN_CHUNK", 1)
    monkeypatch.setattr(articles, "PREFETCH_FROM", 1)
    marks, real = tmp_path / "read-ahead", articles._read_ahead

    def marked(jobs: list[articles.ParseJob]) -> None:  # in the workers: a file says so
        (marks / f"{os.getpid()}-{jobs[0].files.path.replace('/', '-')}").touch()
        real(jobs)

    marks.mkdir()
    monkeypatch.setattr(articles, "_read_ahead", marked)
    site, model = tmp_path / "site", initial_site()
    write_model(site, model, {})
    build(BuildOptions(site=site, out=tmp_path / "out", workers=2))
    assert len({mark.name.split("-")[0] for mark in marks.iterdir()}) == 2  # both workers
    build(BuildOptions(site=site, out=tmp_path / "one", workers=1, clean=True))
    assert snapshot(tmp_path / "out") == snapshot(tmp_path / "one")
