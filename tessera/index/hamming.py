"""Hamming range search with FAISS's multi-index hashing.

The 256-bit code is cut into 16 chunks of 16 bits. Two codes within distance ``r`` must agree on
some chunk up to ``r // 16`` flipped bits (pigeonhole), so probing every chunk with
``nflip = r // 16`` finds *every* match: exact recall, without scanning the whole collection.
"""

from __future__ import annotations

import os
from pathlib import Path

import faiss
import numpy as np

from tessera.index.base import HashIndex, RangeHit

CHUNKS = 16


class MultiHashHammingIndex(HashIndex):
    def __init__(self, bits: int, index: faiss.IndexBinaryMultiHash | None = None,
                 ids: np.ndarray | None = None) -> None:
        super().__init__(bits)
        self._index = index or faiss.IndexBinaryMultiHash(bits, CHUNKS, bits // CHUNKS)
        self._ids = ids if ids is not None else np.zeros(0, dtype=np.int64)
        self._pending: list[np.ndarray] = []

    def add(self, ids: np.ndarray, codes: np.ndarray) -> None:
        codes = np.ascontiguousarray(codes, dtype=np.uint8)
        if len(codes):
            self._index.add(codes)
            self._pending.append(np.asarray(ids, dtype=np.int64))

    def _id_array(self) -> np.ndarray:
        if self._pending:
            self._ids = np.concatenate([self._ids, *self._pending])
            self._pending.clear()
        return self._ids

    def range_search(self, queries: np.ndarray, max_distance: int) -> list[RangeHit]:
        ids = self._id_array()
        if not len(ids) or not len(queries):
            return []
        self._index.nflip = max_distance // (self.bits // CHUNKS)
        queries = np.ascontiguousarray(queries, dtype=np.uint8)
        # faiss keeps distances strictly below the radius
        lims, dist, pos = self._index.range_search(queries, max_distance + 1)
        hits = []
        for row in range(len(queries)):
            for k in range(lims[row], lims[row + 1]):
                hits.append(RangeHit(row, int(ids[pos[k]]), int(dist[k])))
        return hits

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def codes(self) -> np.ndarray:
        storage = faiss.downcast_IndexBinary(self._index.storage)
        return faiss.vector_to_array(storage.xb).reshape(-1, self.bits // 8)

    def save(self, path: Path) -> None:
        """Codes and ids as plain arrays, written beside and renamed (a crash never leaves half
        an index). faiss 1.15 reads a serialised ``IndexBinaryMultiHash`` back with a corrupt
        dimension, so the hash tables are rebuilt on load instead (fast: see RESULTS.md)."""
        tmp_codes, tmp_ids = path.with_suffix(".codes.tmp.npy"), path.with_suffix(".ids.tmp.npy")
        np.save(tmp_codes, self.codes())
        np.save(tmp_ids, self._id_array())
        os.replace(tmp_ids, path.with_suffix(".ids.npy"))
        os.replace(tmp_codes, path.with_suffix(".codes.npy"))

    @classmethod
    def load(cls, path: Path, bits: int) -> MultiHashHammingIndex:
        codes = np.load(path.with_suffix(".codes.npy"))
        ids = np.load(path.with_suffix(".ids.npy"))
        if len(codes) != len(ids) or codes.shape[1:] != (bits // 8,):
            raise ValueError("index codes and ids disagree")
        index = cls(bits)
        index.add(ids, codes)
        return index
