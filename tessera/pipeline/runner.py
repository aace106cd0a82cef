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
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def bounded_map(fn: Callable[[T], R], items: Iterable[T], *, workers: int,
                initializer: Callable[..., None], initargs: tuple[Any, ...],
                on_crash: Callable[[T], R], window_per_worker: int = 4,
                isolate: bool = False,
                settled: Callable[[T], R | None] | None = None) -> Iterator[R]:
    """``isolate``: worker processes even for one worker (the service: its own process must
    never run native decoders). ``settled(item)``: the result of an item that needs no worker
    (one that already carries its error), or None; such items never reach a worker."""
    settled = settled or (lambda _: None)
    if workers <= 1 and not isolate:
        initializer(*initargs)
        for item in items:
            done = settled(item)
            yield done if done is not None else fn(item)
        return
    context = multiprocessing.get_context("spawn")

    def new_pool(n: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(n, mp_context=context, initializer=initializer,
                                   initargs=initargs)

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
