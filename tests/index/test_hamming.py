"""The fast index must agree exactly with brute force on the same data."""

import csv
from pathlib import Path

import numpy as np
import pytest

from tessera.index import BruteForceHammingIndex, MultiHashHammingIndex


def _codes(lines: list[str]) -> np.ndarray:
    return np.frombuffer(b"".join(bytes.fromhex(x) for x in lines), dtype=np.uint8).reshape(-1, 32)


def _planted(n: int, queries: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 256, (n, 32), dtype=np.uint8)
    picks = rng.choice(n, queries, replace=False)
    q = base[picks].copy()
    bits = np.unpackbits(q, axis=1)
    for row, flips in enumerate(rng.integers(0, 48, queries)):
        cols = rng.choice(256, flips, replace=False)
        bits[row, cols] ^= 1
    return base, np.packbits(bits, axis=1)


@pytest.mark.parametrize("radius", [10, 31, 47])
def test_multihash_equals_brute_force(radius: int) -> None:
    base, queries = _planted(20_000, 200)
    ids = np.arange(100, 100 + len(base), dtype=np.int64)
    fast, brute = MultiHashHammingIndex(256), BruteForceHammingIndex(256)
    for index in (fast, brute):
        index.add(ids[:10_000], base[:10_000])
        index.add(ids[10_000:], base[10_000:])  # incremental adds
    got = {(h.query, h.id, h.distance) for h in fast.range_search(queries, radius)}
    want = {(h.query, h.id, h.distance) for h in brute.range_search(queries, radius)}
    assert got == want and want
    assert all(d <= radius for _, _, d in got)


def test_meta_needles_in_haystack_ground_truth(shared_data: Path) -> None:
    root = shared_data / "pdq-reference"
    haystack = [x.strip() for x in (root / "reg-test-input/haystack.txt").read_text().split()]
    needles = [x.strip() for x in (root / "reg-test-input/needles.txt").read_text().split()]
    truth = {(int(r["needle_line"]) - 1, int(r["haystack_line"]) - 1, int(r["distance"]))
             for r in csv.DictReader((root / "expected/regenerated/"
                                              "needles-vs-haystack-bruteforce-d32.csv").open())}
    index = MultiHashHammingIndex(256)
    index.add(np.arange(len(haystack)), _codes(haystack))
    got = {(h.query, h.id, h.distance) for h in index.range_search(_codes(needles), 32)}
    assert got == truth and len(truth) == 250


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    base, queries = _planted(5000, 50)
    index = MultiHashHammingIndex(256)
    index.add(np.arange(5000) * 3, base)
    index.save(tmp_path / "pdq")
    loaded = MultiHashHammingIndex.load(tmp_path / "pdq", 256)
    assert len(loaded) == 5000
    assert loaded.range_search(queries, 31) == index.range_search(queries, 31)
