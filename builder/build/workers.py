"""Running work in worker processes when it pays.

`Shards` keeps forked workers alive across calls, each owning a share of the
work and whatever state that share needs: a worker that parsed some bundles
keeps them to render their pages, so nothing large travels back to the main
process. A share is fixed in advance (`run`), or made of chunks handed to
whichever worker is free (`run_balanced`). `Background` runs one piece of
work in a forked child while the main process does another; a `Turn` gives a
job to whichever of the two is free first, and `Parts` shares one between
them part by part.
"""

from __future__ import annotations

import contextlib
import functools
import os
import pickle
import select
import signal
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, NoReturn, TypeVar

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

State = TypeVar("State")

# Below this many items the cost of starting workers outweighs the gain.
PARALLEL_THRESHOLD = 200
PROGRESS_BATCH = 25


def workers_for(items: int) -> int:
    """One process for few items; otherwise one per available core, up to eight."""
    if items < PARALLEL_THRESHOLD:
        return 1
    return max(1, min(len(os.sched_getaffinity(0)), 8))


# A step a shard runs: its state, its share of the request, and a callback
# that counts finished items for the progress display.
Step = Callable[[State, Any, Callable[[int], None]], Any]


class WorkerFailed(RuntimeError):
    """A worker raised or died; the message carries its traceback."""


class Shards(Generic[State]):
    """Worker processes that each keep a state between calls, or one state in this process.

    `run(step, shares)` runs step(state, share, advance) in every worker at once,
    one share each, and returns their results in worker order. With one worker
    the step runs here, so a small site pays nothing for processes.
    """

    def __init__(self, count: int, make_state: Callable[[], State]) -> None:
        self.count = max(1, count)
        self._make_state = make_state
        self._local: State | None = None
        self._connections: list[Connection] = []
        self._processes: list[Any] = []

    def __enter__(self) -> Shards[State]:
        if self.count == 1:
            self._local = self._make_state()
            return self
        # Imported only here: a small edit renders in this process, and importing
        # multiprocessing takes 10 ms, of the 0.7 s such an edit takes at 5,000 stories.
        import multiprocessing

        # fork: each worker inherits what the main process has loaded so far.
        context = multiprocessing.get_context("fork")
        give_back_free_memory()
        for _ in range(self.count):
            here, there = context.Pipe()
            process = context.Process(target=_serve, args=(there, self._make_state), daemon=True)
            process.start()
            there.close()
            self._connections.append(here)
            self._processes.append(process)
        return self

    def run(
        self, step: Step[State], shares: Sequence[Any], advance: Callable[[int], None]
    ) -> list[Any]:
        """`step` over one share for each worker, at once: their results, in worker order."""
        if len(shares) != self.count:
            raise ValueError(f"{len(shares)} shares for {self.count} workers")
        if self._local is not None:
            return [step(self._local, shares[0], advance)]
        if all(share is shares[0] for share in shares):  # the same to each: pickled once
            from multiprocessing.reduction import ForkingPickler

            same = _Sent(bytes(ForkingPickler.dumps((step, shares[0]))))
            queues = [deque([same]) for _ in shares]
        else:
            queues = [deque([share]) for share in shares]
        found = self._in_turn(step, lambda number: queues[number], advance)
        return [results[0] for results in found]

    def run_balanced(
        self,
        step: Step[State],
        items: Sequence[Any],
        advance: Callable[[int], None],
        owners: Sequence[int] | None = None,
    ) -> list[list[Any]]:
        """`step` over `items` cut in chunks, each sent to a worker as it comes
        free: on a shared machine one core often runs slower than the other, and
        shares fixed in advance left the faster one idle for up to a second of a
        cold build at 5,000 stories. `owners`: the worker each item is best run
        in (the one holding what it needs); a worker done with its own chunks
        takes the last of the longest queue left. Each worker's results, one per
        chunk, in the order it ran them; here, the one result of the whole."""
        if self._local is not None:
            return [[step(self._local, items, advance)]]
        queues = _queues(items, self.count, owners)

        def queue_of(number: int) -> deque[Any]:
            own = queues[number]
            if own:
                return own
            longest = max(queues, key=len)  # taken from its end: its owner is at the front
            return deque([longest.pop()]) if longest else own

        return self._in_turn(step, queue_of, advance)

    def _in_turn(
        self,
        step: Step[State],
        queue_of: Callable[[int], deque[Any]],
        advance: Callable[[int], None],
    ) -> list[list[Any]]:
        """Send each worker the items of the queue `queue_of(worker)` gives, keeping
        `IN_FLIGHT` sent ahead so that it never waits for the next, until none is
        left: each worker's results, in order."""
        results: list[list[Any]] = [[] for _ in self._connections]
        sent = [0] * self.count  # sent to each worker, not yet done
        waiting: dict[int, Connection] = {}

        def send_next(number: int) -> None:
            queue = queue_of(number)
            if queue:
                item = queue.popleft()
                if isinstance(item, _Sent):
                    self._connections[number].send_bytes(item.message)
                else:
                    self._connections[number].send((step, item))
                sent[number] += 1
                waiting[number] = self._connections[number]
            elif not sent[number]:
                waiting.pop(number, None)

        for _ in range(IN_FLIGHT):
            for number in range(self.count):
                send_next(number)
        while waiting:
            for number in _ready(waiting):
                kind, value = _receive(waiting[number])
                if kind == "progress":
                    advance(value)
                elif kind == "done":
                    results[number].append(value)
                    sent[number] -= 1
                    send_next(number)
                else:
                    raise WorkerFailed(value)
        return results

    def __exit__(self, *exc: object) -> None:
        for connection in self._connections:
            with contextlib.suppress(OSError):
                connection.send(None)
            connection.close()
        for process in self._processes:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()
                process.join()


def give_back_free_memory() -> None:
    """Return the memory the C allocator holds free to the system, where it can
    (glibc's malloc_trim). A forked worker maps every page this process holds:
    at 50,000 stories the main process held 100 MB free (messages and pickles
    read and dropped) when the entry pages' workers were forked, and each of
    them, the largest processes of a build, peaked 50 to 70 MB higher for it."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        import ctypes

        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (ImportError, OSError, AttributeError):  # no ctypes; not glibc: musl, macOS
        return None
    return trim


class _Sent(NamedTuple):
    """A message pickled already: the same to every worker (what rendering the
    articles needs took 0.7 s to pickle at 50,000 stories, for each worker)."""

    message: bytes


def no_progress(count: int) -> None:
    """For a step whose items are not counted: sending each worker what it needs."""


# Chunks a worker's share is cut in, for `run_balanced`, and their bounds: a
# worker left alone at the end works at most the chunks it was sent ahead.
CHUNKS_A_WORKER = 64
MIN_CHUNK = 20
MAX_CHUNK = 200
# Chunks sent to a worker before it is done with the first: it goes on to the
# next without waiting for the main process to answer (3 to 4 ms a chunk).
IN_FLIGHT = 2


def _queues(
    items: Sequence[Any], workers: int, owners: Sequence[int] | None
) -> list[deque[list[Any]]]:
    """Each worker's chunks: of the items it owns, or, with no owners, of every
    worker's turn by turn."""
    size = min(MAX_CHUNK, max(MIN_CHUNK, -(-len(items) // (workers * CHUNKS_A_WORKER))))
    if owners is None:  # consecutive chunks dealt out in turn
        owners = [number // size for number in range(len(items))]
    queues: list[deque[list[Any]]] = [deque() for _ in range(workers)]
    owned: list[list[Any]] = [[] for _ in range(workers)]
    for item, owner in zip(items, owners, strict=True):
        owned[owner % workers].append(item)
    for queue, mine in zip(queues, owned, strict=True):
        queue.extend(mine[start : start + size] for start in range(0, len(mine), size))
    return queues


def _ready(waiting: dict[int, Connection]) -> list[int]:
    """The numbers of the workers that have sent something."""
    from multiprocessing.connection import wait

    ready = wait(list(waiting.values()))
    return [number for number, connection in waiting.items() if connection in ready]


def _receive(connection: Connection) -> tuple[str, Any]:
    try:
        message: tuple[str, Any] = connection.recv()
    except EOFError:
        return "failed", "a worker process ended unexpectedly"
    return message


def _serve(connection: Connection, make_state: Callable[[], Any]) -> None:
    """A worker's loop: run each step sent on its state, until told to stop."""
    state = make_state()
    pending = [0]  # items finished but not yet reported: reported in batches

    def advance(count: int) -> None:
        pending[0] += count
        if pending[0] >= PROGRESS_BATCH:
            connection.send(("progress", pending[0]))
            pending[0] = 0

    while True:
        try:
            request = connection.recv()
        except EOFError:
            return
        if request is None:
            return
        step, share = request
        try:
            result = step(state, share, advance)
        except BaseException:
            connection.send(("failed", traceback.format_exc()))
            continue
        if pending[0]:
            connection.send(("progress", pending[0]))
            pending[0] = 0
        connection.send(("done", result))


Result = TypeVar("Result")


class Background(Generic[Result]):
    """`work()` computed in a forked child while this process does something else.

    The child sends its result back pickled and ends without running this
    process's exit handlers. `result()` waits for it; None when the child
    failed in any way, so that the caller does the work itself and any error
    is raised where it can be reported.
    """

    def __init__(self, work: Callable[[], Result]) -> None:
        self._readable: int | None = None
        self._found: Result | None = None  # once read
        readable, writable = os.pipe()
        try:
            self._pid = os.fork()
        except OSError:  # no process to spare: the caller does the work itself
            os.close(readable)
            os.close(writable)
            return
        if self._pid == 0:  # the child
            os.close(readable)
            _send_and_end(work, writable)
        os.close(writable)
        self._readable = readable

    def done(self) -> bool:
        """Whether the child has finished: its result, or its end, waits to be read.
        Does not wait."""
        if self._readable is None:
            return True
        ready, _, _ = select.select([self._readable], [], [], 0)
        return bool(ready)

    def result(self) -> Result | None:
        """The child's result, waiting for it; the same again when asked again."""
        if self._readable is None:
            return self._found
        with os.fdopen(self._readable, "rb") as pipe:
            self._readable = None
            # Read as the child writes: a large result (the sources of 50,000
            # stories) is unpickled here while the child is still pickling it.
            try:
                found = pickle.load(pipe)
            except Exception:  # the child failed, or ended, before it was whole
                found = None
        _, status = os.waitpid(self._pid, 0)
        if status != 0:
            return None
        self._found = found
        return self._found

    def cancel(self) -> None:
        """Stop the child, if it is still at work, and forget its result."""
        if self._readable is None:
            return
        os.close(self._readable)
        self._readable = None
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._pid, signal.SIGKILL)
        os.waitpid(self._pid, 0)


class Parts:
    """A job cut into numbered parts that two processes share: each takes the next
    part left when it is free, until none is. Made before the fork.

    The parts' numbers wait as bytes in a pipe that both hold; each read of one
    byte is atomic, so every part goes to exactly one `take()`."""

    def __init__(self, count: int) -> None:
        if not 0 < count <= 256:
            raise ValueError(f"{count} parts: one byte numbers each")
        self.count = count
        readable, writable = os.pipe()
        os.write(writable, bytes(range(count)))
        os.close(writable)  # once every part is taken, a read finds the end
        os.set_blocking(readable, False)
        self._readable: int | None = readable

    def take(self) -> int | None:
        """The next part left, or None when there is none."""
        if self._readable is None:
            return None
        try:
            found = os.read(self._readable, 1)
        except BlockingIOError:
            return None
        return found[0] if found else None

    def close(self) -> None:
        if self._readable is not None:
            os.close(self._readable)
            self._readable = None


class Turn:
    """A job that either of two processes may do, taken by the first to ask: the
    one part of `Parts(1)`. Exactly one `take()` returns True, in whichever
    process asks first, and every later one False. Made before the fork."""

    def __init__(self) -> None:
        self._part = Parts(1)
        self._mine: bool | None = None  # this process's answer, once it asked

    def take(self) -> bool:
        return self._part.take() is not None

    def mine(self) -> bool:
        """Whether this process has the turn: taken at its first asking, then
        the same answer again."""
        if self._mine is None:
            self._mine = self.take()
        return self._mine

    def close(self) -> None:
        self._part.close()


def _send_and_end(work: Callable[[], object], writable: int) -> NoReturn:
    code = 1
    try:
        found = work()
        with os.fdopen(writable, "wb") as pipe:
            pickle.dump(found, pipe, protocol=pickle.HIGHEST_PROTOCOL)
        code = 0
    finally:
        os._exit(code)
