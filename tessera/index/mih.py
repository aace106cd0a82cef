"""Exact Hamming range search by multi-index hashing (Norouzi, Punjani & Fleet).

The 256-bit code is cut into ``m`` chunks. Two codes within distance ``r`` agree on some chunk up
to ``r // m`` flipped bits (pigeonhole), so probing every chunk's table with each key at most
``r // m`` bits away finds *every* match: recall 1.0. Chunk width follows the collection size
(about log2 N bits, 16 to 24), so a bucket holds about one code and a radius-31 query touches a
few thousand codes even at 10M. A table is the positions sorted by that chunk's key plus a
dense offset array, so a probe is two array reads (walked by ``mih_probe``).

New codes go to a small FAISS ``IndexBinaryFlat`` (exact brute force, fast at that size) and are
merged into the tables when it grows past ``merge_at`` (or 5% of the collection). Why not
FAISS's ``IndexBinaryMultiHash``: measured here with the probes radius 31 needs it took 3 ms a
query at 1M and 45 ms at 10M, and faiss 1.15 reads it back with a corrupt dimension
(benchmarks/RESULTS.md).
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from functools import cache
from itertools import combinations
from pathlib import Path

import faiss
import numpy as np

from tessera.index.base import HashIndex, RangeHit
from tessera.index.mih_probe import probe

MIN_WIDTH, MAX_WIDTH = 16, 24

# The FAISS buffer is small and searched a batch at a time while worker processes decode media;
# OpenMP's spinning threads would take the cores those workers need (measured: see RESULTS.md).
faiss.omp_set_num_threads(1)
QUERY_SLICE = 32


def chunk_layout(n: int, bits: int = 256) -> list[tuple[int, int]]:
    """(start bit, width) of each chunk for a collection of ``n`` codes."""
    target = min(MAX_WIDTH, max(MIN_WIDTH, math.ceil(math.log2(max(n, 2)))))
    m = math.ceil(bits / target)
    base, extra = divmod(bits, m)
    widths = [base + 1] * extra + [base] * (m - extra)
    starts = [sum(widths[:i]) for i in range(m)]
    return list(zip(starts, widths, strict=True))


@cache
def _flip_masks(width: int, nflip: int) -> np.ndarray:
    masks = [0]
    for k in range(1, nflip + 1):
        for bits in combinations(range(width), k):
            masks.append(sum(1 << b for b in bits))
    return np.array(masks, dtype=np.int64)


def chunk_keys(codes: np.ndarray, starts: np.ndarray, width: int) -> np.ndarray:
    """Bits [start, start + width) of each code (MSB first) for every start: (n, len(starts))."""
    padded = np.hstack([codes, np.zeros((len(codes), 4), np.uint8)])
    cols = (starts // 8)[:, None] + np.arange(4)[None, :]  # (k, 4) byte columns
    b = padded[:, cols].astype(np.uint32)  # (n, k, 4)
    word = b[..., 0] << 24 | b[..., 1] << 16 | b[..., 2] << 8 | b[..., 3]
    shift = (32 - (starts % 8) - width).astype(np.uint32)
    return ((word >> shift) & np.uint32((1 << width) - 1)).astype(np.int64)


@dataclass(frozen=True)
class _Group:
    """The chunks of one width: their start bits, sorted positions and offset arrays."""

    width: int
    starts: np.ndarray
    positions: np.ndarray  # (k, n) uint32: row j = positions sorted by chunk j's key
    offsets: np.ndarray  # (k, 2**width + 1) uint32


class MultiIndexHammingIndex(HashIndex):
    def __init__(self, bits: int = 256, merge_at: int = 50_000) -> None:
        if bits % 8:
            raise ValueError("code length must be whole bytes")
        super().__init__(bits)
        self.merge_at = merge_at
        self._codes = np.zeros((0, bits // 8), dtype=np.uint8)  # merged part, row = position
        self._ids = np.zeros(0, dtype=np.int64)
        self._layout: list[tuple[int, int]] = []
        self._groups: list[_Group] = []
        self._delta = faiss.IndexBinaryFlat(bits)
        self._delta_ids: list[np.ndarray] = []

    # -- building ------------------------------------------------------------------------

    def add(self, ids: np.ndarray, codes: np.ndarray) -> None:
        codes = np.ascontiguousarray(codes, dtype=np.uint8).reshape(-1, self.bits // 8)
        if not len(codes):
            return
        self._delta.add(codes)
        self._delta_ids.append(np.asarray(ids, dtype=np.int64))
        if self._delta.ntotal >= max(self.merge_at, len(self._ids) // 20):
            self.merge()

    def _delta_codes(self) -> np.ndarray:
        """The codes waiting in the brute-force buffer, one row each."""
        codes = self._delta.xb  # type: ignore[attr-defined]  # not in faiss's stubs
        return faiss.vector_to_array(codes).reshape(-1, self.bits // 8)

    def merge(self) -> None:
        """Fold the brute-force buffer into the hashed tables (a rebuild of the tables)."""
        if not self._delta.ntotal:
            return
        fresh = self._delta_codes()
        self._codes = np.vstack([np.asarray(self._codes), fresh])
        self._ids = np.concatenate([np.asarray(self._ids), *self._delta_ids])
        self._delta.reset()
        self._delta_ids.clear()
        self._build_tables()

    def _build_tables(self) -> None:
        n = len(self._codes)
        self._layout = chunk_layout(n, self.bits)
        groups = []
        for width in sorted({w for _, w in self._layout}):
            starts = np.array([s for s, w in self._layout if w == width])
            positions = np.empty((len(starts), n), dtype=np.uint32)
            offsets = np.zeros((len(starts), (1 << width) + 1), dtype=np.uint32)
            for j in range(len(starts)):  # one chunk at a time keeps temporaries small
                keys = chunk_keys(self._codes, starts[j:j + 1], width)[:, 0]
                positions[j] = np.argsort(keys.astype(np.uint32))
                np.cumsum(np.bincount(keys, minlength=1 << width), out=offsets[j, 1:])
            groups.append(_Group(width, starts, positions, offsets))
        self._groups = groups

    # -- searching -----------------------------------------------------------------------

    def range_search(self, queries: np.ndarray, max_distance: int) -> list[RangeHit]:
        queries = np.ascontiguousarray(queries, dtype=np.uint8).reshape(-1, self.bits // 8)
        hits: list[RangeHit] = []
        if not len(queries):
            return hits
        if len(self._codes):
            for lo in range(0, len(queries), QUERY_SLICE):  # keeps temporaries cache-sized
                part = self._search_tables(queries[lo:lo + QUERY_SLICE], max_distance)
                hits.extend(RangeHit(h.query + lo, h.id, h.distance) for h in part)
        if self._delta.ntotal:
            ids = np.concatenate(self._delta_ids)
            lims, dist, pos = self._delta.range_search(queries, max_distance + 1)
            for row in range(len(queries)):
                for k in range(lims[row], lims[row + 1]):
                    hits.append(RangeHit(row, int(ids[pos[k]]), int(dist[k])))
        return hits

    def _search_tables(self, queries: np.ndarray, radius: int) -> list[RangeHit]:
        nflip = radius // len(self._layout)
        found = [probe(chunk_keys(queries, g.starts, g.width), _flip_masks(g.width, nflip),
                       g.offsets, g.positions, self._codes, queries, radius)
                 for g in self._groups]
        owner = np.concatenate([f[0] for f in found])
        if not owner.size:
            return []
        position = np.concatenate([f[1] for f in found])
        distance = np.concatenate([f[2] for f in found])
        pairs = {(int(q), int(p), int(d)) for q, p, d in zip(owner, position, distance,
                                                              strict=True)}
        return [RangeHit(q, int(self._ids[p]), d) for q, p, d in sorted(pairs)]

    def __len__(self) -> int:
        return len(self._ids) + int(self._delta.ntotal)

    # -- persistence ---------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Codes, ids and hashed tables as plain ``.npy`` files (memory-mapped on load, so a
        10M index opens instantly). Written beside and renamed, the layout file last: a crash
        leaves either the old files or tables that ``load`` detects as not matching."""
        files: dict[str, np.ndarray] = {
            "codes": np.vstack([self._codes, self._delta_codes()]),
            "ids": np.concatenate([self._ids, *self._delta_ids]),
        }
        for i, g in enumerate(self._groups):
            files[f"g{i}.positions"], files[f"g{i}.offsets"] = g.positions, g.offsets
            files[f"g{i}.starts"] = g.starts
        layout = {"merged": len(self._codes), "groups": [g.width for g in self._groups]}
        for name, array in files.items():
            tmp = path.with_suffix(f".{name}.tmp.npy")
            np.save(tmp, array)
            os.replace(tmp, path.with_suffix(f".{name}.npy"))
        tmp = path.with_suffix(".layout.tmp")
        tmp.write_text(json.dumps(layout))
        os.replace(tmp, path.with_suffix(".layout.json"))

    @classmethod
    def load(cls, path: Path, bits: int) -> MultiIndexHammingIndex:
        codes = np.load(path.with_suffix(".codes.npy"), mmap_mode="r")
        ids = np.load(path.with_suffix(".ids.npy"))
        if len(codes) != len(ids) or codes.shape[1:] != (bits // 8,):
            raise ValueError("index codes and ids disagree")
        index = cls(bits)
        try:
            layout = json.loads(path.with_suffix(".layout.json").read_text())
            merged = int(layout["merged"])
            groups = [_Group(width, np.load(path.with_suffix(f".g{i}.starts.npy")),
                             np.load(path.with_suffix(f".g{i}.positions.npy"), mmap_mode="r"),
                             np.load(path.with_suffix(f".g{i}.offsets.npy"), mmap_mode="r"))
                      for i, width in enumerate(layout["groups"])]
            consistent = merged <= len(codes) and all(
                g.positions.shape == (len(g.starts), merged) for g in groups) and (
                sum(len(g.starts) for g in groups) == len(chunk_layout(merged, bits))
                if merged else not groups)
        except (OSError, ValueError, KeyError):
            consistent = False
        if consistent:
            index._codes, index._ids = codes[:merged], ids[:merged]
            index._layout, index._groups = chunk_layout(merged, bits) if merged else [], groups
            index.add(ids[merged:], np.asarray(codes[merged:]))
        else:
            index._codes = np.ascontiguousarray(codes, dtype=np.uint8)
            index._ids = ids.astype(np.int64)
            index._build_tables()
        return index
