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
    pending: deque[tuple[T, Future[R]]] = deque()
    source = iter(items)
    try:
        while True:
            while len(pending) < window:
                nxt = next(source, None)
                if nxt is None:
                    break
                pending.append((nxt, pool.submit(fn, nxt)))
            if not pending:
                return
            item, future = pending.popleft()
            try:
                yield future.result()
            except BrokenProcessPool:
                suspects = [item] + [it for it, _ in pending]
                pending.clear()
                pool.shutdown(wait=False, cancel_futures=True)
                for suspect in suspects:  # isolate: each alone, so the culprit is known
                    solo = new_pool(1)
                    try:
                        yield solo.submit(fn, suspect).result()
                    except BrokenProcessPool:
                        yield on_crash(suspect)
                    finally:
                        solo.shutdown(wait=False, cancel_futures=True)
                pool = new_pool(workers)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
