"""A YAML loader that keeps the position of every key and value.

It builds a small tree from libyaml's parser (PyYAML's pure-Python parser
where libyaml is missing), so that validation can point at the offending line.
It refuses what sidecars never need and what can hurt: tags, anchors and
aliases (so no alias bomb can expand), duplicate keys and more than one
document.

Two ways lead to the same tree. Most files take the quick one: libyaml's own
composer builds the nodes in C and they are copied into the tree. A file the
quick way cannot vouch for (it may hold an anchor, alias or tag, or turns out
to be broken, nested deep or to repeat a key) takes the careful one, which
walks the parser's events and reports each problem at its line and column.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import yaml

from builder.content import yaml_errors
from builder.content.yaml_errors import INVALID_YAML
from builder.core.diagnostics import Position, Report

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
    try:
        tree = parse_quickly(text, path, line_offset)
    except UnusualYaml:
        tree = parse_carefully(text, path, report, line_offset)
    if tree is not None and _MAY_DROP_TEXT.search(text):
        _report_dropped_text(text, path, report, line_offset)
    return tree


# " #" after a value starts a YAML comment, which drops the rest of the line:
# "Delivered letter #2 from Kim" publishes "Delivered letter". A comment an
# editor means has a space after the "#"; text that is lost usually does not.
_MAY_DROP_TEXT = re.compile(r"[ \t]#[^\s#]")


def _report_dropped_text(text: str, path: str, report: Report, line_offset: int) -> None:
    """Warn where an unquoted value runs into ' #' and loses the rest of its line."""
    lines = text.splitlines()
    for token in yaml.scan(text, Loader=_Loader):
        if not isinstance(token, yaml.ScalarToken) or not token.plain:
            continue
        end = token.end_mark
        rest = lines[end.line][end.column :] if end.line < len(lines) else ""
        dropped = _MAY_DROP_TEXT.match(rest)
        if dropped is None or rest[: dropped.start()].strip():
            continue
        kept = rest.strip()
        report.warning(
            Position(path, end.line + 1 + line_offset, end.column + 1 + dropped.start() + 1),
            f"'{kept}' is read as a YAML comment and dropped, so the value is only "
            f"'{token.value}'; put the whole value in quotes to keep it: "
            f'"{token.value} {kept}"',
        )


def parse_quickly(text: str, path: str, line_offset: int) -> YamlNode | None:
    """The tree of a document the quick way can vouch for; raises UnusualYaml for any other."""
    if _Composer is None or _may_hold_node_property(text):
        raise UnusualYaml("libyaml is missing, or an anchor, alias or tag may be there")
    composer = _Composer(text)
    try:
        root = composer.get_single_node()  # a second document raises
    except yaml.YAMLError as problem:
        raise UnusualYaml("broken YAML") from problem
    if root is None:
        return None
    tree = ComposedTree(path, line_offset, len(text)).node(root, 0)
    if type(tree) is YamlScalar and tree.tag == "null" and not tree.quoted:
        return None
    return tree


def parse_carefully(text: str, path: str, report: Report, line_offset: int) -> YamlNode | None:
    """The tree of any document, event by event, with every problem reported."""
    loader = _Loader(text)
    builder = _TreeBuilder(loader, path, report, line_offset)
    try:
        return builder.document()
    except yaml.MarkedYAMLError as problem:
        cause = yaml_errors.explain(problem, text, line_offset)
        report.error(Position(path, cause.line + 1, cause.col + 1), cause.message)
    except yaml.YAMLError as problem:
        first_line = str(problem).splitlines()[0] if str(problem) else "unreadable"
        report.error(Position(path, 1 + line_offset, 1), f"{INVALID_YAML}{first_line}")
    finally:
        loader.dispose()
    return None


# Where a node may start: at the start of a line (after indentation), or after
# an indicator. Only there can an anchor (&), alias (*) or tag (!) stand;
# elsewhere, as in AT&T, "Wow!", '&' or a *word* inside a sentence, they are
# text. The set is wider than YAML's (any line break, '.', '|', '>') so as to
# err on the careful side. After a closing quote a node cannot start: libyaml
# refuses the document, and the careful way reports it.
_NODE_PROPERTY = re.compile(
    r"(?:^|[-?:,\[\]{}.|>\r\x85\u2028\u2029])[ \t\ufeff]*[&*!]", re.MULTILINE
)


def _may_hold_node_property(text: str) -> bool:
    # The three look-ups are much faster than a search with the pattern, and
    # most files hold none of the characters.
    suspect = "&" in text or "*" in text or "!" in text
    return suspect and _NODE_PROPERTY.search(text) is not None


# Deeper than this, the careful way decides, so that both fail alike when
# Python's recursion limit is reached.
_MAX_QUICK_DEPTH = 100
# The first characters of plain scalars that PyYAML's resolver reads as
# something other than text ("", "~", "n" for null; digits; "t", "o" for
# bools...). Every other plain scalar is text, as the resolver has neither
# resolvers for any first character nor path resolvers (a test checks so).
# Read at import, as PyYAML builds the table when it is imported.
_RESOLVED_FIRST = frozenset(yaml.resolver.Resolver.yaml_implicit_resolvers)


class UnusualYaml(Exception):
    """The quick way met something only the careful way reports correctly."""


_Composer: type[CParser] | None
try:
    from yaml._yaml import CParser

    class _LibyamlComposer(CParser):
        """libyaml's composer, building yaml.Node objects in C.

        It calls three hooks for every node. Here they are built-ins that cost
        next to nothing, where Python methods would cost a call each: the tree
        works out scalars' tags itself (see ComposedTree.scalar), and no path
        resolvers are used. slice and tuple merely accept the arguments,
        resolve(kind, value, implicit), descend_resolver(parent, index) and
        ascend_resolver()."""

        resolve = staticmethod(slice)
        descend_resolver = staticmethod(slice)
        ascend_resolver = staticmethod(tuple)

    _Composer = _LibyamlComposer
except ImportError:  # PyYAML built without libyaml: only the careful way
    _Composer = None


# A named tuple made by tuple.__new__ is the same as one made by calling its
# class, but skips the Python-level __new__ that the call goes through.
_new = tuple.__new__


class ComposedTree:
    """Copies composed yaml.Node objects into the tree, with positions."""

    def __init__(self, path: str, line_offset: int, budget: int) -> None:
        self.path = path
        self.first_line = 1 + line_offset
        self.tags: dict[str, str] = {}  # keys repeat: each plain scalar is resolved once
        # Each item or entry takes at least one character of the text, so more
        # than that many means aliases, which the composer shares rather than
        # copies: the tree would expand them. The check before composing keeps
        # them out; this makes sure an alias bomb cannot go off here anyway.
        self.budget = budget

    def node(self, node: yaml.Node, depth: int) -> YamlNode:
        if type(node) is yaml.ScalarNode:
            return self.scalar(node)
        if depth == _MAX_QUICK_DEPTH:
            raise UnusualYaml("nested too deep")
        self.budget -= len(node.value)
        if self.budget < 0:
            raise UnusualYaml("more items than characters: aliases")
        mark = node.start_mark
        where = _new(Position, (self.path, mark.line + self.first_line, mark.column + 1))
        if type(node) is yaml.SequenceNode:
            items = tuple([self.node(item, depth + 1) for item in node.value])
            return _new(YamlSequence, (items, where))
        entries: dict[str, tuple[YamlScalar, YamlNode]] = {}
        for key, value in node.value:
            if type(key) is not yaml.ScalarNode or key.value in entries:
                raise UnusualYaml("a key that is not a name, or a duplicate key")
            entries[key.value] = (self.scalar(key), self.node(value, depth + 1))
        return _new(YamlMapping, (tuple(entries.values()), where))

    def scalar(self, node: yaml.ScalarNode) -> YamlScalar:
        mark = node.start_mark
        where = _new(Position, (self.path, mark.line + self.first_line, mark.column + 1))
        value: str = node.value
        if node.style:  # quoted, or a block: text
            return _new(YamlScalar, (value, "str", True, where))
        if value[:1] not in _RESOLVED_FIRST:
            return _new(YamlScalar, (value, "str", False, where))
        tag = self.tags.get(value) or self.resolve(value)
        return _new(YamlScalar, (value, tag, False, where))

    def resolve(self, value: str) -> str:
        """What PyYAML's resolver makes of a plain scalar, as the careful way asks it:
        the first of the implicit resolvers for its first character that matches,
        else text (see _RESOLVED_FIRST)."""
        tag = "str"
        for resolved, pattern in yaml.resolver.Resolver.yaml_implicit_resolvers[value[:1]]:
            if pattern.match(value):
                tag = resolved.removeprefix(_TAG_PREFIX)
                break
        self.tags[value] = tag
        return tag


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
