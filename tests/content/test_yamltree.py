"""The YAML loader: positions survive, and what sidecars never need is refused
(tags, anchors, aliases, duplicate keys, more than one document, bad syntax)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import event, given, settings
from hypothesis import strategies as st

from builder.content.yamltree import (
    ComposedTree,
    UnusualYaml,
    YamlMapping,
    YamlScalar,
    YamlSequence,
    parse_carefully,
    parse_quickly,
    parse_yaml,
)
from builder.core.diagnostics import Position, Report
from tests.conftest import TERMS, Run

T = TERMS  # every case breaks content/glossary/terms.yaml


ERROR_CASES = [
    pytest.param(
        "- name: Treaty\n  summary: A pact.\n  name: Pact\n",
        [f"{T}:3:3: error: duplicate key 'name' (first at line 1); remove one of them"],
        id="duplicate key names the line of the first",
    ),
    pytest.param(
        "- name: !!str Treaty\n  summary: A pact.\n",
        [
            f"{T}:1:9: error: YAML tags (tag:yaml.org,2002:str) are not allowed; "
            "quote the value if it is text"
        ],
        id="standard YAML tag",
    ),
    pytest.param(
        "- name: !python/object:os.system Treaty\n  summary: A pact.\n",
        [
            f"{T}:1:9: error: YAML tags (!python/object:os.system) are not allowed; "
            "quote the value if it is text"
        ],
        id="custom YAML tag",
    ),
    pytest.param(
        "- name: &name Treaty\n  summary: *name\n",
        [
            f"{T}:1:3: warning: 'Treaty' has no summary; readers of its page and pop-ups will "
            "see only the name",
            f"{T}:1:9: error: YAML anchors (&name) are not allowed; write the value out",
            f"{T}:2:12: error: YAML aliases (*name) are not allowed; write the value out in full",
        ],
        id="anchor and alias",
    ),
    pytest.param(
        'a: &a ["lol", "lol"]\nb: &b [*a, *a]\n',
        [
            f"{T}:1:1: error: expected a list of glossary entries (items starting with '- '), "
            "found a mapping",
            f"{T}:1:4: error: YAML anchors (&a) are not allowed; write the value out",
            f"{T}:2:4: error: YAML anchors (&b) are not allowed; write the value out",
            f"{T}:2:8: error: YAML aliases (*name) are not allowed; write the value out in full",
            f"{T}:2:12: error: YAML aliases (*name) are not allowed; write the value out in full",
        ],
        id="small alias bomb: every anchor and alias",
    ),
    pytest.param(
        "- name: [Treaty\n  summary: A pact.\n",
        [
            f"{T}:1:9: error: invalid YAML: this [ is never closed; end the list with ], and "
            "separate its items with commas (YAML gave up at line 2, column 10)"
        ],
        id="invalid YAML syntax: unclosed list",
    ),
    pytest.param(
        "- name: Treaty\n summary: A pact.\n",
        [
            f"{T}:2:2: error: invalid YAML: this line's indentation (1 space) does not match "
            "the fields of its record, which start after 2 spaces (line 1); line them up"
        ],
        id="invalid YAML syntax: bad indentation",
    ),
    pytest.param(
        "- name: Treaty\n\tsummary: A pact.\n",
        [
            f"{T}:2:1: error: invalid YAML: a tab character in the indentation; YAML indents "
            "with spaces only: replace the tab with spaces"
        ],
        id="invalid YAML syntax: tab indentation",
    ),
    pytest.param(
        "- name: Treaty\n  summary: A pact.\n---\n- name: Pact\n  summary: Another.\n",
        [f"{T}:3:1: error: only one YAML document is allowed per file"],
        id="more than one document",
    ),
    pytest.param(
        "- ? [a, b]\n  : x\n  name: Treaty\n  summary: A pact.\n",
        [f"{T}:1:5: error: a key must be a plain name, not a list or mapping"],
        id="a list as a key",
    ),
]


@pytest.mark.parametrize(("terms", "expected"), ERROR_CASES)
def test_refused_yaml_is_an_error_at_its_line(
    make_site: Callable[..., Path],
    check: Callable[[Path], Run],
    terms: str,
    expected: list[str],
) -> None:
    assert check(make_site({TERMS: terms})).problems == expected


def test_alias_bomb_is_refused_without_being_expanded(
    make_site: Callable[..., Path], check: Callable[[Path], Run]
) -> None:
    # Nine levels of nine aliases: 9**9 strings if anything expanded it.
    levels = ['l0: &l0 "lol"\n']
    levels += [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]\n" for n in range(1, 10)]
    site = make_site({TERMS: "".join(levels)})
    started = time.perf_counter()
    problems = check(site).problems
    assert time.perf_counter() - started < 5
    aliases = [p for p in problems if "YAML aliases (*name) are not allowed" in p]
    anchors = [p for p in problems if "YAML anchors" in p]
    assert (len(aliases), len(anchors), len(problems)) == (81, 10, 92)
    assert problems[-1] == (
        f"{T}:10:50: error: YAML aliases (*name) are not allowed; write the value out in full"
    )


@pytest.mark.parametrize(
    "terms",
    [
        pytest.param("", id="an empty file"),
        pytest.param("# nothing yet\n", id="only a comment"),
        pytest.param("[]\n", id="an empty list"),
        pytest.param("- name: ! Treaty\n  summary: A pact.\n", id="the non-specific tag !"),
    ],
)
def test_accepted_yaml(
    make_site: Callable[..., Path], check_ok: Callable[[Path], Run], terms: str
) -> None:
    check_ok(make_site({TERMS: terms}))


def test_every_value_keeps_its_line_and_column() -> None:
    report = Report()
    root = parse_yaml('- name: "Treaty"\n  aliases: [Pact, 017]\n', "x.yaml", report)
    assert report.diagnostics == []
    assert isinstance(root, YamlSequence)
    entry = root.items[0]
    assert isinstance(entry, YamlMapping)
    assert entry.keys() == ["name", "aliases"]
    name = entry.get("name")
    assert name == YamlScalar("Treaty", "str", True, Position("x.yaml", 1, 9))
    aliases = entry.get("aliases")
    assert isinstance(aliases, YamlSequence)
    assert aliases.items == (
        YamlScalar("Pact", "str", False, Position("x.yaml", 2, 13)),
        YamlScalar("017", "int", False, Position("x.yaml", 2, 19)),
    )


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("NO", "bool"),
        ("on", "bool"),
        ("1:30", "int"),
        ("017", "int"),
        ("42", "int"),
        ("4.2", "float"),
        ("2023-09-15", "timestamp"),
        ("~", "null"),
        ("Putin", "str"),
        ('"NO"', "str"),
    ],
)
def test_scalars_record_what_yaml_1_1_would_make_of_them(text: str, tag: str) -> None:
    node = parse_yaml(f"key: {text}\n", "x.yaml", Report())
    assert isinstance(node, YamlMapping)
    value = node.get("key")
    assert isinstance(value, YamlScalar)
    assert value.tag == tag


def test_line_offset_counts_lines_before_the_yaml() -> None:
    report = Report()
    parse_yaml("title: x\ntitle: y\n", "article.md", report, line_offset=1)
    assert [d.format() for d in report.sorted()] == [
        "article.md:3:1: error: duplicate key 'title' (first at line 2); remove one of them"
    ]


def test_an_alias_is_reported_once(
    make_site: Callable[..., Path], check: Callable[[Path], Run]
) -> None:
    site = make_site({TERMS: "- name: &name Treaty\n  summary: A pact.\n  aliases: [*name]\n"})
    assert check(site).problems == [
        f"{T}:1:9: error: YAML anchors (&name) are not allowed; write the value out",
        f"{T}:3:13: error: YAML aliases (*name) are not allowed; write the value out in full",
    ]


# --- the quick way and the careful way ----------------------------------------
# Most documents are composed by libyaml in C and copied into the tree; the rest
# take the event walk that reports problems. Both must give the same tree.


def both_ways(text: str, line_offset: int = 2) -> tuple[object, list[str]]:
    """The tree and the diagnostics of parse_yaml, checked against the careful way."""
    careful_report = Report()
    careful = parse_carefully(text, "x.yaml", careful_report, line_offset)
    report = Report()
    tree = parse_yaml(text, "x.yaml", report, line_offset)
    assert repr(tree) == repr(careful)  # names the kind of every node, unlike ==
    assert tree == careful
    # parse_yaml alone also warns of text lost to a comment, after either way
    dropped = "is read as a YAML comment and dropped"
    assert [d for d in report.diagnostics if dropped not in d.message] == (
        careful_report.diagnostics
    )
    return tree, [d.format() for d in report.diagnostics]


def quickly(text: str) -> bool:
    """True when the quick way vouches for the text, and then agrees with the careful way."""
    try:
        quick = parse_quickly(text, "x.yaml", 2)
    except UnusualYaml:
        return False
    report = Report()
    assert repr(quick) == repr(parse_carefully(text, "x.yaml", report, 2))
    assert report.diagnostics == []
    return True


QUICK = [
    pytest.param("name: Putin\nsummary: 'A man.'\ndek: \"Quoted\"\n", id="plain and quoted"),
    pytest.param("a: NO\nb: on\nc: 1:30\nd: 017\ne: 4.2\nf: 2023-09-15\n", id="YAML 1.1 values"),
    pytest.param("a:\nb: ~\nc: null\nd: ''\ne: Null\n", id="nulls"),
    pytest.param("a: |\n  one\n  two\nb: >\n  folded\n  text\n", id="block scalars"),
    pytest.param("tags: [a, 'b', \"c\", 1, yes]\nempty: []\nmap: {a: 1}\n", id="flow collections"),
    pytest.param("- name: AT&T\n  summary: Q&A; a *word*, Wow!\n", id="& * ! inside text"),
    pytest.param("a: '&x'\nb: \"*y\"\nc: 'it''s !z'\n", id="& * ! quoted"),
    pytest.param("# a comment & * !\na: 1 # & * !\n", id="& * ! in comments"),
    pytest.param("\ufeffa: 1\r\nb: two\r\n", id="BOM and CRLF"),
    pytest.param("---\na: 1\n...\n", id="explicit document markers"),
    pytest.param("<<: x\n=: y\non: z\n", id="merge, value and bool keys"),
    pytest.param("- - a\n  - b\n- [c, [d]]\n-\n", id="nested lists"),
    pytest.param("", id="empty"),
    pytest.param("# only a comment\n", id="only a comment"),
    pytest.param("~\n", id="a null document"),
    pytest.param("just text\n", id="a scalar document"),
]


@pytest.mark.parametrize("text", QUICK)
def test_the_quick_way_builds_the_careful_tree(text: str) -> None:
    both_ways(text)
    assert quickly(text)


CAREFUL = [
    pytest.param("a: &x 1\nb: *x\n", id="anchor and alias"),
    pytest.param("a: !!str 1\n", id="tag"),
    pytest.param("a: ! x\n", id="non-specific tag"),
    pytest.param("- &x\n  a: 1\n", id="anchor on a mapping"),
    pytest.param("[*x, &y z]\n", id="in a flow list"),
    pytest.param("{a:*x}\n", id="after a flow colon"),
    pytest.param("a: 1\na: 2\n", id="duplicate key"),
    pytest.param("- a: 1\n  b: 2\n  a: 3\n", id="duplicate key in an item"),
    pytest.param("a: 1\n---\nb: 2\n", id="two documents"),
    pytest.param("? [a, b]\n: c\n", id="a list as a key"),
    pytest.param("a: [b\n", id="broken"),
    pytest.param("a:\n\tb: 1\n", id="tab indentation"),
    pytest.param("a: b: c\n", id="a colon in a plain value"),
    pytest.param("[" * 150 + "]" * 150 + "\n", id="nested too deep"),
]


@pytest.mark.parametrize("text", CAREFUL)
def test_what_the_quick_way_cannot_vouch_for_goes_the_careful_way(text: str) -> None:
    both_ways(text)
    assert not quickly(text)


def test_deep_nesting_fails_as_it_did() -> None:
    # Deeper than Python's recursion limit lets the careful way go, yet within libyaml's.
    text = "{a: " * 600 + "x" + "}" * 600 + "\n"
    with pytest.raises(RecursionError):
        parse_carefully(text, "x.yaml", Report(), 0)
    with pytest.raises(RecursionError):
        parse_yaml(text, "x.yaml", Report())


def test_the_quick_way_relies_on_what_pyyaml_resolves() -> None:
    # Only plain scalars whose first character has implicit resolvers can be
    # anything but text: no resolver applies to every first character, and
    # no path resolvers are registered.
    assert None not in yaml.resolver.Resolver.yaml_implicit_resolvers
    assert not yaml.resolver.Resolver.yaml_path_resolvers


def test_nodes_of_different_kinds_are_never_equal() -> None:
    where = Position("x.yaml")
    assert YamlSequence((), where) != YamlMapping((), where)
    assert not YamlSequence((), where) == YamlMapping((), where)  # noqa: SIM201
    assert YamlScalar("a", "str", False, where) != ("a", "str", False, where)
    assert YamlScalar("a", "str", False, where) == YamlScalar("a", "str", False, where)
    assert len({YamlScalar("a", "str", False, where), YamlScalar("a", "str", False, where)}) == 1


# Generated documents: block and flow structure around scalars that YAML reads
# in many ways, with node properties, repeated keys and stray documents mixed in.
SCALARS = st.sampled_from(
    [
        "Putin",
        "NO",
        "on",
        "Off",
        "y",
        "1:30",
        "017",
        "0x1F",
        "42",
        "-4.2",
        ".5",
        "1e3",
        "2023-09-15",
        "2023-09-15 10:00:00",
        "~",
        "null",
        "",
        "true",
        "<<",
        "=",
        "-",
        "a:b",
        "AT&T",
        "Q&A",
        "Wow!",
        "a *b* c",
        "x # c",
        "Tr\u00e9aty",
        "\u041f\u0443\u0442\u0438\u043d",
        "'single'",
        "'it''s'",
        '"double"',
        '"esc\\n\\"q\\""',
        '"&a"',
        "'*b'",
        '"!c"',
        "&a x",
        "*a",
        "!!str x",
        "! x",
        "!t x",
        "&a [1]",
        "[a, b]",
        "[]",
        "{}",
        "{a: 1}",
        "[*a, &b c]",
        "[a, [b, 'c']]",
        "|",
        ">",
    ]
)
KEYS = st.sampled_from(["name", "title", "ref", "on", "NO", "1", "x y", '"q"', "&k a", "a"])
TRANSFORMS = st.sampled_from(
    [
        lambda t: t,
        lambda t: "\ufeff" + t,
        lambda t: t.replace("\n", "\r\n"),
        lambda t: "---\n" + t,
        lambda t: t + "---\nx: 1\n",
        lambda t: t + "...\n",
        lambda t: "# & * ! comment\n" + t,
        lambda t: t.replace(": ", ":\t", 1),
        lambda t: t.rstrip("\n"),
    ]
)


def render(node: object, indent: int) -> list[str]:
    """Block YAML for a generated node: a scalar's text, a list, or a list of pairs."""
    pad = " " * indent
    if isinstance(node, str):
        if node in ("|", ">"):
            return [f"{pad}{node}", f"{pad}  block & text", f"{pad}  * more"]
        return [pad + node]
    if isinstance(node, list) and not node:
        return [pad + "[]"]
    if isinstance(node, tuple) and not node:
        return [pad + "{}"]
    lines: list[str] = []
    pairs = node if isinstance(node, tuple) else [("- ", item) for item in node]
    for key, value in pairs:
        head = key if key == "- " else f"{key}: "
        inner = render(value, indent + 2)
        if isinstance(value, str) and value not in ("|", ">"):
            lines.append(pad + head + value)
        elif isinstance(value, list | tuple) and value and key == "- ":
            lines.append(pad + head + inner[0].lstrip(" "))  # "- a: 1", "- - b"
            lines.extend(inner[1:])
        else:
            lines.append(pad + head.rstrip(" ") + (" " + inner[0].strip() if not value else ""))
            lines.extend(inner[1:] if not value else inner)
    return lines


NODES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.lists(st.tuples(KEYS, inner), max_size=3).map(tuple)
    ),
    max_leaves=12,
)
DOCUMENTS = st.builds(
    lambda node, transform: transform("\n".join(render(node, 0)) + "\n"), NODES, TRANSFORMS
)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(DOCUMENTS)
def test_both_ways_agree_on_generated_documents(text: str) -> None:
    both_ways(text)
    event("quick" if quickly(text) else "careful")


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.text(alphabet="ab:-#&*!|>?[]{},'\" \n\t\ufeff", max_size=40))
def test_both_ways_agree_on_yaml_punctuation(text: str) -> None:
    both_ways(text)
    quickly(text)


FIRSTS = sorted(str(first) for first in yaml.resolver.Resolver.yaml_implicit_resolvers if first)
RESTS = st.text(alphabet="0123456789:.-+_eExXoOnNyYtTfFrRuUlLsSaA~ ", max_size=12)


# The quick way resolves only plain scalars whose first character has resolvers.
@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.one_of(st.just(""), st.builds(str.__add__, st.sampled_from(FIRSTS), RESTS)))
def test_plain_scalars_resolve_as_pyyaml_resolves_them(value: str) -> None:
    expected = yaml.resolver.Resolver().resolve(yaml.ScalarNode, value, (True, False))
    assert ComposedTree("x.yaml", 0, 0).resolve(value) == expected.removeprefix(
        "tag:yaml.org,2002:"
    )


def test_an_alias_bomb_cannot_go_off_in_the_quick_way_either() -> None:
    # Were aliases to get past the check, the composer would share the nodes
    # and copying them into the tree would expand them: the copy stops first.
    levels = ['l0: &l0 "lol"\n']
    levels += [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]\n" for n in range(1, 10)]
    text = "".join(levels)
    root = yaml.CSafeLoader(text).get_single_node()
    started = time.perf_counter()
    with pytest.raises(UnusualYaml):
        ComposedTree("x.yaml", 0, len(text)).node(root, 0)
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize(
    "text", ["[]\n", "[a]\n", "a:\n", "? a\n", "{a: , b: }\n", "-\n-\n", "[[[]]]\n"]
)
def test_short_documents_fit_the_quick_way_s_budget(text: str) -> None:
    both_ways(text)
    assert quickly(text)
