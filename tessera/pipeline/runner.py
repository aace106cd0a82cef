"""Bounded parallel map over a stream of items, in input order.

At most ``window`` items are in flight, so memory stays flat however large the seizure. A worker
that dies (a decoder crash) breaks only the items it may have held: they are retried one by one
in a fresh pool, and the one that kills it again is reported as crashed.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def bounded_map(fn: Callable[[T], R], items: Iterable[T], *, workers: int,
                initializer: Callable[..., None], initargs: tuple[Any, ...],
                on_crash: Callable[[T], R], window_per_worker: int = 4) -> Iterator[R]:
    if workers <= 1:
        initializer(*initargs)
        for item in items:
            yield fn(item)
        return
    context = multiprocessing.get_context("spawn")

    def new_pool(n: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(n, mp_context=context, initializer=initializer,
                                   initargs=initargs)

    pool = new_pool(workers)
    window = workers * window_per_worker
    pending: deque[tuple[T, Future[R] | None]] = deque()
    source = iter(items)
    try:
        while True:
            while len(pending) < window:
                nxt = next(source, None)
                if nxt is None:
                    break
                try:
                    pending.append((nxt, pool.submit(fn, nxt)))
                except BrokenProcessPool:
                    pending.append((nxt, None))
            if not pending:
                return
            item, future = pending[0]
            try:
                if future is None:
                    raise BrokenProcessPool("pool broke before submission")
                result = future.result()
            except BrokenProcessPool:
                suspects = [it for it, _ in pending]
                pending.clear()
                pool.shutdown(wait=False, cancel_futures=True)
                for suspect in suspects:  # isolate: each alone, so the culprit is known
                    yield _run_alone(fn, suspect, new_pool, on_crash)
                pool = new_pool(workers)
                continue
            pending.popleft()
            yield result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _run_alone(fn: Callable[[T], R], item: T, new_pool: Callable[[int], ProcessPoolExecutor],
               on_crash: Callable[[T], R]) -> R:
    solo = new_pool(1)
    try:
        return solo.submit(fn, item).result()
    except BrokenProcessPool:
        return on_crash(item)
    finally:
        solo.shutdown(wait=False, cancel_futures=True)
