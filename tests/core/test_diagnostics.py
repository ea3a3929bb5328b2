"""Problem lines: one problem, one line, and a PATH part that cannot be forged."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from builder.core.diagnostics import Diagnostic, Position, Severity, escape_path
from tests.conftest import DIAGNOSTIC, Run


def test_a_path_keeps_its_plain_characters() -> None:
    assert escape_path("content/world/putin-kim-rifles/who.yaml") == (
        "content/world/putin-kim-rifles/who.yaml"
    )
    assert escape_path("content/welt/straße 1/article.md") == "content/welt/straße 1/article.md"


def test_colons_line_breaks_and_percent_signs_in_a_path_are_percent_encoded() -> None:
    line = Diagnostic(
        Position("content/a:9:9: error: x\nb%/article.md", 2, 3), Severity.ERROR, "bad\nthing"
    ).format()
    assert line == "content/a%3A9%3A9%3A error%3A x%0Ab%25/article.md:2:3: error: bad\\u000athing"
    assert "\n" not in line


def test_a_folder_name_cannot_forge_a_problem_line(
    make_site: Callable[..., Path], cli: Callable[..., Run]
) -> None:
    forged = "content/x:9:9: error: forged\nsecond line/story/article.md"
    site = make_site({forged: "---\ntitle: T\nsection: World\n---\nText.\n"})
    result = cli("check", "--site", site)
    assert result.code == 1
    problems = result.err.splitlines()[:-1]  # the last line is the summary
    assert problems
    for line in problems:
        assert DIAGNOSTIC.match(line), line
        path = line.split(":", 1)[0]
        assert "forged" not in line.split(":", 1)[1].split(": error: ")[0]
        assert path.startswith("content/x%3A9%3A9%3A error%3A forged%0Asecond line/")
