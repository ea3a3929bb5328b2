"""One field judged twice: by its JSON Schema, as an editor's YAML language
server applies it, and by the builder's own reading of the same YAML."""

from __future__ import annotations

from typing import Any

import jsonschema
import yaml

from builder.content.fields import Field, FieldType, JsonObject, Record, definition_name
from builder.content.jsonschema import record_schema
from builder.content.validate import read_record
from builder.content.yamltree import parse_yaml
from builder.core.diagnostics import Report


class EditorLoader(yaml.SafeLoader):
    """YAML as VS Code's YAML extension reads it with `yaml.yamlVersion: "1.1"`.

    YAML 1.1 booleans and numbers (`NO`, `on`, `017`, `1:30`) are read as the
    builder reads them, but a bare date stays the text it was written as: the
    language server turns a timestamp back into its source text.
    """


EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if not tag.endswith(":timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def editor_load(text: str) -> Any:
    return yaml.load(text, Loader=EditorLoader)


def validator_for(schema: JsonObject) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def judge(field_type: FieldType[Any], written: str) -> tuple[bool, bool]:
    """(schema accepts, builder accepts) for `value: WRITTEN`, the required field of a
    one-field record; `written` is YAML, as an editor types it after the colon."""
    field = Field("value", field_type, "", required=True)
    record = Record("probe", "", (field,))
    schema = record_schema(record)
    if field.record is not None:  # the fragment refers to the item record by $ref
        schema["$defs"] = {definition_name(field.record): record_schema(field.record)}
    text = f"value: {written}\n"
    report = Report()
    node = parse_yaml(text, "probe.yaml", report)
    assert node is not None, text
    read_record(node, record, report)
    return validator_for(schema).is_valid(editor_load(text)), not report.has_errors
