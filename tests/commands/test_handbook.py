"""The editors' handbook builds without a warning, and its reference follows the field declarations
(builder/content/schema.py)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from builder.commands.handbook import (
    HandbookError,
    expand_markers,
    field_table,
    records,
    reference,
)
from builder.content import schema as schema_module
from builder.content.field_types import FIELD_TYPES, URL
from builder.content.fields import Field, Record, definition_name

REPO = Path(__file__).resolve().parents[2]


def build_handbook(out: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Build into out; with pythonpath, the builder package is imported from there instead."""
    environment = dict(os.environ)
    if pythonpath is not None:
        environment["PYTHONPATH"] = str(pythonpath)
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet"]
    return subprocess.run(
        [*command, "--config-file", str(REPO / "mkdocs.yml"), "--site-dir", str(out)],
        cwd=pythonpath or REPO,  # `python -m` puts the working folder first on sys.path
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def declared_records() -> list[Record]:
    """Every Record that builder/content/schema.py declares at the top level."""
    return [value for value in vars(schema_module).values() if isinstance(value, Record)]


def section_of(page: str, anchor: str) -> str:
    """The HTML of one record's section of the reference page: its heading to the next."""
    start = page.index(f'id="{anchor}"')
    following = re.search(r"<h[1-3]", page[start + 1 :])
    return page[start : start + 1 + following.start()] if following else page[start:]


@pytest.fixture(scope="module")
def handbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("handbook")
    result = build_handbook(out)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    return out


def test_handbook_builds_with_every_page(handbook: Path) -> None:
    for page in (
        "index.html",
        "tutorial/index.html",
        "how-to/add-a-person/index.html",
        "how-to/add-a-place/index.html",
        "how-to/add-a-timeline-entry/index.html",
        "how-to/add-a-glossary-term/index.html",
        "how-to/fix-errors/index.html",
        "preview/index.html",
        "editor/index.html",
        "reference/index.html",
    ):
        assert (handbook / page).is_file(), page
    assert not (handbook / "hooks.py").exists()


def test_reference_lists_every_field_of_every_record(handbook: Path) -> None:
    page = (handbook / "reference/index.html").read_text(encoding="utf-8")
    assert declared_records()
    for record in declared_records():
        section = section_of(page, definition_name(record))
        for field in record.fields:
            assert f"<td><code>{field.name}</code></td>" in section, (record.name, field.name)


def test_no_marker_is_left_in_the_handbook(handbook: Path) -> None:
    for page in handbook.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for marker in ("<!-- fields:", "<!-- reference", "<!-- excerpt", "<!-- broken-example"):
            assert marker not in text, (page, marker)


def test_error_examples_quote_the_builder(handbook: Path) -> None:
    page = (handbook / "how-to/fix-errors/index.html").read_text(encoding="utf-8")
    assert re.search(r"who\.yaml:\d+:\d+: error: unknown field .in_this_stroy.", page)
    assert page.count(": error: ") >= 15


def test_reference_covers_every_record_the_files_use() -> None:
    names = {definition_name(record) for record in records()}
    assert {definition_name(record) for record in declared_records()} <= names


def test_the_reference_describes_every_type(handbook: Path) -> None:
    page = (handbook / "reference/index.html").read_text(encoding="utf-8")
    for field_type in FIELD_TYPES:
        assert f"<td>{field_type.label}</td>" in page, field_type


def test_a_field_added_to_a_record_appears_in_its_table() -> None:
    site = next(record for record in declared_records() if record.name == "site.yaml")
    newsletter = Field("newsletter_url", URL, "Where readers | sign up.")
    table = field_table(replace(site, fields=(*site.fields, newsletter)))
    assert "| `newsletter_url` | absolute URL |  | Where readers \\| sign up. |" in table
    assert "newsletter_url" not in reference()


def test_a_field_added_to_schema_py_appears_in_the_built_handbook(tmp_path: Path) -> None:
    copy = tmp_path / "code"
    shutil.copytree(
        REPO / "builder", copy / "builder", ignore=shutil.ignore_patterns("__pycache__")
    )
    (copy / "templates").symlink_to(REPO / "templates")
    with (copy / "builder/content/schema.py").open("a", encoding="utf-8") as schema_py:
        schema_py.write(
            "\nSITE = Record(SITE.name, SITE.description, (*SITE.fields, Field("
            '"newsletter_url", URL, "Where readers sign up for the newsletter.")))\n'
        )
    result = build_handbook(tmp_path / "out", pythonpath=copy)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "out/reference/index.html").read_text(encoding="utf-8")
    section = section_of(page, "site-yaml")
    assert "<td><code>newsletter_url</code></td>" in section
    assert "Where readers sign up for the newsletter." in section


def test_an_unknown_record_in_a_marker_fails_the_build() -> None:
    with pytest.raises(HandbookError, match="names no record"):
        expand_markers("<!-- fields: nothing-like-it -->", REPO)


def test_an_example_that_no_longer_fails_fails_the_build() -> None:
    marker = (
        "<!-- broken-example\nfile: content/world/putin-kim-rifles/what.yaml\n"
        'replace: "when: 2023-09-13"\nwith: "when: 2023-09-14"\n-->'
    )
    with pytest.raises(HandbookError, match="not 1"):
        expand_markers(marker, REPO)


def test_an_excerpt_of_text_that_is_gone_fails_the_build() -> None:
    marker = (
        "<!-- excerpt\nfile: content/world/putin-kim-rifles/what.yaml\n"
        'from: "no such line"\nto: "summary"\n-->'
    )
    with pytest.raises(HandbookError, match="is not in"):
        expand_markers(marker, REPO)


def test_an_excerpt_shows_the_lines_between(tmp_path: Path) -> None:
    (tmp_path / "who.yaml").write_text("# c\n- ref: a\n  in_this_story: x\n- ref: b\n", "utf-8")
    marker = '<!-- excerpt\nfile: who.yaml\nfrom: "ref: a"\nto: "in_this_story"\n-->'
    assert expand_markers(marker, tmp_path) == "```yaml\n- ref: a\n  in_this_story: x\n```\n"
