"""The incremental cache on disk: a small SQLite store of signed, pickled values.

One store per site and output folder, under .cache/ in the site. Each table
maps a name (a bundle path, an output path) to a value, so a rebuild reads
every small record it needs in one pass and the few large ones (timelines,
first-mention sentences) only for the pages it renders, and writes back only
what changed, in one transaction. Every value is signed (builder.incremental.signing):
a row this user's builder did not write is never unpickled. A store that is
missing, foreign, corrupt or from another version is an empty one.
"""

from __future__ import annotations

import pickle
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from builder.core.pickled import Pickled
from builder.incremental.signing import cache_key, signed, verified

TABLES = (
    "meta",
    "glossary",
    "bundle",
    "details",
    "article",
    "mentions",
    "usage",
    "state",
    "snapshot",
)
# Tables every rebuild in a new process reads whole, also kept as one pickle
# each (the `snapshot` table): its rows unpickled one by one cost four times
# as much (1.2 s against 0.3 at 50,000 stories), each row naming its classes
# and repeating its strings again. A snapshot is kept with the names written
# or removed since it was taken, whose rows are read on top of it; taken anew
# once those are more than a share of the table (`Store.snapshot_wanted`).
SNAPSHOTS = ("bundle", "article")
SNAPSHOT_STALE = 0.125


class StoppedReading(Exception):
    """The caller said, part way through a table, that it needs no more of it."""


_ROWS_BETWEEN_QUESTIONS = 1000


def dumps(value: object) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


class Store:
    """Read what the last build kept, then write what this one changed.

    Nothing is created or changed on disk before the first write, which a
    build makes only once it has succeeded.
    """

    def __init__(self, file: Path, identity: str, fresh: bool = False) -> None:
        """`fresh`: read nothing of what is there, and replace it all on the first write."""
        self.file = file
        self.identity = identity
        self.key = cache_key()
        self._connection: sqlite3.Connection | None = None
        if self.key is not None and not fresh and file.is_file():  # no key: every build cold
            self._connection = _open_existing(file, identity, self.key)
        # Of each snapshotted table: the names changed since its snapshot (None:
        # there is none), as read; and those this store's writes changed.
        self._since: dict[str, frozenset[str] | None] = {}
        self._changed: dict[str, set[str]] = {table: set() for table in SNAPSHOTS}

    def all(self, table: str, stop: Callable[[], bool] | None = None) -> dict[str, Any]:
        """Every value of a table, by name; rows that fail their signature are left out.
        `stop` is asked every thousand rows; when it says so, StoppedReading is raised."""
        if self._connection is None:
            return {}
        if table in SNAPSHOTS:
            found = self._from_snapshot(table, stop)
            if found is not None:
                return found
        return self._rows(table, stop)

    def _rows(self, table: str, stop: Callable[[], bool] | None = None) -> dict[str, Any]:
        """Every value of a table as its rows hold them."""
        assert self._connection is not None
        rows = self._connection.execute(f"SELECT name, value FROM {_table(table)}")
        found: dict[str, Any] = {}
        while batch := rows.fetchmany(_ROWS_BETWEEN_QUESTIONS):
            if stop is not None and stop():
                raise StoppedReading
            found.update(
                (name, value) for name, value in map(self._row, batch) if value is not None
            )
        return found

    def _from_snapshot(self, table: str, stop: Callable[[], bool] | None) -> dict[str, Any] | None:
        """The table's snapshot with the rows changed since read on top of it; None
        when there is no snapshot, or it does not verify or load."""
        since = self._since_of(table)
        if since is None:
            return None
        if stop is not None and stop():
            raise StoppedReading
        found = self._signed_value("snapshot", table)
        if not isinstance(found, dict):
            self._since[table] = None
            return None
        newer = self.some(table, since)
        for name in since:  # written since, or removed
            value = _loads(newer[name].data) if name in newer else None
            if value is None:  # removed, or not to be read, as _rows leaves it out
                found.pop(name, None)
            else:
                found[name] = value
        return found

    def _since_of(self, table: str) -> frozenset[str] | None:
        """The names changed since the table's snapshot; None if it has none."""
        if table not in self._since:
            names = self._signed_value("snapshot", f"{table}:since")
            self._since[table] = frozenset(names) if isinstance(names, tuple) else None
        return self._since[table]

    def _signed_value(self, table: str, name: str) -> Any:
        if self._connection is None or self.key is None:
            return None
        query = f"SELECT value FROM {_table(table)} WHERE name = ?"
        row = self._connection.execute(query, (name,)).fetchone()
        payload = None if row is None else verified(self.key, row[0])
        return None if payload is None else _loads(payload)

    def snapshot_wanted(self, table: str, size: int) -> bool:
        """Whether to take the table's snapshot anew: there is none, or more than a
        share of its `size` names changed since it was taken."""
        since = self._since_of(table) if self._connection is not None else None
        if since is None:
            return True
        return len(since | self._changed[table]) > SNAPSHOT_STALE * max(1, size)

    def snapshot(self, table: str, values: Mapping[str, object]) -> None:
        """Keep the whole table as one pickle: `values`, every name and value its
        rows hold once this store's writes so far are committed. Names written
        after are read on top of it."""
        key = self.key
        connection = self._writable()
        if key is None or connection is None:
            return
        taken = signed(key, dumps(dict(values)))
        rows = ((table, taken), (f"{table}:since", signed(key, dumps(()))))
        connection.executemany("INSERT OR REPLACE INTO snapshot VALUES (?, ?)", rows)
        self._since[table] = frozenset()
        self._changed[table].clear()

    def some(self, table: str, names: Iterable[str]) -> dict[str, Pickled[Any]]:
        """The verified, still pickled values of some names; missing names are left out."""
        if self._connection is None:
            return {}
        wanted = sorted(set(names))
        found: dict[str, Pickled[Any]] = {}
        for start in range(0, len(wanted), 500):  # SQLite limits the parameters of a query
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT name, value FROM {_table(table)} WHERE name IN ({marks})"
            for name, data in self._connection.execute(query, chunk):
                payload = verified(self.key, data) if self.key else None
                if payload is not None:
                    found[name] = Pickled(bytes(payload))
        return found

    def get(self, table: str, name: str) -> Any:
        payload = self.some(table, [name]).get(name)
        return None if payload is None else _loads(payload.data)

    def write(
        self, table: str, values: Mapping[str, object] | None = None, removed: Iterable[str] = ()
    ) -> None:
        """Put values; drop the removed names."""
        key = self.key
        if key is None:
            return
        # Rows are made one at a time as SQLite takes them: a large site's
        # signed copies never sit in memory all at once.
        self.write_signed(table, ((n, signed(key, dumps(v))) for n, v in (values or {}).items()))
        connection = self._writable()
        if connection is not None:
            gone = ((name,) for name in self._noted(table, removed))
            connection.executemany(f"DELETE FROM {_table(table)} WHERE name = ?", gone)

    def write_signed(self, table: str, rows: Iterable[tuple[str, bytes]]) -> None:
        """Put rows signed already with this store's key (builder.incremental.spill)."""
        connection = self._writable()
        if connection is not None:
            target = _table(table)
            if table in SNAPSHOTS:
                rows = ((self._note(table, name), data) for name, data in rows)
            connection.executemany(f"INSERT OR REPLACE INTO {target} VALUES (?, ?)", rows)

    def _noted(self, table: str, names: Iterable[str]) -> Iterable[str]:
        return (self._note(table, name) for name in names) if table in SNAPSHOTS else names

    def _note(self, table: str, name: str) -> str:
        """A name of a snapshotted table written or removed: read on top of its snapshot."""
        self._changed[table].add(name)
        return name

    def _writable(self) -> sqlite3.Connection | None:
        """The connection to write with, the store made empty on the first write."""
        if self.key is None:
            return None
        if self._connection is None:
            self._connection = _create(self.file, self.identity, self.key)
            self._since = {}  # an empty store: no snapshot
        return self._connection

    def commit(self) -> None:
        if self._connection is None:
            return
        for table in SNAPSHOTS:
            changed = self._changed[table]
            since = self._since_of(table)
            if changed and since is not None and self.key:
                since = since | changed
                value = signed(self.key, dumps(tuple(sorted(since))))
                self._connection.execute(
                    "INSERT OR REPLACE INTO snapshot VALUES (?, ?)", (f"{table}:since", value)
                )
                self._since[table] = since
            changed.clear()
        self._connection.commit()

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _row(self, row: tuple[str, bytes]) -> tuple[str, Any]:
        name, data = row
        payload = verified(self.key, data) if self.key else None
        return name, None if payload is None else _loads(payload)


def _table(name: str) -> str:
    if name not in TABLES:
        raise ValueError(f"no table {name!r}")
    return name


def _loads(payload: bytes | memoryview) -> Any:
    try:
        return pickle.loads(payload)
    except Exception:  # a value that does not load is simply not used
        return None


def _open_existing(file: Path, identity: str, key: bytes) -> sqlite3.Connection | None:
    """The store if it was written for this build's identity and reads; else None."""
    try:
        connection = _connect(file)
        if _identity(connection, key) == identity:
            return connection
        connection.close()
    except sqlite3.Error:
        pass
    return None


def _create(file: Path, identity: str, key: bytes) -> sqlite3.Connection | None:
    """A new, empty store in place of whatever stood there."""
    file.parent.mkdir(parents=True, exist_ok=True)
    ignore = file.parent.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# The explainer builder's cache; safe to delete.\n*\n")
    _prune(file.parent)
    mark = signed(key, dumps(identity))
    try:  # emptied rather than deleted: freeing a large file slows the disk for a while
        connection = _connect(file)
        # Emptied with no journal: kept in memory, it would hold every page of
        # the old store. A crash meanwhile leaves a file that does not open,
        # which the next write replaces (below).
        connection.execute("PRAGMA journal_mode = OFF")
        for table in TABLES:
            connection.execute(f"DELETE FROM {table}")
        connection.execute("INSERT INTO meta VALUES ('identity', ?)", (mark,))
        # An empty store is a whole one; committed now, the build's rows go
        # into pages that were free when its transaction began, which need no journal.
        connection.commit()
        connection.execute("PRAGMA journal_mode = MEMORY")
        return connection
    except sqlite3.Error:
        pass
    try:
        file.unlink(missing_ok=True)
        connection = _connect(file)
        connection.execute("INSERT INTO meta VALUES ('identity', ?)", (mark,))
        return connection
    except (OSError, sqlite3.Error):
        file.unlink(missing_ok=True)
        return None


KEPT_STORES = 8
# What builders before the SQLite store kept; never read again.
_FORMER = ("build-*.pickle", "build-*.bundles", "build-*.tmp")


def _prune(folder: Path) -> None:
    """Keep the stores and summaries of the few output folders built most recently."""
    for pattern in _FORMER:
        for stale in folder.glob(pattern):
            stale.unlink(missing_ok=True)
    for pattern in ("build-*.sqlite", "build-*.summary"):
        found = sorted(folder.glob(pattern), key=lambda f: f.stat().st_mtime_ns)
        for stale in found[:-KEPT_STORES]:
            stale.unlink(missing_ok=True)


def _connect(file: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(file)
    # A cache: losing the last transaction to a crash costs a rebuild, never
    # correctness (a store that does not read is discarded), so no fsync.
    connection.execute("PRAGMA synchronous = OFF")
    connection.execute("PRAGMA journal_mode = MEMORY")
    for table in TABLES:
        connection.execute(
            f"CREATE TABLE IF NOT EXISTS {table} (name TEXT PRIMARY KEY, value BLOB NOT NULL)"
        )
    return connection


def _identity(connection: sqlite3.Connection, key: bytes) -> object:
    try:
        found = connection.execute("SELECT value FROM meta WHERE name = 'identity'").fetchone()
    except sqlite3.Error:
        return None
    if found is None:
        return None
    payload = verified(key, found[0])
    return None if payload is None else _loads(payload)
