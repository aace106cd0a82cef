"""Grouping faces into candidate persons, with the investigators' decisions as hard rules.

Complete linkage (SciPy): a group is formed only if *every* pair of faces in it is at least
``threshold`` alike. That is the conservative choice photo tools learned to make: a chain of
look-alikes (siblings, the same child years apart) does not pull two people into one group, it
leaves them apart for a person to join. On top of it:

* faces an investigator said are the same person (a merge, or confirmed links to one person)
  are one unit from the start (union-find) and never separated;
* faces in one photo (or one video frame), faces said to be different, and faces confirmed to
  different persons are never put together (their distance is set beyond any threshold).

Scale: candidate pairs come from a FAISS k-nearest-neighbour search, and linkage runs per
connected component of that graph. A component larger than ``MAX_COMPONENT`` units (one person
filmed in thousands of frames) is first cut by Chinese whispers on the same graph (dlib).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence

import faiss
import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage

APART = 4.0  # a distance no threshold reaches: cosine distances are at most 2
MAX_COMPONENT = 3000
NEIGHBOURS = 30


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def cluster_faces(vectors: np.ndarray, photos: Sequence[Hashable], threshold: float,
                  same: Sequence[tuple[int, int]] = (),
                  different: Sequence[tuple[int, int]] = (),
                  neighbours: int = NEIGHBOURS) -> list[int]:
    """A cluster number per face (rows of unit vectors), 0 = largest cluster. ``photos`` says
    which picture each face is in; ``same`` and ``different`` are pairs of row numbers."""
    n = len(vectors)
    if n == 0:
        return []
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    units = _UnionFind(n)
    for a, b in same:
        units.union(a, b)
    unit_of = np.array([units.find(i) for i in range(n)])
    apart: set[tuple[int, int]] = set()
    by_photo: dict[Hashable, list[int]] = defaultdict(list)
    for i, photo in enumerate(photos):
        by_photo[photo].append(i)
    for rows in by_photo.values():
        for x in range(len(rows)):
            for y in range(x + 1, len(rows)):
                _keep_apart(apart, unit_of[rows[x]], unit_of[rows[y]])
    for a, b in different:
        _keep_apart(apart, unit_of[a], unit_of[b])

    graph = _UnionFind(n)
    edges: list[tuple[int, int, float]] = []
    for a, b, score in _candidate_pairs(vectors, threshold, neighbours):
        ua, ub = unit_of[a], unit_of[b]
        if ua != ub and (min(ua, ub), max(ua, ub)) not in apart:
            graph.union(ua, ub)
            edges.append((a, b, score))
    for i in range(n):
        graph.union(i, unit_of[i])
    components: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        components[graph.find(i)].append(i)

    labels = np.full(n, -1)
    next_label = 0
    for rows in components.values():
        for part in _split_large(rows, unit_of, edges):
            for group in _link(vectors, part, unit_of, apart, threshold):
                labels[group] = next_label
                next_label += 1
    return _by_size(labels)


def _keep_apart(apart: set[tuple[int, int]], a: int, b: int) -> None:
    if a != b:
        apart.add((min(a, b), max(a, b)))


def _candidate_pairs(vectors: np.ndarray, threshold: float,
                     neighbours: int) -> list[tuple[int, int, float]]:
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    scores, ids = index.search(vectors, min(neighbours + 1, len(vectors)))
    return [(a, int(b), float(sc)) for a in range(len(vectors))
            for sc, b in zip(scores[a], ids[a], strict=True) if b > a and sc >= threshold]


def _split_large(rows: list[int], unit_of: np.ndarray,
                 edges: list[tuple[int, int, float]]) -> list[list[int]]:
    units = sorted({int(unit_of[r]) for r in rows})
    if len(units) <= MAX_COMPONENT:
        return [rows]
    import dlib

    position = {u: k for k, u in enumerate(units)}
    members = set(rows)
    graph = [(position[int(unit_of[a])], position[int(unit_of[b])], score)
             for a, b, score in edges if a in members and unit_of[a] != unit_of[b]]
    communities = dlib.chinese_whispers(graph) if graph else list(range(len(units)))
    parts: dict[int, list[int]] = defaultdict(list)
    for r in rows:
        parts[communities[position[int(unit_of[r])]]].append(r)
    out: list[list[int]] = []
    for part in parts.values():  # still too large: cut in order, a rare last resort
        for start in range(0, len(part), MAX_COMPONENT):
            out.append(part[start:start + MAX_COMPONENT])
    return out


def _link(vectors: np.ndarray, rows: list[int], unit_of: np.ndarray,
          apart: set[tuple[int, int]], threshold: float) -> list[list[int]]:
    ordered = sorted(rows, key=lambda r: (int(unit_of[r]), r))
    units = [int(unit_of[r]) for r in ordered]
    starts = [k for k in range(len(ordered)) if k == 0 or units[k] != units[k - 1]]
    if len(starts) == 1:
        return [ordered]
    distance = 1.0 - vectors[ordered] @ vectors[ordered].T
    # the farthest pair between two units is their distance (complete linkage over units)
    between = np.maximum.reduceat(np.maximum.reduceat(distance, starts, axis=0), starts, axis=1)
    between = between.astype(np.float64)
    heads = [units[k] for k in starts]
    position = {u: k for k, u in enumerate(heads)}
    for a, b in apart:
        if a in position and b in position:
            between[position[a], position[b]] = between[position[b], position[a]] = APART
    np.fill_diagonal(between, 0.0)
    m = len(heads)
    found = fcluster(linkage(between[np.triu_indices(m, 1)], method="complete"),
                     t=1.0 - threshold, criterion="distance")
    ends = [*starts[1:], len(ordered)]
    groups: dict[int, list[int]] = defaultdict(list)
    for k, label in enumerate(found):
        groups[int(label)].extend(ordered[starts[k]:ends[k]])
    return list(groups.values())


def _by_size(labels: np.ndarray) -> list[int]:
    """Renumber so that 0 is the largest cluster (ties: the earliest face first)."""
    sizes: dict[int, list[int]] = defaultdict(list)
    for i, label in enumerate(labels.tolist()):
        sizes[label].append(i)
    order = sorted(sizes, key=lambda lab: (-len(sizes[lab]), sizes[lab][0]))
    renumber = {lab: k for k, lab in enumerate(order)}
    return [renumber[lab] for lab in labels.tolist()]
