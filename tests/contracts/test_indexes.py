"""Every registered index kind answers exactly what brute force over the same data answers,
before and after a save and load: a faster index is only an index if it is also right."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tessera.index import INDEX_KINDS, HashIndex, VectorIndex

BITS, DIMS, N, RADIUS = 256, 128, 3000, 31


def _hamming_data(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    stored = rng.integers(0, 256, size=(N, BITS // 8), dtype=np.uint8)
    queries = stored[:40].copy()
    for row in queries:  # planted neighbours at every distance up to past the radius
        flips = rng.choice(BITS, size=int(rng.integers(0, RADIUS + 10)), replace=False)
        for bit in flips:
            row[bit // 8] ^= np.uint8(1 << (bit % 8))
    return stored, np.vstack([queries, rng.integers(0, 256, size=(10, BITS // 8),
                                                     dtype=np.uint8)])


def _brute_hamming(stored: np.ndarray, queries: np.ndarray) -> set[tuple[int, int, int]]:
    bits = np.unpackbits(stored, axis=1)
    out = set()
    for q, row in enumerate(np.unpackbits(queries, axis=1)):
        distances = (bits != row).sum(axis=1)
        out |= {(q, int(i) + 1000, int(d)) for i, d in enumerate(distances) if d <= RADIUS}
    return out


def _vector_data(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    stored = rng.normal(size=(N, DIMS)).astype(np.float32)
    stored /= np.linalg.norm(stored, axis=1, keepdims=True)
    queries = stored[:30] + rng.normal(scale=0.05, size=(30, DIMS)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    return stored, queries


def _brute_vectors(stored: np.ndarray, queries: np.ndarray, k: int,
                   floor: float) -> set[tuple[int, int]]:
    scores = queries @ stored.T
    out = set()
    for q, row in enumerate(scores):
        best = np.argsort(-row)[:k]
        out |= {(q, int(i) + 1000) for i in best if row[i] >= floor}
    return out


@pytest.mark.parametrize("name", INDEX_KINDS.names())
def test_the_index_equals_brute_force(name: str, tmp_path: Path) -> None:
    kind = INDEX_KINDS.get(name)
    rng = np.random.default_rng(7)
    ids = np.arange(1000, 1000 + N, dtype=np.int64)
    if issubclass(kind, HashIndex):
        stored, queries = _hamming_data(rng)
        index = kind(BITS)
        index.add(ids, stored)
        expected = _brute_hamming(stored, queries)
        assert len(expected) >= 25  # most planted neighbours lie inside the radius
        for current in (index, _reloaded(kind, index, tmp_path, BITS)):
            got = {(h.query, h.id, h.distance) for h in current.range_search(queries, RADIUS)}
            assert got == expected, name
        return
    assert issubclass(kind, VectorIndex), f"{name}: an index kind of no known contract"
    stored, queries = _vector_data(rng)
    index = kind(DIMS)
    index.add(ids, stored)
    expected = _brute_vectors(stored, queries, 5, 0.2)
    for current in (index, _reloaded(kind, index, tmp_path, DIMS)):
        got = {(h.query, h.id) for h in current.search(queries, 5, 0.2)}
        assert got == expected, name


def _reloaded(kind, index, tmp_path: Path, width: int):  # type: ignore[no-untyped-def]
    path = tmp_path / "index"
    index.save(path)
    return kind.load(path, width)
