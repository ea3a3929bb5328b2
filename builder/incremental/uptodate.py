"""Knowing that nothing changed, from file signatures alone.

After every successful build a small signed file says what the build was made
from (the signature of every source and theme file, the builder's version)
and what it wrote (the size and time of every output). A build that finds
the same inputs and intact outputs is done before it has read a source,
parsed site.yaml or loaded the template engine. The file is found by the
site and the --out asked for, so that it can be read before site.yaml is.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder.incremental.records import OutputRecord, digest
from builder.incremental.signing import cache_key, signed, verified

CACHE_FOLDER = Path(".cache") / "explainer"
MAGIC = b"explainer-build-summary\n"


@dataclass(frozen=True)
class Summary:
    inputs: str  # digest of every input, down to each file's signature
    out: str  # the output folder the build wrote
    pages: int
    outputs: dict[str, tuple[int, int]]  # output path -> (size, mtime_ns)
    warnings: tuple[tuple[str, int, int, str], ...]  # (path, line, col, message)
    changes_at: str | None = None  # ISO 8601: when the output changes with no edit
    scheduled: tuple[tuple[str, str, bool], ...] = ()  # (article path, goes live, built)


def summary_file(site: Path, requested_out: Path | None) -> Path:
    asked = str(requested_out.resolve()) if requested_out is not None else ""
    return site / CACHE_FOLDER / f"build-{digest(asked)[:16]}.summary"


def read_summary(file: Path) -> Summary | None:
    """The summary this user's builder wrote, or None."""
    key = cache_key()
    try:
        data = file.read_bytes()
    except OSError:
        return None
    if key is None or not data.startswith(MAGIC):
        return None
    payload = verified(key, data[len(MAGIC) :])
    if payload is None:
        return None
    try:
        found: dict[str, Any] = json.loads(bytes(payload))
        return Summary(
            found["inputs"],
            found["out"],
            found["pages"],
            {path: (size, mtime) for path, (size, mtime) in found["outputs"].items()},
            tuple((path, line, col, text) for path, line, col, text in found["warnings"]),
            found["changes_at"],
            tuple((path, at, bool(built)) for path, at, built in found["scheduled"]),
        )
    except (ValueError, KeyError, TypeError):
        return None


def outputs_intact(out: Path, outputs: dict[str, tuple[int, int]]) -> bool:
    """True when every output is still there with the size and time it was written with."""
    folder = str(out)
    for path, expected in outputs.items():
        try:
            info = os.stat(f"{folder}/{path}")  # noqa: PTH116 (strings: thousands of pages)
        except OSError:
            return False
        if (info.st_size, info.st_mtime_ns) != expected:
            return False
    return True


def write_summary(file: Path, summary: Summary) -> None:
    key = cache_key()
    if key is None:
        return
    data = {
        "inputs": summary.inputs,
        "out": summary.out,
        "pages": summary.pages,
        # Tuples are written as arrays, and sort_keys orders the paths: neither is
        # done twice over for the 63,000 outputs of a large site.
        "outputs": summary.outputs,
        "warnings": [list(warning) for warning in summary.warnings],
        "changes_at": summary.changes_at,
        "scheduled": [list(item) for item in summary.scheduled],
    }
    payload = json.dumps(data, sort_keys=True).encode("utf-8")
    file.parent.mkdir(parents=True, exist_ok=True)
    temporary = file.with_suffix(".tmp")
    temporary.write_bytes(MAGIC + signed(key, payload))
    temporary.replace(file)


def output_times(outputs: dict[str, OutputRecord]) -> dict[str, tuple[int, int]]:
    return {path: (record.size, record.mtime_ns) for path, record in outputs.items()}
