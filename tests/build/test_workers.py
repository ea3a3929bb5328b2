"""Work in forked processes: a piece of work done beside the main process."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest

from builder.build import workers
from builder.build.workers import Background, Parts, Shards, Turn, WorkerFailed


def test_background_work_comes_back_whole() -> None:
    child = Background(lambda: {"pid": os.getpid(), "rows": list(range(100_000))})
    found = child.result()
    assert found is not None
    assert found["pid"] != os.getpid()  # done in another process
    assert found["rows"] == list(range(100_000))  # more than a pipe holds at once


def test_background_work_that_raises_comes_back_as_none() -> None:
    def fails() -> int:
        raise ValueError("a bug in the child")

    assert Background(fails).result() is None


def test_a_result_that_fails_midway_through_sending_comes_back_as_none() -> None:
    # Sent as it is pickled: the first frames reach the pipe before the
    # function at the end is found not to pickle.
    child = Background(lambda: [list(range(100_000)), lambda: 0])
    assert child.result() is None


def test_a_child_killed_midway_comes_back_as_none() -> None:
    def dies() -> int:
        os.kill(os.getpid(), signal.SIGKILL)
        return 1

    assert Background(dies).result() is None


def test_cancelled_work_leaves_no_process_behind() -> None:
    child = Background(lambda: time.sleep(60))
    started = time.monotonic()
    child.cancel()
    assert time.monotonic() - started < 30
    assert child.result() is None
    child.cancel()  # twice is harmless


def test_work_with_no_process_to_spare_comes_back_as_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_fork() -> int:
        raise BlockingIOError("Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    child = Background(lambda: 1)
    assert child.result() is None
    child.cancel()


def test_a_turn_goes_to_exactly_one_of_two_processes() -> None:
    for _ in range(20):
        turn = Turn()
        child = Background(turn.take)
        here = turn.take()
        there = child.result()
        assert (here, there) in ((True, False), (False, True))
        assert not turn.take()  # taken once, for good
        turn.close()
        assert not turn.take()


def test_a_turn_not_taken_by_a_failed_child_is_still_there() -> None:
    turn = Turn()

    def fails() -> None:
        raise ValueError("a bug in the child, before its turn")

    assert Background(fails).result() is None
    assert turn.take()
    turn.close()


def test_whether_a_child_is_done_is_asked_without_waiting() -> None:
    readable, writable = os.pipe()

    def waits_for_a_word() -> str:
        os.read(readable, 1)
        return "done"

    child = Background(waits_for_a_word)
    assert not child.done()
    os.write(writable, b"1")
    while not child.done():
        time.sleep(0.01)
    first = child.result()
    assert first == "done"
    assert child.result() is first  # read once, the same again
    assert child.done()
    os.close(readable)
    os.close(writable)


def test_a_process_asked_again_whether_the_turn_is_its_own_gets_the_same_answer() -> None:
    turn = Turn()
    child = Background(lambda: (turn.mine(), turn.mine()))
    here = (turn.mine(), turn.mine())
    there = child.result()
    assert {here, there} == {(True, True), (False, False)}
    turn.close()


def _all_taken(parts: Parts) -> list[int]:
    taken = []
    while (part := parts.take()) is not None:
        taken.append(part)
    return taken


def test_every_part_goes_to_exactly_one_of_two_processes() -> None:
    for _ in range(20):
        parts = Parts(16)
        child = Background(partial(_all_taken, parts))
        here = _all_taken(parts)
        there = child.result()
        assert there is not None
        assert sorted(here + there) == list(range(16))
        assert parts.take() is None
        parts.close()
        assert parts.take() is None


@pytest.mark.parametrize("count", [0, 257])
def test_parts_are_numbered_by_one_byte(count: int) -> None:
    with pytest.raises(ValueError, match="one byte"):
        Parts(count)


# --- Shards.run_balanced: chunks to whichever worker is free ---------------------


def _worker_pid() -> int:
    return os.getpid()


def _each_with_pid(pid: int, chunk: list[int], advance: object) -> list[tuple[int, int]]:
    """A step: each item with the process that ran it; items below 100 are slow."""
    time.sleep(0.05 * sum(1 for item in chunk if item < 100))
    return [(pid, item) for item in chunk]


def _fails(pid: int, chunk: list[int], advance: object) -> None:
    raise RuntimeError("broken step")


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "MIN_CHUNK", 1)
    monkeypatch.setattr(workers, "CHUNKS_A_WORKER", 4)


@pytest.mark.usefixtures("small_chunks")
def test_a_worker_done_with_its_own_chunks_takes_the_last_of_another() -> None:
    items = list(range(100, 108)) + list(range(8))  # worker 1's are quick, worker 0's slow
    owners = [1] * 8 + [0] * 8
    with Shards(2, _worker_pid) as shards:
        found = shards.run_balanced(_each_with_pid, items, lambda count: None, owners)
    ran = [[item for chunk in chunks for _, item in chunk] for chunks in found]
    assert sorted(ran[0] + ran[1]) == sorted(items)  # each item once
    assert {pid for chunks in found for chunk in chunks for pid, _ in chunk} != {os.getpid()}
    assert ran[0][:2] == [0, 1]  # its own first, in order
    assert set(range(100, 108)) <= set(ran[1])
    assert set(ran[1]) & set(range(8)), "worker 1 should have taken over slow items"
    assert ran[1][-1] in range(8) and ran[1][-1] > max(ran[0])  # from the end of the queue


@pytest.mark.usefixtures("small_chunks")
def test_chunks_without_owners_go_to_every_worker_and_come_back_whole() -> None:
    items = list(range(100, 140))
    with Shards(2, _worker_pid) as shards:
        found = shards.run_balanced(_each_with_pid, items, lambda count: None)
    assert sorted(item for chunks in found for chunk in chunks for _, item in chunk) == items
    assert all(found), "each worker ran some"


def test_one_shard_runs_the_whole_in_one_step_here() -> None:
    with Shards(1, _worker_pid) as shards:
        found = shards.run_balanced(_each_with_pid, [100, 101, 102], lambda count: None)
    assert found == [[[(os.getpid(), 100), (os.getpid(), 101), (os.getpid(), 102)]]]


def test_a_chunk_that_fails_is_raised_with_its_traceback() -> None:
    with Shards(2, _worker_pid) as shards, pytest.raises(WorkerFailed, match="broken step"):
        shards.run_balanced(_fails, list(range(10)), lambda count: None)


def test_one_share_for_every_worker_reaches_each_whole() -> None:
    same = [100, 101]
    with Shards(2, _worker_pid) as shards:
        found = shards.run(_each_with_pid, [same, same], lambda count: None)
        apart = shards.run(_each_with_pid, [[102], [103]], lambda count: None)
    assert [[item for _, item in result] for result in found] == [same, same]
    assert len({pid for result in found for pid, _ in result}) == 2
    assert [[item for _, item in result] for result in apart] == [[102], [103]]


def _resident_megabytes() -> int:
    pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") // 2**20


def _resident(state: int, share: object, advance: Callable[[int], None]) -> int:
    return _resident_megabytes()


def test_workers_are_forked_without_the_free_memory_the_allocator_kept() -> None:
    before = _resident_megabytes()
    kept, dropped = [], []
    for number in range(20_000):  # 80 MB, a block kept now and then: the heap cannot shrink
        (kept if number % 100 == 0 else dropped).append(bytes(4000))
    del dropped
    assert _resident_megabytes() > before + 60  # freed, but held by the C allocator
    with Shards(2, _worker_pid) as shards:
        sizes = shards.run(_resident, [None, None], lambda count: None)
    assert max(sizes) < before + 30
    assert kept


def test_without_malloc_trim_nothing_is_given_back_and_workers_still_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    workers._malloc_trim.cache_clear()
    monkeypatch.setitem(sys.modules, "ctypes", None)  # importing it fails, as without _ctypes
    try:
        assert workers._malloc_trim() is None
        workers.give_back_free_memory()
        with Shards(2, _worker_pid) as shards:
            pids = shards.run(_each_with_pid, [[1], [2]], lambda count: None)
        assert len({pid for result in pids for pid, _ in result}) == 2
    finally:
        workers._malloc_trim.cache_clear()
