"""`build --watch`: build, then build again after every save, until Ctrl+C.

The desk's loop on deadline. The builder stays running, so each build after
the first starts from the last one (builder.build.warm): the watcher says
which files changed, only those are signed again, and only the pages that
show what changed are rendered. A build with errors leaves the output as it
was and the loop goes on; the next save that fixes them publishes.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable
from dataclasses import replace

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer

from builder.build.options import BuildOptions, BuildResult
from builder.build.run import build
from builder.build.warm import Changes, Warm
from builder.core.diagnostics import ContentError, Report

QUIET_SECONDS = 0.1  # a save is often several events: build once they stop
# The events asked of the kernel: without opens and reads, which a build that
# renders a hundred stories makes by the thousand, and which the watcher's
# threads would otherwise decode while the build waits for the interpreter
# (measured: an entry edit at 5,000 stories took twice as long).
CHANGE_EVENTS: list[type[FileSystemEvent]] = [
    FileCreatedEvent,
    FileModifiedEvent,
    FileDeletedEvent,
    FileMovedEvent,
    FileClosedEvent,
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
]
# What an editor's save does to a file, by name; opening and reading one (the
# build itself reads every changed file) is not a change.
FILE_CHANGES = frozenset(event.event_type for event in CHANGE_EVENTS)


class Recorder(FileSystemEventHandler):
    """Notes each change the watcher reports, then wakes the loop."""

    def __init__(self, changes: Changes, wake: threading.Event, only: str | None = None) -> None:
        self.changes = changes
        self.wake = wake
        self.only = only  # watching the site folder itself: only site.yaml matters there

    def on_any_event(self, event: FileSystemEvent) -> None:
        paths = [_text(event.src_path), _text(getattr(event, "dest_path", "") or "")]
        paths = [path for path in paths if path]
        if self.only is not None and self.only not in paths:
            return
        if event.is_directory and event.event_type == "modified":
            # Said of the folder of every file created, changed or removed, each of
            # which has its own event: were it taken as news, a saved glossary file
            # would make the builder walk the whole site.
            return
        if event.is_directory:
            self.changes.lose_track()  # a folder made, removed or moved: walk the site
        elif event.event_type not in FILE_CHANGES:
            return
        for path in paths:
            self.changes.add(path)
        self.wake.set()


def _text(path: str | bytes) -> str:
    return path.decode() if isinstance(path, bytes) else path


def watch(
    options: BuildOptions,
    built: Callable[[BuildResult, float], None],
    failed: Callable[[Report], None],
) -> int:
    """Build now and after every change under content/, templates/ or to
    site.yaml; `built` and `failed` tell the editor how each build went."""
    # Resolved, as the watcher names the paths it reports.
    options = replace(options, site=options.site.resolve())
    site, warm, wake = options.site, Warm(), threading.Event()
    gc.enable()  # running for hours, it collects between builds (off in a one-shot command)
    observer = Observer()
    for folder in (site / "content", site / "templates"):
        if folder.is_dir():
            recorder = Recorder(warm.changes, wake)
            observer.schedule(recorder, str(folder), recursive=True, event_filter=CHANGE_EVENTS)
    site_yaml = str(site / "site.yaml")
    recorder = Recorder(warm.changes, wake, site_yaml)
    observer.schedule(recorder, str(site), recursive=False, event_filter=CHANGE_EVENTS)
    observer.start()  # before the first build: a save during it is built next
    try:
        while True:
            _build_once(options, warm, built, failed)
            wake.wait()
            _wait_until_quiet(wake)
    except KeyboardInterrupt:
        return 0
    finally:
        observer.stop()
        observer.join()
        warm.settle()  # the store and summary of the last build are written before exit


def _wait_until_quiet(wake: threading.Event) -> None:
    wake.clear()
    while wake.wait(QUIET_SECONDS):
        wake.clear()


def _build_once(
    options: BuildOptions,
    warm: Warm,
    built: Callable[[BuildResult, float], None],
    failed: Callable[[Report], None],
) -> None:
    start = time.perf_counter()
    try:
        result = build(options, warm)
    except ContentError as problem:
        failed(problem.report)
        return
    built(result, time.perf_counter() - start)
