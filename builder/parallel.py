"""Mapping a pure function over many items, in worker processes when it pays."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# Below this many items the cost of starting workers outweighs the gain.
PARALLEL_THRESHOLD = 200
CHUNK = 32


def workers_for(items: int) -> int:
    """One process for few items; otherwise one per available core, up to eight."""
    if items < PARALLEL_THRESHOLD:
        return 1
    return max(1, min(len(os.sched_getaffinity(0)), 8))


def map_in_workers(
    function: Callable[[Item], Result], items: Iterable[Item], workers: int
) -> Iterator[Result]:
    """Results in the order of the items; function and items must be picklable."""
    if workers <= 1:
        yield from map(function, items)
        return
    # fork: workers start at once and inherit what was already imported.
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from pool.imap(function, items, chunksize=CHUNK)
