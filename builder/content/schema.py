"""The one declaration of every field editors may write.

The validator, the JSON Schemas and the handbook's field reference are all
made from these records, so a field added here is checked, completed in the
editor and documented with no other edit. Each field's type (field_types.py)
says how it is read, checked in the editor and described.
"""

from __future__ import annotations

from builder.content.field_types import (
    BOOL,
    COORDINATES,
    CORRECTION_KIND,
    DATE,
    DAYS,
    EMAIL,
    ENTRY_KIND,
    FILE_BYTES,
    ID,
    ID_LIST,
    LANGUAGE,
    LINK,
    MARKDOWN,
    MATCHED_TEXT,
    MATCHED_TEXT_LIST,
    PARTIAL_DATE,
    PUBLISH_TIME,
    SOURCE,
    TEXT,
    TEXT_LIST,
    TIME_ZONE,
    URL,
    WIKIDATA,
    RecordListType,
    RecordType,
)
from builder.content.fields import Field, Record
from builder.content.model import ENTRY_KINDS

FACT = Record(
    "fact",
    "One labelled fact, shown in fact boxes and on entry pages.",
    (
        Field("label", TEXT, "What the fact is about, e.g. `Born`.", required=True),
        Field("value", MARKDOWN, "The fact itself.", required=True),
        Field("as_of", DATE, "When the fact was last checked."),
        Field("source", SOURCE, "Where the fact comes from: a URL or plain text."),
    ),
)

IMAGE = Record(
    "image",
    "A picture: a story's lead image or an entry's portrait, with its alt text and credit.",
    (
        Field(
            "src",
            TEXT,
            "The picture file: for a story, a file next to article.md (`handshake.jpg`); "
            "for an entry, a file under content/media/ (`media/putin.jpg`). "
            "JPEG, PNG or WebP.",
            required=True,
        ),
        Field(
            "alt",
            TEXT,
            "What the picture shows, for readers who cannot see it. Required; "
            '`""` only with `decorative: true`.',
        ),
        Field("credit", TEXT, "Who made the picture, shown beside it.", required=True),
        Field("caption", TEXT, "A sentence shown under the picture."),
        Field(
            "decorative",
            BOOL,
            'True for a picture that adds nothing to the text; its alt is then `""`.',
        ),
    ),
)

PUBLISHER = Record(
    "publisher",
    "Who publishes the site, for search engines' structured data.",
    (
        Field("name", TEXT, "The newsroom's name.", required=True),
        Field("logo", TEXT, "The logo, a file under content/media/: `media/logo.png`."),
    ),
)

_STORY_FIELDS = (
    Field("in_this_story", MARKDOWN, "What this entry does in this story."),
    Field(
        "said",
        TEXT_LIST,
        "Quotations; each must appear verbatim in article.md.",
    ),
)

_ENTRY_FIELDS = (
    Field(
        "id",
        ID,
        "Unique site-wide, lower-case words joined by hyphens; defaults to the slug of name.",
    ),
    Field("name", MATCHED_TEXT, "Display name; always matched in article text.", required=True),
    Field(
        "kind",
        ENTRY_KIND,
        "One of " + ", ".join(ENTRY_KINDS) + "; defaults to person in who.yaml, "
        "place in where.yaml, term in the glossary.",
    ),
    Field("aliases", MATCHED_TEXT_LIST, "More surface forms to match in article text."),
    Field(
        "sort_as",
        TEXT,
        "The name the glossary sorts it by; a person's defaults to the last word of the name.",
    ),
    Field("summary", MARKDOWN, "One or two sentences saying what this is."),
    Field("facts", RecordListType(FACT), "Ordered facts."),
    Field("wikidata", WIKIDATA, "Wikidata id such as Q7747; becomes schema.org sameAs."),
    Field("coordinates", COORDINATES, "Places only: [latitude, longitude]."),
    Field("image", RecordType(IMAGE), "A portrait or picture, under content/media/."),
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
    (Field("ref", ID, "The id of a glossary entry.", required=True), *_STORY_FIELDS),
)

WHAT = Record(
    "what.yaml",
    "The event in one paragraph and its key facts.",
    (
        Field("summary", MARKDOWN, "One paragraph.", required=True),
        Field("when", DATE, "When the event happened."),
        Field("key_facts", RecordListType(FACT), "Ordered label/value pairs."),
        Field("why_it_matters", MARKDOWN, "Why readers should care."),
    ),
)

TIMELINE_EVENT = Record(
    "background event",
    "One earlier event on the background timeline.",
    (
        Field(
            "date",
            PARTIAL_DATE,
            "When: shown as 2000, July 2000 or 13 July 2000.",
            required=True,
        ),
        Field("title", TEXT, "A short headline for the event.", required=True),
        Field("summary", MARKDOWN, "What happened."),
        Field("mentions", ID_LIST, "Ids of the entries involved."),
        Field("source", SOURCE, "Where this comes from: a URL or plain text."),
    ),
)

CORRECTION = Record(
    "correction",
    "A change readers are told about, dated, at the foot of the article.",
    (
        Field("date", PUBLISH_TIME, "When the story was corrected.", required=True),
        Field(
            "kind",
            CORRECTION_KIND,
            "correction (something was wrong), clarification (unclear) or update (added).",
            required=True,
        ),
        Field("text", MARKDOWN, "What changed, for readers.", required=True),
    ),
)

FRONT_MATTER = Record(
    "front matter",
    "The fenced YAML at the top of article.md.",
    (
        Field("title", TEXT, "The headline.", required=True),
        Field("dek", TEXT, "The standfirst under the headline."),
        Field(
            "section",
            TEXT,
            "The section the story belongs to, e.g. World.",
            required=True,
        ),
        Field(
            "date",
            PUBLISH_TIME,
            "When the story is published; a story dated after the build's time is scheduled.",
            required=True,
        ),
        Field("updated", PUBLISH_TIME, "When the story last changed in substance."),
        Field(
            "authors",
            ID_LIST,
            "Ids of the story's authors, from content/authors.yaml: [jane-doe].",
        ),
        Field("byline", TEXT, "Who wrote it, in free text, such as a news agency."),
        Field("tags", TEXT_LIST, "Topics, e.g. [russia, north-korea]."),
        Field("draft", BOOL, "Drafts are built only with --drafts."),
        Field(
            "corrections",
            RecordListType(CORRECTION),
            "Corrections, clarifications and updates, oldest first.",
        ),
        Field(
            "image",
            RecordType(IMAGE),
            "The lead image, shown under the headline and in links shared on social media.",
        ),
    ),
)

AUTHOR = Record(
    "author",
    "One of the newsroom's authors, in content/authors.yaml; stories name them by id.",
    (
        Field(
            "id",
            ID,
            "How stories name the author, lower-case words joined by hyphens; "
            "defaults to the slug of name.",
        ),
        Field("name", TEXT, "The author's name, as readers see it.", required=True),
        Field("role", TEXT, "The author's job, e.g. Moscow correspondent."),
        Field("bio", MARKDOWN, "A few sentences about the author."),
        Field("url", LINK, "A web page about the author, such as a profile elsewhere."),
        Field("email", EMAIL, "An address readers may write to."),
        Field("image", RecordType(IMAGE), "A portrait, under content/media/, as for entries."),
    ),
)

TAG = Record(
    "tag",
    "One of the site's tags, in content/tags.yaml: the name readers see for it.",
    (
        Field(
            "id",
            ID,
            "The tag as the stories' tags make it: its slug, e.g. north-korea for "
            "north-korea or North Korea.",
            required=True,
        ),
        Field("name", TEXT, "The tag's name, as readers see it, e.g. North Korea.", required=True),
        Field("description", TEXT, "A sentence or two shown at the top of the tag's page."),
    ),
)

SITE = Record(
    "site.yaml",
    "Site settings.",
    (
        Field("title", TEXT, "The site's name.", required=True),
        Field(
            "base_url",
            URL,
            "Absolute URL the site is published at; used for feed, sitemap and canonical URLs.",
            required=True,
        ),
        Field(
            "language",
            LANGUAGE,
            "Language of the content as a BCP 47 tag, e.g. en or pt-BR; dates are written in it.",
        ),
        Field("output", TEXT, "Output folder, relative to the site folder."),
        Field(
            "timezone",
            TIME_ZONE,
            "IANA time zone for dates and for times written without an offset (default UTC).",
        ),
        Field("description", TEXT, "One sentence about the site, for feeds and search."),
        Field(
            "stale_after_days",
            DAYS,
            "A fact whose as_of is older than this many days draws a warning (default 365; "
            "1 to 36,500).",
        ),
        Field(
            "search",
            BOOL,
            "Index the built site with Pagefind and show a search box on every page.",
        ),
        Field(
            "directory_urls",
            BOOL,
            "Link to pages as folders (glossary/kim-jong-un/) rather than their index.html, "
            "for a site served by a web server (default false).",
        ),
        Field(
            "max_file_bytes",
            FILE_BYTES,
            "Largest source file accepted, in bytes (default 1000000; 100 to 1,000,000,000).",
        ),
        Field("publisher", RecordType(PUBLISHER), "Who publishes the site: name and logo."),
    ),
)
