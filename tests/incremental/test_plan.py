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
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from builder.build.options import BuildOptions
from builder.build.run import build
from builder.content.model import ENTRY_KINDS
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
    portrait: int | None = None  # which picture content/media/portrait-N.png holds


@dataclass(frozen=True)
class StoryModel:
    title: str = "A story"
    section: str = "World"
    folder: str = "world"  # the bundle's section folder: a move changes its path
    day: int = 1
    updated: int | None = None
    dek: str | None = None
    byline: str | None = None
    tags: tuple[str, ...] = ()
    mentions: tuple[int, ...] = ()  # entries named in the body, in order
    who: tuple[int, ...] = ()  # entries listed in who.yaml
    in_this_story: str | None = None  # said of each entry in who.yaml
    where: tuple[int, ...] = ()  # places defined in where.yaml
    what: str | None = None  # what.yaml's summary
    background: tuple[tuple[int, tuple[int, ...]], ...] = ()  # (year offset, mentioned entries)
    draft: bool = False
    lead: int | None = None  # which picture lead.png, the lead image, holds
    inline: int | None = None  # which picture inline.png, shown in the body, holds


@dataclass
class SiteModel:
    entries: dict[int, EntryModel] = field(default_factory=dict)
    stories: dict[str, StoryModel] = field(default_factory=dict)
    title: str = "Test site"
    logo: int | None = None  # which picture the publisher's logo, media/logo.png, is

    def files(self) -> dict[str, str | bytes]:
        settings = f"title: {self.title}\nbase_url: https://example.org/news/\n"
        if self.logo is not None:
            settings += "publisher: {name: Desk, logo: media/logo.png}\n"
            found: dict[str, str | bytes] = {"content/media/logo.png": picture(self.logo)}
        else:
            found = {}
        found["site.yaml"] = settings
        found["content/glossary/people.yaml"] = "[]\n"
        for number, entry in sorted(self.entries.items()):
            path = f"content/glossary/{entry.file}.yaml"
            text = str(found.get(path, "[]\n")).removeprefix("[]\n")
            found[path] = text + entry_yaml(number, entry)
            if entry.portrait is not None:
                found[f"content/media/portrait-{number}.png"] = picture(entry.portrait)
        for slug, story in self.stories.items():
            found.update(self.story_files(slug, story))
        return found

    def story_files(self, slug: str, story: StoryModel) -> dict[str, str | bytes]:
        folder = f"content/{story.folder}/{slug}"
        names = [self.entries[n].name for n in story.mentions if n in self.entries]
        body = " ".join(f"Today {name} spoke, and {name} left." for name in names) or "Quiet."
        files: dict[str, str | bytes] = {}
        if story.inline is not None:
            body += "\n\n![A picture](inline.png)"
            files[f"{folder}/inline.png"] = picture(story.inline)
        if story.lead is not None:
            files[f"{folder}/lead.png"] = picture(story.lead)
        front = (
            f"---\ntitle: {story.title}\nsection: {story.section}\n"
            f"date: 2023-09-{story.day:02d}\ntags: [{', '.join(story.tags)}]\n"
            f"draft: {str(story.draft).lower()}\n"
            + (f"updated: 2023-10-{story.updated:02d}\n" if story.updated else "")
            + (f"dek: {story.dek}\n" if story.dek else "")
            + (f"byline: {story.byline}\n" if story.byline else "")
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
        if story.where:
            files[f"{folder}/where.yaml"] = "".join(
                f"- id: place-{n}\n  name: Placetown{n}\n  summary: A town.\n"
                f"  coordinates: [{n}.5, {n}.25]\n"
                for n in story.where
            )
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


def entry_yaml(number: int, entry: EntryModel) -> str:
    text = (
        f"- id: entry-{number}\n  name: {entry.name}\n  kind: {entry.kind}\n"
        f"  aliases: [{entry.alias}]\n  summary: {entry.summary}\n"
    )
    if entry.fact:
        text += f"  facts:\n    - label: Born\n      value: {entry.fact}\n"
    if entry.wikidata:
        text += f"  wikidata: {entry.wikidata}\n"
    if entry.portrait is not None:
        text += f"  image: {{src: media/portrait-{number}.png, alt: A face, credit: Desk}}\n"
    return text


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
    for n in range(5):
        model.stories[f"story-{n}"] = StoryModel(
            title=f"Story {n}",
            section=SECTIONS[n % 3],
            day=n + 1,
            tags=(TAGS[n % 4],),
            mentions=(n % 5, (n + 1) % 5),
            who=(n % 5,),
            where=(n % 2,),
            what="It happened." if n % 2 else None,
            background=((n, ((n + 2) % 5,)),),
            lead=n % 2 or None,
            inline=0 if n == 3 else None,
        )
    for n in (0, 1):
        model.entries[n] = replace(model.entries[n], portrait=n)
    model.logo = 1
    return model


# Mostly the five stories and entries that exist, sometimes one that does not yet.
stories = st.integers(0, 5)
entry_numbers = st.integers(0, 5)
maybe_text = st.sampled_from([None, "Said *this*.", "Other & more"])
edits = st.one_of(
    st.tuples(st.just("title"), stories, st.sampled_from(["Edited", "Q&A", "New"])),
    st.tuples(st.just("day"), stories, st.integers(1, 28)),
    st.tuples(st.just("updated"), stories, st.sampled_from([None, 2, 9])),
    st.tuples(st.just("dek"), stories, maybe_text),
    st.tuples(st.just("byline"), stories, maybe_text),
    st.tuples(st.just("section"), stories, st.sampled_from(SECTIONS)),
    st.tuples(st.just("folder"), stories, st.sampled_from(["world", "politics"])),
    st.tuples(st.just("tags"), stories, st.lists(st.sampled_from(TAGS), max_size=2)),
    st.tuples(st.just("mentions"), stories, st.lists(entry_numbers, max_size=3)),
    st.tuples(st.just("who"), stories, st.lists(entry_numbers, max_size=2)),
    st.tuples(st.just("in_this_story"), stories, maybe_text),
    st.tuples(st.just("where"), stories, st.lists(st.integers(0, 2), max_size=2)),
    st.tuples(st.just("what"), stories, maybe_text),
    st.tuples(
        st.just("background"),
        stories,
        st.lists(st.tuples(st.integers(0, 9), st.lists(entry_numbers, max_size=2)), max_size=2),
    ),
    st.tuples(st.just("draft"), stories, st.booleans()),
    st.tuples(st.just("summary"), entry_numbers, st.sampled_from(["Changed.", "A *new* summary."])),
    st.tuples(st.just("alias"), entry_numbers, st.sampled_from(["Other", "Nickname"])),
    st.tuples(st.just("kind"), entry_numbers, st.sampled_from(ENTRY_KINDS)),
    st.tuples(st.just("fact"), entry_numbers, st.sampled_from([None, "1 June 1960", "2 July"])),
    st.tuples(st.just("wikidata"), entry_numbers, st.sampled_from([None, "Q1", "Q42"])),
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
    ("day", 0, 28),
    ("updated", 1, 9),
    ("dek", 2, "A new dek"),
    ("byline", 2, "By Someone"),
    ("section", 0, "Science"),
    ("folder", 1, "politics"),  # the bundle moves: a new path, the old page goes
    ("tags", 2, ["space", "trade"]),
    ("mentions", 0, [3, 4]),  # the body names other entries: their pages list the story
    ("mentions", 0, []),
    ("who", 1, [3]),
    ("in_this_story", 1, "Spoke first."),
    ("where", 0, [2]),
    ("what", 0, "Something happened."),
    ("background", 2, [(5, [0, 1])]),
    ("draft", 3, True),
    ("summary", 2, "Changed."),
    ("alias", 1, "Nickname"),  # a new surface form: every body is linked again
    ("kind", 2, "organization"),
    ("fact", 1, "1 June 1960"),  # shown on the glossary index's cards too
    ("fact", 2, "2 July"),
    ("wikidata", 3, "Q42"),
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
    "file",
    "portrait",
)


def apply(model: SiteModel, edit: tuple[str, int, object]) -> None:
    """Change the model as an editor would; an edit that cannot apply does nothing."""
    kind, number, value = edit
    slug = f"story-{number}"
    story = model.stories.get(slug)
    if kind in ENTRY_EDITS:
        _edit_entry(model, kind, number, value)
    elif kind == "site-title":
        model.title = str(value)
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
TEMPLATES = ("article.html", "entry.html", "glossary.html", "index.html", "list.html")
EVERYTHING = {
    f"templates/{name}": "{{ page }}\n"
    for name in (*TEMPLATES, "tags.html", "feed.xml", "sitemap.xml")
}
THEMES = {"default": {}, "everything": EVERYTHING}


def rebuild_after(work: Path, steps: list[list[tuple[str, int, object]]], theme: str) -> None:
    """Build, then after each step of edits rebuild and build clean: the same bytes.
    A last rebuild, with nothing changed, renders nothing."""
    shutil.rmtree(work, ignore_errors=True)
    site, model = work / "site", initial_site()
    write_files(site, THEMES[theme])
    files = write_model(site, model, {})
    build(BuildOptions(site=site, out=work / "out", workers=1))
    for step in steps:
        for edit in step:
            apply(model, edit)
        files = write_model(site, model, files)
        build(BuildOptions(site=site, out=work / "out", workers=1))
        shutil.rmtree(work / "clean", ignore_errors=True)
        build(BuildOptions(site=site, out=work / "clean", workers=1, clean=True))
        assert snapshot(work / "out") == snapshot(work / "clean"), step
    for article in sorted(site.glob("content/*/*/article.md"))[:1]:  # any the edits left
        article.touch()  # saved again, unchanged
    assert build(BuildOptions(site=site, out=work / "out", workers=1)).rendered == 0


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
)
def test_a_rebuild_after_any_edits_equals_a_clean_build(
    steps: list[list[tuple[str, int, object]]], theme: str, tmp_path: Path
) -> None:
    rebuild_after(tmp_path / "work", steps, theme)


def test_a_rebuild_in_worker_processes_equals_a_clean_build(tmp_path: Path) -> None:
    site, model = tmp_path / "site", initial_site()
    files = write_model(site, model, {})
    build(BuildOptions(site=site, out=tmp_path / "out", workers=2))
    for edit in [("title", 1, "Edited"), ("summary", 2, "Changed."), ("remove-story", 3, None)]:
        apply(model, edit)
    write_model(site, model, files)
    build(BuildOptions(site=site, out=tmp_path / "out", workers=2))
    build(BuildOptions(site=site, out=tmp_path / "clean", workers=2, clean=True))
    assert snapshot(tmp_path / "out") == snapshot(tmp_path / "clean")
