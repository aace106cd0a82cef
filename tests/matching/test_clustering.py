"""Face clustering: complete linkage under the investigators' rules."""

from __future__ import annotations

import numpy as np
import pytest

from tessera.matching import clustering
from tessera.matching.clustering import cluster_faces


def _unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v, axis=-1, keepdims=True)).astype(np.float32)


def people(n_people: int, per: int, spread: float = 0.12, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = _unit(rng.normal(size=(n_people, 128)))
    noise = rng.normal(size=(n_people, per, 128)) * spread / np.sqrt(128)
    return _unit(centres[:, None, :] + noise).reshape(-1, 128)


def _groups(labels: list[int]) -> set[frozenset[int]]:
    out: dict[int, set[int]] = {}
    for i, label in enumerate(labels):
        out.setdefault(label, set()).add(i)
    return {frozenset(g) for g in out.values()}


def test_people_are_found_and_numbered_by_size() -> None:
    vectors = np.concatenate([people(1, 5, seed=1), people(1, 3, seed=2), people(1, 1, seed=3)])
    labels = cluster_faces(vectors, list(range(len(vectors))), 0.92)
    assert labels == [0] * 5 + [1] * 3 + [2]


def test_two_faces_in_one_photo_are_never_one_person() -> None:
    vectors = people(1, 4, spread=0.05)
    labels = cluster_faces(vectors, ["a", "a", "b", "c"], 0.9)  # faces 0 and 1 share a photo
    assert labels[0] != labels[1]


def test_a_chain_of_look_alikes_is_not_merged() -> None:
    """A~B and B~C but A and C are not alike: complete linkage keeps A and C apart."""
    a = _unit(np.eye(128)[0])
    c = _unit(np.eye(128)[0] * 0.83 + np.eye(128)[1] * 0.56)  # cos(a, c) ~ 0.83
    b = _unit(a + c)  # cos(a, b) = cos(b, c) ~ 0.96
    labels = cluster_faces(np.stack([a, b, c]), [1, 2, 3], 0.92)
    assert labels[0] != labels[2]


def test_decisions_are_obeyed() -> None:
    vectors = np.concatenate([people(1, 3, seed=4), people(1, 3, seed=5)])
    photos = list(range(6))
    base = _groups(cluster_faces(vectors, photos, 0.92))
    assert base == {frozenset({0, 1, 2}), frozenset({3, 4, 5})}
    merged = cluster_faces(vectors, photos, 0.92, same=[(0, 3)])
    assert merged[0] == merged[3]  # an investigator's merge holds whatever the scores
    split = cluster_faces(vectors, photos, 0.92, same=[(0, 1)], different=[(1, 2)])
    assert split[0] == split[1] != split[2]


def test_large_components_are_cut_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clustering, "MAX_COMPONENT", 8)
    vectors = np.concatenate([people(1, 6, spread=0.05, seed=6),
                              people(1, 6, spread=0.05, seed=7)])
    # a bridge face makes one component of both people
    bridge = _unit(vectors[0] + vectors[6])
    vectors = np.concatenate([vectors, bridge[None, :]])
    labels = cluster_faces(vectors, list(range(13)), 0.7)
    assert len({labels[i] for i in range(6)}) == 1
    assert len({labels[i] for i in range(6, 12)}) == 1
    assert labels[0] != labels[6]


def test_empty() -> None:
    assert cluster_faces(np.zeros((0, 128), dtype=np.float32), [], 0.9) == []
