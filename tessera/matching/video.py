"""Time alignment of matched frames: which stretch of one video is which stretch of another.

Each matched pair of kept frames says "query [qs, qe) shows what match [ms, me) shows". Under
the true offset o, the intervals overlap after shifting by o, so every pair allows a range of
offsets; the offset most pairs allow wins, its pairs become segments (runs with small gaps), and
the search repeats on the remaining pairs for compilations that reuse several stretches.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Segment:
    query_start: float
    query_end: float
    match_start: float
    match_end: float

    @property
    def seconds(self) -> float:
        return self.query_end - self.query_start


@dataclass(frozen=True, slots=True)
class Pair:
    query_start: float
    query_end: float
    match_start: float
    match_end: float
    distance: int


def _best_offset(pairs: list[Pair], slack: float) -> tuple[float, int]:
    """The offset (match time - query time) allowed by the most pairs (a sweep over ranges)."""
    events = []
    for p in pairs:
        events.append((p.match_start - p.query_end - slack, 1))
        events.append((p.match_end - p.query_start + slack, -1))
    events.sort(key=lambda e: (e[0], -e[1]))
    best, count, where = 0, 0, 0.0
    for k, (x, step) in enumerate(events):
        count += step
        if count > best:
            best = count
            where = (x + events[k + 1][0]) / 2 if k + 1 < len(events) else x
    return where, best


def _allows(p: Pair, offset: float, slack: float) -> bool:
    return p.match_start - p.query_end - slack <= offset <= p.match_end - p.query_start + slack


def align(pairs: list[Pair], *, max_gap: float = 3.0, slack: float = 0.5, min_pairs: int = 2,
          max_offsets: int = 8) -> list[Segment]:
    """Segments in query order; each backed by at least ``min_pairs`` matched frames."""
    remaining = list(pairs)
    segments: list[Segment] = []
    for _ in range(max_offsets):
        if len(remaining) < min_pairs:
            break
        offset, support = _best_offset(remaining, slack)
        if support < min_pairs:
            break
        used = [p for p in remaining if _allows(p, offset, slack)]
        remaining = [p for p in remaining if not _allows(p, offset, slack)]
        segments.extend(_runs(used, offset, max_gap, min_pairs))
    return _disjoint(sorted(segments, key=lambda s: (s.query_start, -s.seconds)))


def _runs(used: list[Pair], offset: float, max_gap: float, min_pairs: int) -> list[Segment]:
    spans = []
    for p in used:  # the part of the query interval that the shifted match interval covers
        start = max(p.query_start, p.match_start - offset)
        end = min(p.query_end, p.match_end - offset)
        if end < start:  # allowed only through the slack: a point
            start = end = (start + end) / 2
        spans.append((start, end))
    spans.sort()
    out = []
    run_start, run_end, n = spans[0][0], spans[0][1], 1
    for start, end in spans[1:]:
        if start - run_end <= max_gap:
            run_end, n = max(run_end, end), n + 1
            continue
        if n >= min_pairs:
            out.append((run_start, run_end))
        run_start, run_end, n = start, end, 1
    if n >= min_pairs:
        out.append((run_start, run_end))
    return [Segment(round(a, 3), round(b, 3), round(max(a + offset, 0.0), 3),
                    round(max(b + offset, 0.0), 3)) for a, b in out]


def _disjoint(segments: list[Segment]) -> list[Segment]:
    """Drop segments whose query stretch is mostly inside a longer one already kept (a static
    scene matches at many offsets; the longest alignment explains it)."""
    kept: list[Segment] = []
    for seg in sorted(segments, key=lambda s: -s.seconds):
        inside = sum(max(0.0, min(seg.query_end, k.query_end) - max(seg.query_start,
                                                                     k.query_start))
                     for k in kept)
        if seg.seconds == 0 and any(k.query_start <= seg.query_start <= k.query_end
                                    for k in kept):
            continue
        if seg.seconds > 0 and inside > 0.5 * seg.seconds:
            continue
        kept.append(seg)
    return sorted(kept, key=lambda s: s.query_start)


def covered(ranges: list[tuple[float, float]]) -> float:
    """Seconds covered by the union of ranges."""
    total, end = 0.0, -np.inf
    for a, b in sorted(ranges):
        if b <= end:
            continue
        total += b - max(a, end)
        end = b
    return total


def vpdq_compare(query: list[tuple[bytes, int]], compared: list[tuple[bytes, int]],
                 distance: int = 31, quality: int = 50) -> tuple[float, float]:
    """Meta's vPDQ brute-force comparison: (query match %, compared match %) over the unique
    frame hashes of each video with quality >= ``quality``, frames matching at <= ``distance``.
    The reference against which the index-based matcher is checked."""
    q = np.unique(np.array([np.frombuffer(v, np.uint8) for v, k in query if k >= quality]
                           or np.zeros((0, 32), np.uint8)), axis=0)
    c = np.unique(np.array([np.frombuffer(v, np.uint8) for v, k in compared if k >= quality]
                           or np.zeros((0, 32), np.uint8)), axis=0)
    if len(q) == 0 or len(c) == 0:
        return 0.0, 0.0
    qb, cb = np.unpackbits(q, axis=1).astype(np.int16), np.unpackbits(c, axis=1).astype(np.int16)
    dist = qb.sum(1)[:, None] + cb.sum(1)[None, :] - 2 * (qb @ cb.T)
    close = dist <= distance
    return 100.0 * close.any(1).mean(), 100.0 * close.any(0).mean()
