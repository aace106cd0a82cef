"""The fast index must agree exactly with brute force on the same data."""

import csv
import itertools
from pathlib import Path

import numpy as np
import pytest

from tessera.index import BruteForceHammingIndex, MultiIndexHammingIndex, mih, mih_probe
from tessera.index.mih import chunk_keys, chunk_layout


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


@pytest.fixture(params=["compiled", "numpy"])
def probe_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways of walking the tables: the compiled loop and its NumPy fallback."""
    if request.param == "numpy":
        monkeypatch.setattr(mih, "probe", mih_probe.probe_numpy)
    else:
        assert mih_probe.COMPILED and mih.probe is mih_probe.probe_compiled
    return str(request.param)


@pytest.mark.parametrize("radius", [0, 10, 31, 47])
@pytest.mark.parametrize("merge_at", [1_000, 1_000_000])  # hashed tables + buffer, buffer only
def test_multi_index_hashing_equals_brute_force(radius: int, merge_at: int,
                                                probe_kind: str) -> None:
    base, queries = _planted(20_000, 200)
    ids = np.arange(100, 100 + len(base), dtype=np.int64)
    fast = MultiIndexHammingIndex(256, merge_at=merge_at)
    brute = BruteForceHammingIndex(256)
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
    index = MultiIndexHammingIndex(256, merge_at=100)
    index.add(np.arange(len(haystack)), _codes(haystack))
    got = {(h.query, h.id, h.distance) for h in index.range_search(_codes(needles), 32)}
    assert got == truth and len(truth) == 250


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    base, queries = _planted(5000, 50)
    index = MultiIndexHammingIndex(256, merge_at=1000)
    index.add(np.arange(5000) * 3, base)
    index.add(np.array([99_999]), base[:1])  # one still in the buffer
    index.save(tmp_path / "pdq")
    loaded = MultiIndexHammingIndex.load(tmp_path / "pdq", 256)
    assert len(loaded) == 5001
    assert loaded.range_search(queries, 31) == index.range_search(queries, 31)


@pytest.mark.parametrize("n", [1, 1000, 70_000, 1_000_000, 10_000_000, 10**9])
def test_chunk_layout_covers_all_bits_and_grows_with_size(n: int) -> None:
    layout = chunk_layout(n)
    assert sum(w for _, w in layout) == 256 and layout[0][0] == 0
    assert all(16 <= w <= 24 for _, w in layout)
    assert all(a + w == b for (a, w), (b, _) in itertools.pairwise(layout))


def test_chunk_keys_reads_msb_first_bit_ranges() -> None:
    codes = np.zeros((1, 32), dtype=np.uint8)
    codes[0, 2] = 0b1010_0000  # bits 16..19 = 1010
    keys = chunk_keys(codes, np.array([16, 13, 250]), 4)
    assert keys.tolist() == [[0b1010, 0b0001, 0]]


def test_load_maps_saved_tables_and_rebuilds_damaged_ones(tmp_path: Path) -> None:
    base, queries = _planted(30_000, 100)
    index = MultiIndexHammingIndex(256, merge_at=1000)
    index.add(np.arange(30_000), base)
    expected = index.range_search(queries, 31)
    index.save(tmp_path / "pdq")
    mapped = MultiIndexHammingIndex.load(tmp_path / "pdq", 256)
    assert isinstance(mapped._groups[0].positions, np.memmap)  # opened, not rebuilt
    assert mapped.range_search(queries, 31) == expected
    (tmp_path / "pdq.g0.positions.npy").unlink()
    rebuilt = MultiIndexHammingIndex.load(tmp_path / "pdq", 256)
    assert not isinstance(rebuilt._groups[0].positions, np.memmap)
    assert rebuilt.range_search(queries, 31) == expected


def test_compiled_walk_grows_its_buffer_for_many_near_copies() -> None:
    """Thousands of copies of one code: more matches than the first buffer holds."""
    rng = np.random.default_rng(3)
    base = rng.integers(0, 256, (5000, 32), dtype=np.uint8)
    base[:4000] = base[0]
    index = MultiIndexHammingIndex(256, merge_at=100)
    index.add(np.arange(5000, dtype=np.int64), base)
    hits = index.range_search(base[:1], 0)
    assert {h.id for h in hits} == set(range(4000))
