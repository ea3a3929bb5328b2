"""A YAML loader that keeps the position of every key and value.

It builds a small tree from the parser's events (libyaml's C parser where
present), so that validation can point at the offending line. It refuses what
sidecars never need and what can hurt: tags, anchors and aliases (so no alias
bomb can expand), duplicate keys and more than one document.
"""

from __future__ import annotations

from typing import NamedTuple

import yaml

from builder.diagnostics import Position, Report

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader

_TAG_PREFIX = "tag:yaml.org,2002:"
# The tag of a value already reported as refused (an alias, a tagged value):
# validation passes over it rather than report it a second time.
REFUSED = "refused"


class YamlScalar(NamedTuple):
    """A scalar. The nodes are named tuples, not dataclasses, for the reason
    Position is: a file has many of them, and tuples are several times cheaper
    to make."""

    value: str
    tag: str  # what YAML 1.1 would make of it: str, bool, int, float, null, timestamp
    quoted: bool  # written in quotes or as a block, so always text
    position: Position

    # Equality compares the kind of node too, as it did for dataclasses: a
    # mapping is never equal to a list, nor a node to a plain tuple.
    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and tuple.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other


class YamlSequence(NamedTuple):
    items: tuple[YamlNode, ...]
    position: Position

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and tuple.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other


class YamlMapping(NamedTuple):
    entries: tuple[tuple[YamlScalar, YamlNode], ...]
    position: Position

    def keys(self) -> list[str]:
        return [key.value for key, _ in self.entries]

    def get(self, key: str) -> YamlNode | None:
        for name, value in self.entries:
            if name.value == key:
                return value
        return None

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and tuple.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other


YamlNode = YamlScalar | YamlSequence | YamlMapping


def describe(node: YamlNode) -> str:
    if isinstance(node, YamlMapping):
        return "a mapping"
    if isinstance(node, YamlSequence):
        return "a list"
    if node.quoted or node.tag == "str":
        return "text"
    names = {
        "null": "empty",
        "bool": "a yes/no value",
        "timestamp": "a date",
        "int": "a number",
        "float": "a number",
    }
    return names.get(node.tag, f"a {node.tag} value")


def parse_yaml(text: str, path: str, report: Report, line_offset: int = 0) -> YamlNode | None:
    """Parse one YAML document; None when it is empty or broken (reported)."""
    loader = _Loader(text)
    builder = _TreeBuilder(loader, path, report, line_offset)
    try:
        return builder.document()
    except yaml.MarkedYAMLError as problem:
        mark = problem.problem_mark or problem.context_mark
        line = (mark.line + 1 + line_offset) if mark is not None else 1
        col = (mark.column + 1) if mark is not None else 1
        message = problem.problem or problem.context or "invalid YAML"
        report.error(Position(path, line, col), f"invalid YAML: {message}")
    except yaml.YAMLError as problem:
        first_line = str(problem).splitlines()[0] if str(problem) else "unreadable"
        report.error(Position(path, 1 + line_offset, 1), f"invalid YAML: {first_line}")
    finally:
        loader.dispose()
    return None


class _TreeBuilder:
    def __init__(self, loader: yaml.SafeLoader, path: str, report: Report, offset: int) -> None:
        self.loader = loader
        self.path = path
        self.report = report
        self.offset = offset

    def position(self, event: yaml.Event) -> Position:
        mark = event.start_mark
        if mark is None:
            return Position(self.path, 1 + self.offset, 1)
        return Position(self.path, mark.line + 1 + self.offset, mark.column + 1)

    def document(self) -> YamlNode | None:
        self.loader.get_event()  # StreamStart
        if self.loader.check_event(yaml.StreamEndEvent):
            return None
        self.loader.get_event()  # DocumentStart
        root = self.node()
        self.loader.get_event()  # DocumentEnd
        if not self.loader.check_event(yaml.StreamEndEvent):
            extra = self.loader.peek_event()
            self.report.error(self.position(extra), "only one YAML document is allowed per file")
            return None
        if isinstance(root, YamlScalar) and root.tag == "null" and not root.quoted:
            return None
        return root

    def node(self) -> YamlNode:
        event = self.loader.get_event()
        where = self.position(event)
        if isinstance(event, yaml.AliasEvent):
            self.report.error(
                where, "YAML aliases (*name) are not allowed; write the value out in full"
            )
            return YamlScalar("", REFUSED, False, where)
        refused = self.refuse_anchor_and_tag(event, where)
        if isinstance(event, yaml.ScalarEvent):
            scalar = self.scalar(event, where)
            return YamlScalar(scalar.value, REFUSED, False, where) if refused else scalar
        if isinstance(event, yaml.SequenceStartEvent):
            items: list[YamlNode] = []
            while not self.loader.check_event(yaml.SequenceEndEvent):
                items.append(self.node())
            self.loader.get_event()
            return YamlSequence(tuple(items), where)
        return self.mapping(where)

    def refuse_anchor_and_tag(self, event: yaml.NodeEvent, where: Position) -> bool:
        """Report an anchor or a tag; True when the value carries a tag (already reported)."""
        if event.anchor is not None:
            self.report.error(
                where, f"YAML anchors (&{event.anchor}) are not allowed; write the value out"
            )
        tag = getattr(event, "tag", None)
        if tag is not None and tag != "!":
            self.report.error(
                where, f"YAML tags ({tag}) are not allowed; quote the value if it is text"
            )
            return True
        return False

    def scalar(self, event: yaml.ScalarEvent, where: Position) -> YamlScalar:
        quoted = bool(event.style)  # libyaml says '' for plain, PyYAML None
        if quoted:
            tag = "str"
        else:
            resolved = self.loader.resolve(yaml.ScalarNode, event.value, (True, False))
            tag = resolved.removeprefix(_TAG_PREFIX)
        return YamlScalar(event.value, tag, quoted, where)

    def mapping(self, where: Position) -> YamlMapping:
        entries: list[tuple[YamlScalar, YamlNode]] = []
        seen: dict[str, Position] = {}
        while not self.loader.check_event(yaml.MappingEndEvent):
            key = self.node()
            value = self.node()
            if not isinstance(key, YamlScalar):
                self.report.error(key.position, "a key must be a plain name, not a list or mapping")
                continue
            if key.value in seen:
                first = seen[key.value]
                self.report.error(
                    key.position,
                    f"duplicate key '{key.value}' (first at line {first.line}); remove one of them",
                )
                continue
            seen[key.value] = key.position
            entries.append((key, value))
        self.loader.get_event()
        return YamlMapping(tuple(entries), where)
