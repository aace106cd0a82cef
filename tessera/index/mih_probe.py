"""Probing multi-index hashing tables: one compiled loop, with the NumPy form as its fallback.

A radius-31 query at 1M codes reads about 2,700 buckets that hold about one code each, so the
cost is the bookkeeping of the probes, not arithmetic: NumPy builds every probe as an array
element (~0.3 ms a query), a loop compiled by Numba walks them with no temporaries (~0.1 ms,
benchmarks/RESULTS.md). Both return the same (query row, position, distance) triples; the
loop is used when Numba imports, which a platform without its wheels never breaks.
"""

from __future__ import annotations

import numpy as np

try:
    import numba

    COMPILED = True
except ImportError:  # pragma: no cover - numba is a dependency; this keeps odd platforms up
    COMPILED = False

Triples = tuple[np.ndarray, np.ndarray, np.ndarray]  # query row, position, distance


def probe_numpy(keys: np.ndarray, masks: np.ndarray, offsets: np.ndarray,
                positions: np.ndarray, codes: np.ndarray, queries: np.ndarray,
                radius: int) -> Triples:
    """Every (query, position) of the tables of one chunk width whose code is within
    ``radius``: ``keys`` (Q, k) the queries' chunk keys, ``offsets`` (k, 2**w + 1) and
    ``positions`` (k, n) the tables, ``codes`` (n, 32) and ``queries`` (Q, 32) uint8."""
    k, n = positions.shape
    probes = keys[:, :, None] ^ masks  # (Q, k, F)
    stride = offsets.shape[1]
    where = (probes + (np.arange(k) * stride)[None, :, None]).ravel()
    flat_offsets = offsets.ravel()
    lo = flat_offsets.take(where).astype(np.int64)
    counts = flat_offsets.take(where + 1).astype(np.int64) - lo
    total = int(counts.sum())
    if not total:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    # every candidate, ranges [lo, lo + count) of its chunk's table, without a loop
    chunk_base = np.repeat(np.tile(np.arange(k) * n, len(queries)), masks.size)
    base = chunk_base + lo - (np.cumsum(counts) - counts)
    index = np.repeat(base, counts) + np.arange(total)
    candidates = positions.ravel().take(index).astype(np.int64)
    owner = np.repeat(np.arange(len(queries)).repeat(k * masks.size), counts)
    distance = np.bitwise_count(codes.view(np.uint64)[candidates]
                                ^ queries.view(np.uint64)[owner]).sum(axis=1)
    keep = distance <= radius
    return owner[keep], candidates[keep], distance[keep].astype(np.int64)


if COMPILED:
    @numba.njit(cache=True, nogil=True)
    def _walk(keys, masks, offsets, positions, words, query_words, radius,
              out_query, out_position, out_distance):
        """Fills the outputs up to their size; returns how many matches there were."""
        m1, m2 = np.uint64(0x5555555555555555), np.uint64(0x3333333333333333)
        m4, h01 = np.uint64(0x0F0F0F0F0F0F0F0F), np.uint64(0x0101010101010101)
        found = 0
        for q in range(keys.shape[0]):
            for chunk in range(keys.shape[1]):
                for f in range(masks.size):
                    key = keys[q, chunk] ^ masks[f]
                    for j in range(offsets[chunk, key], offsets[chunk, key + 1]):
                        p = positions[chunk, j]
                        d = 0
                        for w in range(words.shape[1]):
                            x = words[p, w] ^ query_words[q, w]
                            x = x - ((x >> np.uint64(1)) & m1)
                            x = (x & m2) + ((x >> np.uint64(2)) & m2)
                            x = (x + (x >> np.uint64(4))) & m4
                            d += int((x * h01) >> np.uint64(56))
                        if d <= radius:
                            if found < out_query.size:
                                out_query[found] = q
                                out_position[found] = p
                                out_distance[found] = d
                            found += 1
        return found


def probe_compiled(keys: np.ndarray, masks: np.ndarray, offsets: np.ndarray,
                   positions: np.ndarray, codes: np.ndarray, queries: np.ndarray,
                   radius: int) -> Triples:
    """``probe_numpy``'s answer from the compiled loop (memory-mapped tables read in place)."""
    words = np.asarray(codes).view(np.uint64)
    query_words = np.ascontiguousarray(queries).view(np.uint64)
    tables = np.asarray(offsets), np.asarray(positions)
    size = max(1024, 4 * len(queries))
    while True:
        out = (np.empty(size, np.int64), np.empty(size, np.int64), np.empty(size, np.int64))
        found = _walk(keys, masks, *tables, words, query_words, radius, *out)
        if found <= size:
            return out[0][:found], out[1][:found], out[2][:found]
        size = found  # rare: many near copies; walk again with room for all of them


probe = probe_compiled if COMPILED else probe_numpy
