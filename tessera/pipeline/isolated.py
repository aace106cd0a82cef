"""Single files (searches by image or face) analysed in worker processes for the service.

Native engines (dlib, FFmpeg's decoders) can crash on a hostile file or when called from two
threads at once; in a worker process such a crash costs that one request a per-file error, and
the pool is started again. The service's threads never run native analysis themselves.
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from tessera.core.types import FileResult
from tessera.media.sources import Item
from tessera.pipeline.analyze import AnalyzeOptions
from tessera.pipeline.worker import analyze_alone, crashed, init_searcher


class IsolatedAnalyzer:
    """A small persistent pool (started on first use) that any thread may submit to."""

    def __init__(self, workers: int = 2, key_path: str | None = None) -> None:
        """``key_path``: the evidence key, for items staged sealed with it."""
        self.workers, self.key_path = workers, key_path
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _current(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    self.workers, mp_context=multiprocessing.get_context("spawn"),
                    initializer=init_searcher, initargs=(self.key_path,))
            return self._pool

    def _discard(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is broken:
                self._pool = None
        broken.shutdown(wait=False, cancel_futures=True)

    def analyze(self, item: Item, options: AnalyzeOptions) -> FileResult:
        pool = self._current()
        try:
            return pool.submit(analyze_alone, item, options).result()
        except BrokenProcessPool:  # this file (or one beside it) killed a worker
            self._discard(pool)
            return crashed(item)

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
