"""A hit: one stored media that a query file matched, in the unit of the signal type behind it.

The base says what matched and how closely (``distance`` in the type's ``unit``, ``score`` on
one 0-1 scale for every type, so hits of different types rank together); ``timing`` says where
in time two media agree (video and sound), ``neighbour`` which query value found which stored
one (nearest-neighbour spaces such as faces). ``evidence`` "person" hits (a face) are evidence
of a person, not of a copy: reports list them apart and they never make a file "near".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from tessera.core.types import Transform
from tessera.matching.video import Segment
from tessera.signals.base import Evidence

MAX_TIMES = 20  # timestamps listed per hit; ``frames`` says how many there were


@dataclass(frozen=True, slots=True)
class Timing:
    segments: tuple[Segment, ...] = ()
    query_coverage: float | None = None  # share of the query's duration inside segments
    match_coverage: float | None = None
    query_times: tuple[float, ...] = ()  # where in the query (a still found in its frames)
    match_times: tuple[float, ...] = ()  # where in the matched media
    frames: int = 0  # time-placed values behind the hit
    offset: float | None = None  # match time = query time + offset (sound)

    def to_row(self) -> dict[str, Any]:
        row = {k: v for k, v in asdict(self).items() if v not in ((), None, 0)}
        if self.segments:
            row["segments"] = [asdict(x) for x in self.segments]
        return row

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Timing:
        return cls(tuple(Segment(**x) for x in row.get("segments", ())),
                   row.get("query_coverage"), row.get("match_coverage"),
                   tuple(row.get("query_times", ())), tuple(row.get("match_times", ())),
                   row.get("frames", 0), row.get("offset"))


NO_TIMING = Timing()


@dataclass(frozen=True, slots=True)
class Neighbour:
    query_number: int  # which value of the query file (1 = first, e.g. its first face)
    match_signal: int  # the stored signal that matched


@dataclass(frozen=True, slots=True)
class Hit:
    media_id: int
    kind: str  # what agreed: exact, a still's type, still-in-video, video, audio, face, …
    signal_type: str
    distance: float  # in ``unit``
    unit: str
    score: float  # 1 identical … 0 unrelated, comparable across types
    evidence: Evidence = "copy"
    transform: Transform = Transform.ORIGINAL
    query_region: str = "full"
    match_region: str = "full"
    timing: Timing = field(default=NO_TIMING)
    neighbour: Neighbour | None = None

    def to_row(self) -> dict[str, Any]:
        row: dict[str, Any] = {
            "media_id": self.media_id, "kind": self.kind, "signal_type": self.signal_type,
            "distance": self.distance, "unit": self.unit, "score": self.score,
            "evidence": self.evidence, "transform": self.transform.value,
            "query_region": self.query_region, "match_region": self.match_region}
        if self.timing != NO_TIMING:
            row["timing"] = self.timing.to_row()
        if self.neighbour is not None:
            row["neighbour"] = asdict(self.neighbour)
        return row

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Hit:
        if "signal_type" not in row:
            return _legacy(row)
        neighbour = row.get("neighbour")
        return cls(row["media_id"], row["kind"], row["signal_type"], row["distance"],
                   row["unit"], row["score"], row["evidence"], Transform(row["transform"]),
                   row["query_region"], row["match_region"],
                   Timing.from_row(row.get("timing", {})),
                   Neighbour(**neighbour) if neighbour else None)


def _legacy(row: dict[str, Any]) -> Hit:
    """A hit stored by Tessera 0.x (one flat row of 17 fields), as jobs finished before the
    upgrade hold them: faces carried a score and numbers, the rest a bare distance."""
    timing = Timing.from_row(row)
    transform = Transform(row.get("transform", "original"))
    regions = row.get("query_region", "full"), row.get("match_region", "full")
    if row.get("query_face") is not None:
        score = float(row.get("score") or 0.0)
        return Hit(row["media_id"], row["kind"], row["kind"], round(1 - score, 4),
                   "1 - cosine similarity", score, "person", transform, *regions, timing,
                   Neighbour(row["query_face"], row["match_signal"]))
    return Hit(row["media_id"], row["kind"], "", row["distance"], "", 0.0, "copy",
               transform, *regions, timing)
