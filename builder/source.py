"""Reading source files: bytes to checked, normalised text.

Files are UTF-8 with or without a byte-order mark, LF or CRLF. Text is
normalised to NFC here, once, so every later stage matches and prints NFC.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from builder.diagnostics import Position, Report

DEFAULT_MAX_FILE_BYTES = 1_000_000


@dataclass(frozen=True)
class SourceText:
    path: str  # relative to the site folder, with forward slashes
    text: str


def read_source(
    file: Path, relative: str, report: Report, max_bytes: int = DEFAULT_MAX_FILE_BYTES
) -> SourceText | None:
    """Read one file, reporting encoding problems; None when it is unusable."""
    try:
        size = file.stat().st_size
        if size > max_bytes:
            report.error(
                Position(relative),
                f"file is {size:,} bytes, over the limit of {max_bytes:,}"
                " (raise max_file_bytes in site.yaml if this is intended)",
            )
            return None
        data = file.read_bytes()
    except OSError as problem:
        report.error(Position(relative), f"cannot read file: {problem.strerror}")
        return None
    text = decode_utf8(data, relative, report)
    if text is None:
        return None
    return SourceText(relative, unicodedata.normalize("NFC", text))


def decode_utf8(data: bytes, relative: str, report: Report) -> str | None:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as problem:
        line, col = line_and_column(data, problem.start)
        report.error(
            Position(relative, line, col),
            f"byte 0x{data[problem.start]:02x} is not UTF-8; save the file as UTF-8",
        )
        return None
    nul = text.find("\0")
    if nul >= 0:
        line, col = line_and_column(text, nul)
        report.error(Position(relative, line, col), "NUL byte in text file")
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    hidden = _HIDDEN.search(text)
    if hidden is not None:
        line, col = line_and_column(text, hidden.start())
        report.error(Position(relative, line, col), _hidden_message(hidden.group()))
        return None
    return text


# Characters no editor shows: controls (but tab and newline), and the Unicode
# line breaks that YAML honours but editors and diffs do not, which could
# turn what reviewers read as a comment into a published field.
_HIDDEN = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")


def _hidden_message(char: str) -> str:
    code = f"U+{ord(char):04X}"
    if char in "\x85\u2028\u2029":
        return (
            f"{code} is a line break that YAML honours but editors do not show; "
            "replace it with a real line break or remove it"
        )
    return f"the control character {code} is not allowed in a text file; remove it"


def line_and_column(text: str | bytes, offset: int) -> tuple[int, int]:
    """1-based line and column of an offset into text or bytes."""
    newline = "\n" if isinstance(text, str) else b"\n"
    before = text[:offset]
    line = before.count(newline) + 1  # type: ignore[arg-type]
    start = before.rfind(newline) + 1  # type: ignore[arg-type]
    return line, offset - start + 1
