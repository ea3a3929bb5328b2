"""JSON Schemas (draft 2020-12) for every file editors write, made from builder/content/schema.py.

An editor with a YAML language server (VS Code's YAML extension) uses them to
complete field names, show each field's description and flag mistakes while
typing. They are generated from the same records the validator reads, so a
field added to schema.py is known to the editor once the schemas are written
again; the builder's own check stays the judge of what is accepted.

The fragments only use keywords that mean the same in draft-07, which older
editors still speak, and draft 2020-12.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from builder.content.model import ENTRY_KINDS
from builder.content.schema import (
    FRONT_MATTER,
    GLOSSARY_ENTRY,
    SITE,
    STORY_ENTRY,
    STORY_REF,
    TIMELINE_EVENT,
    WHAT,
    Field,
    FieldType,
    Record,
)
from builder.content.validate import ID_PATTERN, MATCHED_FIELDS

JsonObject = dict[str, Any]

DIALECT = "https://json-schema.org/draft/2020-12/schema"
SUFFIX = ".schema.json"

# Zero-width and bidirectional controls, refused in names, ids and aliases.
_INVISIBLE = r"\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u061c"
_CONTROL = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufdd0-\ufdef\ufffe\uffff"
_NAME = f"^[^{_INVISIBLE}{_CONTROL}]*$"
_NAME_NOT_EMPTY = rf"^(?!\s*$)[^{_INVISIBLE}{_CONTROL}]*$"
_PLAIN = f"^[^{_CONTROL}]*$"
_PLAIN_NOT_EMPTY = rf"^(?!\s*$)[^{_CONTROL}]*$"
_NOT_EMPTY = r"\S"
_YEAR = "(?!0000)[0-9]{4}"
_MONTH = "(0[1-9]|1[0-2])"
_DAY = "(0[1-9]|[12][0-9]|3[01])"
_DATE = f"^{_YEAR}-{_MONTH}-{_DAY}$"
_YEAR_OR_MONTH = f"^{_YEAR}(-{_MONTH})?$"
_ID = f"^{ID_PATTERN.pattern}$"
_WIKIDATA = "^Q[1-9][0-9]*$"
_HTTP_URL = r"^\s*[Hh][Tt][Tt][Pp][Ss]?://[^/?#]"
# Plain text, or a URL whose scheme is http, https or mailto.
_SOURCE = (
    r"^(?!\s*[A-Za-z][A-Za-z0-9+.-]*:\S)"
    r"|^\s*([Hh][Tt][Tt][Pp][Ss]?|[Mm][Aa][Ii][Ll][Tt][Oo]):"
)


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
        (SITE,),
    ),
    SchemaFile(
        "front-matter",
        "article.md front matter",
        "The YAML between the two '---' lines at the top of article.md.",
        "record",
        (FRONT_MATTER,),
    ),
    SchemaFile(
        "who",
        "who.yaml",
        "People and organizations in the story: each item names a glossary entry with ref, "
        "or defines a new entry (kind person unless it says otherwise).",
        "list",
        (STORY_REF, STORY_ENTRY),
        may_be_empty=True,
    ),
    SchemaFile(
        "where",
        "where.yaml",
        "Places in the story: each item names a glossary entry with ref, "
        "or defines a new entry (kind place unless it says otherwise).",
        "list",
        (STORY_REF, STORY_ENTRY),
        may_be_empty=True,
    ),
    SchemaFile(
        "what",
        "what.yaml",
        "The event: a summary, when it happened, key facts and why it matters.",
        "record",
        (WHAT,),
        may_be_empty=True,
    ),
    SchemaFile(
        "background",
        "background.yaml",
        "Earlier events, shown as a timeline.",
        "list",
        (TIMELINE_EVENT,),
        may_be_empty=True,
    ),
    SchemaFile(
        "glossary",
        "content/glossary/*.yaml",
        "Site-wide entries: people, organizations, places, terms and events "
        "(kind term unless it says otherwise).",
        "list",
        (GLOSSARY_ENTRY,),
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
    schema = _FRAGMENTS[field.type](field)
    if not field.required:
        schema = _or_null(schema)
    described = "required" if field.required else "optional"
    return schema | {
        "description": field.description,
        "markdownDescription": f"{field.description}\n\n*{field.type.value}, {described}*",
    }


def definition_name(record: Record) -> str:
    """The key of a record under $defs: its name, lower-case, words joined by hyphens."""
    return "-".join(re.findall(r"[a-z0-9]+", record.name.lower()))


def definition_ref(record: Record) -> JsonObject:
    return {"$ref": f"#/$defs/{definition_name(record)}"}


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


def _string(pattern: str | None = None, message: str | None = None) -> JsonObject:
    schema: JsonObject = {"type": "string"}
    if pattern is not None:
        schema["pattern"] = pattern
    if message is not None:
        # Shown by VS Code's YAML and JSON language servers instead of the bare regex.
        schema["patternErrorMessage"] = message
    return schema


def _text(field: Field) -> JsonObject:
    # Names and aliases are matched in articles: invisible characters are refused
    # there; control characters are refused in every text field.
    if field.name.split(" ")[0] in MATCHED_FIELDS:
        if field.required:
            return _string(_NAME_NOT_EMPTY, "Give it a value, without invisible characters.")
        return _string(_NAME, "Remove the invisible or control character.")
    if field.required:
        return _string(_PLAIN_NOT_EMPTY, "Give it a value, without control characters.")
    return _string(_PLAIN, "Remove the control character.")


def _markdown(field: Field) -> JsonObject:
    if field.required:
        return _string(_PLAIN_NOT_EMPTY, "Give it a value, without control characters.")
    return _string(_PLAIN, "Remove the control character.")


def _date(_: Field | None = None) -> JsonObject:
    return _string(_DATE, "Write the date as YYYY-MM-DD, like 2023-09-15.") | {"format": "date"}


def _partial_date(_: Field) -> JsonObject:
    message = "Write the date as YYYY, YYYY-MM or YYYY-MM-DD, like 2000-07."
    return {
        "anyOf": [
            _string(_YEAR_OR_MONTH, message),
            _date(),
            # YAML reads a bare year such as 2000 as a number.
            {"type": "integer", "minimum": 1000, "maximum": 9999},
        ]
    }


def _identifier(_: Field) -> JsonObject:
    return _string(
        _ID, "Use lower-case ASCII letters and digits joined by single hyphens, like kim-jong-un."
    )


def _id_list(field: Field) -> JsonObject:
    return {"type": "array", "items": _identifier(field)}


def _text_list(field: Field) -> JsonObject:
    item = Field(f"{field.name} item", FieldType.TEXT, "", required=True)
    return {"type": "array", "items": _text(item)}


def _source(field: Field) -> JsonObject:
    schema = _string(_SOURCE, "Use an http, https or mailto URL, or plain text.")
    if field.required:
        schema["allOf"] = [{"pattern": _NOT_EMPTY}]
    return schema


def _url(_: Field) -> JsonObject:
    return _string(_HTTP_URL, "Use an absolute http or https URL, like https://example.org/news/.")


def _wikidata(_: Field) -> JsonObject:
    return _string(_WIKIDATA, "Q followed by digits, like Q7747.")


def _coordinates(_: Field) -> JsonObject:
    return {
        "type": "array",
        "minItems": 2,
        "maxItems": 2,
        "prefixItems": [
            {"type": "number", "minimum": -90, "maximum": 90, "description": "Latitude"},
            {"type": "number", "minimum": -180, "maximum": 180, "description": "Longitude"},
        ],
        # Draft-07 readers ignore prefixItems; this still holds them to numbers.
        "items": {"type": "number"},
    }


def _bool(_: Field) -> JsonObject:
    return {"type": "boolean"}


def _entry_kind(_: Field) -> JsonObject:
    return {"type": "string", "enum": list(ENTRY_KINDS)}


def _count(_: Field) -> JsonObject:
    return {"type": "integer", "minimum": 0}


def _records(field: Field) -> JsonObject:
    assert field.record is not None, f"field {field.name} lists records but names none"
    return {"type": "array", "items": definition_ref(field.record)}


_FRAGMENTS: dict[FieldType, Callable[[Field], JsonObject]] = {
    FieldType.TEXT: _text,
    FieldType.MARKDOWN: _markdown,
    FieldType.DATE: _date,
    FieldType.PARTIAL_DATE: _partial_date,
    FieldType.ID: _identifier,
    FieldType.ID_LIST: _id_list,
    FieldType.TEXT_LIST: _text_list,
    FieldType.SOURCE: _source,
    FieldType.URL: _url,
    FieldType.WIKIDATA: _wikidata,
    FieldType.COORDINATES: _coordinates,
    FieldType.BOOL: _bool,
    FieldType.ENTRY_KIND: _entry_kind,
    FieldType.COUNT: _count,
    FieldType.RECORDS: _records,
}


__all__ = [
    "DIALECT",
    "SCHEMA_FILES",
    "SchemaFile",
    "definition_name",
    "field_schema",
    "file_schema",
    "record_schema",
    "render_schema",
    "schema_documents",
    "write_schemas",
]
