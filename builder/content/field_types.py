"""Every type of field editors write, each declared once.

A type says how a YAML node is read into its value (reporting what is wrong at
the node), what JSON Schema an editor's language server checks it with, and
its label and note in the handbook's reference: the validator, the schemas and
the handbook all ask the type. The types whose value is text are in
text_types.py; here are dates, lists, numbers and records, and the instance of
each type that builder/content/schema.py gives its fields.

The JSON Schema fragments only use keywords that mean the same in draft-07,
which older editors still speak, and draft 2020-12. They cannot see how a value
was spelled (JSON keeps no quotes to tell `NO` from `"NO"`), so the builder's
own reading stays the judge; tests/content/test_jsonschema.py marks where the
two differ.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, TypeVar

from builder.content.fields import Field, FieldType, JsonObject, Record, definition_ref
from builder.content.model import PartialDate
from builder.content.text_types import (
    CorrectionKindType,
    EmailType,
    EntryKindType,
    IdType,
    LanguageType,
    MarkdownType,
    SourceType,
    TextType,
    TimeZoneType,
    UrlType,
    WikidataType,
    string_schema,
)
from builder.content.times import WRITTEN, TimeError, WrittenTime, parse_time
from builder.content.validate import FieldValues, read_list, read_record, read_value
from builder.content.yamltree import YamlNode, YamlScalar, YamlSequence, describe
from builder.core.diagnostics import Position, Report

# Parts of the JSON Schema patterns of dates.
_YEAR, _MONTH, _DAY = "(?!0000)[0-9]{4}", "(0[1-9]|1[0-2])", "(0[1-9]|[12][0-9]|3[01])"


Value = TypeVar("Value")


def _read_date(
    node: YamlNode,
    field: Field,
    report: Report,
    shape: re.Pattern[str],
    written: str,
    make: Callable[[tuple[str | None, ...]], Value],
) -> Value | None:
    """A date written in this shape, made from its parts; None, reported, for any
    other text, or for parts that make no real date (make raises ValueError)."""
    text = node.value if isinstance(node, YamlScalar) else ""
    match = shape.fullmatch(text)
    if match is None:
        found = f"'{text}'" if text else describe(node)
        message = f"'{field.name}' must be a date written {written}; found {found}"
        report.error(node.position, message)
        return None
    try:
        return make(match.groups())
    except ValueError:
        report.error(node.position, f"'{field.name}': {text} is not a real date")
        return None


def _full_date(parts: tuple[str | None, ...]) -> date:
    return date(*(int(part or "") for part in parts))


def _partial_date(parts: tuple[str | None, ...]) -> PartialDate:
    year, month, day = (int(part) if part else None for part in parts)
    date(year or 1, month or 1, day or 1)  # raises ValueError for no real date
    if year == 0:
        raise ValueError("year 0")
    return PartialDate(year or 0, month, day)


@dataclass(frozen=True)
class DateType(FieldType[date]):
    label = "date (YYYY-MM-DD)"
    note = "A date written `2023-09-15`, bare or in quotes; it must exist."
    # [0-9], not \d: \d would accept digits of every script, "٢٠٢٣" included.
    shape: ClassVar[re.Pattern[str]] = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")

    def read(self, node: YamlNode, field: Field, report: Report) -> date | None:
        written = "YYYY-MM-DD, like 2023-09-15"
        return _read_date(node, field, report, self.shape, written, _full_date)

    def json_schema(self, field: Field) -> JsonObject:
        # The schema cannot know every month's length; the builder says "not a real date".
        return string_schema(
            f"^{_YEAR}-{_MONTH}-{_DAY}$", "Write the date as YYYY-MM-DD, like 2023-09-15."
        ) | {"format": "date"}


@dataclass(frozen=True)
class PublishTimeType(FieldType[WrittenTime]):
    """A day, or a day and a time; the site's time zone makes it an instant when the
    bundle is loaded."""

    label = "date or date and time"
    note = (
        "A day, `2023-09-15`, or a day and a time: `2023-09-15T10:00`, to the minute or the "
        "second, in the site's `timezone`, or with its offset from UTC: "
        "`2023-09-15T10:00:00+10:00`, `2023-09-15T01:00Z`. Bare or in quotes."
    )

    def read(self, node: YamlNode, field: Field, report: Report) -> WrittenTime | None:
        if not isinstance(node, YamlScalar):
            message = f"'{field.name}' must be a date written {WRITTEN}; found {describe(node)}"
            report.error(node.position, message)
            return None
        try:
            return parse_time(node.value.strip())
        except TimeError as problem:
            report.error(node.position, f"'{field.name}'{problem}")
            return None

    def json_schema(self, field: Field) -> JsonObject:
        time = "T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?(Z|[+-][01][0-9]:[0-5][0-9])?"
        message = f"Write it {WRITTEN}."
        # A day alone is a JSON Schema date, which editors check for a real day.
        day = DateType().json_schema(field) | {"patternErrorMessage": message}
        return {"anyOf": [day, string_schema(f"^{_YEAR}-{_MONTH}-{_DAY}{time}$", message)]}


@dataclass(frozen=True)
class PartialDateType(FieldType[PartialDate]):
    label = "date (YYYY, YYYY-MM or YYYY-MM-DD)"
    note = '`2000`, `2000-07` or `2000-07-19`, shown as "2000", "July 2000" or "19 July 2000".'
    shape: ClassVar[re.Pattern[str]] = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")

    def read(self, node: YamlNode, field: Field, report: Report) -> PartialDate | None:
        written = "YYYY, YYYY-MM or YYYY-MM-DD, like 2000-07"
        return _read_date(node, field, report, self.shape, written, _partial_date)

    def json_schema(self, field: Field) -> JsonObject:
        message = "Write the date as YYYY, YYYY-MM or YYYY-MM-DD, like 2000-07."
        return {
            "anyOf": [
                string_schema(f"^{_YEAR}(-{_MONTH})?$", message),
                DateType().json_schema(field),
                # YAML reads a bare year such as 2000 as a number.
                {"type": "integer", "minimum": 1000, "maximum": 9999},
            ]
        }


@dataclass(frozen=True)
class IdListType(FieldType[tuple[tuple[str, Position], ...]]):
    """Each id with where it is written, so that one naming no entry is reported there."""

    label = "list of ids"
    note = "A list of ids: `[vladimir-putin, pyongyang]`."
    item_type: ClassVar[IdType] = IdType()

    def read(
        self, node: YamlNode, field: Field, report: Report
    ) -> tuple[tuple[str, Position], ...]:
        if not isinstance(node, YamlSequence):
            report.error(
                node.position,
                f"'{field.name}' must be a list of ids, like [vladimir-putin]; "
                f"found {describe(node)}",
            )
            return ()
        item = Field(f"{field.name} item", self.item_type, "", required=True)
        found = [(item.type.read(each, item, report), each.position) for each in node.items]
        return tuple((value, where) for value, where in found if value is not None)

    def json_schema(self, field: Field) -> JsonObject:
        return {"type": "array", "items": self.item_type.json_schema(field)}


@dataclass(frozen=True)
class TextListType(FieldType[tuple[str, ...]]):
    label = "list of text"
    note = "A list of text: `[Putin, Russian president]`, or one item per line starting with `- `."
    item_type: TextType

    def read(self, node: YamlNode, field: Field, report: Report) -> tuple[str, ...] | None:
        if not isinstance(node, YamlSequence):
            report.error(
                node.position,
                f"'{field.name}' must be a list, like [first, second]; found {describe(node)}",
            )
            return None
        item = self.item_field(field)
        items = [read_value(each, item, report) for each in node.items]
        return tuple(each for each in items if each is not None)

    def json_schema(self, field: Field) -> JsonObject:
        return {"type": "array", "items": self.item_type.json_schema(self.item_field(field))}

    def item_field(self, field: Field) -> Field:
        """Each item as a required field of its own, named for messages: 'tags item'."""
        return Field(f"{field.name} item", self.item_type, "", required=True)


def _coordinates_problem(latitude: float, longitude: float) -> str | None:
    """Which value is out of range, and whether the two look swapped."""
    if -90 <= latitude <= 90 and -180 <= longitude <= 180:
        return None
    if abs(latitude) > 90:
        problem = f"the latitude (the first number), {latitude:g}, is not within ±90"
    else:
        problem = f"the longitude (the second number), {longitude:g}, is not within ±180"
    if abs(longitude) <= 90 and abs(latitude) <= 180:
        problem += f"; are the two swapped? latitude comes first: [{longitude:g}, {latitude:g}]"
    return problem


@dataclass(frozen=True)
class CoordinatesType(FieldType[tuple[float, float]]):
    label = "[latitude, longitude]"
    note = "Two numbers in degrees, latitude first: `[51.884, 128.334]`."
    number: ClassVar[re.Pattern[str]] = re.compile(
        r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?"
    )

    def read(self, node: YamlNode, field: Field, report: Report) -> tuple[float, float] | None:
        numbers = []
        if isinstance(node, YamlSequence) and len(node.items) == 2:
            for item in node.items:
                if (
                    isinstance(item, YamlScalar)
                    and not item.quoted
                    and self.number.fullmatch(item.value)
                ):
                    numbers.append(float(item.value))
        if len(numbers) != 2:
            report.error(
                node.position,
                f"'{field.name}' must be [latitude, longitude] in degrees, like [51.88, 128.33]",
            )
            return None
        latitude, longitude = numbers
        problem = _coordinates_problem(latitude, longitude)
        if problem:
            report.error(node.position, f"'{field.name}': {problem}")
            return None
        return (latitude, longitude)

    def json_schema(self, field: Field) -> JsonObject:
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


@dataclass(frozen=True)
class BoolType(FieldType[bool]):
    label = "true or false"
    note = "`true` or `false`, written exactly so, without quotes."

    def read(self, node: YamlNode, field: Field, report: Report) -> bool | None:
        if isinstance(node, YamlScalar) and not node.quoted and node.value in ("true", "false"):
            return node.value == "true"
        report.error(node.position, f"'{field.name}' must be true or false")
        return None

    def json_schema(self, field: Field) -> JsonObject:
        return {"type": "boolean"}


@dataclass(frozen=True)
class CountType(FieldType[int]):
    label = "whole number"
    note = "A whole number without quotes: `365`; each field says its range."
    shape: ClassVar[re.Pattern[str]] = re.compile("[0-9]+")
    minimum: int = 0
    maximum: int = 10**9

    def read(self, node: YamlNode, field: Field, report: Report) -> int | None:
        if not (
            isinstance(node, YamlScalar) and not node.quoted and self.shape.fullmatch(node.value)
        ):
            report.error(node.position, f"'{field.name}' must be a whole number, like 365")
            return None
        number = int(node.value)
        if not self.minimum <= number <= self.maximum:
            report.error(
                node.position,
                f"'{field.name}' must be between {self.minimum:,} and {self.maximum:,}; "
                f"it is {number:,}",
            )
            return None
        return number

    def json_schema(self, field: Field) -> JsonObject:
        return {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}


@dataclass(frozen=True)
class RecordListType(FieldType[tuple[FieldValues, ...]]):
    label = "list of records"
    note = "A list of records, each item starting with `- ` and holding the record's fields."
    item_record: Record

    @property
    def record(self) -> Record:
        return self.item_record

    def read(self, node: YamlNode, field: Field, report: Report) -> tuple[FieldValues, ...]:
        items = read_list(node, f"{self.item_record.name}s", report)
        found = (read_record(item, self.item_record, report) for item in items)
        return tuple(item for item in found if item is not None)

    def json_schema(self, field: Field) -> JsonObject:
        return {"type": "array", "items": definition_ref(self.item_record)}


@dataclass(frozen=True)
class RecordType(FieldType[FieldValues]):
    """One record as the value of a field: `image: {src: ..., alt: ...}`."""

    label = "record"
    note = "A mapping of the record's fields, on one line in braces or indented below the key."
    of_record: Record

    @property
    def record(self) -> Record:
        return self.of_record

    def read(self, node: YamlNode, field: Field, report: Report) -> FieldValues | None:
        return read_record(node, self.of_record, report)

    def json_schema(self, field: Field) -> JsonObject:
        return definition_ref(self.of_record)


TEXT = TextType()
# Names and aliases: matched in article bodies.
MATCHED_TEXT = TextType(matched_in_articles=True)
MARKDOWN = MarkdownType()
DATE = DateType()
PUBLISH_TIME = PublishTimeType()
PARTIAL_DATE = PartialDateType()
ID = IdType()
ID_LIST = IdListType()
TEXT_LIST = TextListType(TEXT)
MATCHED_TEXT_LIST = TextListType(MATCHED_TEXT)
SOURCE = SourceType()
URL = UrlType()
LANGUAGE = LanguageType()
# A link to a page about someone, kept as written (no slash added).
LINK = UrlType(folder=False)
EMAIL = EmailType()
WIKIDATA = WikidataType()
COORDINATES = CoordinatesType()
BOOL = BoolType()
ENTRY_KIND = EntryKindType()
DAYS = CountType(minimum=1, maximum=36_500)  # a hundred years
FILE_BYTES = CountType(minimum=100, maximum=1_000_000_000)
CORRECTION_KIND = CorrectionKindType()
TIME_ZONE = TimeZoneType()
LANGUAGE = LanguageType()

# Every type, in the order the handbook's table of types lists them.
FIELD_TYPES: tuple[type[FieldType[Any]], ...] = (
    TextType,
    MarkdownType,
    DateType,
    PublishTimeType,
    PartialDateType,
    IdType,
    IdListType,
    TextListType,
    SourceType,
    UrlType,
    LanguageType,
    EmailType,
    WikidataType,
    CoordinatesType,
    BoolType,
    EntryKindType,
    CorrectionKindType,
    TimeZoneType,
    CountType,
    RecordType,
    RecordListType,
)
