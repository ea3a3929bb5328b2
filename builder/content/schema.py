"""The one declaration of every field editors may write.

The validator, the JSON Schemas and the handbook's field reference are all
made from these records, so a field added here is checked, completed in the
editor and documented with no other edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from builder.content.model import ENTRY_KINDS


class FieldType(Enum):
    TEXT = "text"
    MARKDOWN = "inline Markdown"
    DATE = "date (YYYY-MM-DD)"
    PARTIAL_DATE = "date (YYYY, YYYY-MM or YYYY-MM-DD)"
    ID = "id"
    ID_LIST = "list of ids"
    TEXT_LIST = "list of text"
    SOURCE = "URL or text"
    URL = "absolute URL"
    WIKIDATA = "Wikidata id"
    COORDINATES = "[latitude, longitude]"
    BOOL = "true or false"
    ENTRY_KIND = "kind"
    COUNT = "whole number"
    RECORDS = "list of records"


@dataclass(frozen=True)
class Field:
    name: str
    type: FieldType
    description: str
    required: bool = False
    record: Record | None = None  # the shape of each item, for RECORDS


@dataclass(frozen=True)
class Record:
    name: str
    description: str
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def names(self) -> list[str]:
        return [f.name for f in self.fields]


FACT = Record(
    "fact",
    "One labelled fact, shown in fact boxes and on entry pages.",
    (
        Field("label", FieldType.TEXT, "What the fact is about, e.g. `Born`.", required=True),
        Field("value", FieldType.MARKDOWN, "The fact itself.", required=True),
        Field("as_of", FieldType.DATE, "When the fact was last checked."),
        Field("source", FieldType.SOURCE, "Where the fact comes from: a URL or plain text."),
    ),
)

_STORY_FIELDS = (
    Field("in_this_story", FieldType.MARKDOWN, "What this entry does in this story."),
    Field(
        "said",
        FieldType.TEXT_LIST,
        "Quotations; each must appear verbatim in article.md.",
    ),
)

_ENTRY_FIELDS = (
    Field(
        "id",
        FieldType.ID,
        "Unique site-wide, lower-case words joined by hyphens; defaults to the slug of name.",
    ),
    Field("name", FieldType.TEXT, "Display name; always matched in article text.", required=True),
    Field(
        "kind",
        FieldType.ENTRY_KIND,
        "One of " + ", ".join(ENTRY_KINDS) + "; defaults to person in who.yaml, "
        "place in where.yaml, term in the glossary.",
    ),
    Field("aliases", FieldType.TEXT_LIST, "More surface forms to match in article text."),
    Field("summary", FieldType.MARKDOWN, "One or two sentences saying what this is."),
    Field("facts", FieldType.RECORDS, "Ordered facts.", record=FACT),
    Field("wikidata", FieldType.WIKIDATA, "Wikidata id such as Q7747; becomes schema.org sameAs."),
    Field("coordinates", FieldType.COORDINATES, "Places only: [latitude, longitude]."),
)

GLOSSARY_ENTRY = Record(
    "glossary entry",
    "A person, organization, place, term or event, defined once for the whole site.",
    _ENTRY_FIELDS,
)

STORY_ENTRY = Record(
    "entry",
    "An entry defined in an article's who.yaml or where.yaml; it joins the glossary.",
    _ENTRY_FIELDS + _STORY_FIELDS,
)

STORY_REF = Record(
    "reference",
    "A site-wide entry named by id, with what it does in this story.",
    (Field("ref", FieldType.ID, "The id of a glossary entry.", required=True), *_STORY_FIELDS),
)

WHAT = Record(
    "what.yaml",
    "The event in one paragraph and its key facts.",
    (
        Field("summary", FieldType.MARKDOWN, "One paragraph.", required=True),
        Field("when", FieldType.DATE, "When the event happened."),
        Field("key_facts", FieldType.RECORDS, "Ordered label/value pairs.", record=FACT),
        Field("why_it_matters", FieldType.MARKDOWN, "Why readers should care."),
    ),
)

TIMELINE_EVENT = Record(
    "background event",
    "One earlier event on the background timeline.",
    (
        Field(
            "date",
            FieldType.PARTIAL_DATE,
            "When: shown as 2000, July 2000 or 13 July 2000.",
            required=True,
        ),
        Field("title", FieldType.TEXT, "A short headline for the event.", required=True),
        Field("summary", FieldType.MARKDOWN, "What happened."),
        Field("mentions", FieldType.ID_LIST, "Ids of the entries involved."),
        Field("source", FieldType.SOURCE, "Where this comes from: a URL or plain text."),
    ),
)

FRONT_MATTER = Record(
    "front matter",
    "The fenced YAML at the top of article.md.",
    (
        Field("title", FieldType.TEXT, "The headline.", required=True),
        Field("dek", FieldType.TEXT, "The standfirst under the headline."),
        Field(
            "section",
            FieldType.TEXT,
            "The section the story belongs to, e.g. World.",
            required=True,
        ),
        Field("date", FieldType.DATE, "Publication date.", required=True),
        Field("updated", FieldType.DATE, "Date of the last substantive update."),
        Field("byline", FieldType.TEXT, "Who wrote it."),
        Field("tags", FieldType.TEXT_LIST, "Topics, e.g. [russia, north-korea]."),
        Field("draft", FieldType.BOOL, "Drafts are built only with --drafts."),
    ),
)

SITE = Record(
    "site.yaml",
    "Site settings.",
    (
        Field("title", FieldType.TEXT, "The site's name.", required=True),
        Field(
            "base_url",
            FieldType.URL,
            "Absolute URL the site is published at; used for feed, sitemap and canonical URLs.",
            required=True,
        ),
        Field("language", FieldType.TEXT, "Language code of the content, e.g. en."),
        Field("output", FieldType.TEXT, "Output folder, relative to the site folder."),
        Field("description", FieldType.TEXT, "One sentence about the site, for feeds and search."),
        Field(
            "stale_after_days",
            FieldType.COUNT,
            "A fact whose as_of is older than this many days draws a warning (default 365).",
        ),
        Field(
            "search",
            FieldType.BOOL,
            "Index the built site with Pagefind and show a search box on every page.",
        ),
        Field(
            "max_file_bytes",
            FieldType.COUNT,
            "Largest source file accepted, in bytes (default 1000000).",
        ),
    ),
)
