"""PDQ index at 1M and 10M hashes: build time, memory, query latency and recall.

Baseline in the same run: exact brute force (faiss IndexBinaryFlat) over the same codes. Queries
are stored codes with 0-31 random bits flipped (so each has at least one true match) plus random
codes (usually none). One faiss thread per query, as a serving process would use.

    python benchmarks/bench_index.py --sizes 1000000 10000000
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import faiss
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import machine, rss_mib
from tessera.index import MultiIndexHammingIndex

RADIUS = 31


def queries_for(base: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    picks = rng.choice(len(base), n // 2, replace=False)
    planted = np.unpackbits(base[picks], axis=1)
    for row in range(len(planted)):
        flips = rng.choice(256, int(rng.integers(0, RADIUS + 1)), replace=False)
        planted[row, flips] ^= 1
    noise = rng.integers(0, 256, (n - n // 2, 32), dtype=np.uint8)
    return np.vstack([np.packbits(planted, axis=1), noise])


def run(size: int, n_queries: int) -> None:
    rng = np.random.default_rng(size)
    base = rng.integers(0, 256, (size, 32), dtype=np.uint8)
    queries = queries_for(base, n_queries, rng)
    faiss.omp_set_num_threads(2)
    before = rss_mib()
    start = time.perf_counter()
    index = MultiIndexHammingIndex(256)
    index.add(np.arange(size), base)
    index.merge()
    build = time.perf_counter() - start
    memory = rss_mib() - before
    folder = Path(tempfile.mkdtemp(prefix="tessera-index-"))
    start = time.perf_counter()
    index.save(folder / "pdq")
    save = time.perf_counter() - start
    start = time.perf_counter()
    index = MultiIndexHammingIndex.load(folder / "pdq", 256)
    load = time.perf_counter() - start

    faiss.omp_set_num_threads(1)
    fast_lat, fast_hits = [], []
    for q in queries:
        t = time.perf_counter()
        hits = index.range_search(q[None, :], RADIUS)
        fast_lat.append(time.perf_counter() - t)
        fast_hits.append({h.id for h in hits})

    flat = faiss.IndexBinaryFlat(256)
    flat.add(base)
    brute_lat, recall_num, recall_den = [], 0, 0
    for i, q in enumerate(queries[: min(len(queries), 200)]):
        t = time.perf_counter()
        lims, _, ids = flat.range_search(q[None, :], RADIUS + 1)
        brute_lat.append(time.perf_counter() - t)
        truth = set(ids[lims[0]:lims[1]].tolist())
        recall_num += len(truth & fast_hits[i])
        recall_den += len(truth)
    start = time.perf_counter()
    index.range_search(queries, RADIUS)
    batch = (time.perf_counter() - start) / len(queries) * 1000
    shutil.rmtree(folder)
    p50, p99 = (np.percentile(fast_lat, [50, 99]) * 1000).tolist()
    b50 = float(np.median(brute_lat) * 1000)
    recall = recall_num / recall_den if recall_den else 1.0
    print(f"| {size:,} | {build:.1f} s | {save:.1f} s / {load:.2f} s | {memory:,.0f} MiB "
          f"| {p50:.3f} ms | {p99:.3f} ms | {batch:.3f} ms | {b50:.2f} ms | {b50 / p50:.0f}x "
          f"| {recall:.3f} ({recall_den} true matches) |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--queries", type=int, default=2000)
    args = parser.parse_args()
    print(f"# PDQ index (multi-index hashing), radius {RADIUS} — {machine()}")
    print("| hashes | build | save / open | memory | p50 query | p99 query | batched, per query "
          "| brute force p50 | speed-up | recall |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for size in args.sizes:
        run(size, args.queries)


if __name__ == "__main__":
    main()
