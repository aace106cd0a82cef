"""Nearest-neighbour search over unit-length embeddings (faces), by inner product = cosine.

``FlatVectorIndex`` is exact (FAISS ``IndexFlatIP``): the reference, and what serves small
collections. ``IvfVectorIndex`` starts flat and, once it holds ``train_at`` vectors, trains an
inverted file (k-means cells, ``nprobe`` searched per query) so that a search at a million faces
looks at a few percent of them; the benchmark measures its recall against the flat index.
"""

from __future__ import annotations

import math
import os
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import faiss
import numpy as np


@dataclass(frozen=True, slots=True)
class VectorHit:
    query: int  # row of the query batch
    id: int  # external id (the signal row id)
    score: float  # cosine similarity, 1 = identical


class VectorIndex(ABC):
    """Vectors are float32 rows of ``dims``; ids are int64 signal ids."""

    suffix: ClassVar[str] = ".faiss"

    def __init__(self, dims: int) -> None:
        self.dims = dims
        self.index = faiss.IndexIDMap2(faiss.IndexFlatIP(dims))

    @staticmethod
    def codes(values: list[bytes], dims: int) -> np.ndarray:
        if not values:
            return np.zeros((0, dims), dtype=np.float32)
        return np.frombuffer(b"".join(values), dtype=np.float32).reshape(-1, dims).copy()

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        self.index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32),
                                np.ascontiguousarray(ids, dtype=np.int64))

    def search(self, queries: np.ndarray, k: int, min_score: float) -> list[VectorHit]:
        """The ``k`` most similar stored vectors of each query row with score >= ``min_score``."""
        if len(self) == 0 or len(queries) == 0:
            return []
        scores, ids = self.index.search(np.ascontiguousarray(queries, dtype=np.float32),
                                        min(k, len(self)))
        return [VectorHit(q, int(i), float(s)) for q, (row_s, row_i) in
                enumerate(zip(scores, ids, strict=True))
                for s, i in zip(row_s, row_i, strict=True) if i >= 0 and s >= min_score]

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def save(self, path: Path) -> None:
        target = path.with_suffix(self.suffix)
        tmp = target.with_suffix(".tmp")
        faiss.write_index(self.index, str(tmp))
        os.replace(tmp, target)

    @classmethod
    def load(cls, path: Path, dims: int) -> VectorIndex:
        out = cls(dims)
        loaded = faiss.read_index(str(path.with_suffix(cls.suffix)))
        if not isinstance(loaded, faiss.IndexIDMap2):
            raise ValueError(f"{path} does not hold an id-mapped vector index")
        out.index = loaded
        if out.index.d != dims:
            raise ValueError(f"index has {out.index.d} dimensions, expected {dims}")
        return out

    @abstractmethod
    def describe(self) -> str: ...


class FlatVectorIndex(VectorIndex):
    def describe(self) -> str:
        return f"exact inner product over {len(self):,} vectors"


class IvfVectorIndex(VectorIndex):
    train_at: ClassVar[int] = 50_000
    nprobe: ClassVar[int] = 24

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        super().add(ids, vectors)
        if not self._is_ivf() and len(self) >= self.train_at:
            self._to_ivf()

    def _is_ivf(self) -> bool:
        return isinstance(faiss.downcast_index(self.index.index), faiss.IndexIVFFlat)

    def _to_ivf(self) -> None:
        """Cells from the vectors held now (about 4·√n of them); the flat copy is dropped."""
        n = len(self)
        vectors = self.index.index.reconstruct_n(0, n)
        ids = faiss.vector_to_array(self.index.id_map).astype(np.int64)
        cells = max(16, int(4 * math.sqrt(n)))
        quantizer = faiss.IndexFlatIP(self.dims)
        ivf = faiss.IndexIVFFlat(quantizer, self.dims, cells, faiss.METRIC_INNER_PRODUCT)
        sample = vectors[np.random.default_rng(0).permutation(n)[:cells * 64]]
        ivf.train(sample)
        ivf.nprobe = self.nprobe
        index = faiss.IndexIDMap2(ivf)
        index.add_with_ids(vectors, ids)
        self.index = index

    def search(self, queries: np.ndarray, k: int, min_score: float) -> list[VectorHit]:
        if self._is_ivf():
            faiss.extract_index_ivf(self.index).nprobe = self.nprobe
        return super().search(queries, k, min_score)

    def describe(self) -> str:
        if self._is_ivf():
            ivf = faiss.extract_index_ivf(self.index)
            return f"inverted file, {ivf.nlist:,} cells, {ivf.nprobe} probed, {len(self):,} vectors"
        return f"exact inner product over {len(self):,} vectors (cells from {self.train_at:,})"
