"""The bounded memory of values used last."""

from __future__ import annotations

from builder.core.recent import Recent


def test_past_the_limit_the_least_recently_used_goes_first() -> None:
    kept: Recent[str, int] = Recent(2)
    kept.put("one", 1)
    kept.put("two", 2)
    assert kept.get("one") == 1  # used since "two"
    kept.put("three", 3)
    assert list(kept) == ["one", "three"] and len(kept) == 2
    assert kept.get("two") is None


def test_a_value_put_again_is_the_most_recent() -> None:
    kept: Recent[str, int] = Recent(2)
    kept.put("one", 1)
    kept.put("two", 2)
    kept.put("one", 10)
    kept.put("three", 3)
    assert list(kept) == ["one", "three"]
    assert kept.get("one") == 10


def test_values_made_from_another_source_are_dropped() -> None:
    recent: Recent[str, int] = Recent(limit=10)
    assert recent.made_from("theme one") is recent
    recent.put("a", 1)
    assert recent.made_from("theme one").get("a") == 1  # the same source keeps them
    assert recent.made_from("theme two").get("a") is None
    assert len(recent) == 0
