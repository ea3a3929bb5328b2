"""Rows for the store that worker processes put aside on disk.

What an entry page showed of each story is kept for the next build, so that
an edit re-renders the page from one row rather than from a hundred stories'.
On a large site these rows are the biggest part of the store: sent back to the
main process, they would all sit there, twice over while being pickled and
sent, until the store is written. Each process instead writes its rows, signed,
into a file of its own in the build's spill folder, and the store takes them
from there one at a time once the build has succeeded
(`Store.write_signed(table, spill.rows(table))`).

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

from builder.incremental.signing import signed

TABLES = ("usage",)
_MARK = ".spill-"


class Spill:
    """A build's spill folder; `put` from any process, `rows` and `discard` from the main one."""

    def __init__(self, folder: Path, key: bytes | None) -> None:
        self.folder = folder
        self.key = key  # None: nothing is kept, as the store keeps nothing
        self._connection: sqlite3.Connection | None = None
        self._owner = 0  # the process that opened the connection
        # The cache folders a first build makes for it, removed with it: a
        # build that fails leaves nothing behind.
        self._made = [p for p in (folder.parent, folder.parent.parent) if not p.exists()]

    @classmethod
    def beside(cls, store_file: Path, key: bytes | None) -> Spill:
        """A folder for this build next to the store, after removing any that a
        process no longer running left there."""
        for folder in store_file.parent.glob(f"{store_file.stem}{_MARK}*"):
            if not _running(folder.name.rsplit(_MARK, 1)[1]):
                shutil.rmtree(folder, ignore_errors=True)
        return cls(store_file.with_name(f"{store_file.stem}{_MARK}{os.getpid()}"), key)

    def put(self, table: str, name: str, payload: bytes) -> None:
        """Keep one pickled value for `table`; it is committed by `flush`."""
        if self.key is None:
            return
        connection = self._open()
        row = (name, signed(self.key, payload))
        connection.execute(f"INSERT OR REPLACE INTO {_table(table)} VALUES (?, ?)", row)

    def flush(self) -> None:
        """Commit and close this process's file: called when its share of the work is done."""
        if self._connection is not None and self._owner == os.getpid():
            self._connection.commit()
            self._connection.close()
        self._connection = None

    def rows(self, table: str) -> Iterator[tuple[str, bytes]]:
        """Every row put for `table`, read one at a time, signed as the store keeps them."""
        for part in sorted(self.folder.glob("*.sqlite")):
            connection = sqlite3.connect(part)
            try:
                yield from connection.execute(f"SELECT name, value FROM {_table(table)}")
            finally:
                connection.close()

    def discard(self) -> None:
        self.flush()
        shutil.rmtree(self.folder, ignore_errors=True)
        for folder in self._made:  # only if empty: the store may be there by now
            with contextlib.suppress(OSError):
                folder.rmdir()

    def _open(self) -> sqlite3.Connection:
        # A connection must not cross a fork: a worker opens a file of its own.
        if self._connection is None or self._owner != os.getpid():
            self.folder.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.folder / f"part-{os.getpid()}.sqlite")
            connection.execute("PRAGMA synchronous = OFF")  # read once, by this build
            connection.execute("PRAGMA journal_mode = OFF")
            for table in TABLES:
                connection.execute(
                    f"CREATE TABLE IF NOT EXISTS {table} (name TEXT PRIMARY KEY, value BLOB)"
                )
            self._connection, self._owner = connection, os.getpid()
        return self._connection


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
