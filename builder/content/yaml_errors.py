"""YAML syntax errors in an editor's words, at the place that caused them.

The parser says where it gave up and what it expected ("mapping values are
not allowed in this context", "found unexpected end of stream"), which is
often lines after the mistake and in its own terms. Here each common mistake
(a colon inside an unquoted value, a line indented more or less than its
siblings, a quote or bracket never closed, a tab, text after a closing
quote) is recognised from the parser's problem and the text around it, and
reported where the construct opened, with what to type.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import yaml

INVALID_YAML = "invalid YAML: "


class Explained(NamedTuple):
    line: int  # from 0, in the file
    col: int  # from 0
    message: str  # starts with INVALID_YAML, so that other stages can tell


def explain(problem: yaml.MarkedYAMLError, text: str, line_offset: int = 0) -> Explained:
    """The cause of a syntax error, where it is in the file (the text starts at
    line_offset, as front matter does), and what to do about it."""
    lines = [""] * line_offset + (text.splitlines() or [""])
    found = _shifted(problem.problem_mark, line_offset)
    opened = _shifted(problem.context_mark, line_offset)
    what = problem.problem or ""
    context = problem.context or ""
    for explainer in _EXPLAINERS:
        answer = explainer(what, context, found, opened, lines)
        if answer is not None:
            return answer
    return _as_the_parser_says(what, context, found, opened)


Mark = yaml.error.Mark | None


def _shifted(mark: Mark, lines: int) -> Mark:
    if mark is None or not lines:
        return mark
    return yaml.error.Mark(mark.name, mark.index, mark.line + lines, mark.column, None, 0)


def _line(lines: list[str], mark: Mark) -> str:
    if mark is None or mark.line >= len(lines):
        return ""
    return lines[mark.line]


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _spaces(count: int) -> str:
    return "1 space" if count == 1 else f"{count} spaces"


def is_syntax_error(message: str) -> bool:
    return message.startswith(INVALID_YAML)


def _where(mark: Mark) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "the end"


def _unclosed_quote(
    what: str, context: str, found: Mark, opened: Mark, lines: list[str]
) -> Explained | None:
    if "quoted scalar" not in context or opened is None:
        return None
    quote = _line(lines, opened)[opened.column : opened.column + 1] or '"'
    return Explained(
        opened.line,
        opened.column,
        f"{INVALID_YAML}this value opens with {quote} but the quote is never closed; "
        f"add the closing {quote} where the value ends (YAML read on to {_where(found)} "
        "looking for it)",
    )


def _unclosed_bracket(
    what: str, context: str, found: Mark, opened: Mark, lines: list[str]
) -> Explained | None:
    pairs = {"flow sequence": ("[", "]", "list"), "flow mapping": ("{", "}", "record")}
    for name, (start, end, noun) in pairs.items():
        if name in context and opened is not None:
            return Explained(
                opened.line,
                opened.column,
                f"{INVALID_YAML}this {start} is never closed; end the {noun} with {end}, "
                f"and separate its items with commas (YAML gave up at {_where(found)})",
            )
    return None


def _tab(what: str, context: str, found: Mark, opened: Mark, lines: list[str]) -> Explained | None:
    if "tab" not in what or found is None:
        return None
    line = _line(lines, found)
    column = line.index("\t") if "\t" in line else found.column
    return Explained(
        found.line,
        column,
        f"{INVALID_YAML}a tab character in the indentation; YAML indents with spaces only: "
        "replace the tab with spaces",
    )


_KEY_BEFORE = re.compile(r"^\s*(?:-\s+)*[^\s#'\"][^:#]*:\s")


def _colon_in_value(
    what: str, context: str, found: Mark, opened: Mark, lines: list[str]
) -> Explained | None:
    if "mapping values are not allowed" not in what or found is None:
        return None
    line = _line(lines, found)
    before = line[: found.column]
    key = _KEY_BEFORE.match(before)
    if key is None:
        return _over_indented(found, lines)
    name = key.group().strip().lstrip("- ").rstrip(":").strip()
    value = line[key.end() :].strip()
    return Explained(
        found.line,
        key.end(),
        f"{INVALID_YAML}the value of '{name}' holds a colon followed by a space, which YAML "
        f'reads as a new field; put the value in quotes: {name}: "{_escaped(value)}"',
    )


def _escaped(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _over_indented(found: yaml.error.Mark, lines: list[str]) -> Explained:
    """A field indented more than the one above it continues that one's value."""
    row = found.line
    above = next((r for r in range(row - 1, -1, -1) if lines[r].strip()), None)
    here = _indent(lines[row])
    expected = _field_column(lines[above]) if above is not None else 0
    return Explained(
        row,
        here,
        f"{INVALID_YAML}this line is indented more than the field above it ({_spaces(here)}, "
        f"not {expected}), so YAML reads it as part of that value; fields of one record "
        "start in the same column",
    )


def _field_column(line: str) -> int:
    """Where the field of a line starts: after any '- ' list markers."""
    match = re.match(r"^[ ]*(?:-[ ]+)*", line)
    return match.end() if match else 0


def _text_after_quote(
    what: str, context: str, found: Mark, opened: Mark, lines: list[str]
) -> Explained | None:
    if "expected key" not in what or found is None:
        return None
    line = _line(lines, found)
    before = line[: found.column].rstrip()
    if not before.endswith(("'", '"')) or not line[found.column :].strip():
        return None
    opening = _opening_quote(lines, found.line, len(before) - 1)
    if opening is not None and opening[0] < found.line:
        row, col = opening
        return Explained(
            row,
            col,
            f"{INVALID_YAML}this quoted value is not closed on its line, so it runs on to "
            f"the next quote, on line {found.line + 1}, where text follows; add the closing "
            f"{before[-1]} where the value ends",
        )
    return Explained(
        found.line,
        found.column,
        f"{INVALID_YAML}text after the closing quote; put the whole value in quotes (write a "
        "quote inside it as \\\" in double quotes, or '' in single quotes), or remove the quotes",
    )


def _opening_quote(lines: list[str], row: int, col: int) -> tuple[int, int] | None:
    """Where the quote that closes at (row, col) opened: the same quote character
    before it, not escaped, on this line or the lines above."""
    quote = lines[row][col]
    end = col
    for line_no in range(row, -1, -1):
        text = lines[line_no] if line_no != row else lines[row][:end]
        index = len(text)
        while (index := text.rfind(quote, 0, index)) >= 0:
            escaped = quote == '"' and index > 0 and text[index - 1] == "\\"
            doubled = quote == "'" and index > 0 and text[index - 1] == "'"
            if not (escaped or doubled):
                return line_no, index
            index -= 2 if doubled else 1
    return None


def _misaligned(
    what: str, context: str, found: Mark, opened: Mark, lines: list[str]
) -> Explained | None:
    block = "block mapping" in context or "block collection" in context
    if not block or found is None or opened is None:
        return None
    line = _line(lines, found)
    if line.lstrip().startswith("- ") and "mapping" in context:
        return Explained(
            found.line,
            _indent(line),
            f"{INVALID_YAML}a list item ('- ') where a field was expected; indent the list "
            "under a field, or write the field this line belongs to",
        )
    column = _field_column(_line(lines, opened))
    here = _indent(line)
    if here == column:
        return None
    return Explained(
        found.line,
        here,
        f"{INVALID_YAML}this line's indentation ({_spaces(here)}) does not match the fields "
        f"of its record, which start after {_spaces(column)} (line {opened.line + 1}); "
        "line them up",
    )


def _no_colon(
    what: str, context: str, found: Mark, opened: Mark, lines: list[str]
) -> Explained | None:
    if "simple key" not in context or opened is None:
        return None
    return Explained(
        opened.line,
        opened.column,
        f"{INVALID_YAML}this line is not a 'field: value' pair; add ': ' after the field's "
        "name, or, if it continues the value above, indent it more than that field",
    )


_EXPLAINERS = (
    _unclosed_quote,
    _unclosed_bracket,
    _tab,
    _colon_in_value,
    _text_after_quote,
    _misaligned,
    _no_colon,
)


def _as_the_parser_says(what: str, context: str, found: Mark, opened: Mark) -> Explained:
    mark = found or opened
    message = f"{INVALID_YAML}{what or context or 'unreadable'}"
    if context and opened is not None and found is not None and opened.line != found.line:
        message += f" ({context} that starts at {_where(opened)})"
    line, col = (mark.line, mark.column) if mark is not None else (0, 0)
    return Explained(line, col, message)
