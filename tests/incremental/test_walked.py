"""The last walk of content/, taken again while no folder it listed changed."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest

from builder.content.discover import (
    BundleFiles,
    FolderStat,
    SourceFiles,
    discover,
    rescan_bundle,
)
from builder.core.diagnostics import Report
from builder.incremental import walked
from builder.incremental.signing import TAG_BYTES
from tests.conftest import ARTICLE, write_files

STORY = Path(ARTICLE).parent.as_posix()


@pytest.fixture
def walks(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every site walked; a walk is kept at once, as it is where the folders
    have not changed for a while."""
    monkeypatch.setattr(walked, "RECENT_NS", 0)
    found: list[Path] = []

    def counted(site: Path, report: Report, folders: list[FolderStat]) -> SourceFiles:
        found.append(site)
        return discover(site, report, folders)

    monkeypatch.setattr(walked, "discover", counted)
    return found


def files_of(site: Path, report: Report | None = None, **options: bool) -> SourceFiles:
    """The files found, the walk kept as a build that went through keeps it."""
    files, walk = walked.source_files(site, report or Report(), **options)
    if walk is not None:
        walk.keep()
    return files


def test_a_walk_is_taken_again_while_no_folder_changed(
    make_site: Callable[..., Path], walks: list[Path]
) -> None:
    site = make_site()
    first = files_of(site)
    (site / ARTICLE).write_text("---\ntitle: Edited in place\n---\n", encoding="utf-8")
    assert files_of(site) == first
    assert len(walks) == 1


def save_by_renaming(file: Path, text: str) -> None:
    """As editors that write a new file and rename it over the old one save."""
    new = file.with_name(f".{file.name}.new")
    new.write_text(text, encoding="utf-8")
    new.replace(file)


@pytest.mark.parametrize(
    "change",
    [
        lambda site: write_files(site, {f"{STORY}/where.yaml": "[]\n"}),  # a sidecar added
        lambda site: (site / f"{STORY}/who.yaml").unlink(),
        lambda site: save_by_renaming(site / ARTICLE, "---\ntitle: Saved anew\n---\n"),
    ],
    ids=["file added", "file removed", "saved by renaming"],
)
def test_a_storys_folder_changed_is_listed_again_alone(
    make_site: Callable[..., Path], walks: list[Path], change: Callable[[Path], object]
) -> None:
    site = make_site({f"{STORY}/who.yaml": "[]\n"})
    files_of(site)
    change(site)
    assert files_of(site) == discover(site, Report())
    assert len(walks) == 1


@pytest.mark.parametrize(
    "change",
    [
        lambda site: (site / STORY).rename(site / "content/world/renamed"),
        lambda site: write_files(site, {"content/business/new/article.md": "---\n---\n"}),
        lambda site: write_files(site, {"content/glossary/more.yaml": "[]\n"}),
        lambda site: write_files(site, {f"{STORY}/inside/article.md": "---\n---\n"}),
        lambda site: write_files(site, {f"{STORY}/whoo.yaml": "[]\n"}),  # a problem
    ],
    ids=["folder renamed", "bundle added", "glossary file added", "folder inside", "problem"],
)
def test_any_other_folder_changed_is_walked_again(
    make_site: Callable[..., Path], walks: list[Path], change: Callable[[Path], object]
) -> None:
    site = make_site()
    files_of(site)
    change(site)
    assert files_of(site) == discover(site, Report())
    assert len(walks) == 2


def test_a_folder_whose_time_was_put_back_is_listed_again(
    make_site: Callable[..., Path], walks: list[Path]
) -> None:
    """Its change time, which no tool can set back, still tells."""
    site = make_site()
    files_of(site)
    folder = site / STORY
    times = folder.stat()
    write_files(site, {f"{STORY}/where.yaml": "[]\n"})
    os.utime(folder, ns=(times.st_atime_ns, times.st_mtime_ns))
    assert "where.yaml" in files_of(site).bundles[0].sidecars


def test_a_folder_changed_lately_is_listed_again_next_time(
    make_site: Callable[..., Path], walks: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Within the same tick of the file system's clock, a second change would
    leave its times as they were after the first: it is kept as unknown."""
    site = make_site()
    files_of(site)
    rescans: list[str] = []

    def counted(site: Path, bundle: BundleFiles, report: Report) -> BundleFiles | None:
        rescans.append(bundle.path)
        return rescan_bundle(site, bundle, report)

    monkeypatch.setattr(walked, "rescan_bundle", counted)
    save_by_renaming(site / ARTICLE, "---\ntitle: Saved anew\n---\n")
    changed_at = (site / STORY).stat().st_ctime_ns
    with monkeypatch.context() as clock:  # listed in the tick it changed in
        clock.setattr(walked, "time", SimpleNamespace(time_ns=lambda: changed_at))
        files_of(site)
        write_files(site, {f"{STORY}/where.yaml": "[]\n"})  # in that tick, as far as it tells
        assert "where.yaml" in files_of(site).bundles[0].sidecars
    assert rescans == ["world/story"] * 2
    assert files_of(site) == discover(site, Report())  # listed again, and now settled
    files_of(site)
    assert rescans == ["world/story"] * 3 and len(walks) == 1


def test_a_walk_with_problems_is_made_and_reported_again(
    make_site: Callable[..., Path], walks: list[Path]
) -> None:
    site = make_site({f"{STORY}/whoo.yaml": "[]\n"})
    for _ in range(2):
        report = Report()
        files_of(site, report)
        assert any("'whoo.yaml' is not a sidecar name" in d.message for d in report.diagnostics)
    assert len(walks) == 2


def test_a_clean_build_walks_and_a_check_keeps_nothing(
    make_site: Callable[..., Path], walks: list[Path]
) -> None:
    site = make_site()
    files_of(site, keep=False)
    assert not (site / walked.WALK_FILE).exists()
    files_of(site)
    files_of(site, reuse=False)
    assert len(walks) == 3


def test_a_walk_kept_is_not_taken_by_another_user_or_for_another_path(
    make_site: Callable[..., Path], walks: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site()
    files_of(site)
    kept = site / walked.WALK_FILE
    data = kept.read_bytes()
    kept.write_bytes(bytes(TAG_BYTES) + data[TAG_BYTES:])  # signed with another key
    files_of(site)
    monkeypatch.chdir(site.parent)
    files_of(Path(site.name))  # the same folder, named from elsewhere
    assert len(walks) == 3


def test_a_walk_is_kept_only_once_the_build_is_through(
    make_site: Callable[..., Path], walks: list[Path]
) -> None:
    site = make_site()
    files, walk = walked.source_files(site, Report())
    assert walk is not None and walk.data is not None
    assert not (site / ".cache").exists()  # the build was refused, or failed
    files_of(site)
    again, walk = walked.source_files(site, Report())
    assert again == files and walk is None  # nothing new to keep
    write_files(site, {f"{STORY}/whoo.yaml": "[]\n"})
    files_of(site)  # a walk with a problem: the kept one is forgotten
    assert not (site / walked.WALK_FILE).exists()
