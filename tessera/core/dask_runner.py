"""A ``Runner`` past one machine: the tasks go to a ``dask.distributed`` cluster.

Tasks are pure (they read their input and return values), so a task whose worker died is
simply run again: by the scheduler, and once more on its own when the scheduler gave up on it
(a task beside the culprit fails with it); one that kills its worker again comes back as
``on_crash(item)``, like a decoder crash in the local pool. At most ``window`` tasks are in
flight and results come back in input order, so the coordinator's memory stays flat. Workers
must see the items' files at the same paths (one machine, or a shared file system) and, for
uploads staged sealed, the evidence key at the path the options name.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from distributed import Client, Future
from distributed.scheduler import KilledWorker

T = TypeVar("T")
R = TypeVar("R")


class DaskRunner:
    def __init__(self, cluster: str | Any, *, window: int | None = None) -> None:
        """``cluster``: a scheduler address (``tcp://host:8786``) or a cluster object."""
        self.client = Client(cluster)
        workers = max(1, len(self.client.scheduler_info().get("workers", {})))
        self.window = window or 4 * workers

    @property
    def isolated(self) -> bool:
        return True

    def map(self, fn: Callable[[T], R], items: Iterable[T], *, on_crash: Callable[[T], R],
            settled: Callable[[T], R | None] | None = None) -> Iterator[R]:
        pending: deque[tuple[T, Future | None, R | None]] = deque()
        source = iter(items)
        while True:
            while len(pending) < self.window:
                item = next(source, _END)
                if item is _END:
                    break
                done = settled(item) if settled else None
                pending.append((item, None, done) if done is not None
                               else (item, self.client.submit(fn, item, pure=False), None))
            if not pending:
                return
            item, future, done = pending.popleft()
            if future is not None:
                yield self._result(fn, future, item, on_crash)
            elif done is not None:
                yield done

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


_END: Any = object()
