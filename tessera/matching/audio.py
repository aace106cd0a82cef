"""Item-sequence matching (soundtracks): candidates from the inverted index, then verified by
aligned bit error rate, with the stretches where the two sequences agree as segments.

Values are little-endian uint32 items, one every ``item_seconds`` (Chromaprint's layout); the
signal types of the space say which and how long an item lasts.

The index is rebuilt in memory from the database when a process first needs it and caught up by
signal id before each use (fingerprints are small: ~32 bytes a second of sound).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from tessera.index.inverted import InvertedIndex
from tessera.matching.video import Segment
from tessera.signals.chromaprint import item_bit_errors
from tessera.store import repos
from tessera.store.db import Database

WINDOW = 24  # items (~3 s) over which agreement is judged locally
MIN_VOTES = 4


@dataclass(frozen=True, slots=True)
class AudioHit:
    signal_id: int
    offset_seconds: float  # match time = query time + offset
    bit_error_rate: float
    segments: tuple[Segment, ...]


def _to_items(value: bytes) -> np.ndarray:
    return np.frombuffer(value, dtype="<u4").astype(np.uint32)


def agreeing_runs(query: np.ndarray, stored: np.ndarray, offset: int, max_ber: float,
                  min_items: int) -> tuple[float, list[tuple[int, int]]]:
    """Overall bit error rate of the aligned overlap and the runs (query item ranges) where a
    sliding window agrees better than ``max_ber``."""
    q0, s0 = max(0, -offset), max(0, offset)
    n = min(query.size - q0, stored.size - s0)
    if n <= 0:
        return 1.0, []
    errors = item_bit_errors(query[q0:q0 + n], stored[s0:s0 + n]).astype(np.float64)
    window = min(WINDOW, n)
    local = np.convolve(errors, np.ones(window) / (32 * window), mode="same")
    good = local <= max_ber
    runs, start = [], None
    for k, ok in enumerate(np.append(good, False)):
        if ok and start is None:
            start = k
        elif not ok and start is not None:
            if k - start >= min(min_items, n):
                runs.append((q0 + start, q0 + k))
            start = None
    if not runs:
        return float(errors.sum() / (32 * n)), []
    inside = np.concatenate([errors[a - q0:b - q0] for a, b in runs])
    return float(inside.sum() / (32 * inside.size)), runs


class AudioIndex:
    """Every stored sequence of ``members`` ((type, version) pairs), in memory."""

    def __init__(self, db: Database, members: list[tuple[str, int]], item_seconds: float,
                 min_items: int) -> None:
        self.db = db
        self.index = InvertedIndex()
        self.items: dict[int, np.ndarray] = {}
        self.max_id = 0
        self.lock = threading.RLock()
        self.members = members
        self.item_seconds = item_seconds
        self.min_items = min_items  # the shortest agreeing stretch that counts

    def refresh(self) -> int:
        added = 0
        with self.lock, self.db.session() as s:
            for rows in repos.iter_signal_values(s, self.members, self.max_id, batch=2000):
                for sid, value in rows:
                    items = _to_items(value)
                    self.items[sid] = items
                    self.index.add(sid, items)
                    self.max_id = max(self.max_id, sid)
                    added += 1
        return added

    def search(self, value: bytes, max_ber: float) -> list[AudioHit]:
        query = _to_items(value)
        self.refresh()
        out = []
        with self.lock:
            candidates = self.index.search(query, max(MIN_VOTES, query.size // 100))
            for c in candidates:
                stored = self.items[c.id]
                best = None
                for offset in (c.offset - 1, c.offset, c.offset + 1):
                    ber, runs = agreeing_runs(query, stored, offset, max_ber, self.min_items)
                    if runs and (best is None or ber < best[0]):
                        best = (ber, runs, offset)
                if best is None:
                    continue
                ber, runs, offset = best
                step = self.item_seconds
                segments = tuple(Segment(round(a * step, 2), round(b * step, 2),
                                         round((a + offset) * step, 2),
                                         round((b + offset) * step, 2)) for a, b in runs)
                out.append(AudioHit(c.id, round(offset * step, 2), round(ber, 4), segments))
        return out
