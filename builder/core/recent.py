"""A bounded memory of the values used last, as a running builder keeps them
from build to build."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Iterator
from typing import Generic, Self, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Recent(Generic[K, V]):
    """At most `limit` values by key; past it, the least recently used goes first."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.kept: OrderedDict[K, V] = OrderedDict()
        self.source: Hashable = None  # what the values were made from, as `made_from` says

    def made_from(self, source: Hashable) -> Self:
        """These values, emptied if they were made from another source (other
        templates, other settings): each value depends on it besides its key."""
        if source != self.source:
            self.kept.clear()
            self.source = source
        return self

    def get(self, key: K) -> V | None:
        found = self.kept.get(key)
        if found is not None:
            self.kept.move_to_end(key)
        return found

    def put(self, key: K, value: V) -> None:
        self.kept[key] = value
        self.kept.move_to_end(key)
        if len(self.kept) > self.limit:
            self.kept.popitem(last=False)

    def __len__(self) -> int:
        return len(self.kept)

    def __iter__(self) -> Iterator[K]:
        """The keys, the least recently used first."""
        return iter(self.kept)
