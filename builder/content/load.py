"""Loading site.yaml, the glossary and every bundle into model values."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from builder.content.discover import BundleFiles, relative
from builder.content.field_types import MATCHED_TEXT
from builder.content.fields import Field
from builder.content.images import attach, read_picture, story_picture, story_pictures
from builder.content.model import (
    Appearance,
    Author,
    Bundle,
    Correction,
    Entry,
    FrontMatter,
    IdRef,
    Image,
    ImageFile,
    Publisher,
    Quote,
    SiteConfig,
    Tag,
    TimelineEvent,
    WhatBox,
)
from builder.content.schema import (
    AUTHOR,
    FRONT_MATTER,
    GLOSSARY_ENTRY,
    SITE,
    STORY_ENTRY,
    STORY_REF,
    TAG,
    TIMELINE_EVENT,
    WHAT,
)
from builder.content.source import DEFAULT_MAX_FILE_BYTES, SourceText, read_source
from builder.content.times import WrittenTime, resolve
from builder.content.validate import (
    FieldValues,
    author_from,
    entry_from,
    facts_from,
    image_from,
    read_list,
    read_record,
    read_value,
)
from builder.content.yamltree import YamlMapping, YamlNode, YamlScalar, YamlSequence, parse_yaml
from builder.core.diagnostics import Position, Report, UsageError, did_you_mean

DEFAULT_STALE_AFTER_DAYS = 365


def load_config(site: Path, report: Report) -> SiteConfig | None:
    file = site / "site.yaml"
    if not file.is_file():
        raise UsageError(f"{site} has no site.yaml; run in a site folder or pass --site DIR")
    node = _parse_file(file, "site.yaml", report, DEFAULT_MAX_FILE_BYTES)
    if node is None:
        if not report.has_errors:
            report.error(Position("site.yaml"), "site.yaml is empty; it needs title and base_url")
        return None
    fields = read_record(node, SITE, report)
    if fields is None or not fields.get("title") or not fields.get("base_url"):
        return None
    return SiteConfig(
        title=fields.get("title"),
        base_url=fields.get("base_url"),
        language=fields.get("language", "en"),
        output=fields.get("output", "public"),
        description=fields.get("description"),
        stale_after_days=fields.get("stale_after_days", DEFAULT_STALE_AFTER_DAYS),
        max_file_bytes=fields.get("max_file_bytes", DEFAULT_MAX_FILE_BYTES),
        search=fields.get("search", False),
        timezone=fields.get("timezone", "UTC"),
        publisher=_publisher(fields.get("publisher")),
        directory_urls=fields.get("directory_urls", False),
    )


def _publisher(fields: FieldValues | None) -> Publisher | None:
    """The publisher; its logo an image named by the publisher, found later under media/."""
    if fields is None or not fields.get("name"):
        return None
    name, logo = fields.get("name"), fields.get("logo")
    image = Image(logo, name, None, None, False, fields.where("logo")) if logo else None
    return Publisher(name, image)


def _parse_file(
    file: Path | str,
    path: str,
    report: Report,
    max_bytes: int,
    read: list[SourceText] | None = None,
) -> YamlNode | None:
    source = read_source(file, path, report, max_bytes)
    if source is None:
        return None
    if read is not None:
        read.append(source)
    return parse_yaml(source.text, path, report)


def load_glossary_file(site: Path, file: Path, config: SiteConfig, report: Report) -> list[Entry]:
    path = relative(site, file)
    node = _parse_file(file, path, report, config.max_file_bytes)
    entries: list[Entry] = []
    implied = _KIND_OF_FILE.get(file.stem.lower())
    for item in read_list(node, "glossary entries", report):
        fields = read_record(item, GLOSSARY_ENTRY, report)
        entry = entry_from(fields, "term", report) if fields else None
        if entry is not None:
            entries.append(entry)
            if implied and fields and "kind" not in fields.positions:
                report.warning(
                    entry.position,
                    f"'{entry.name}' has no kind, so it is a term, the glossary's default; "
                    f"in {file.name}, add kind: {implied} (or kind: term, if it is one)",
                )
    return entries


# Glossary files named for a kind: an entry there without `kind:` most likely
# means that kind, not the glossary's default, term.
_KIND_OF_FILE = {
    "people": "person",
    "persons": "person",
    "person": "person",
    "places": "place",
    "place": "place",
    "locations": "place",
    "organizations": "organization",
    "organisations": "organization",
    "organization": "organization",
    "orgs": "organization",
    "events": "event",
}


def load_authors(site: Path, file: Path, config: SiteConfig, report: Report) -> list[Author]:
    """The authors of content/authors.yaml, in the order written."""
    node = _parse_file(file, relative(site, file), report, config.max_file_bytes)
    authors: list[Author] = []
    for item in read_list(node, "authors", report):
        fields = read_record(item, AUTHOR, report)
        author = author_from(fields, report) if fields else None
        if author is not None:
            authors.append(author)
    return authors


def load_tags(site: Path, file: Path, config: SiteConfig, report: Report) -> list[Tag]:
    """The tags of content/tags.yaml, in the order written."""
    node = _parse_file(file, relative(site, file), report, config.max_file_bytes)
    tags: list[Tag] = []
    for item in read_list(node, "tags", report):
        fields = read_record(item, TAG, report)
        if fields and fields.get("id") and fields.get("name"):
            tag_id, name = fields.get("id"), fields.get("name")
            tags.append(Tag(tag_id, name, fields.get("description"), fields.where("id")))
    return tags


NEVER_LINK = "never_link.yaml"  # in the glossary folder: phrases never linked
_PHRASE = Field("never_link item", MATCHED_TEXT, "A phrase never linked.", required=True)


def load_never_link(site: Path, file: Path, config: SiteConfig, report: Report) -> list[str]:
    """The phrases of glossary/never_link.yaml: longer names that contain a glossary
    name (The Moscow Times) and are never linked, nor is anything in them."""
    node = _parse_file(file, relative(site, file), report, config.max_file_bytes)
    phrases = (read_value(item, _PHRASE, report) for item in read_list(node, "phrases", report))
    return [phrase for phrase in phrases if phrase]


def load_glossary_folder_file(
    site: Path, file: Path, config: SiteConfig, report: Report
) -> tuple[list[Entry], list[str]]:
    """One file of content/glossary/: its entries, or, for never_link.yaml, its phrases."""
    if file.name == NEVER_LINK:
        return [], load_never_link(site, file, config, report)
    return load_glossary_file(site, file, config, report), []


def load_bundle(
    site: Path,
    files: BundleFiles,
    config: SiteConfig,
    report: Report,
    read: list[SourceText] | None = None,
) -> Bundle | None:
    """The bundle, or None when its article cannot be used (reported); every text
    read is appended to `read`, for a digest of what the bundle was made from."""
    article_path = _relative_file(site, files.folder, "article.md")
    # The five files' paths differ only in the file name: plain strings, not
    # a Path join and relative_to() for each file, which cost more than parsing
    # a small sidecar.
    below_site = article_path.removesuffix("article.md")
    folder = f"{os.fspath(files.folder)}/"
    max_bytes = config.max_file_bytes
    source = read_source(folder + "article.md", article_path, report, max_bytes)
    if source is not None and read is not None:
        read.append(source)
    article = _split_article(source, report) if source else None
    front_fields = read_record(article[0], FRONT_MATTER, report) if article else None
    lead = image_from(front_fields.get("image"), report) if front_fields else None
    pictures = tuple(
        read_picture(folder + name, below_site + name, f"{files.path}/{name}")
        for name in files.images
    )
    sidecars = {
        name: _parse_file(folder + name, below_site + name, report, max_bytes, read)
        for name in files.sidecars
    }
    who = _appearances(sidecars.get("who.yaml"), "person", report)
    where = _appearances(sidecars.get("where.yaml"), "place", report)
    what = _what_box(sidecars.get("what.yaml"), report)
    background = _timeline(sidecars.get("background.yaml"), report)
    if article is None:
        return None
    front = _front_matter(
        front_fields, files.path, config.timezone, _lead_image(lead, pictures, report), report
    )
    _, body, body_line = article
    return Bundle(
        files.path, article_path, front, body, body_line, who, where, what, background, pictures
    )


def _lead_image(
    image: Image | None, pictures: tuple[ImageFile, ...], report: Report
) -> Image | None:
    """The lead image with its file from the bundle's folder; problems reported at its src."""
    if image is None:
        return None
    return attach(image, story_picture(image.src, story_pictures(pictures)), report)


def _relative_file(site: Path, folder: Path, name: str) -> str:
    """relative(site, folder / name): by string when the folder's path starts with the
    site's (both are normalised by pathlib), else by pathlib."""
    site_text, folder_text = os.fspath(site), os.fspath(folder)
    if os.sep == "/" and folder_text.startswith(site_text + "/"):
        return f"{folder_text[len(site_text) + 1 :]}/{name}"
    return relative(site, folder / name)


def _split_article(source: SourceText, report: Report) -> tuple[YamlNode, str, int] | None:
    """Front matter node, body text, and the line of article.md where the body starts."""
    text = source.text
    first_end = text.find("\n")
    if (text if first_end < 0 else text[:first_end]).rstrip() != "---":
        report.error(
            Position(source.path),
            "article.md must start with front matter: a line "
            "'---', fields such as title: ..., and another '---'",
        )
        return None
    fence = _closing_fence(text, first_end + 1) if first_end >= 0 else None
    if fence is None:
        report.error(
            Position(source.path),
            "front matter is not closed; add a line '---' after the last field",
        )
        return None
    fence_start, fence_end, closing = fence
    node = parse_yaml(text[first_end + 1 : fence_start - 1], source.path, report, line_offset=1)
    if node is None:
        if not report.has_errors:
            report.error(
                Position(source.path, 2), "front matter is empty; it needs title, section and date"
            )
        return None
    body = text[fence_end + 1 :] if fence_end >= 0 else ""
    return node, body, closing + 2


def _closing_fence(text: str, start: int) -> tuple[int, int, int] | None:
    """Where the line '---' or '...' that closes the front matter starts and ends
    (-1 at the end of the text), and its index among the lines; None if there is
    none. Found line by line from the start: the body, the bulk of the file, is
    neither split into lines nor joined again."""
    index = 1
    while True:
        end = text.find("\n", start)
        line = text[start:] if end < 0 else text[start:end]
        if line.rstrip() in ("---", "..."):
            return start, end, index
        if end < 0:
            return None
        start = end + 1
        index += 1


def _front_matter(
    fields: FieldValues | None, path: str, zone: str, image: Image | None, report: Report
) -> FrontMatter:
    """The front matter; where a required field is broken (and so already reported),
    a stand-in keeps the bundle in the run, so its sidecars are checked too. Such a
    bundle is never published: the run has errors."""
    if fields is None:
        fields = FieldValues(Position(path), {}, {}, {})
    written = fields.get("date", WrittenTime(datetime(1970, 1, 1), None, False))
    updated = fields.get("updated")
    return FrontMatter(
        title=fields.get("title", path),
        dek=fields.get("dek"),
        section=fields.get("section", "Unsorted"),
        date=resolve(written, zone),
        updated=resolve(updated, zone) if updated else None,
        byline=fields.get("byline"),
        tags=tuple(dict.fromkeys(fields.get("tags", ()))),
        draft=fields.get("draft", False),
        authors=_author_refs(fields),
        corrections=_corrections(fields, zone, report),
        image=image,
    )


def _author_refs(fields: FieldValues) -> tuple[IdRef, ...]:
    """Each author named once, where it is first written."""
    found: dict[str, IdRef] = {}
    for author_id, where in fields.get("authors", ()):
        found.setdefault(author_id, IdRef(author_id, where))
    return tuple(found.values())


def _corrections(fields: FieldValues, zone: str, report: Report) -> tuple[Correction, ...]:
    """The corrections, checked against the story's dates: none before `date`, each
    after the one before, and none after `updated`."""
    found: list[Correction] = []
    published, updated = (fields.get(name) for name in ("date", "updated"))
    published_at = resolve(published, zone).at if published else None
    for record in fields.get("corrections", ()):
        written, kind, text = (record.get(name) for name in ("date", "kind", "text"))
        if written is None or kind is None or text is None:
            continue
        correction = Correction(resolve(written, zone), kind, text)
        where = record.where("date")
        if published_at is not None and correction.at.at < published_at:
            report.error(where, f"this {kind} is dated before the story's 'date'")
        elif found and correction.at.at < found[-1].at.at:
            report.error(
                where, f"this {kind} is dated before the one above it; list them oldest first"
            )
        found.append(correction)
    newest = max((c.at for c in found), key=lambda moment: moment.at, default=None)
    updated_at = resolve(updated, zone).at if updated else None
    if updated_at is not None and published_at is not None and updated_at < published_at:
        report.error(fields.where("updated"), "'updated' is earlier than the story's 'date'")
    elif updated_at is not None and newest is not None and updated_at < newest.at:
        report.error(
            fields.where("updated"),
            f"'updated' is earlier than the newest correction ({newest.iso()}); "
            "move it to that time or later, or remove it",
        )
    return tuple(found)


def _appearances(
    node: YamlNode | None, default_kind: str, report: Report
) -> tuple[Appearance, ...]:
    found: list[Appearance] = []
    for item in read_list(node, "entries or refs", report):
        is_ref = _meant_as_reference(item)
        fields = read_record(item, STORY_REF if is_ref else STORY_ENTRY, report)
        if fields is None:
            continue
        entry = None if is_ref else entry_from(fields, default_kind, report)
        ref_id = fields.get("ref") if is_ref else (entry.id if entry else None)
        if ref_id is None:
            continue
        where = fields.where("ref") if is_ref else fields.position
        found.append(
            Appearance(IdRef(ref_id, where), fields.get("in_this_story"), _quotes(fields), entry)
        )
    return tuple(found)


def _meant_as_reference(item: YamlNode) -> bool:
    """A `ref:` item, or one with neither ref nor name whose keys look like a mistyped ref,
    so that the editor hears "did you mean 'ref'?" rather than "missing 'name'"."""
    if not isinstance(item, YamlMapping):
        return False
    if item.get("ref") is not None:
        return True
    keys = item.keys()
    return "name" not in keys and any(did_you_mean(key, ["ref"]) for key in keys)


def _quotes(fields: FieldValues) -> tuple[Quote, ...]:
    node = fields.nodes.get("said")
    if not isinstance(node, YamlSequence):
        return ()
    return tuple(
        Quote(item.value.strip(), item.position)
        for item in node.items
        if isinstance(item, YamlScalar) and (item.quoted or item.tag == "str")
    )


def _what_box(node: YamlNode | None, report: Report) -> WhatBox | None:
    if node is None:
        return None
    fields = read_record(node, WHAT, report)
    if fields is None or not fields.get("summary"):
        return None
    return WhatBox(
        summary=fields.get("summary"),
        when=fields.get("when"),
        key_facts=facts_from(fields.get("key_facts", ())),
        why_it_matters=fields.get("why_it_matters"),
        position=fields.position,
    )


def _timeline(node: YamlNode | None, report: Report) -> tuple[TimelineEvent, ...]:
    events: list[TimelineEvent] = []
    for item in read_list(node, "background events", report):
        fields = read_record(item, TIMELINE_EVENT, report)
        if fields is None or not fields.get("date") or not fields.get("title"):
            continue
        mentions = tuple(IdRef(i, where) for i, where in fields.get("mentions", ()))
        events.append(
            TimelineEvent(
                fields.get("date"),
                fields.get("title"),
                fields.get("summary"),
                mentions,
                fields.get("source"),
                fields.position,
            )
        )
    return tuple(sorted(events, key=lambda e: e.date.sort_key()))
