"""The generated parts of the editors' handbook (docs/), filled in while MkDocs builds it.

docs/hooks.py hands every page's Markdown to `expand_markers`, which replaces
three kinds of HTML comment:

- `<!-- reference -->`: every file and every record of builder/content/schema.py,
  with a table of fields each;
- `<!-- fields: NAME -->`: the field table of one record, NAME being its
  anchor in the reference (`entry`, `fact`, `site-yaml`...);
- `<!-- excerpt ... -->`: a YAML mapping with `file`, `from` and `to`; the
  lines of a file of the example site from the first line holding `from` to
  the next holding `to`, so the tutorial shows the files as they are;
- `<!-- broken-example ... -->`: a YAML mapping with `file`, `replace` and
  `with`; the example site is copied, the edit made, and the lines that
  `python -m builder check` prints are shown, so the handbook always quotes
  the builder's real messages.

A marker that cannot be filled in raises HandbookError, which fails the build.
"""

from __future__ import annotations

import contextlib
import functools
import io
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from builder.commands.cli import main
from builder.content.field_types import FIELD_TYPES
from builder.content.fields import Field, Record, definition_name
from builder.content.jsonschema import SCHEMA_FILES, SchemaFile

_REFERENCE = re.compile(r"<!--\s*reference\s*-->")
_FIELDS = re.compile(r"<!--\s*fields:\s*(?P<name>[a-z0-9-]+)\s*-->")
_EXCERPT = re.compile(r"<!--\s*excerpt\s*\n(?P<body>.*?)-->", re.DOTALL)
_EXAMPLE = re.compile(r"<!--\s*broken-example\s*\n(?P<body>.*?)-->", re.DOTALL)


class HandbookError(Exception):
    """A marker in the handbook that cannot be filled in; it fails the docs build."""


def records() -> list[Record]:
    """Every record the files are made of, each once, in the order the files use them."""
    found: dict[str, Record] = {}
    pending = [record for file in SCHEMA_FILES for record in file.records]
    while pending:
        record = pending.pop(0)
        if definition_name(record) in found:
            continue
        found[definition_name(record)] = record
        pending[:0] = [f.record for f in record.fields if f.record is not None]
    return list(found.values())


def expand_markers(markdown: str, site: Path, reference_page: str = "") -> str:
    """The page with every marker replaced; links point at reference_page ("" for itself)."""
    markdown = _REFERENCE.sub(lambda _: reference(reference_page), markdown)
    markdown = _FIELDS.sub(lambda m: field_table(_record(m["name"]), reference_page), markdown)
    markdown = _EXCERPT.sub(lambda m: excerpt(m["body"], site), markdown)
    return _EXAMPLE.sub(lambda m: broken_example(m["body"], site), markdown)


def reference(reference_page: str = "") -> str:
    """The whole field reference: the files, the types, then every record."""
    parts = ["## Files\n", files_table(reference_page), "## Types\n", types_table()]
    parts += ["## Records\n"] + [record_section(r, reference_page) for r in records()]
    return "\n".join(parts)


def files_table(reference_page: str = "") -> str:
    rows = ["| file | holds | JSON Schema |", "|---|---|---|"]
    for file in SCHEMA_FILES:
        rows.append(
            f"| {file.title} | {_holds(file, reference_page)} | `schemas/{file.file_name}` |"
        )
    return "\n".join(rows) + "\n"


def types_table() -> str:
    rows = ["| type | what it takes |", "|---|---|"]
    rows += [f"| {field_type.label} | {_cell(field_type.note)} |" for field_type in FIELD_TYPES]
    return "\n".join(rows) + "\n"


def record_section(record: Record, reference_page: str = "") -> str:
    anchor = definition_name(record)
    return f"### {record.name} {{#{anchor}}}\n\n{record.description}\n\n" + field_table(
        record, reference_page
    )


def field_table(record: Record, reference_page: str = "") -> str:
    """A Markdown table of a record's fields: field, type, required, description."""
    rows = ["| field | type | required | description |", "|---|---|---|---|"]
    for field in record.fields:
        required = "required" if field.required else ""
        rows.append(
            f"| `{field.name}` | {_type(field, reference_page)} | {required} "
            f"| {_cell(field.description)} |"
        )
    return "\n".join(rows) + "\n"


def _holds(file: SchemaFile, reference_page: str) -> str:
    links = " or ".join(_link(record, reference_page) for record in file.records)
    holds = f"one {links}" if file.shape == "record" else f"a list; each item a {links}"
    return holds + (" (may be empty)" if file.may_be_empty else "")


def _type(field: Field, reference_page: str) -> str:
    if field.record is not None:
        return f"list of {_link(field.record, reference_page)} records"
    return _cell(field.type.label)


def _link(record: Record, reference_page: str) -> str:
    return f"[{record.name}]({reference_page}#{definition_name(record)})"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _record(name: str) -> Record:
    known = {definition_name(record): record for record in records()}
    if name not in known:
        raise HandbookError(f"<!-- fields: {name} --> names no record; known: {', '.join(known)}")
    return known[name]


def excerpt(body: str, site: Path) -> str:
    """A fenced block with the lines of a site file between two pieces of text."""
    fields = _marker_fields("excerpt", body, ("file", "from", "to"))
    lines = (site / fields["file"]).read_text(encoding="utf-8").splitlines()
    start = next((i for i, line in enumerate(lines) if fields["from"] in line), None)
    if start is None:
        raise HandbookError(f"excerpt: {fields['from']!r} is not in {fields['file']}")
    end = next((i for i in range(start, len(lines)) if fields["to"] in lines[i]), None)
    if end is None:
        raise HandbookError(f"excerpt: {fields['to']!r} is not after the start in {fields['file']}")
    language = "yaml" if fields["file"].endswith((".yaml", ".yml")) else "markdown"
    return f"```{language}\n" + "\n".join(lines[start : end + 1]) + "\n```\n"


def _marker_fields(marker: str, body: str, names: tuple[str, ...]) -> dict[str, str]:
    try:
        fields = yaml.safe_load(body)
    except yaml.YAMLError as problem:
        raise HandbookError(f"{marker} marker is not YAML: {problem}") from problem
    if not isinstance(fields, dict) or set(fields) != set(names):
        raise HandbookError(f"{marker} marker needs {', '.join(names)}; found {body!r}")
    if not all(isinstance(value, str) for value in fields.values()):
        raise HandbookError(f"{marker} marker values must be text; found {body!r}")
    return fields


@dataclass(frozen=True)
class Edit:
    """One change to one file of the example site."""

    file: str
    replace: str
    with_text: str


def broken_example(body: str, site: Path) -> str:
    """The edited lines and what `python -m builder check` prints for them."""
    edit = _parse_edit(body)
    printed = check_after(site.resolve(), edit)
    original = (site / edit.file).read_text(encoding="utf-8")
    start = original.index(edit.replace)
    if edit.with_text:
        edited = original[:start] + edit.with_text + original[start + len(edit.replace) :]
        first, lines = _whole_lines(edited, start, len(edit.with_text))
        intro = f"`{edit.file}`, from line {first}, written as"
    else:
        first, lines = _whole_lines(original, start, len(edit.replace))
        intro = f"`{edit.file}` without line {first}"
    return (
        f"{intro}:\n\n```yaml\n{lines}\n```\n\n"
        "`python -m builder check` prints:\n\n```text\n" + "\n".join(printed) + "\n```\n"
    )


def _whole_lines(text: str, start: int, length: int) -> tuple[int, str]:
    """The number of the line where text[start:] begins, and the whole lines the span covers."""
    begin = text.rfind("\n", 0, start) + 1
    end = text.find("\n", start + max(length - 1, 0))
    covered = text[begin : len(text) if end < 0 else end]
    return text.count("\n", 0, begin) + 1, covered.rstrip("\n")


def _parse_edit(body: str) -> Edit:
    fields = _marker_fields("broken-example", body, ("file", "replace", "with"))
    return Edit(fields["file"], fields["replace"], fields["with"])


@functools.cache
def check_after(site: Path, edit: Edit) -> tuple[str, ...]:
    """The lines `check` prints on stderr for a copy of the site with the edit made."""
    with tempfile.TemporaryDirectory(prefix="handbook-") as temporary:
        copy = Path(temporary)
        shutil.copy2(site / "site.yaml", copy / "site.yaml")
        for folder in ("content", "templates"):
            if (site / folder).is_dir():
                shutil.copytree(site / folder, copy / folder)
        target = copy / edit.file
        text = target.read_text(encoding="utf-8")
        if text.count(edit.replace) != 1:
            raise HandbookError(f"broken-example: {edit.replace!r} is not once in {edit.file}")
        target.write_text(text.replace(edit.replace, edit.with_text), encoding="utf-8")
        errors = io.StringIO()
        with contextlib.redirect_stderr(errors), contextlib.redirect_stdout(io.StringIO()):
            status = main(["check", "--site", str(copy), "--quiet"])
    if status != 1:
        raise HandbookError(
            f"broken-example in {edit.file} ({edit.replace!r} -> {edit.with_text!r}) "
            f"made check exit {status}, not 1: {errors.getvalue()}"
        )
    return tuple(errors.getvalue().splitlines())


__all__ = [
    "HandbookError",
    "broken_example",
    "check_after",
    "excerpt",
    "expand_markers",
    "field_table",
    "files_table",
    "record_section",
    "records",
    "reference",
    "types_table",
]
