"""The face vector index against exact search, and persisted like the PDQ index."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tessera.index.vectors import FlatVectorIndex, IvfVectorIndex
from tests.matching.test_clustering import people


def test_ivf_finds_what_exact_search_finds(monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    monkeypatch.setattr(IvfVectorIndex, "train_at", 2_000)
    data = people(400, 8, spread=0.5, seed=11)  # 3,200 faces of 400 people
    ids = np.arange(10, 10 + len(data), dtype=np.int64)
    flat, ivf = FlatVectorIndex(128), IvfVectorIndex(128)
    for start in range(0, len(data), 1000):  # grows past train_at: turns into cells
        flat.add(ids[start:start + 1000], data[start:start + 1000])
        ivf.add(ids[start:start + 1000], data[start:start + 1000])
    assert "cells" in ivf.describe() and len(ivf) == len(flat) == len(data)
    queries = data[::40]
    exact = {(h.query, h.id) for h in flat.search(queries, 20, 0.8)}
    found = {(h.query, h.id) for h in ivf.search(queries, 20, 0.8)}
    assert exact and len(found & exact) / len(exact) >= 0.95
    assert found <= exact | found  # nothing below the threshold
    assert all(h.score >= 0.8 for h in ivf.search(queries, 20, 0.8))
    ivf.save(tmp_path / "faces")
    again = IvfVectorIndex.load(tmp_path / "faces", 128)
    assert {(h.query, h.id) for h in again.search(queries, 20, 0.8)} == found
    with pytest.raises(ValueError):
        IvfVectorIndex.load(tmp_path / "faces", 64)


def test_empty_index_answers_nothing() -> None:
    assert FlatVectorIndex(128).search(np.ones((1, 128), dtype=np.float32), 5, 0.0) == []
