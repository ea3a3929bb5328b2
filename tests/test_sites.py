"""Whole invalid sites on disk: each must fail with exactly the lines of its
expected.txt, from `check` and from `build` alike, and write nothing."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import TESTS, Run, snapshot

INVALID = TESTS / "sites" / "invalid"
CASES = sorted(folder.name for folder in INVALID.iterdir() if folder.is_dir())


def test_there_are_invalid_sites() -> None:
    assert len(CASES) >= 4


@pytest.mark.parametrize("case", CASES)
def test_invalid_site_reports_exactly_its_expected_lines(
    case: str, cli: Callable[..., Run], tmp_path: Path
) -> None:
    site = tmp_path / case
    shutil.copytree(INVALID / case, site, ignore=shutil.ignore_patterns("expected.txt"))
    expected = (INVALID / case / "expected.txt").read_text(encoding="utf-8")
    before = snapshot(tmp_path)

    checked = cli("check", "--site", site)
    assert (checked.code, checked.err) == (1, expected)

    built = cli("build", "--site", site, "--out", tmp_path / "out")
    assert (built.code, built.err) == (1, expected)
    assert snapshot(tmp_path) == before
