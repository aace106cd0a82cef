"""Item sequences (soundtracks) aligned in time: the stretches where two sequences agree.

The owner's threshold is the share of differing bits, in percent, over the agreeing stretch;
its type says how long one item lasts (``item_seconds``) and how many items the shortest
agreeing stretch has (``min_items``).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from tessera.core.types import Signal
from tessera.matching.audio import AudioIndex
from tessera.matching.hits import Hit, Timing
from tessera.matching.spaces.base import SEARCHES, SpaceSearch
from tessera.matching.spaces.ranged import duration
from tessera.matching.video import covered
from tessera.signals.base import SequenceType, SignalType
from tessera.store import repos
from tessera.store.db import Database


class AlignedSearch(SpaceSearch):
    index: AudioIndex

    @classmethod
    def open_index(cls, directory: Path, db: Database, space: str,
                   members: list[SignalType]) -> AudioIndex:
        owner = members[0]
        if not isinstance(owner, SequenceType):
            raise TypeError(f"{owner.name}: the aligned search needs a SequenceType")
        return AudioIndex(db, sorted((m.name, m.version) for m in members),
                          owner.item_seconds, owner.min_items)

    def search(self, per_file: list[list[Signal]]) -> dict[int, list[Hit]]:
        out: dict[int, list[Hit]] = defaultdict(list)
        for row, signals in enumerate(per_file):
            sequences = self.queries(signals)
            if sequences:
                out[row].extend(self._hits(sequences))
        return out

    def _hits(self, sequences: list[Signal]) -> list[Hit]:
        query_duration = duration(sequences)
        found = self.index.search(sequences[0].value, self.owner.threshold / 100)
        if not found:
            return []
        with self.db.session() as s:
            places = repos.signal_places(s, [h.signal_id for h in found])
        out = []
        for h in found:
            place = places.get(h.signal_id)
            if place is None:
                continue
            q_cov = covered([(x.query_start, x.query_end) for x in h.segments])
            m_cov = covered([(x.match_start, x.match_end) for x in h.segments])
            timing = Timing(h.segments,
                            round(min(1.0, q_cov / query_duration), 3) if query_duration
                            else None,
                            round(min(1.0, m_cov / place.span), 3) if place.span else None,
                            offset=h.offset_seconds)
            distance = round(h.bit_error_rate * 100)
            out.append(Hit(place.media_id, self.owner.kind_of_hit, self.owner.name, distance,
                           self.owner.unit, round(self.owner.score(distance), 4),
                           self.owner.evidence, query_region=sequences[0].region,
                           match_region=place.region, timing=timing))
        return out


SEARCHES.register("aligned", AlignedSearch)
