"""Reading source files: bytes to checked, normalised text.

Files are UTF-8 with or without a byte-order mark, LF or CRLF. Text is
normalised to NFC here, once, so every later stage matches and prints NFC.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from builder.core.diagnostics import Position, Report

DEFAULT_MAX_FILE_BYTES = 1_000_000


@dataclass(frozen=True)
class SourceText:
    path: str  # relative to the site folder, with forward slashes
    text: str


def read_source(
    file: Path | str, relative: str, report: Report, max_bytes: int = DEFAULT_MAX_FILE_BYTES
) -> SourceText | None:
    """Read one file, reporting encoding problems; None when it is unusable."""
    data = _read_bytes(file, relative, report, max_bytes)
    if data is None:
        return None
    text = decode_utf8(data, relative, report)
    if text is None:
        return None
    return SourceText(relative, unicodedata.normalize("NFC", text))


def _read_bytes(file: Path | str, relative: str, report: Report, max_bytes: int) -> bytes | None:
    """The file's bytes, through one descriptor: a third of the system calls
    of stat() then read_bytes(). A file that cannot be opened is looked at the
    slower way, which reports exactly what is wrong with it."""
    try:
        descriptor = os.open(file, os.O_RDONLY)
    except OSError:
        return _read_bytes_by_path(Path(file), relative, report, max_bytes)
    try:
        info = os.fstat(descriptor)
        if info.st_size > max_bytes:
            report.error(Position(relative), _too_large(info.st_size, max_bytes))
            return None
        data = os.read(descriptor, info.st_size + 1)  # a byte more shows a file that grew
        if len(data) == info.st_size and stat.S_ISREG(info.st_mode):
            return data
        return data + _read_to_end(descriptor)
    except OSError as problem:
        report.error(Position(relative), f"cannot read file: {problem.strerror}")
        return None
    finally:
        os.close(descriptor)


def _read_to_end(descriptor: int) -> bytes:
    chunks = []
    while chunk := os.read(descriptor, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


def _read_bytes_by_path(file: Path, relative: str, report: Report, max_bytes: int) -> bytes | None:
    try:
        size = file.stat().st_size
        if size > max_bytes:
            report.error(Position(relative), _too_large(size, max_bytes))
            return None
        return file.read_bytes()
    except OSError as problem:
        report.error(Position(relative), f"cannot read file: {problem.strerror}")
        return None


def _too_large(size: int, max_bytes: int) -> str:
    return (
        f"file is {size:,} bytes, over the limit of {max_bytes:,}"
        " (raise max_file_bytes in site.yaml if this is intended)"
    )


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
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    hidden = _HIDDEN.search(text) if _may_hide(data) else None
    if hidden is not None:
        line, col = line_and_column(text, hidden.start())
        report.error(Position(relative, line, col), _hidden_message(hidden.group()))
        return None
    return text


# Characters no editor shows: controls (but tab and newline), and the Unicode
# line breaks that YAML honours but editors and diffs do not, which could
# turn what reviewers read as a comment into a published field.
_HIDDEN = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")


# The bytes of visible ASCII, with tab and the line breaks. Take them out of
# UTF-8 and what is left decodes to the text's other characters, in a string
# most often empty or short, so that few files need _HIDDEN run over them all.
_VISIBLE_ASCII = bytes([9, 10, 13, *range(32, 127)])


def _may_hide(data: bytes) -> bool:
    """False when the bytes (valid UTF-8) hold none of the characters _HIDDEN finds."""
    others = data.translate(None, _VISIBLE_ASCII)
    return bool(others) and _HIDDEN.search(others.decode("utf-8")) is not None


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
