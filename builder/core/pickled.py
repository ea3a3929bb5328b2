"""A value pickled once, where it was made, that still says what it holds."""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from typing import Generic, TypeVar

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
