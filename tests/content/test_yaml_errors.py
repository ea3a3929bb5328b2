"""YAML syntax errors reported at their cause, in an editor's words, once each."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.content.yamltree import parse_yaml
from builder.core.diagnostics import Report
from tests.conftest import MINIMAL_SITE, WHO, Run

CASES = [
    pytest.param(
        "title: Trump: Kim\nsection: World\n",
        "1:8: error: invalid YAML: the value of 'title' holds a colon followed by a space, "
        'which YAML reads as a new field; put the value in quotes: title: "Trump: Kim"',
        id="colon inside an unquoted value",
    ),
    pytest.param(
        "- ref: a\n  in_this_story: x\n    said: y\n",
        "3:5: error: invalid YAML: this line is indented more than the field above it "
        "(4 spaces, not 2), so YAML reads it as part of that value; fields of one record "
        "start in the same column",
        id="a field indented more than its siblings",
    ),
    pytest.param(
        "- ref: a\n  in_this_story: x\n said: y\n",
        "3:2: error: invalid YAML: this line's indentation (1 space) does not match the "
        "fields of its record, which start after 2 spaces (line 1); line them up",
        id="a field indented less than its siblings",
    ),
    pytest.param(
        '- name: A\n  summary: "Unclosed\n- name: B\n  summary: fine\n',
        '2:12: error: invalid YAML: this value opens with " but the quote is never closed; '
        'add the closing " where the value ends (YAML read on to line 5, column 1 looking '
        "for it)",
        id="a quote never closed",
    ),
    pytest.param(
        '- name: A\n  summary: "Unclosed\n  aliases: ["B"]\n',
        "2:12: error: invalid YAML: this quoted value is not closed on its line, so it runs "
        'on to the next quote, on line 3, where text follows; add the closing " where the '
        "value ends",
        id="a quote closed by the next value's quote",
    ),
    pytest.param(
        "- name: A\n  aliases: [Peskov, spokesman\n  summary: x\n",
        "2:12: error: invalid YAML: this [ is never closed; end the list with ], and "
        "separate its items with commas (YAML gave up at line 3, column 10)",
        id="a bracket never closed",
    ),
    pytest.param(
        "- name: A\n\tsummary: x\n",
        "2:1: error: invalid YAML: a tab character in the indentation; YAML indents with "
        "spaces only: replace the tab with spaces",
        id="a tab",
    ),
    pytest.param(
        '- name: A\n  summary: "Closed" then more\n',
        "2:21: error: invalid YAML: text after the closing quote; put the whole value in "
        "quotes (write a quote inside it as \\\" in double quotes, or '' in single quotes), "
        "or remove the quotes",
        id="text after a closing quote",
    ),
    pytest.param(
        "- name: A\n  just some text\n  summary: x\n",
        "2:3: error: invalid YAML: this line is not a 'field: value' pair; add ': ' after "
        "the field's name, or, if it continues the value above, indent it more than that field",
        id="a line without a colon",
    ),
    pytest.param(
        "- ref: a\n  in_this_story: Delivered letter #2 from Kim\n  note: x  # a comment\n",
        "2:35: warning: '#2 from Kim' is read as a YAML comment and dropped, so the value is "
        "only 'Delivered letter'; put the whole value in quotes to keep it: "
        '"Delivered letter #2 from Kim"',
        id="text lost to a comment",
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_each_mistake_is_one_problem_at_its_cause(text: str, expected: str) -> None:
    report = Report()
    parse_yaml(text, "f.yaml", report)
    assert [d.format() for d in report.diagnostics] == [f"f.yaml:{expected}"]


def test_a_comment_with_a_space_after_the_hash_is_not_reported() -> None:
    report = Report()
    parse_yaml("title: T  # the headline\ntags: [a, b] #c\n", "f.yaml", report)
    assert report.diagnostics == []


def test_a_broken_sidecar_does_not_flood_the_run_with_errors_about_its_ids(
    make_site: Callable[..., Path], cli: Callable[..., Run]
) -> None:
    """The ids the broken file defines are unknown until it is fixed: only the
    syntax error is reported, not every story that names them."""
    site = make_site(
        {
            WHO: (
                "- id: dmitry-peskov\n  name: Dmitry Peskov\n  aliases: [Peskov, spokesman\n"
                "- id: sergei-lavrov\n  name: Sergei Lavrov\n"
            ),
            "content/world/other/article.md": MINIMAL_SITE["content/world/story/article.md"],
            "content/world/other/who.yaml": "- ref: dmitry-peskov\n- ref: sergei-lavrov\n",
        }
    )
    result = cli("check", "--site", site)
    assert result.code == 1
    assert result.err.splitlines() == [
        f"{WHO}:3:12: error: invalid YAML: this [ is never closed; end the list with ], "
        "and separate its items with commas (YAML gave up at line 4, column 5)",
        "1 error, 0 warnings in 1 file",
    ]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.lists(
        st.text(alphabet="ab :-#'\"[]{},\t", max_size=12).map(lambda s: s.rstrip()),
        min_size=1,
        max_size=6,
    ).map("\n".join)
)
def test_any_broken_text_is_at_most_one_error_inside_the_file(text: str) -> None:
    report = Report()
    parse_yaml(text, "f.yaml", report)
    errors = [d for d in report.diagnostics if d.severity.value == "error"]
    assert len(errors) <= 1
    lines = text.splitlines() or [""]
    for diagnostic in report.diagnostics:
        line, col = diagnostic.position.line, diagnostic.position.col
        assert 1 <= line <= len(lines) + 1, diagnostic
        assert 1 <= col <= max(len(lines[line - 1]) if line <= len(lines) else 0, 0) + 1, diagnostic


def test_a_broken_authors_file_does_not_flood_the_run_with_errors_about_its_ids(
    make_site: Callable[..., Path], cli: Callable[..., Run]
) -> None:
    site = make_site(
        {
            "content/authors.yaml": '- id: jane-doe\n  name: "Jane\n',
            "content/world/story/article.md": MINIMAL_SITE[
                "content/world/story/article.md"
            ].replace("date:", "authors: [jane-doe]\ndate:"),
        }
    )
    result = cli("check", "--site", site)
    assert result.code == 1
    assert result.err.splitlines()[-1] == "1 error, 0 warnings in 1 file"
    assert result.err.startswith("content/authors.yaml:2:9: error: invalid YAML: ")
