"""Rows for the store that worker processes put aside on disk.

Each story's first mentions, and what each entry page showed of each story,
are kept for the next build, so that an edit re-renders an entry page from one
row rather than from a hundred stories'. On a large site these rows are most
of the store. Sent back to the main process, they would all sit there (twice
over while being pickled and sent) until the store is written, and every
worker forked after would inherit them. Each process instead writes its rows,
signed, into files of its own in the build's spill folder; entry pages read
the stories' mentions from there, and the store takes the rows one at a time
once the build has succeeded (`Store.write_signed(table, spill.rows(table))`).

The folder belongs to one build: it is removed once its rows are in the store,
or when the build fails. A folder a process left behind when it was killed is
removed by the next build into the same store.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from builder.core.pickled import Pickled
from builder.incremental.signing import signed, verified

TABLES = ("bundle", "details", "mentions", "usage")
_MARK = ".spill-"


class Spill:
    """A build's spill folder: `put` and `get` from any process, `rows` and
    `discard` from the main one once the workers are done."""

    def __init__(self, folder: Path, key: bytes) -> None:
        self.folder = folder
        self.key = key  # the store's: rows are signed as it signs them
        # A connection must not cross a fork or a pipe: each process opens its own.
        self._writing: dict[str, sqlite3.Connection] = {}
        self._reading: dict[Path, sqlite3.Connection] = {}
        self._known: dict[str, list[Path]] = {}  # the files found for a table
        self._owner = os.getpid()
        # The cache folders a first build makes for it, removed with it: a
        # build that fails leaves nothing behind.
        self._made = [p for p in (folder.parent, folder.parent.parent) if not p.exists()]

    @classmethod
    def beside(cls, store_file: Path, key: bytes) -> Spill:
        """A folder for this build next to the store, after removing any that a
        process no longer running left there."""
        for folder in store_file.parent.glob(f"{store_file.stem}{_MARK}*"):
            if not _running(folder.name.rsplit(_MARK, 1)[1]):
                shutil.rmtree(folder, ignore_errors=True)
        return cls(store_file.with_name(f"{store_file.stem}{_MARK}{os.getpid()}"), key)

    def __getstate__(self) -> dict[str, object]:
        return {**self.__dict__, "_writing": {}, "_reading": {}, "_known": {}, "_owner": 0}

    def put(self, table: str, name: str, payload: bytes) -> None:
        """Keep one pickled value for `table`; it is committed by `flush`."""
        row = (name, signed(self.key, payload))
        self._writer(table).execute(f"INSERT OR REPLACE INTO {table} VALUES (?, ?)", row)

    def flush(self) -> None:
        """Commit and close this process's files: called when its share of the work
        is done, before any other process reads them."""
        self._adopt()
        for connection in (*self._writing.values(), *self._reading.values()):
            connection.commit()
            connection.close()
        self._writing.clear()
        self._reading.clear()
        self._known.clear()

    def get(self, table: str, name: str) -> Pickled[Any] | None:
        """The value put for `name` by any process whose files are flushed, if it verifies."""
        query = f"SELECT value FROM {_table(table)} WHERE name = ?"
        # The files are listed once; again on a miss, as a file may be new since.
        for listed_again in (False, True):
            if listed_again or table not in self._known:
                self._known[table] = self._parts(table)
            for part in self._known[table]:
                found = self._reader(part).execute(query, (name,)).fetchone()
                if found is not None:
                    payload = verified(self.key, found[0])
                    return None if payload is None else Pickled(bytes(payload))
        return None

    def rows(self, table: str) -> Iterator[tuple[str, bytes]]:
        """Every row put for `table`, read one at a time, signed as the store keeps them."""
        for part in self._parts(table):
            connection = sqlite3.connect(part)
            try:
                yield from connection.execute(f"SELECT name, value FROM {table}")
            finally:
                connection.close()

    def discard(self) -> None:
        self.flush()
        shutil.rmtree(self.folder, ignore_errors=True)
        for folder in self._made:  # only if empty: the store may be there by now
            with contextlib.suppress(OSError):
                folder.rmdir()

    def _adopt(self) -> None:
        """Forget connections another process opened: inherited through a fork."""
        if self._owner != os.getpid():
            self._writing, self._reading, self._known = {}, {}, {}
            self._owner = os.getpid()

    def _parts(self, table: str) -> list[Path]:
        return sorted(self.folder.glob(f"{_table(table)}-*.sqlite"))

    def _writer(self, table: str) -> sqlite3.Connection:
        self._adopt()
        connection = self._writing.get(table)
        if connection is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.folder / f"{_table(table)}-{os.getpid()}.sqlite")
            connection.execute("PRAGMA synchronous = OFF")  # read once, by this build
            connection.execute("PRAGMA journal_mode = OFF")
            connection.execute(
                f"CREATE TABLE IF NOT EXISTS {table} (name TEXT PRIMARY KEY, value BLOB)"
            )
            self._writing[table] = connection
        return connection

    def _reader(self, part: Path) -> sqlite3.Connection:
        self._adopt()
        connection = self._reading.get(part)
        if connection is None:
            connection = self._reading[part] = sqlite3.connect(part)
        return connection


def _table(name: str) -> str:
    if name not in TABLES:
        raise ValueError(f"no spilled table {name!r}")
    return name


def _running(pid: str) -> bool:
    """Whether the process that made a spill folder is still running; this
    process's own folder is left from a build that is over."""
    if not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # running, as another user
        return True
    return True
