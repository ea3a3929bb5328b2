"""Problems found in a site, and the two exceptions that end a run.

Every stage reports problems as ``Diagnostic`` values instead of raising, so a
run can report all of them at once. Only the CLI turns them into exit codes.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import NamedTuple

# Control characters and line breaks from editors' text must not reach a
# terminal or CI log raw: they would split a problem over lines or inject
# escape sequences.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# In the PATH part a colon would also do harm: a folder named "a:9:9: error: x"
# would forge a problem. Those characters are percent-encoded there, and so
# is the percent sign, so that the encoding can be undone.
_UNSAFE_IN_PATH = re.compile("[%:\x00-\x1f\x7f-\x9f\u2028\u2029]")


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Position(NamedTuple):
    """Where a value sits in a source file; line and column count from 1.

    A named tuple, not a dataclass: every loaded value carries one, and
    tuples are several times cheaper to make, compare and pickle.
    """

    path: str
    line: int = 1
    col: int = 1


class SiteLink(NamedTuple):
    """A link, as written, to a page or file of the site, and where it was written.

    Whether it leads anywhere depends on every page of the site, which no single
    file knows: the stages that read text record each such link, and a later
    stage checks them all once the site's pages are known.
    """

    position: Position
    url: str


@dataclass(frozen=True)
class Diagnostic:
    position: Position
    severity: Severity
    message: str

    def format(self) -> str:
        """One line, whatever the message quotes: control characters are escaped."""
        where = self.position
        message = _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", self.message)
        path = escape_path(where.path)
        return f"{path}:{where.line}:{where.col}: {self.severity.value}: {message}"

    def sort_key(self) -> tuple[str, int, int, str]:
        where = self.position
        return (where.path, where.line, where.col, self.message)


def escape_path(path: str) -> str:
    """A path as the PATH part of a problem line: one line, and no colon in it."""
    return _UNSAFE_IN_PATH.sub(_percent_encoded, path)


def _percent_encoded(match: re.Match[str]) -> str:
    return "".join(f"%{byte:02X}" for byte in match.group().encode("utf-8"))


@dataclass
class Report:
    """Collects diagnostics from every stage of a run.

    A strict report (`--strict`) takes every warning as an error, so that a run
    with anything left to look at fails. Links to the site's own pages that the
    text holds are collected too, to be checked once every page is known.
    """

    diagnostics: list[Diagnostic] = field(default_factory=list)
    strict: bool = False
    links: list[SiteLink] = field(default_factory=list)

    def error(self, position: Position, message: str) -> None:
        self.diagnostics.append(Diagnostic(position, Severity.ERROR, message))

    def warning(self, position: Position, message: str) -> None:
        severity = Severity.ERROR if self.strict else Severity.WARNING
        self.diagnostics.append(Diagnostic(position, severity, message))

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        if not self.strict:
            self.diagnostics.extend(diagnostics)
            return
        self.diagnostics.extend(replace(d, severity=Severity.ERROR) for d in diagnostics)

    def link(self, position: Position, url: str) -> None:
        """A link to a page or file of the site, to check once the site's pages are known."""
        self.links.append(SiteLink(position, url))

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)

    def sorted(self) -> list[Diagnostic]:
        unique = {(d.sort_key(), d.severity): d for d in self.diagnostics}
        return [unique[key] for key in sorted(unique)]

    def summary(self) -> str:
        found = self.sorted()
        errors = sum(1 for d in found if d.severity is Severity.ERROR)
        warnings = len(found) - errors
        files = len({d.position.path for d in found})
        return (
            f"{_count(errors, 'error')}, {_count(warnings, 'warning')} in {_count(files, 'file')}"
        )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


class ContentError(Exception):
    """The content has errors; the run exits with status 1."""

    def __init__(self, report: Report) -> None:
        super().__init__(f"{len(report.diagnostics)} problems")
        self.report = report


class UsageError(Exception):
    """The command was misused; the run exits with status 2."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A suggestion suffix naming the nearest choices, or an empty string."""
    close = difflib.get_close_matches(word, sorted(set(choices)), n=3, cutoff=0.6)
    if not close:
        return ""
    if len(close) == 1:
        return f"; did you mean '{close[0]}'?"
    return "; did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
