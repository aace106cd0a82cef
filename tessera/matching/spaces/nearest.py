"""Embeddings by similarity: the nearest stored vectors above the owner's score floor.

Each query value is numbered in the order the file gave them (its first face is 1); a hit is
the best-scoring stored value of one matched media for one query value.
"""

from __future__ import annotations

from collections import defaultdict

from tessera.core.types import Signal
from tessera.matching.hits import Hit, Neighbour, Timing
from tessera.matching.spaces.base import SEARCHES, PersistedSearch
from tessera.store import repos

NEIGHBOURS = 50  # stored values looked at per query value


class NearestSearch(PersistedSearch):
    def numbered(self, signals: list[Signal]) -> list[Signal]:
        """The values of a file this space compares, in the order they are numbered."""
        return [s for s in signals if s.type in self.members]

    def neighbours(self, values: list[Signal], min_score: float | None = None,
                   k: int = NEIGHBOURS) -> list[list[tuple[int, float]]]:
        """(stored signal id, score) per query value, best first; values under the quality
        gate on either side are left out."""
        floor = self.owner.score_floor() if min_score is None else min_score
        usable = [i for i, v in enumerate(values) if self.owner.is_matchable(v.quality or 0)]
        out: list[list[tuple[int, float]]] = [[] for _ in values]
        if not usable:
            return out
        raw = self.index.nearest(self.index.codes([values[i].value for i in usable]), k, floor)
        with self.db.session() as s:
            places = repos.signal_places(s, [h.id for h in raw])
        for h in raw:
            place = places.get(h.id)
            if place is not None and self.owner.is_matchable(place.quality):
                out[usable[h.query]].append((h.id, round(h.score, 4)))
        for row in out:
            row.sort(key=lambda x: -x[1])
        return out

    def search(self, per_file: list[list[Signal]]) -> dict[int, list[Hit]]:
        out: dict[int, list[Hit]] = defaultdict(list)
        for row, signals in enumerate(per_file):
            values = self.numbered(signals)
            if not values:
                continue
            found = self.neighbours(values)
            with self.db.session() as s:
                places = repos.signal_places(s, {sid for per in found for sid, _ in per})
            for number, (value, matches) in enumerate(zip(values, found, strict=True), 1):
                best: dict[int, tuple[int, float]] = {}
                for sid, score in matches:
                    media_id = places[sid].media_id
                    if media_id not in best or score > best[media_id][1]:
                        best[media_id] = (sid, score)
                for media_id, (sid, score) in best.items():
                    start = places[sid].start
                    timing = Timing(query_times=(value.start,) if value.start is not None
                                    else (), match_times=(start,) if start is not None else ())
                    out[row].append(Hit(
                        media_id, self.owner.kind_of_hit, self.owner.name,
                        round(1.0 - score, 4), self.owner.unit, score, self.owner.evidence,
                        query_region=value.region, match_region=places[sid].region,
                        timing=timing, neighbour=Neighbour(number, sid)))
        return out


SEARCHES.register("nearest", NearestSearch)
