"""Pickled values, and what a running builder keeps unpacked of stored bytes."""

from __future__ import annotations

from collections.abc import Callable

from builder.core.pickled import Pickled, Unpacked


def test_a_pickled_value_loads_as_it_was() -> None:
    value = ("entry", ("a", "b", 3, "A sentence."), ())
    assert Pickled.of(value).load() == value


class Unpack:
    """Unpacks stored bytes, counting how often it is asked to."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, data: Pickled[list[str]]) -> Callable[[], list[str]]:
        def unpack() -> list[str]:
            self.calls += 1
            return data.load()

        return unpack


def test_the_same_bytes_are_unpacked_once() -> None:
    kept: Unpacked[list[str]] = Unpacked(10)
    unpack, data = Unpack(), Pickled.of(["a", "b"])
    first = kept.get("entry", data.data, unpack(data))
    again = kept.get("entry", Pickled.of(["a", "b"]).data, unpack(data))
    assert first == ["a", "b"] and again is first
    assert unpack.calls == 1


def test_other_bytes_under_the_same_name_are_unpacked_again() -> None:
    kept: Unpacked[list[str]] = Unpacked(10)
    unpack, old, new = Unpack(), Pickled.of(["a"]), Pickled.of(["a", "edited"])
    kept.get("entry", old.data, unpack(old))
    assert kept.get("entry", new.data, unpack(new)) == ["a", "edited"]
    assert unpack.calls == 2


def test_a_value_put_as_packed_needs_no_unpacking() -> None:
    kept: Unpacked[list[str]] = Unpacked(10)
    unpack, data = Unpack(), Pickled.of(["shown"])
    kept.put("entry", data.data, ["shown"])
    assert kept.get("entry", data.data, unpack(data)) == ["shown"]
    assert unpack.calls == 0


def test_past_the_limit_the_least_recently_used_go_first() -> None:
    kept: Unpacked[list[str]] = Unpacked(2)
    unpack = Unpack()
    one, two, three = (Pickled.of([name]) for name in ("one", "two", "three"))
    kept.get("one", one.data, unpack(one))
    kept.get("two", two.data, unpack(two))
    kept.get("one", one.data, unpack(one))  # used since "two"
    kept.get("three", three.data, unpack(three))
    assert list(kept.kept) == ["one", "three"]
    assert unpack.calls == 3
