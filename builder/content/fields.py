"""What a declaration is made of: records of fields, each field of a type.

A type (builder/content/field_types.py and text_types.py) holds in one place
all there is to say about one kind of field: how a YAML node is read into its
value, its JSON Schema fragment, and its label and note in the handbook. A
Field gives a type a name, a description and whether it is required; a Record
is a mapping of fields. builder/content/schema.py declares every record with
these.
"""

from __future__ import annotations

import dataclasses
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from builder.content.yamltree import YamlNode
from builder.core.diagnostics import Report

JsonObject = dict[str, Any]
Value = TypeVar("Value", covariant=True)


class FieldType(ABC, Generic[Value]):
    """The type of a field: text, a date, a list of ids...

    Subclasses are frozen dataclasses, so two types declared alike are equal.
    """

    label: ClassVar[str]  # what the handbook calls the type, in its tables
    note: ClassVar[str]  # what the type accepts, in an editor's words, for the handbook

    @abstractmethod
    def read(self, node: YamlNode, field: Field, report: Report) -> Value | None:
        """The node's value, or None after reporting at the node what is wrong with it.

        validate.read_value passes over a value left empty or already refused
        before it asks the type.
        """

    @abstractmethod
    def json_schema(self, field: Field) -> JsonObject:
        """What an editor's YAML language server should accept, as a JSON Schema."""

    @property
    def record(self) -> Record | None:
        """The record each item is, for a list of records."""
        return None


@dataclass(frozen=True)
class Field:
    name: str
    type: FieldType[Any]
    description: str
    required: bool = False

    @property
    def record(self) -> Record | None:
        """The record each item is, for a list of records; else None."""
        return self.type.record


@dataclass(frozen=True)
class Record:
    name: str
    description: str
    fields: tuple[Field, ...]
    # A dictionary rather than a search of fields: read_record looks up every
    # key of every file here.
    by_name: dict[str, Field] = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {f.name: f for f in self.fields})

    def field(self, name: str) -> Field | None:
        return self.by_name.get(name)

    def names(self) -> list[str]:
        return [f.name for f in self.fields]


def definition_name(record: Record) -> str:
    """The key of a record under a JSON Schema's $defs, and its anchor in the handbook:
    its name, lower-case, words joined by hyphens."""
    return "-".join(re.findall(r"[a-z0-9]+", record.name.lower()))


def definition_ref(record: Record) -> JsonObject:
    """A JSON Schema that refers to the record's schema under $defs."""
    return {"$ref": f"#/$defs/{definition_name(record)}"}


__all__ = [
    "Field",
    "FieldType",
    "JsonObject",
    "Record",
    "definition_name",
    "definition_ref",
]
