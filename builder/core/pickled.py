"""A value pickled once, where it was made, that still says what it holds."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from builder.core.recent import Recent

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Pickled(Generic[T]):
    """A value of type T, pickled.

    What a worker process makes for the store (a bundle's record, its timeline,
    an article's first mentions) is pickled there, in parallel, once: the pipe
    to the main process and the store then carry the bytes as they are, and
    only the pages that read it unpickle it.
    """

    data: bytes

    @classmethod
    def of(cls, value: T) -> Pickled[T]:
        return cls(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def load(self) -> T:
        value: T = pickle.loads(self.data)
        return value


class Unpacked(Generic[T]):
    """Values made from stored bytes, kept by a running builder from build to
    build under a name, and used again while the bytes read are the same.

    Entry pages the last builds rendered left what they showed of each story,
    packed into the store; an edit renders most of them again, and would
    unpack those bytes again each time. At most `limit` names are kept, the
    least recently used going first.
    """

    def __init__(self, limit: int) -> None:
        self.kept: Recent[str, tuple[bytes, T]] = Recent(limit)

    def get(self, name: str, data: bytes, unpack: Callable[[], T]) -> T:
        found = self.kept.get(name)
        if found is not None and found[0] == data:
            return found[1]
        value = unpack()
        self.put(name, data, value)
        return value

    def put(self, name: str, data: bytes, value: T) -> None:
        """Keep `value` as what `data` holds: the value just packed into it, say."""
        self.kept.put(name, (data, value))
