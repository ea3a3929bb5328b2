"""Each field type is one declaration: what it reads, its JSON Schema, its label and
note in the handbook. Here every type has all four, and on sample values its
schema accepts exactly what the builder accepts."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from builder.content import schema as schema_module
from builder.content.field_types import (
    BOOL,
    COORDINATES,
    CORRECTION_KIND,
    DATE,
    DAYS,
    EMAIL,
    ENTRY_KIND,
    FIELD_TYPES,
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
from builder.content.fields import Field, FieldType, Record
from builder.content.text_types import TextType
from tests.content.schema_probe import judge

FACTS = RecordListType(schema_module.FACT)
IMAGE = RecordType(schema_module.IMAGE)

# (type, YAML as an editor writes it after `value: `, accepted). Only values both
# sides judge alike: tests/content/test_jsonschema.py marks those they cannot.
SAMPLES: list[tuple[FieldType[Any], str, bool]] = [
    (TEXT, "Kim Jong Un", True),
    (TEXT, '"NO"', True),
    (TEXT, '"Tre\\u200daty"', True),
    (TEXT, "NO", False),
    (TEXT, "017", False),
    (TEXT, "[Kim, Jong]", False),
    (TEXT, '"Kim\\x01Jong"', False),
    (MATCHED_TEXT, "Kim Jong Un", True),
    (MATCHED_TEXT, '"Kim\\u200bJong"', False),
    (MARKDOWN, "'*Kim* met [Putin](https://example.org/)'", True),
    (MARKDOWN, "on", False),
    (DATE, "2023-09-15", True),
    (DATE, '"2023-09-15"', True),
    (DATE, "2023-9-15", False),
    (DATE, "2023-02-30", False),
    (DATE, "15 September 2023", False),
    (PUBLISH_TIME, "2023-09-15", True),
    (PUBLISH_TIME, '"2023-09-15T10:00"', True),
    (PUBLISH_TIME, '"2023-09-15T10:00:05+10:00"', True),
    (PUBLISH_TIME, '"2023-09-15T01:00Z"', True),
    (PUBLISH_TIME, '"2023-09-15 10:00"', False),
    (PUBLISH_TIME, '"2023-09-15T24:00"', False),
    (PUBLISH_TIME, '"2023-09-15T10:60"', False),
    (PUBLISH_TIME, '"2023-09-15T10:00+25:00"', False),
    (PUBLISH_TIME, '"2023-09-15T10:00:00.5Z"', False),
    (PUBLISH_TIME, "15 September 2023", False),
    (PARTIAL_DATE, "2000", True),
    (PARTIAL_DATE, "2000-07", True),
    (PARTIAL_DATE, '"2000-07-19"', True),
    (PARTIAL_DATE, "07-2000", False),
    (PARTIAL_DATE, "2000-13", False),
    (ID, "kim-jong-un", True),
    (ID, "Kim", False),
    (ID, "kim--jong-un", False),
    (ID_LIST, "[vladimir-putin, pyongyang]", True),
    (ID_LIST, "vladimir-putin", False),
    (ID_LIST, "[Vladimir Putin]", False),
    (TEXT_LIST, "[Putin, Russian president]", True),
    (TEXT_LIST, "Putin", False),
    (TEXT_LIST, "[on]", False),
    (MATCHED_TEXT_LIST, "[Putin]", True),
    (MATCHED_TEXT_LIST, '["Pu\\u2066tin"]', False),
    (SOURCE, "https://example.org/", True),
    (SOURCE, "mailto:desk@example.org", True),
    (SOURCE, "Kremlin statement, 14 September 2023", True),
    (SOURCE, '"javascript:alert(1)"', False),
    (URL, "https://example.org/news/", True),
    (URL, "example.org/news/", False),
    (URL, "ftp://example.org/", False),
    (URL, "https://example.org:8080/news/", True),
    (URL, "https://example.org/n%C3%A9ws/", True),
    (URL, '"https://example.org/a b/"', False),
    (URL, """'https://exa"mple.org/'""", False),
    (URL, '"https://example.org/?page=1"', False),
    (URL, "https://example.org:port/", False),
    (URL, "https://example.org:65000/", True),
    (LINK, "https://example.org/people/kim", True),
    (LINK, "www.example.org/people/kim", False),
    (EMAIL, "desk@example.org", True),
    (EMAIL, "kim.min-ji+news@mail.example.co.kr", True),
    (EMAIL, "desk@example", False),
    (EMAIL, "mailto:desk@example.org", False),
    (EMAIL, "Kim Min-ji <desk@example.org>", False),
    (EMAIL, "desk at example.org", False),
    (WIKIDATA, "Q7747", True),
    (WIKIDATA, "q7747", False),
    (WIKIDATA, "7747", False),
    (COORDINATES, "[51.88, 128.33]", True),
    (COORDINATES, "[52, -128]", True),
    (COORDINATES, "[91, 0]", False),
    (COORDINATES, "[51.88]", False),
    (COORDINATES, '["51", "128"]', False),
    (BOOL, "true", True),
    (BOOL, "false", True),
    (BOOL, '"no"', False),
    (BOOL, "1", False),
    (ENTRY_KIND, "person", True),
    (ENTRY_KIND, "place", True),
    (ENTRY_KIND, "Person", False),
    (DAYS, "365", True),
    (DAYS, "0", False),
    (DAYS, "-5", False),
    (DAYS, '"365"', False),
    (DAYS, "1000000000", False),
    (FILE_BYTES, "1000000", True),
    (FILE_BYTES, "5", False),
    (LANGUAGE, "en", True),
    (LANGUAGE, "en-GB", True),
    (LANGUAGE, "pt-BR", True),
    (LANGUAGE, "zh-Hant-TW", True),
    (LANGUAGE, "../../../../x", False),
    (LANGUAGE, "english", False),
    (LANGUAGE, "en_GB", False),
    (CORRECTION_KIND, "correction", True),
    (CORRECTION_KIND, "clarification", True),
    (CORRECTION_KIND, "erratum", False),
    (TIME_ZONE, "Asia/Seoul", True),
    (TIME_ZONE, "UTC", True),
    (TIME_ZONE, "America/Argentina/Buenos_Aires", True),
    (TIME_ZONE, "Asia/Seoul Korea", False),
    (FACTS, "[{label: Born, value: 7 October 1952}]", True),
    (FACTS, "{label: Born, value: 7 October 1952}", False),
    (FACTS, "[{label: Born}]", False),
    (FACTS, "[{label: Born, value: x, note: y}]", False),
    (IMAGE, "{src: handshake.jpg, alt: Putin and Kim shake hands, credit: Jane Doe}", True),
    (IMAGE, '{src: rule.png, alt: "", credit: Desk, decorative: true}', True),
    (IMAGE, "handshake.jpg", False),
    (IMAGE, "[{src: handshake.jpg, alt: Handshake, credit: Jane Doe}]", False),
    (IMAGE, "{src: handshake.jpg, alt: Handshake}", False),
    (IMAGE, "{src: handshake.jpg, alt: Handshake, credit: Jane Doe, size: 3}", False),
]


@pytest.mark.parametrize(
    ("field_type", "written", "accepted"),
    SAMPLES,
    ids=[f"{type(t).__name__}: {written}" for t, written, _ in SAMPLES],
)
def test_the_schema_accepts_what_the_builder_reads(
    field_type: FieldType[Any], written: str, accepted: bool
) -> None:
    assert judge(field_type, written) == (accepted, accepted)


def subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for subclass in list(found):
        found |= subclasses(subclass)
    return found


def test_every_type_is_listed_once_for_the_handbook() -> None:
    assert len(set(FIELD_TYPES)) == len(FIELD_TYPES)
    assert set(FIELD_TYPES) == subclasses(FieldType)


def test_every_type_has_a_label_a_note_and_samples() -> None:
    sampled = {type(field_type) for field_type, _, _ in SAMPLES}
    labels = [field_type.label for field_type in FIELD_TYPES]
    assert len(set(labels)) == len(labels)
    for field_type in FIELD_TYPES:
        assert field_type.label, field_type
        assert field_type.note.endswith("."), field_type
        assert field_type in sampled, field_type
        verdicts = {ok for t, _, ok in SAMPLES if type(t) is field_type}
        assert verdicts == {True, False}, field_type


@pytest.mark.parametrize("required", [True, False])
@pytest.mark.parametrize("field_type", sorted({t for t, _, _ in SAMPLES}, key=repr), ids=repr)
def test_every_type_has_a_valid_schema_fragment(field_type: FieldType[Any], required: bool) -> None:
    fragment = field_type.json_schema(Field("probe", field_type, "", required=required))
    jsonschema.Draft202012Validator.check_schema(fragment)
    assert fragment


def declared_records() -> list[Record]:
    return [value for value in vars(schema_module).values() if isinstance(value, Record)]


def test_every_declared_field_has_a_listed_type() -> None:
    for record in declared_records():
        for field in record.fields:
            assert type(field.type) in FIELD_TYPES, (record.name, field.name)


def matched_in_articles(field_type: FieldType[Any]) -> bool:
    item_type = getattr(field_type, "item_type", field_type)
    return isinstance(item_type, TextType) and item_type.matched_in_articles


def test_only_names_aliases_and_ids_refuse_invisible_characters() -> None:
    # They are matched in article bodies, where an invisible character would make
    # a name that looks right match nothing; elsewhere joiners are legitimate.
    refusing = {
        field.name
        for record in declared_records()
        for field in record.fields
        if matched_in_articles(field.type)
    }
    assert refusing == {"id", "name", "aliases", "ref", "mentions", "authors"}


def test_a_record_finds_its_fields_by_name() -> None:
    for record in declared_records():
        for field in record.fields:
            assert record.field(field.name) is field
        for name in ("nme", "", "ref ", "Name"):
            assert record.field(name) is None
