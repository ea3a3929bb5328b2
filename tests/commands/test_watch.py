"""`build --watch`: builds, then builds again after each save, as a clean build
would; a broken save is reported and publishes nothing, and the fix publishes."""

from __future__ import annotations

import gc
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from watchdog.events import (
    DirCreatedEvent,
    DirModifiedEvent,
    FileClosedNoWriteEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileOpenedEvent,
)

from builder.build.options import BuildOptions, BuildResult
from builder.build.run import build
from builder.build.warm import Changes
from builder.commands.watch import CHANGE_EVENTS, Recorder, watch
from builder.core.diagnostics import Report
from tests.conftest import snapshot

REPO = Path(__file__).resolve().parents[2]
WHO = "content/world/putin-kim-rifles/who.yaml"
PAGE = "world/putin-kim-rifles/index.html"


class Watcher:
    """`build --watch` in a process of its own, its output read line by line."""

    def __init__(self, site: Path, out: Path) -> None:
        command = [sys.executable, "-m", "builder", "build", "--watch"]
        self.process = subprocess.Popen(
            [*command, "--site", str(site), "--out", str(out)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def until(self, *starts: str, seconds: float = 60) -> list[str]:
        """The lines printed up to and including one that starts with one of `starts`."""
        deadline, seen = time.monotonic() + seconds, []
        while True:
            line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            seen.append(line)
            if line.startswith(starts):
                return seen

    def stop(self) -> str:
        self.process.terminate()
        self.process.wait(timeout=20)
        rest = []
        while not self.lines.empty():
            rest.append(self.lines.get())
        return "\n".join(rest)


@pytest.fixture
def watched(tmp_path: Path) -> Iterator[tuple[Watcher, Path, Path]]:
    site = tmp_path / "site"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "site.yaml", site / "site.yaml")
    out = tmp_path / "out"
    watcher = Watcher(site, out)
    try:
        watcher.until("built ")
        yield watcher, site, out
    finally:
        assert "Traceback" not in watcher.stop()


def edit(site: Path, old: str, new: str) -> None:
    file = site / WHO
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_save_is_built_as_a_clean_build_would_build_it(
    watched: tuple[Watcher, Path, Path], tmp_path: Path
) -> None:
    watcher, site, out = watched
    edit(site, "in_this_story: ", "in_this_story: Relayed the news from the Kremlin. ")
    lines = watcher.until("built ")
    assert " rendered) into " in lines[-1] and lines[-1].endswith(" s")
    assert "Relayed the news from the Kremlin." in (out / PAGE).read_text(encoding="utf-8")
    build(BuildOptions(site=site, out=tmp_path / "clean", clean=True))
    assert snapshot(out) == snapshot(tmp_path / "clean")


def test_a_broken_save_publishes_nothing_and_the_fix_publishes(
    watched: tuple[Watcher, Path, Path],
) -> None:
    watcher, site, out = watched
    before = snapshot(out)
    edit(site, "- ref: ", "- rfe: ")
    lines = watcher.until("not published")
    assert any("who.yaml" in line and "unknown field" in line for line in lines)
    assert snapshot(out) == before
    edit(site, "- rfe: ", "- ref: ")
    assert watcher.until("built ", "up to date")[-1]


def test_the_recorder_notes_changes_and_leaves_reads_and_folder_touches_out() -> None:
    changes, wake = Changes(), threading.Event()
    changes.take()  # the first build looked at everything
    recorder = Recorder(changes, wake)
    recorder.dispatch(FileOpenedEvent("/site/content/a/b/article.md"))
    recorder.dispatch(FileClosedNoWriteEvent("/site/content/a/b/article.md"))
    recorder.dispatch(DirModifiedEvent("/site/content/glossary"))
    assert not wake.is_set() and changes.take() == set()
    recorder.dispatch(FileModifiedEvent("/site/content/glossary/people.yaml"))
    recorder.dispatch(FileMovedEvent("/site/content/a/b/.x.swp", "/site/content/a/b/who.yaml"))
    assert wake.is_set()
    assert changes.take() == {
        "/site/content/glossary/people.yaml",
        "/site/content/a/b/.x.swp",
        "/site/content/a/b/who.yaml",
    }
    recorder.dispatch(DirCreatedEvent("/site/content/a/new-story"))
    assert changes.take() is None  # a new folder: the next build walks the site


def test_the_kernel_is_not_asked_for_reads() -> None:
    assert FileOpenedEvent not in CHANGE_EVENTS
    assert FileClosedNoWriteEvent not in CHANGE_EVENTS
    assert DirModifiedEvent not in CHANGE_EVENTS


def test_a_builder_that_keeps_running_collects_between_builds(tmp_path: Path) -> None:
    # A one-shot command runs with the cyclic collector off (`cli.run`): a
    # builder that stays running for hours must switch it on again.
    site = tmp_path / "site"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "site.yaml", site / "site.yaml")
    collecting: list[bool] = []

    def after_the_first_build(*_: BuildResult | Report | float) -> None:
        collecting.append(gc.isenabled())
        raise KeyboardInterrupt  # as Ctrl+C, which ends the watch

    gc.disable()
    try:
        options = BuildOptions(site=site, out=tmp_path / "out")
        assert watch(options, after_the_first_build, after_the_first_build) == 0
    finally:
        gc.enable()
    assert collecting == [True]
