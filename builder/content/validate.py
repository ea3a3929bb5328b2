"""Checking YAML trees against the schema and turning them into model values.

Each converter reads one node, reports what is wrong with it at the node's
own position, and returns None for a value it could not use, so that one run
finds every problem.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from builder.content.model import ENTRY_KINDS, Entry, Fact, PartialDate
from builder.content.schema import FACT, Field, FieldType, Record
from builder.content.yamltree import (
    REFUSED,
    YamlMapping,
    YamlNode,
    YamlScalar,
    YamlSequence,
    describe,
)
from builder.core.diagnostics import Position, Report, did_you_mean
from builder.text.url_policy import SAFE_SCHEMES, unsafe_urls_in_inline

ID_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
# [0-9], not \d: \d would accept digits of every script, "٢٠٢٣" included.
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_PARTIAL_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
_DECIMAL = re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?")
_WIKIDATA = re.compile(r"Q[1-9][0-9]*")
# A scheme followed at once by more of the URL; "Reuters: report" is plain text.
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:(?=\S)")
# Zero-width and bidirectional controls: invisible, and able to make two
# different ids or names look the same.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u061c]")
# Fields whose text is matched in articles: there an invisible character would
# make a name that looks right match nothing. Elsewhere joiners are legitimate
# (Persian, emoji), so the contract refuses them only in ids, names and aliases.
MATCHED_FIELDS = ("name", "aliases")
# Control characters (but tab and newline) and non-characters: invalid in HTML
# and XML, so a feed containing one would not parse.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")


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
        spec = _field_named(record, name)
        if spec is None:
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
        values[name] = convert(value, spec, report)
    for spec in record.fields:
        if spec.required and spec.name not in positions:
            report.error(node.position, f"{record.name} is missing required field '{spec.name}'")
    return FieldValues(node.position, values, positions, nodes)


def _field_named(record: Record, name: str) -> Field | None:
    """record.field(name), in a plain loop: it runs for every key of every file."""
    for spec in record.fields:
        if spec.name == name:
            return spec
    return None


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


def convert(node: YamlNode, spec: Field, report: Report) -> Any:
    if isinstance(node, YamlScalar):
        if node.tag == REFUSED:
            return None
        if node.tag == "null" and not node.quoted:
            if spec.required:
                report.error(node.position, f"'{spec.name}' is empty; give it a value")
            return None
    return _CONVERTERS[spec.type](node, spec, report)


def _text(node: YamlNode, spec: Field, report: Report) -> str | None:
    if not isinstance(node, YamlScalar):
        report.error(node.position, f"'{spec.name}' must be text, found {describe(node)}")
        return None
    if not node.quoted and node.tag != "str":
        report.error(
            node.position,
            f"'{spec.name}' must be text, but YAML reads {node.value} as {describe(node)}; "
            f'put it in quotes: "{node.value}"',
        )
        return None
    text = node.value.strip()
    # Every character CONTROL finds is unprintable: most text needs no search.
    control = None if text.isprintable() else CONTROL.search(text)
    if control is not None:
        report.error(
            node.position,
            f"'{spec.name}' contains the control character U+{ord(control.group()):04X}; remove it",
        )
        return None
    if not text and spec.required:
        report.error(node.position, f"'{spec.name}' is empty; give it a value")
        return None
    return text


def _markdown(node: YamlNode, spec: Field, report: Report) -> str | None:
    text = _text(node, spec, report)
    for url in unsafe_urls_in_inline(text or ""):
        report.error(
            node.position,
            f"'{spec.name}' links to '{url}', which is not allowed; "
            "use an http, https, mailto or relative URL",
        )
    return text


def _name(node: YamlNode, spec: Field, report: Report) -> str | None:
    text = _text(node, spec, report)
    if text is None or text.isascii():  # every character _INVISIBLE finds is beyond ASCII
        return text
    matched = spec.name.split(" ")[0] in MATCHED_FIELDS or spec.type is FieldType.ID
    if matched and _INVISIBLE.search(text):
        char = _INVISIBLE.search(text).group()  # type: ignore[union-attr]
        report.error(
            node.position,
            f"'{spec.name}' contains the invisible control character U+{ord(char):04X}; remove it",
        )
        return None
    return text


def _identifier(node: YamlNode, spec: Field, report: Report) -> str | None:
    text = _name(node, spec, report)
    if text is None:
        return None
    if not ID_PATTERN.fullmatch(text):
        report.error(
            node.position,
            f"'{text}' is not a valid id: use lower-case ASCII letters and digits joined by "
            f"single hyphens, like '{slugify(text) or 'kim-jong-un'}'",
        )
        return None
    return text


def _date(node: YamlNode, spec: Field, report: Report) -> date | None:
    text = node.value if isinstance(node, YamlScalar) else ""
    match = _DATE.fullmatch(text)
    try:
        if match:
            return date(*(int(part) for part in match.groups()))
    except ValueError:
        report.error(node.position, f"'{spec.name}': {text} is not a real date")
        return None
    report.error(
        node.position,
        f"'{spec.name}' must be a date written YYYY-MM-DD, like 2023-09-15; found "
        + (f"'{text}'" if text else describe(node)),
    )
    return None


def _partial_date(node: YamlNode, spec: Field, report: Report) -> PartialDate | None:
    text = node.value if isinstance(node, YamlScalar) else ""
    match = _PARTIAL_DATE.fullmatch(text)
    if match is None:
        report.error(
            node.position,
            f"'{spec.name}' must be a date written YYYY, YYYY-MM or YYYY-MM-DD, like 2000-07; "
            "found " + (f"'{text}'" if text else describe(node)),
        )
        return None
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        date(year or 1, month or 1, day or 1)
        if year == 0:
            raise ValueError
    except ValueError:
        report.error(node.position, f"'{spec.name}': {text} is not a real date")
        return None
    return PartialDate(year or 0, month, day)


def _text_list(node: YamlNode, spec: Field, report: Report) -> tuple[str, ...] | None:
    if not isinstance(node, YamlSequence):
        report.error(
            node.position,
            f"'{spec.name}' must be a list, like [first, second]; found {describe(node)}",
        )
        return None
    item_spec = Field(f"{spec.name} item", FieldType.TEXT, "", required=True)
    items = [convert(item, item_spec, report) for item in node.items]
    return tuple(item for item in items if item is not None)


def _id_list(node: YamlNode, spec: Field, report: Report) -> tuple[tuple[str, Position], ...]:
    if not isinstance(node, YamlSequence):
        report.error(
            node.position,
            f"'{spec.name}' must be a list of ids, like [vladimir-putin]; found {describe(node)}",
        )
        return ()
    item_spec = Field(f"{spec.name} item", FieldType.ID, "", required=True)
    found = [(_identifier(item, item_spec, report), item.position) for item in node.items]
    return tuple((value, where) for value, where in found if value is not None)


def _source(node: YamlNode, spec: Field, report: Report) -> str | None:
    text = _text(node, spec, report)
    if text is not None and _SCHEME.match(text):
        scheme = text.split(":", 1)[0].lower()
        if scheme not in SAFE_SCHEMES:
            report.error(
                node.position,
                f"'{spec.name}': the {scheme}: scheme is not allowed; "
                "use an http, https or mailto URL, or plain text",
            )
            return None
    return text


def _url(node: YamlNode, spec: Field, report: Report) -> str | None:
    text = _text(node, spec, report)
    if text is None:
        return None
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        report.error(
            node.position,
            f"'{spec.name}' must be an absolute http or https URL, like https://example.org/news/",
        )
        return None
    return text if text.endswith("/") else text + "/"


def _wikidata(node: YamlNode, spec: Field, report: Report) -> str | None:
    text = _text(node, spec, report)
    if text is not None and not _WIKIDATA.fullmatch(text):
        report.error(
            node.position, f"'{spec.name}' must be Q followed by digits, like Q7747; found '{text}'"
        )
        return None
    return text


def _coordinates(node: YamlNode, spec: Field, report: Report) -> tuple[float, float] | None:
    numbers = []
    if isinstance(node, YamlSequence) and len(node.items) == 2:
        for item in node.items:
            if isinstance(item, YamlScalar) and not item.quoted and _DECIMAL.fullmatch(item.value):
                numbers.append(float(item.value))
    if len(numbers) != 2:
        report.error(
            node.position,
            f"'{spec.name}' must be [latitude, longitude] in degrees, like [51.88, 128.33]",
        )
        return None
    latitude, longitude = numbers
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        report.error(
            node.position, f"'{spec.name}': latitude must be within ±90 and longitude within ±180"
        )
        return None
    return (latitude, longitude)


def _bool(node: YamlNode, spec: Field, report: Report) -> bool | None:
    if isinstance(node, YamlScalar) and not node.quoted and node.value in ("true", "false"):
        return node.value == "true"
    report.error(node.position, f"'{spec.name}' must be true or false")
    return None


def _entry_kind(node: YamlNode, spec: Field, report: Report) -> str | None:
    text = _text(node, spec, report)
    if text is not None and text not in ENTRY_KINDS:
        report.error(
            node.position,
            f"'{text}' is not a kind; use one of "
            + ", ".join(ENTRY_KINDS)
            + did_you_mean(text, ENTRY_KINDS),
        )
        return None
    return text


def _count(node: YamlNode, spec: Field, report: Report) -> int | None:
    if isinstance(node, YamlScalar) and not node.quoted and re.fullmatch(r"[0-9]+", node.value):
        return int(node.value)
    report.error(node.position, f"'{spec.name}' must be a whole number, like 365")
    return None


def _records(node: YamlNode, spec: Field, report: Report) -> tuple[FieldValues, ...]:
    assert spec.record is not None
    items = read_list(node, f"{spec.record.name}s", report)
    found = (read_record(item, spec.record, report) for item in items)
    return tuple(item for item in found if item is not None)


_CONVERTERS = {
    FieldType.TEXT: _name,
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


def with_article(noun: str) -> str:
    """ "an entry", "a reference": the indefinite article a noun takes."""
    return f"an {noun}" if noun[:1].lower() in "aeiou" else f"a {noun}"


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


def entry_from(fields: FieldValues, default_kind: str, report: Report) -> Entry | None:
    """An Entry from checked fields; None when its name or id is unusable."""
    name = fields.get("name")
    if not name:
        return None
    entry_id = fields.get("id")
    if entry_id is None and "id" not in fields.positions:
        entry_id = slugify(name)
        if not entry_id:
            report.error(
                fields.where("name"),
                f"'{name}' has no ASCII letters or digits to make an id from; add an explicit id",
            )
            return None
    if entry_id is None:
        node = fields.nodes.get("id")
        if isinstance(node, YamlScalar) and node.tag == "null" and not node.quoted:
            report.error(
                node.position,
                "'id' is empty; give the id, or remove the line to use the slug of the name",
            )
        return None
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
    )


__all__ = ["FACT", "FieldValues", "entry_from", "read_list", "read_record", "slugify"]
