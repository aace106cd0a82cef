"""Query signals → hits: exact matches by SHA-256 from the database, near-duplicates by the
index, filtered by the signal type's quality gate and threshold."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from tessera.core.types import Signal, Transform
from tessera.index.base import as_codes
from tessera.matching.indexes import BITS, SyncedIndex
from tessera.store import repos
from tessera.store.db import Database


@dataclass(frozen=True, slots=True)
class Hit:
    media_id: int
    kind: str  # "exact" or the signal type name ("pdq")
    distance: int
    transform: Transform = Transform.ORIGINAL
    query_region: str = "full"
    match_region: str = "full"


class Matcher:
    def __init__(self, db: Database, pdq_index: SyncedIndex, max_distance: int,
                 min_quality: int) -> None:
        self.db = db
        self.pdq = pdq_index
        self.max_distance = max_distance
        self.min_quality = min_quality

    def exact(self, sha256s: list[str]) -> dict[str, int]:
        with self.db.session() as s:
            return {d: m.id for d, m in repos.media_by_sha256(s, sha256s).items()}

    def near(self, per_file: list[list[Signal]]) -> list[list[Hit]]:
        """Best hit per matched media for each file's query variants, in one batched search."""
        owners: list[int] = []
        queries: list[Signal] = []
        for row, signals in enumerate(per_file):
            for signal in signals:
                if signal.type == "pdq" and (signal.quality or 0) >= self.min_quality:
                    owners.append(row)
                    queries.append(signal)
        out: list[list[Hit]] = [[] for _ in per_file]
        if not queries:
            return out
        raw = self.pdq.search(as_codes([q.value for q in queries], BITS), self.max_distance)
        with self.db.session() as s:
            where = repos.signal_media_ids(s, [h.id for h in raw])
        best: dict[int, dict[int, Hit]] = defaultdict(dict)
        for h in raw:
            if h.id not in where:
                continue
            media_id, region, quality = where[h.id]
            if quality < self.min_quality:
                continue
            q = queries[h.query]
            hit = Hit(media_id, "pdq", h.distance, q.transform, q.region, region)
            row = owners[h.query]
            current = best[row].get(media_id)
            if current is None or (hit.distance, hit.transform != Transform.ORIGINAL) < (
                    current.distance, current.transform != Transform.ORIGINAL):
                best[row][media_id] = hit
        for row, hits in best.items():
            out[row] = sorted(hits.values(), key=lambda x: (x.distance, x.media_id))
        return out
