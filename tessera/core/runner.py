"""Where analysis runs: the ``Runner`` protocol and its first implementation, this machine's
processes (``LocalRunner``).

A task is a picklable function of one item that carries its own options (no worker holds
state but caches), so the same tasks can later go to other machines. A batch is a bounded
parallel map in input order: at most ``window`` items are in flight, so memory stays flat
however large the seizure. A worker that dies (a decoder crash) breaks only the items it may
have held: they are retried one by one in a fresh pool, and the one that kills it again is
reported as crashed.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Each worker process is one core's worth of work; a BLAS or OpenMP pool inside each (the face
# ResNet's products, FAISS) would only oversubscribe the cores: 18 ms of CPU a face on one
# thread, 26 ms on two. Children inherit the environment; an operator's own setting stands.
_ONE_THREAD_EACH = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _spawn_context() -> multiprocessing.context.SpawnContext:
    for name in _ONE_THREAD_EACH:
        os.environ.setdefault(name, "1")
    return multiprocessing.get_context("spawn")


class Runner(Protocol):
    """Runs tasks somewhere; results come back in the order of the items."""

    @property
    def isolated(self) -> bool:
        """Whether no task runs in the calling process (a server must never run native
        decoders in its own threads)."""
        ...

    def map(self, fn: Callable[[T], R], items: Iterable[T], *, on_crash: Callable[[T], R],
            settled: Callable[[T], R | None] | None = None) -> Iterator[R]:
        """``fn`` over every item; ``settled(item)`` answers an item without a worker (one
        that already carries its error); ``on_crash(item)`` is the result of one that killed
        its worker."""
        ...

    def call(self, fn: Callable[[T], R], item: T, *, on_crash: Callable[[T], R]) -> R:
        """One task, from any thread (a search while jobs run)."""
        ...

    def close(self) -> None: ...


class LocalRunner:
    """This machine's processes: ``workers`` of them for a batch (in the calling process for
    one, unless ``isolate``), and, isolated, a small persistent pool for single calls."""

    def __init__(self, workers: int = 1, *, isolate: bool = False, call_workers: int = 2) -> None:
        self.workers, self.call_workers = max(1, workers), max(1, call_workers)
        self._isolate = isolate
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    @property
    def isolated(self) -> bool:
        return self._isolate

    def map(self, fn: Callable[[T], R], items: Iterable[T], *, on_crash: Callable[[T], R],
            settled: Callable[[T], R | None] | None = None) -> Iterator[R]:
        return bounded_map(fn, items, workers=self.workers, on_crash=on_crash,
                           isolate=self._isolate, settled=settled)

    def call(self, fn: Callable[[T], R], item: T, *, on_crash: Callable[[T], R]) -> R:
        if not self._isolate:
            return fn(item)
        pool = self._current()
        try:
            return pool.submit(fn, item).result()
        except BrokenProcessPool:  # this item (or one beside it) killed a worker
            self._discard(pool)
            return on_crash(item)

    def _current(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    self.call_workers, mp_context=_spawn_context())
            return self._pool

    def _discard(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is broken:
                self._pool = None
        broken.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def bounded_map(fn: Callable[[T], R], items: Iterable[T], *, workers: int,
                on_crash: Callable[[T], R], window_per_worker: int = 4,
                isolate: bool = False,
                settled: Callable[[T], R | None] | None = None) -> Iterator[R]:
    """``isolate``: worker processes even for one worker (the service: its own process must
    never run native decoders). ``settled(item)``: the result of an item that needs no worker
    (one that already carries its error), or None; such items never reach a worker."""
    settled = settled or (lambda _: None)
    if workers <= 1 and not isolate:
        for item in items:
            done = settled(item)
            yield done if done is not None else fn(item)
        return
    context = _spawn_context()

    def new_pool(n: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(n, mp_context=context)

    pool = new_pool(workers)
    window = workers * window_per_worker
    pending: deque[tuple[T, Future[R] | _Ready[R] | None]] = deque()
    source = iter(items)
    try:
        while True:
            while len(pending) < window:
                nxt = next(source, None)
                if nxt is None:
                    break
                done = settled(nxt)
                if done is not None:
                    pending.append((nxt, _Ready(done)))
                    continue
                try:
                    pending.append((nxt, pool.submit(fn, nxt)))
                except BrokenProcessPool:
                    pending.append((nxt, None))
            if not pending:
                return
            item, outcome = pending[0]
            try:
                if outcome is None:
                    raise BrokenProcessPool("pool broke before submission")
                result = outcome.value if isinstance(outcome, _Ready) else outcome.result()
            except BrokenProcessPool:
                held = list(pending)
                pending.clear()
                pool.shutdown(wait=False, cancel_futures=True)
                for suspect, was in held:  # isolate: each alone, so the culprit is known
                    yield was.value if isinstance(was, _Ready) else _run_alone(
                        fn, suspect, new_pool, on_crash)
                pool = new_pool(workers)
                continue
            pending.popleft()
            yield result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@dataclass(frozen=True, slots=True)
class _Ready(Generic[R]):
    """A result known without a worker, kept in its place in the order."""

    value: R


def _run_alone(fn: Callable[[T], R], item: T, new_pool: Callable[[int], ProcessPoolExecutor],
               on_crash: Callable[[T], R]) -> R:
    solo = new_pool(1)
    try:
        return solo.submit(fn, item).result()
    except BrokenProcessPool:
        return on_crash(item)
    finally:
        solo.shutdown(wait=False, cancel_futures=True)
