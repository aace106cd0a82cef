"""Binary codes within a Hamming radius, stills and time-placed frames in one space.

One search serves four kinds of hit, told apart by whether the query and the stored value are
placed in time: still↔still (the owner's hit kind, e.g. "pdq"), a still found among a video's
frames ("still-in-video"), a video frame showing a known still ("frame-of-still") and
video↔video ("video", aligned into segments with the share of each video they cover).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from tessera.core.types import Signal, Transform
from tessera.matching.hits import MAX_TIMES, Hit, Timing
from tessera.matching.spaces.base import SEARCHES, PersistedSearch
from tessera.matching.video import Pair, align, covered
from tessera.store import repos


@dataclass
class _Found:
    """Raw agreements between one query file and one stored media."""

    best: tuple[str, int, Transform, str, str] | None = None  # kind, distance, turn, regions
    pairs: dict[Transform, list[Pair]] = field(default_factory=lambda: defaultdict(list))
    times: set[float] = field(default_factory=set)
    regions: tuple[str, str] = ("full", "full")


def duration(signals: list[Signal]) -> float:
    return max(((s.start or 0.0) + (s.span or 0.0) for s in signals if s.start is not None),
               default=0.0)


class RangeSearch(PersistedSearch):
    def search(self, per_file: list[list[Signal]]) -> dict[int, list[Hit]]:
        owners: list[int] = []
        queries: list[Signal] = []
        for row, signals in enumerate(per_file):
            seen: set[tuple[bytes, str]] = set()
            for signal in self.queries(signals):
                if signal.start is not None and (signal.value, signal.region) in seen:
                    continue  # a video's frames repeat: one search per distinct picture
                seen.add((signal.value, signal.region))
                owners.append(row)
                queries.append(signal)
        if not queries:
            return {}
        raw = self.index.search(self.index.codes([q.value for q in queries]),
                                int(self.owner.threshold))
        with self.db.session() as s:
            places = repos.signal_places(s, [h.id for h in raw])
        found: dict[int, dict[int, _Found]] = defaultdict(dict)
        for h in raw:
            place = places.get(h.id)
            if place is None or not self.owner.is_matchable(place.quality):
                continue
            q = queries[h.query]
            item = found[owners[h.query]].setdefault(place.media_id, _Found())
            q_timed, m_timed = q.start is not None, place.start is not None
            if q_timed and m_timed:
                q0, m0 = q.start or 0.0, place.start or 0.0
                item.pairs[q.transform].append(Pair(q0, q0 + (q.span or 0.0), m0,
                                                    m0 + (place.span or 0.0), h.distance))
                item.regions = (q.region, place.region)
                continue
            kind = "still-in-video" if m_timed else "frame-of-still" if q_timed \
                else self.owner.kind_of_hit
            if q_timed or m_timed:
                item.times.add((place.start if m_timed else q.start) or 0.0)
            best = (kind, h.distance, q.transform, q.region, place.region)
            if item.best is None or (h.distance, q.transform != Transform.ORIGINAL) < (
                    item.best[1], item.best[2] != Transform.ORIGINAL):
                item.best = best
        return self._finish(per_file, found)

    def _hit(self, media_id: int, kind: str, distance: int, transform: Transform,
             regions: tuple[str, str], timing: Timing) -> Hit:
        return Hit(media_id, kind, self.owner.name, distance, self.owner.unit,
                   round(self.owner.score(distance), 4), self.owner.evidence, transform,
                   regions[0], regions[1], timing)

    def _finish(self, per_file: list[list[Signal]],
                found: dict[int, dict[int, _Found]]) -> dict[int, list[Hit]]:
        video_ids = {m for per in found.values() for m, f in per.items() if f.pairs}
        with self.db.session() as s:
            durations = repos.media_durations(s, video_ids)
        out: dict[int, list[Hit]] = defaultdict(list)
        for row, per_media in found.items():
            query_duration = duration(per_file[row])
            for media_id, item in per_media.items():
                if item.pairs:
                    hit = self._video_hit(media_id, item, query_duration,
                                          durations.get(media_id, 0.0))
                    if hit is not None:
                        out[row].append(hit)
                        continue
                if item.best is not None:
                    kind, distance, turn, q_region, m_region = item.best
                    times = tuple(sorted(item.times))[:MAX_TIMES]
                    timing = Timing(match_times=times if kind == "still-in-video" else (),
                                    query_times=times if kind == "frame-of-still" else (),
                                    frames=len(item.times))
                    out[row].append(self._hit(media_id, kind, distance, turn,
                                              (q_region, m_region), timing))
        return out

    def _video_hit(self, media_id: int, item: _Found, query_duration: float,
                   match_duration: float) -> Hit | None:
        single = query_duration <= 1.0 or match_duration <= 1.0
        # the query as it is, or mirrored: whichever way more frames agree
        turn, pairs = max(item.pairs.items(), key=lambda kv: (len(kv[1]),
                                                              kv[0] is Transform.ORIGINAL))
        segments = align(pairs, min_pairs=1 if single else 2)
        if not segments:
            return None
        distances = sorted(p.distance for p in pairs)
        q_cov = covered([(x.query_start, x.query_end) for x in segments])
        m_cov = covered([(x.match_start, x.match_end) for x in segments])
        timing = Timing(tuple(segments),
                        round(min(1.0, q_cov / query_duration), 3) if query_duration else None,
                        round(min(1.0, m_cov / match_duration), 3) if match_duration else None,
                        frames=len(pairs))
        return self._hit(media_id, "video", distances[len(distances) // 2], turn,
                         item.regions, timing)


SEARCHES.register("range", RangeSearch)
