"""JSON Schemas (draft 2020-12) for every file editors write, made from builder/content/schema.py.

An editor with a YAML language server (VS Code's YAML extension) uses them to
complete field names, show each field's description and flag mistakes while
typing. They are generated from the same records the validator reads, so a
field added to schema.py is known to the editor once the schemas are written
again; the builder's own check stays the judge of what is accepted.

Each field's fragment comes from its type (builder/content/field_types.py);
here they are put together into one document per file, with the fields'
descriptions, $defs for nested records and null for optional fields.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from builder.content import schema as declared
from builder.content.fields import Field, JsonObject, Record, definition_name, definition_ref

DIALECT = "https://json-schema.org/draft/2020-12/schema"
SUFFIX = ".schema.json"


@dataclass(frozen=True)
class SchemaFile:
    """One kind of file editors write, and the records it is made of."""

    name: str  # the schema is written to NAME.schema.json
    title: str
    description: str
    shape: Literal["record", "list"]  # one record, or a list whose items are records
    records: tuple[Record, ...]  # for a list, what an item may be; each refuses the others
    may_be_empty: bool = False  # an empty file (only comments) is accepted

    @property
    def file_name(self) -> str:
        return self.name + SUFFIX


SCHEMA_FILES: tuple[SchemaFile, ...] = (
    SchemaFile(
        "site",
        "site.yaml",
        "Site settings, in site.yaml at the top of the site.",
        "record",
        (declared.SITE,),
    ),
    SchemaFile(
        "front-matter",
        "article.md front matter",
        "The YAML between the two '---' lines at the top of article.md.",
        "record",
        (declared.FRONT_MATTER,),
    ),
    SchemaFile(
        "who",
        "who.yaml",
        "People and organizations in the story: each item names a glossary entry with ref, "
        "or defines a new entry (kind person unless it says otherwise).",
        "list",
        (declared.STORY_REF, declared.STORY_ENTRY),
        may_be_empty=True,
    ),
    SchemaFile(
        "where",
        "where.yaml",
        "Places in the story: each item names a glossary entry with ref, "
        "or defines a new entry (kind place unless it says otherwise).",
        "list",
        (declared.STORY_REF, declared.STORY_ENTRY),
        may_be_empty=True,
    ),
    SchemaFile(
        "what",
        "what.yaml",
        "The event: a summary, when it happened, key facts and why it matters.",
        "record",
        (declared.WHAT,),
        may_be_empty=True,
    ),
    SchemaFile(
        "background",
        "background.yaml",
        "Earlier events, shown as a timeline.",
        "list",
        (declared.TIMELINE_EVENT,),
        may_be_empty=True,
    ),
    SchemaFile(
        "glossary",
        "content/glossary/*.yaml",
        "Site-wide entries: people, organizations, places, terms and events "
        "(kind term unless it says otherwise).",
        "list",
        (declared.GLOSSARY_ENTRY,),
        may_be_empty=True,
    ),
    SchemaFile(
        "authors",
        "content/authors.yaml",
        "The newsroom's authors; stories name them by id in their front matter's authors.",
        "list",
        (declared.AUTHOR,),
        may_be_empty=True,
    ),
    SchemaFile(
        "tags",
        "content/tags.yaml",
        "The names of the site's tags, by the slug of the tag as stories write it.",
        "list",
        (declared.TAG,),
        may_be_empty=True,
    ),
)


def schema_documents() -> dict[str, JsonObject]:
    """Every schema, by file name ("who.schema.json"), in the order of SCHEMA_FILES."""
    return {file.file_name: file_schema(file) for file in SCHEMA_FILES}


def render_schema(schema: JsonObject) -> str:
    """The schema as the text written to disk: sorted keys, indented, newline-terminated."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=True) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    """Write every schema into folder; return the files created or changed.

    A file that already holds the right text is left alone, so its time stamp
    does not change and a watching editor or server is not disturbed.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in sorted(schema_documents().items()):
        path = folder / name
        text = render_schema(schema)
        if not path.is_file() or path.read_bytes() != text.encode("utf-8"):
            path.write_bytes(text.encode("utf-8"))
            written.append(path)
    return written


def file_schema(file: SchemaFile) -> JsonObject:
    """The whole JSON Schema document for one kind of file."""
    if file.shape == "record":
        (record,) = file.records
        schema = record_schema(record)
    else:
        schema = {"type": "array", "items": _one_of_records(file.records)}
    schema |= {"$schema": DIALECT, "title": file.title, "description": file.description}
    if file.may_be_empty:
        schema["type"] = [schema["type"], "null"]
    definitions = {
        definition_name(record): record_schema(record) for record in _nested_records(file)
    }
    if definitions:
        schema["$defs"] = definitions
    return schema


def record_schema(record: Record) -> JsonObject:
    """A mapping with exactly the record's fields; unknown fields are refused."""
    schema: JsonObject = {
        "type": "object",
        "title": record.name,
        "description": record.description,
        "properties": {field.name: field_schema(field) for field in record.fields},
        "additionalProperties": False,
    }
    required = [field.name for field in record.fields if field.required]
    if required:
        schema["required"] = required
    return schema


def field_schema(field: Field) -> JsonObject:
    """One field's schema: its type's fragment, its description, and null if optional.

    The builder takes a field left empty (`dek:`) as not given, so an optional
    field also accepts null.
    """
    schema = field.type.json_schema(field)
    if not field.required:
        schema = _or_null(schema)
    described = "required" if field.required else "optional"
    return schema | {
        "description": field.description,
        "markdownDescription": f"{field.description}\n\n*{field.type.label}, {described}*",
    }


def _one_of_records(records: tuple[Record, ...]) -> JsonObject:
    if len(records) == 1:
        return definition_ref(records[0])
    # Each record refuses the others' fields (a ref record has no name, an
    # entry has no ref), so at most one alternative fits any item.
    return {"anyOf": [definition_ref(record) for record in records]}


def _nested_records(file: SchemaFile) -> list[Record]:
    """The records a file's schema refers to under $defs, each once, in first-use order."""
    found: dict[str, Record] = {}
    if file.shape == "list":
        found |= {definition_name(r): r for r in file.records}
    for record in _walk(file.records):
        found.setdefault(definition_name(record), record)
    return list(found.values())


def _walk(records: tuple[Record, ...]) -> Iterator[Record]:
    for record in records:
        for field in record.fields:
            if field.record is not None:
                yield field.record
                yield from _walk((field.record,))


def _or_null(schema: JsonObject) -> JsonObject:
    if isinstance(schema.get("type"), str) and "anyOf" not in schema:
        result = schema | {"type": [schema["type"], "null"]}
        if "enum" in result:
            result["enum"] = [*result["enum"], None]
        return result
    return {"anyOf": [schema, {"type": "null"}]}


__all__ = [
    "DIALECT",
    "SCHEMA_FILES",
    "SchemaFile",
    "field_schema",
    "file_schema",
    "record_schema",
    "render_schema",
    "schema_documents",
    "write_schemas",
]
