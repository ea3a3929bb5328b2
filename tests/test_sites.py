"""Whole sites on disk.

Each invalid site must fail with exactly the lines of its expected.txt, from
`check` and from `build` alike, and write nothing. Each valid site must pass
`check` silently and build exactly the reviewed pages of its expected/ folder.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import os
import posixpath
import re
import shutil
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from PIL import Image

from tests.conftest import TESTS, Run, snapshot

INVALID = TESTS / "sites" / "invalid"
CASES = sorted(folder.name for folder in INVALID.iterdir() if folder.is_dir())

VALID = TESTS / "sites" / "valid"
VALID_CASES = sorted(folder.name for folder in VALID.iterdir() if folder.is_dir())
GOLDEN = "expected"
# 2024-04-01T00:00:00Z: after every story's date, and close enough to the facts'
# as_of dates that no fact is stale, so the output and the warnings never
# depend on the day the suite runs.
SOURCE_DATE_EPOCH = "1711929600"
# Theme files change whenever the theme is restyled; the golden pages are about content.
NOT_GOLDEN = ("static/",)
# Published pictures are compared as one line each in this file of the golden copy:
# their path, size, format and digest. A diff of text says which picture changed.
PICTURES = "pictures.txt"
PICTURE_SUFFIXES = (".jpg", ".png", ".webp")


def test_there_are_invalid_sites() -> None:
    assert len(CASES) >= 4


@pytest.mark.parametrize("case", CASES)
def test_invalid_site_reports_exactly_its_expected_lines(
    case: str, cli: Callable[..., Run], tmp_path: Path
) -> None:
    site = tmp_path / case
    shutil.copytree(INVALID / case, site, ignore=shutil.ignore_patterns(*NOT_SITE))
    expected = (INVALID / case / "expected.txt").read_text(encoding="utf-8")
    flags = arguments(INVALID / case)
    before = snapshot(tmp_path)

    checked = cli("check", "--site", site, *flags)
    assert (checked.code, checked.err) == (1, expected)

    built = cli("build", "--site", site, "--out", tmp_path / "out", *flags)
    assert (built.code, built.err) == (1, expected)
    assert snapshot(tmp_path) == before


# What a case folder holds besides the site: the expected stderr, the arguments
# `check` and `build` are run with, and the golden output.
NOT_SITE = ("expected.txt", "arguments.txt", "warnings.txt", "expected")


def arguments(case: Path) -> list[str]:
    """The options of a case's arguments.txt, such as --strict; none without one."""
    file = case / "arguments.txt"
    return file.read_text(encoding="utf-8").split() if file.is_file() else []


def test_there_are_valid_sites() -> None:
    assert VALID_CASES


def golden_files(folder: Path) -> dict[str, bytes]:
    """Every file below a folder that the golden copy holds, by relative path; the
    pictures of a build as lines of PICTURES."""
    found = {
        path: data for path, data in snapshot(folder).items() if not path.startswith(NOT_GOLDEN)
    }
    pictures = sorted(path for path in found if path.endswith(PICTURE_SUFFIXES))
    if pictures:
        found[PICTURES] = "".join(picture_line(path, found.pop(path)) for path in pictures).encode()
    return found


def picture_line(path: str, data: bytes) -> str:
    with Image.open(io.BytesIO(data)) as picture:
        width, height = picture.size
        kind = picture.format
    return f"{path} {width}x{height} {kind} {hashlib.sha256(data).hexdigest()[:16]}\n"


def rewrite_golden(golden: Path, built: dict[str, bytes]) -> None:
    shutil.rmtree(golden, ignore_errors=True)
    for relative, data in built.items():
        target = golden / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def first_difference(expected: dict[str, bytes], built: dict[str, bytes]) -> str | None:
    """A unified diff of the first file whose bytes differ, or None when all agree."""
    for relative in sorted(expected):
        if expected[relative] == built[relative]:
            continue
        diff = difflib.unified_diff(
            expected[relative].decode("utf-8", "replace").splitlines(keepends=True),
            built[relative].decode("utf-8", "replace").splitlines(keepends=True),
            fromfile=f"{GOLDEN}/{relative}",
            tofile=f"built/{relative}",
        )
        return "".join(diff) or f"{relative}: the bytes differ, the text does not"
    return None


@pytest.mark.parametrize("case", VALID_CASES)
def test_valid_site_builds_exactly_its_golden_pages(
    case: str, cli: Callable[..., Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Build a copy of the site and compare every file with expected/, byte for byte.

    Everything the build writes is compared except `static/` (the theme's CSS and
    JavaScript, which change whenever the theme is restyled). The build runs with
    a fixed SOURCE_DATE_EPOCH. With UPDATE_GOLDEN=1 in the environment the test
    rewrites expected/ from the build instead of comparing; review the result with
    `git diff` before committing it.
    """
    monkeypatch.setenv("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
    site = tmp_path / case
    shutil.copytree(VALID / case, site, ignore=shutil.ignore_patterns(*NOT_SITE))
    warnings = VALID / case / "warnings.txt"  # the warnings the site is meant to draw
    expected_err = warnings.read_text(encoding="utf-8") if warnings.is_file() else ""

    checked = cli("check", "--site", site)
    assert (checked.code, checked.err) == (0, expected_err)

    out = tmp_path / "out"
    result = cli("build", "--site", site, "--out", out)
    assert (result.code, result.err) == (0, expected_err)
    built = golden_files(out)

    golden = VALID / case / GOLDEN
    if os.environ.get("UPDATE_GOLDEN") == "1":
        rewrite_golden(golden, built)
        pytest.skip(f"rewrote {golden.relative_to(TESTS)}/; review it with `git diff`")

    expected = golden_files(golden)
    missing, extra = sorted(expected.keys() - built), sorted(built.keys() - expected)
    assert (missing, extra) == ([], []), f"not built: {missing}; not in {GOLDEN}/: {extra}"
    difference = first_difference(expected, built)
    assert difference is None, f"a built file differs from its golden copy:\n{difference}"


# The attributes that hold a URL a browser follows or loads.
URL_ATTRIBUTES = ("href", "src")
SRCSET = "srcset"


class _Urls(HTMLParser):
    """Every URL of a page's href, src and srcset attributes, as written."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in URL_ATTRIBUTES:
                self.urls.append(value)
            elif name == SRCSET:
                self.urls.extend(part.split()[0] for part in value.split(",") if part.strip())


def internal_links(out: Path) -> dict[str, list[str]]:
    """Every page's links to the site's own files (not "#…", a scheme or "//host"),
    by the page's path below `out`."""
    found: dict[str, list[str]] = {}
    for page in sorted(out.rglob("*.html")):
        parser = _Urls()
        parser.feed(page.read_text(encoding="utf-8"))
        local = [
            url
            for url in parser.urls
            if not url.startswith(("#", "//")) and not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", url)
        ]
        found[page.relative_to(out).as_posix()] = local
    return found


def link_form(url: str) -> str | None:
    """ "folder" for a link to a page's folder, "index" for one to its index.html,
    None for a link to any other file."""
    path = re.split(r"[?#]", url, maxsplit=1)[0]
    if path.endswith("/") or path in (".", ".."):
        return "folder"
    return "index" if path.split("/")[-1] == "index.html" else None


@pytest.mark.parametrize("case", VALID_CASES)
def test_every_internal_link_takes_the_sites_one_form_and_leads_to_a_file(
    case: str, cli: Callable[..., Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scan every built page: each link to a page is its folder where site.yaml says
    directory_urls: true and its index.html otherwise, and each link of either
    kind, page or file, leads to a file the build wrote."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
    site = tmp_path / case
    shutil.copytree(VALID / case, site, ignore=shutil.ignore_patterns(*NOT_SITE))
    out = tmp_path / "out"
    assert cli("build", "--site", site, "--out", out).code == 0
    folders = "directory_urls: true" in (site / "site.yaml").read_text(encoding="utf-8")
    wanted = "folder" if folders else "index"

    pages = internal_links(out)
    assert pages, "the build wrote no page"
    wrong_form, broken = [], []
    for page, urls in pages.items():
        for url in urls:
            form = link_form(url)
            if form is not None and form != wanted:
                wrong_form.append(f"{page}: {url}")
            path = posixpath.normpath(
                posixpath.join(posixpath.dirname(page), unquote(re.split(r"[?#]", url)[0]))
            )
            target = out / path / "index.html" if form == "folder" else out / path
            if not target.is_file():
                broken.append(f"{page}: {url}")
    assert wrong_form == [], f"links not in the {wanted} form"
    assert broken == [], "links to no file"
