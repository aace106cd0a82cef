"""Exact brute force in NumPy: the reference every faster index is tested against."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tessera.index.base import HashIndex, RangeHit

_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint16)


class BruteForceHammingIndex(HashIndex):
    def __init__(self, bits: int) -> None:
        super().__init__(bits)
        self._ids = np.zeros(0, dtype=np.int64)
        self._codes = np.zeros((0, bits // 8), dtype=np.uint8)

    def add(self, ids: np.ndarray, codes: np.ndarray) -> None:
        self._ids = np.concatenate([self._ids, np.asarray(ids, dtype=np.int64)])
        self._codes = np.vstack([self._codes, np.asarray(codes, dtype=np.uint8)])

    def range_search(self, queries: np.ndarray, max_distance: int) -> list[RangeHit]:
        hits = []
        for row, query in enumerate(np.asarray(queries, dtype=np.uint8)):
            dist = _POPCOUNT[self._codes ^ query].sum(axis=1)
            for pos in np.nonzero(dist <= max_distance)[0]:
                hits.append(RangeHit(row, int(self._ids[pos]), int(dist[pos])))
        return hits

    def __len__(self) -> int:
        return len(self._ids)

    def save(self, path: Path) -> None:
        np.savez(path.with_suffix(".npz"), ids=self._ids, codes=self._codes)

    @classmethod
    def load(cls, path: Path, bits: int) -> BruteForceHammingIndex:
        index = cls(bits)
        with np.load(path.with_suffix(".npz")) as data:
            index._ids, index._codes = data["ids"], data["codes"]
        return index
