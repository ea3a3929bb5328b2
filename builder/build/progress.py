"""Telling the person at the terminal how a build is going.

A progress bar with pages per second on a terminal, once a build has taken
more than a second; plain lines with --verbose (and in CI or pipes, for
stages that take more than a second); nothing with --quiet. Stages call the
same three methods whichever is chosen.
"""

from __future__ import annotations

import sys
import time
from typing import Any, Protocol

DELAY_SECONDS = 1.0


class Progress(Protocol):
    def stage(self, name: str, total: int) -> None: ...

    def advance(self, count: int = 1) -> None: ...

    def finish(self) -> None: ...


class Silent:
    """For --quiet, for `check` and for tests."""

    def stage(self, name: str, total: int) -> None:
        pass

    def advance(self, count: int = 1) -> None:
        pass

    def finish(self) -> None:
        pass


class PlainLines:
    """One line per stage, with its pace: readable in CI logs and pipes.

    Without --verbose only stages that took a while are told: a small site,
    or one that fails at once, prints its result and nothing else.
    """

    def __init__(self, min_seconds: float = 0.0) -> None:
        self.min_seconds = min_seconds
        self.name = ""
        self.total = 0
        self.started = 0.0

    def stage(self, name: str, total: int) -> None:
        self.finish()
        self.name, self.total, self.started = name, total, time.perf_counter()

    def advance(self, count: int = 1) -> None:
        pass

    def finish(self) -> None:
        if self.name:
            seconds = time.perf_counter() - self.started
            rate = f", {self.total / seconds:,.0f}/s" if seconds > 0 and self.total else ""
            if seconds >= self.min_seconds:
                print(f"{self.name}: {self.total} in {seconds:.2f} s{rate}", flush=True)
            self.name = ""


class ProgressBar:
    """A rich progress bar, shown only once the build has run for a second."""

    def __init__(self) -> None:
        self.began = time.perf_counter()
        self.bar: Any = None
        self.task: Any = None
        self.pending: tuple[str, int, int] | None = None  # stage, total, done so far

    def stage(self, name: str, total: int) -> None:
        if self.bar is not None:
            self.bar.update(self.task, description=name, total=total, completed=0)
        self.pending = (name, total, 0)

    def advance(self, count: int = 1) -> None:
        if self.pending is None:
            return
        name, total, done = self.pending
        self.pending = (name, total, done + count)
        if self.bar is None and time.perf_counter() - self.began > DELAY_SECONDS:
            self._show(name, total, done + count)
        elif self.bar is not None:
            self.bar.advance(self.task, count)

    def _show(self, name: str, total: int, done: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            _pages_per_second(),
            transient=True,
        )
        self.bar.start()
        self.task = self.bar.add_task(name, total=total, completed=done)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def _pages_per_second() -> Any:
    from rich.progress import ProgressColumn
    from rich.text import Text

    class PagesPerSecond(ProgressColumn):
        def render(self, task: Any) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:,.0f} pages/s" if speed else "", style="progress.data.speed")

    return PagesPerSecond()


def choose(quiet: bool, verbose: bool) -> Progress:
    """A bar on a terminal, plain lines in CI and pipes (or with --verbose), or nothing."""
    if quiet:
        return Silent()
    if verbose:
        return PlainLines()
    if not sys.stdout.isatty():
        return PlainLines(min_seconds=DELAY_SECONDS)
    return ProgressBar()
