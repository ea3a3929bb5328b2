"""The YAML loader: positions survive, and what sidecars never need is refused
(tags, anchors, aliases, duplicate keys, more than one document, bad syntax)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from builder.diagnostics import Position, Report
from builder.yamltree import YamlMapping, YamlScalar, YamlSequence, parse_yaml
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
        [f"{T}:2:10: error: invalid YAML: did not find expected ',' or ']'"],
        id="invalid YAML syntax: unclosed list",
    ),
    pytest.param(
        "- name: Treaty\n summary: A pact.\n",
        [f"{T}:2:2: error: invalid YAML: did not find expected '-' indicator"],
        id="invalid YAML syntax: bad indentation",
    ),
    pytest.param(
        "- name: Treaty\n\tsummary: A pact.\n",
        [f"{T}:2:1: error: invalid YAML: found a tab character that violates indentation"],
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
