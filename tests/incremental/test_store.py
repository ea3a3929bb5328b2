"""The store's reading of a whole table, which a caller may stop part way."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.incremental.store import StoppedReading, Store


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
