"""Full-text search: Pagefind indexes the staged site before it is swapped in.

Pagefind comes from PyPI with its binary, so nothing is downloaded at build
time; the index lands in pagefind/ inside the output, where the search box
on every page finds it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from builder.core.diagnostics import Position, Report

SEARCH_FOLDER = "pagefind"


def index_site(folder: Path, language: str, report: Report, into: Path | None = None) -> None:
    """Write the search index into folder/pagefind, or into `into`; failures are errors."""
    where = ["--output-path", str(into)] if into else ["--output-subdir", SEARCH_FOLDER]
    command = [
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(folder),
        *where,
        "--force-language",
        language,
        "--quiet",
    ]
    import subprocess  # here: only a site with search starts a program

    try:
        finished = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as problem:
        report.error(Position("site.yaml"), f"search: cannot run Pagefind: {problem}")
        return
    if finished.returncode != 0:
        detail = (finished.stderr or finished.stdout).strip().splitlines()
        report.error(
            Position("site.yaml"),
            "search: Pagefind failed"
            + (f": {detail[-1]}" if detail else "")
            + "; is the pagefind[bin] package installed?",
        )
