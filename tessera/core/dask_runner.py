"""A ``Runner`` past one machine: the tasks go to a ``dask.distributed`` cluster.

Tasks are pure (they read their input and return values), so a task whose worker died is
simply run again: by the scheduler, and once more on its own when the scheduler gave up on it
(a task beside the culprit fails with it); one that kills its worker again comes back as
``on_crash(item)``, like a decoder crash in the local pool. Items travel in small batches, at
most ``window`` batches are in flight and results come back in input order, so the
coordinator's memory stays flat. Workers must see the items' files at the same paths (one
machine, or a shared file system) and, for uploads staged sealed, the evidence key at the path
the options name.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar

from distributed import Client, Future
from distributed.scheduler import KilledWorker

T = TypeVar("T")
R = TypeVar("R")


def _apply(fn: Callable[[T], R], batch: list[T]) -> list[R]:
    return [fn(item) for item in batch]


class DaskRunner:
    def __init__(self, cluster: str | Any, *, batch: int = 8, window: int | None = None) -> None:
        """``cluster``: a scheduler address (``tcp://host:8786``) or a cluster object.
        ``batch`` items travel as one task (the scheduler's cost per task is milliseconds);
        ``window`` batches are in flight at most (default: two per worker)."""
        self.client = Client(cluster)
        workers = max(1, len(self.client.scheduler_info().get("workers", {})))
        self.batch = max(1, batch)
        self.window = window or 2 * workers

    @property
    def isolated(self) -> bool:
        return True

    def map(self, fn: Callable[[T], R], items: Iterable[T], *, on_crash: Callable[[T], R],
            settled: Callable[[T], R | None] | None = None) -> Iterator[R]:
        groups: deque[tuple[list[T], list[R | None], Future | None]] = deque()
        source = iter(items)
        while True:
            while len(groups) < self.window:
                chunk = list(islice(source, self.batch))
                if not chunk:
                    break
                done = [settled(x) if settled else None for x in chunk]
                todo = [x for x, d in zip(chunk, done, strict=True) if d is None]
                future = self.client.submit(_apply, fn, todo, pure=False) if todo else None
                groups.append((chunk, done, future))
            if not groups:
                return
            chunk, done, future = groups.popleft()
            todo = [x for x, d in zip(chunk, done, strict=True) if d is None]
            computed = iter(self._batch_result(fn, future, todo, on_crash) if future else [])
            for d in done:
                yield d if d is not None else next(computed)

    def _batch_result(self, fn: Callable[[T], R], future: Future, todo: list[T],
                      on_crash: Callable[[T], R]) -> list[R]:
        try:
            return list(future.result())
        except KilledWorker:  # one of them took a worker down: each alone, to find which
            return [self._result(fn, self.client.submit(fn, x, pure=False), x, on_crash)
                    for x in todo]

    def call(self, fn: Callable[[T], R], item: T, *, on_crash: Callable[[T], R]) -> R:
        return self._result(fn, self.client.submit(fn, item, pure=False), item, on_crash)

    def _result(self, fn: Callable[[T], R], future: Future, item: T,
                on_crash: Callable[[T], R]) -> R:
        try:
            return future.result()
        except KilledWorker:  # it, or a task beside it, took workers down: once more, alone
            try:
                return self.client.submit(fn, item, pure=False).result()
            except KilledWorker:
                return on_crash(item)

    def close(self) -> None:
        self.client.close()

