"""The store's reading of a whole table, which a caller may stop part way."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from builder.build.options import BuildOptions
from builder.build.run import build
from builder.incremental.plan import cache_identity, store_file
from builder.incremental.store import StoppedReading, Store
from tests.conftest import ARTICLE, MINIMAL_SITE, write_files


def _filled(tmp_path: Path, rows: int) -> Store:
    store = Store(tmp_path / "site/.cache/explainer/build-1.sqlite", "identity")
    assert store.key is not None  # this user's signing key
    store.write("bundle", {f"world/story-{n}": ("summary", n) for n in range(rows)})
    store.commit()
    store.close()
    return Store(store.file, "identity")


def test_a_table_read_with_questions_is_the_table_read_without(tmp_path: Path) -> None:
    store = _filled(tmp_path, 2_500)
    asked: list[int] = []

    def never() -> bool:
        asked.append(1)
        return False

    assert store.all("bundle", never) == store.all("bundle")
    assert len(store.all("bundle")) == 2_500
    assert len(asked) == 3  # once a thousand rows
    store.close()


def test_a_reading_told_to_stop_stops_between_rows(tmp_path: Path) -> None:
    store = _filled(tmp_path, 2_500)
    asked: list[int] = []

    def after_the_first_thousand() -> bool:
        asked.append(1)
        return len(asked) > 1

    with pytest.raises(StoppedReading):
        store.all("bundle", after_the_first_thousand)
    assert len(asked) == 2
    assert len(store.all("bundle")) == 2_500  # a later reading reads it all
    store.close()


def _rows(store: Store, table: str) -> dict[str, object]:
    """The table as its rows alone hold it."""
    return store._rows(table)


def test_a_snapshot_with_the_rows_changed_since_reads_as_the_rows(tmp_path: Path) -> None:
    store = _filled(tmp_path, 40)
    assert store.snapshot_wanted("bundle", 40)  # none taken yet
    whole = store.all("bundle")
    store.snapshot("bundle", whole)
    store.commit()
    store.close()
    for edit in range(2):  # each build changes a few rows, the snapshot stays
        store = Store(store.file, "identity")
        assert not store.snapshot_wanted("bundle", 40)
        store.write("bundle", {f"world/story-{edit}": ("edited", edit)})
        store.write(
            "bundle", {f"world/new-{edit}": ("new", edit)}, removed=[f"world/story-{9 - edit}"]
        )
        store.commit()
        store.close()
    store = Store(store.file, "identity")
    read = store.all("bundle")
    assert read == _rows(store, "bundle")
    assert read["world/story-1"] == ("edited", 1) and "world/story-8" not in read
    assert read["world/new-1"] == ("new", 1) and len(read) == 40
    assert store._since_of("bundle") == {
        *(f"world/story-{n}" for n in (0, 1, 8, 9)),
        *(f"world/new-{n}" for n in range(2)),
    }
    assert store.snapshot_wanted("bundle", 40)  # six of forty changed since: taken anew
    store.close()


def test_rows_written_after_a_snapshot_in_the_same_session_are_read_on_top_of_it(
    tmp_path: Path,
) -> None:
    store = _filled(tmp_path, 10)
    store.snapshot("bundle", store.all("bundle"))
    store.write("bundle", {"world/story-3": "later"}, removed=["world/story-4"])
    store.commit()
    store.close()
    store = Store(store.file, "identity")
    assert store.all("bundle") == _rows(store, "bundle")
    assert store.all("bundle")["world/story-3"] == "later"
    store.close()


def test_a_snapshot_that_does_not_verify_is_not_read(tmp_path: Path) -> None:
    store = _filled(tmp_path, 10)
    store.snapshot("bundle", {"planted": "value"})  # then its signature broken
    store.commit()
    assert store._connection is not None
    store._connection.execute("UPDATE snapshot SET value = ? WHERE name = 'bundle'", (b"x" * 40,))
    store._connection.commit()
    store.close()
    store = Store(store.file, "identity")
    assert store.all("bundle") == _rows(store, "bundle")
    assert len(store.all("bundle")) == 10
    store.close()


def test_a_build_leaves_a_snapshot_that_reads_as_the_rows(
    make_site: Callable[..., Path], tmp_path: Path
) -> None:
    """The records a build keeps whole are those its rows hold: after a cold build,
    an edit and a story removed."""
    site, out = make_site(STORIES), tmp_path / "out"
    build(BuildOptions(site=site, out=out, workers=1))
    write_files(site, {ARTICLE: MINIMAL_SITE[ARTICLE].replace("A story", "An edited story")})
    build(BuildOptions(site=site, out=out, workers=1))
    shutil.rmtree(site / "content/business/story-1")
    build(BuildOptions(site=site, out=out, workers=1))
    store = Store(store_file(site, out), cache_identity(site, out, False))
    for table in ("bundle", "article"):
        assert store._since_of(table) is not None  # a snapshot is there
        assert store.all(table) == _rows(store, table)
    assert "business/story-1" not in store.all("bundle")
    store.close()


STORIES = {
    f"content/business/story-{n}/article.md": (
        f"---\ntitle: Story {n}\nsection: Business\ndate: 2023-09-1{n}\n---\nKim Jong Un spoke.\n"
    )
    for n in range(3)
}
