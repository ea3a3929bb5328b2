"""Reading YAML trees against records and turning them into model values.

Each field's kind (builder/content/field_types.py) reads its node, reports what
is wrong with it at the node's own position, and gives None for a value it could
not use, so that one run finds every problem; here the fields of a mapping are
matched to its record, and the values become entries and facts.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from builder.content.fields import Field, Record
from builder.content.model import Author, Entry, Fact, Image
from builder.content.yamltree import (
    REFUSED,
    YamlMapping,
    YamlNode,
    YamlScalar,
    YamlSequence,
    describe,
)
from builder.core.diagnostics import Position, Report, did_you_mean


@dataclass
class FieldValues:
    """The converted values of one mapping, with where each was written."""

    position: Position
    values: dict[str, Any]
    positions: dict[str, Position]
    nodes: dict[str, YamlNode]

    def get(self, name: str, default: Any = None) -> Any:
        value = self.values.get(name)
        return default if value is None else value

    def where(self, name: str) -> Position:
        return self.positions.get(name, self.position)


def read_record(node: YamlNode, record: Record, report: Report) -> FieldValues | None:
    """Check a mapping against a record: unknown, missing and malformed fields."""
    if not isinstance(node, YamlMapping):
        report.error(
            node.position,
            f"expected {with_article(record.name)} (a mapping of fields), found {describe(node)}",
        )
        return None
    values: dict[str, Any] = {}
    positions: dict[str, Position] = {}
    nodes: dict[str, YamlNode] = {}
    for key, value in node.entries:
        name = key.value
        field = record.field(name)
        if field is None:
            report.error(
                key.position,
                f"unknown field '{name}' in {record.name}"
                + (
                    did_you_mean(name, record.names())
                    or "; known fields: " + ", ".join(record.names())
                ),
            )
            continue
        positions[name] = value.position
        nodes[name] = value
        values[name] = read_value(value, field, report)
    for field in record.fields:
        if field.required and field.name not in positions:
            report.error(node.position, f"{record.name} is missing required field '{field.name}'")
    return FieldValues(node.position, values, positions, nodes)


def read_list(node: YamlNode | None, what: str, report: Report) -> tuple[YamlNode, ...]:
    """The items of a file or field that must hold a YAML list."""
    if node is None:
        return ()
    if isinstance(node, YamlSequence):
        return node.items
    report.error(
        node.position,
        f"expected a list of {what} (items starting with '- '), found {describe(node)}",
    )
    return ()


def read_value(node: YamlNode, field: Field, report: Report) -> Any:
    """The field's value from its node, read by the field's kind; None for a value
    left empty (reported when the field is required) or already refused."""
    if isinstance(node, YamlScalar):
        if node.tag == REFUSED:
            return None
        if node.tag == "null" and not node.quoted:
            if field.required:
                report.error(node.position, f"'{field.name}' is empty; give it a value")
            return None
    return field.type.read(node, field, report)


class _Identified(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def position(self) -> Position: ...


_Record = TypeVar("_Record", bound=_Identified)


def index_by_id(
    records: Iterable[_Record], noun: str, advice: str, report: Report
) -> dict[str, _Record]:
    """Every record by id, in id order; an id given twice is an error naming
    both places, ending with `advice`."""
    found: dict[str, _Record] = {}
    for record in sorted(records, key=lambda r: r.position):
        first = found.get(record.id)
        if first is None:
            found[record.id] = record
            continue
        where = first.position
        report.error(
            record.position,
            f"{noun} id '{record.id}' is already given at {where.path}:{where.line}:{where.col}; "
            + advice,
        )
    return dict(sorted(found.items()))


def with_article(noun: str) -> str:
    """ "an entry", "a reference": the indefinite article a noun takes."""
    return f"an {noun}" if noun[:1].lower() in "aeiou" else f"a {noun}"


# Listings slug every story's tags and section on every build: a few hundred
# distinct names, asked for tens of thousands of times.
@functools.lru_cache(maxsize=4096)
def slugify(text: str) -> str:
    """ASCII slug of a name: "Kim Jong-il" -> "kim-jong-il"; empty if no letters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))


def facts_from(records: tuple[FieldValues, ...]) -> tuple[Fact, ...]:
    return tuple(
        Fact(r.get("label"), r.get("value"), r.get("as_of"), r.get("source"), r.position)
        for r in records
        if r.get("label") and r.get("value")
    )


def image_from(fields: FieldValues | None, report: Report) -> Image | None:
    """An Image from checked fields of an `image` record; None when it has no usable src.

    Alt text is what a reader who cannot see the picture gets instead: required,
    and empty exactly when the picture is marked decorative.
    """
    if fields is None or not fields.get("src"):
        return None
    decorative = fields.get("decorative", False)
    alt = fields.get("alt")
    if decorative and alt:
        report.error(
            fields.where("alt"),
            'a decorative picture has no alt text; write alt: "" or remove decorative: true',
        )
    elif not decorative and not alt:
        where = fields.where("alt") if "alt" in fields.positions else fields.position
        report.error(
            where,
            "the picture needs alt text saying what it shows, for readers who cannot see it; "
            'only a picture that adds nothing may be decorative: true with alt: ""',
        )
    return Image(
        src=fields.get("src"),
        alt="" if decorative else (alt or ""),
        credit=fields.get("credit"),
        caption=fields.get("caption"),
        decorative=decorative,
        position=fields.where("src"),
    )


def id_from(fields: FieldValues, report: Report) -> str | None:
    """The record's id, or the slug of its name when it gives none; None when
    neither is usable (reported)."""
    name = fields.get("name")
    if not name:
        return None
    found: str | None = fields.get("id")
    if found is None and "id" not in fields.positions:
        found = slugify(name)
        if not found:
            report.error(
                fields.where("name"),
                f"'{name}' has no ASCII letters or digits to make an id from; add an explicit id",
            )
            return None
    if found is None:
        node = fields.nodes.get("id")
        if isinstance(node, YamlScalar) and node.tag == "null" and not node.quoted:
            report.error(
                node.position,
                "'id' is empty; give the id, or remove the line to use the slug of the name",
            )
    return found


def entry_from(fields: FieldValues, default_kind: str, report: Report) -> Entry | None:
    """An Entry from checked fields; None when its name or id is unusable."""
    entry_id = id_from(fields, report)
    if entry_id is None:
        return None
    name = fields.get("name")
    return Entry(
        id=entry_id,
        name=name,
        kind=fields.get("kind", default_kind),
        aliases=tuple(dict.fromkeys(fields.get("aliases", ()))),
        summary=fields.get("summary"),
        facts=facts_from(fields.get("facts", ())),
        wikidata=fields.get("wikidata"),
        coordinates=fields.get("coordinates"),
        position=fields.position,
        image=image_from(fields.get("image"), report),
        sort_as=fields.get("sort_as"),
    )


def author_from(fields: FieldValues, report: Report) -> Author | None:
    """An Author from checked fields; None when its name or id is unusable."""
    author_id = id_from(fields, report)
    if author_id is None:
        return None
    return Author(
        id=author_id,
        name=fields.get("name"),
        role=fields.get("role"),
        bio=fields.get("bio"),
        url=fields.get("url"),
        email=fields.get("email"),
        position=fields.position,
        image=image_from(fields.get("image"), report),
    )


__all__ = [
    "FieldValues",
    "author_from",
    "entry_from",
    "facts_from",
    "id_from",
    "image_from",
    "read_list",
    "read_record",
    "read_value",
    "slugify",
    "with_article",
]
