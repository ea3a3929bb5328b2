"""Rows workers put aside on disk reach the store whole, and leave nothing behind."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import shutil
import sqlite3
from pathlib import Path

import pytest

import builder.incremental.store as store_module
from builder.build.options import BuildOptions
from builder.build.run import build
from builder.incremental.spill import Spill
from builder.incremental.store import Store
from tests.conftest import SEED_SITE, snapshot


def _store(tmp_path: Path, fresh: bool = False) -> Store:
    store = Store(tmp_path / "site/.cache/explainer/build-1.sqlite", "identity", fresh=fresh)
    assert store.key is not None  # this user's signing key
    return store


def _put_in_a_worker(spill: Spill, name: str) -> None:
    spill.put("usage", name, pickle.dumps(f"shown by {name}"))
    spill.flush()


def test_rows_put_by_several_processes_all_reach_the_store(tmp_path: Path) -> None:
    store = _store(tmp_path)
    spill = Spill.beside(store.file, store.key)
    spill.put("usage", "here", pickle.dumps("shown by here"))  # this process too
    workers = [
        multiprocessing.get_context("fork").Process(target=_put_in_a_worker, args=(spill, n))
        for n in ("a", "b")
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    spill.flush()
    assert len(list(spill.folder.glob("*.sqlite"))) == 3  # one file a process
    store.write("glossary", {"x": 1})  # the store's first write makes it
    store.write_signed("usage", spill.rows("usage"))
    store.commit()
    spill.discard()
    assert not spill.folder.exists()
    assert {name: store.get("usage", name) for name in ("a", "b", "here")} == {
        "a": "shown by a",
        "b": "shown by b",
        "here": "shown by here",
    }
    store.close()


def test_a_failed_first_build_leaves_no_cache_folder(tmp_path: Path) -> None:
    store = _store(tmp_path)
    spill = Spill.beside(store.file, store.key)
    spill.put("usage", "a", b"data")
    spill.flush()
    assert spill.folder.is_dir()
    spill.discard()
    assert not (tmp_path / "site/.cache").exists()


def test_discarding_keeps_the_cache_folders_once_the_store_is_there(tmp_path: Path) -> None:
    store = _store(tmp_path)
    spill = Spill.beside(store.file, store.key)
    spill.put("usage", "a", b"data")
    store.write_signed("usage", spill.rows("usage"))
    store.commit()
    spill.discard()
    assert store.file.is_file()
    store.close()


def test_a_folder_left_by_a_process_no_longer_running_is_removed(tmp_path: Path) -> None:
    store = _store(tmp_path)
    finished = multiprocessing.get_context("fork").Process(target=os.getpid)
    finished.start()
    finished.join()
    cache = store.file.parent
    left = cache / f"{store.file.stem}.spill-{finished.pid}"
    running = cache / f"{store.file.stem}.spill-{os.getppid()}"
    for folder in (left, running):
        folder.mkdir(parents=True)
        (folder / "part-1.sqlite").write_bytes(b"")
    Spill.beside(store.file, store.key)
    assert not left.exists()
    assert running.is_dir()  # another build, still at work


def test_without_a_key_nothing_is_put_aside_and_nothing_is_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user whose signing key cannot be kept builds cold every time: the pages
    show every first mention and timeline event, carried in memory instead."""
    site = tmp_path / "site"
    shutil.copytree(SEED_SITE / "content", site / "content")
    shutil.copy(SEED_SITE / "site.yaml", site / "site.yaml")
    build(BuildOptions(site=site, out=tmp_path / "keyed"))
    monkeypatch.setattr(store_module, "cache_key", lambda: None)
    build(BuildOptions(site=site, out=tmp_path / "unkeyed"))
    assert snapshot(tmp_path / "unkeyed") == snapshot(tmp_path / "keyed")
    assert not list((site / ".cache").glob("**/*.spill-*"))


def test_a_fresh_store_over_an_old_one_holds_only_the_new_rows(tmp_path: Path) -> None:
    old = _store(tmp_path)
    old.write("usage", {f"entry-{n}": "x" * 1000 for n in range(200)})
    old.commit()
    old.close()
    fresh = _store(tmp_path, fresh=True)
    assert fresh.get("usage", "entry-1") is None  # nothing of the old one is read
    fresh.write("usage", {"entry-new": "y"})
    fresh.commit()
    fresh.close()
    again = _store(tmp_path)
    assert again.all("usage") == {"entry-new": "y"}
    again.close()


def test_a_value_put_in_one_process_is_read_in_another(tmp_path: Path) -> None:
    """Stories rendered in one worker leave their first mentions; the entry pages
    rendered in another read them."""
    store = _store(tmp_path)
    spill = Spill.beside(store.file, store.key)
    sent = pickle.loads(pickle.dumps(spill))  # as a shard receives it, through a pipe
    worker = multiprocessing.get_context("fork").Process(
        target=_put_mentions, args=(sent, "world/story")
    )
    worker.start()
    worker.join()
    found = spill.get("mentions", "world/story")
    assert found is not None and found.load() == ("first", "mentions")
    assert spill.get("mentions", "world/other") is None
    spill.discard()


def _put_mentions(spill: Spill, path: str) -> None:
    spill.put("mentions", path, pickle.dumps(("first", "mentions")))
    spill.flush()


def test_a_row_changed_on_disk_is_not_read(tmp_path: Path) -> None:
    store = _store(tmp_path)
    spill = Spill.beside(store.file, store.key)
    spill.put("mentions", "world/story", pickle.dumps("mine"))
    spill.flush()
    (part,) = spill.folder.glob("mentions-*.sqlite")
    with sqlite3.connect(part) as connection:
        connection.execute("UPDATE mentions SET value = ?", (b"0" * 40 + pickle.dumps("not"),))
    connection.close()
    assert spill.get("mentions", "world/story") is None
    spill.discard()
