"""Query signals → hits: exact matches by SHA-256 from the database, near-duplicates through
the indexes, filtered by the signal type's quality gate and threshold.

One PDQ-space search serves four kinds of hit, told apart by what the query and the stored
signal are: still↔still ("pdq"), a still found among a video's frames ("still-in-video"), a
video frame showing a known still ("frame-of-still") and video↔video ("video", aligned into
segments with the share of each video they cover). Soundtracks match through their own index
("audio"). Faces match through a vector index ("face"): a face is evidence of a person, not of a
copy, so reports list these apart from the hash matches.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from tessera.config import FaceThresholds
from tessera.core.types import Signal, Transform
from tessera.index.base import as_codes
from tessera.matching.audio import AudioIndex
from tessera.matching.indexes import BITS, SyncedIndex
from tessera.matching.video import Pair, Segment, align, covered
from tessera.store import repos
from tessera.store.db import Database

MAX_TIMES = 20  # timestamps listed per hit; the count says how many there were
FRAME_TYPES = {"vpdq"}
FACE_TYPE = "face"
FACE_NEIGHBOURS = 50  # stored faces looked at per query face


@dataclass(frozen=True, slots=True)
class Hit:
    media_id: int
    kind: str  # exact | pdq | still-in-video | frame-of-still | video | audio | face
    distance: int  # Hamming distance for pictures; bit errors per 100 (audio); 1000·(1-score)
    transform: Transform = Transform.ORIGINAL
    query_region: str = "full"
    match_region: str = "full"
    segments: tuple[Segment, ...] = ()
    query_coverage: float | None = None  # share of the query's duration inside segments
    match_coverage: float | None = None
    query_times: tuple[float, ...] = ()  # where in the query video (frame-of-still)
    match_times: tuple[float, ...] = ()  # where in the matched video (still-in-video)
    frames: int = 0  # matched frames behind the hit
    offset: float | None = None  # audio: match time = query time + offset
    score: float | None = None  # face: cosine similarity of the two embeddings
    query_face: int | None = None  # face: which face of the query (1 = first found)
    match_signal: int | None = None  # face: the stored face that matched

    def to_row(self) -> dict[str, Any]:
        row = asdict(self)
        row["transform"] = self.transform.value
        row["segments"] = [asdict(x) for x in self.segments]
        return {k: v for k, v in row.items() if v not in ((), None, 0) or k in (
            "media_id", "kind", "distance")}

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Hit:
        data = dict(row)
        data["transform"] = Transform(data.get("transform", "original"))
        data["segments"] = tuple(Segment(**x) for x in data.get("segments", ()))
        for key in ("query_times", "match_times"):
            data[key] = tuple(data.get(key, ()))
        return cls(**data)


@dataclass
class _Found:
    """Raw frame-level agreements between one query file and one stored media."""

    best: Hit | None = None
    pairs: dict[Transform, list[Pair]] = field(default_factory=lambda: defaultdict(list))
    times: set[float] = field(default_factory=set)
    regions: tuple[str, str] = ("full", "full")


def _duration(signals: list[Signal]) -> float:
    return max(((s.start or 0.0) + (s.span or 0.0) for s in signals if s.start is not None),
               default=0.0)


def face_queries(signals: list[Signal]) -> list[Signal]:
    """The faces of a query file in the order they are numbered (1, 2, …)."""
    return [x for x in signals if x.type == FACE_TYPE]


class Matcher:
    def __init__(self, db: Database, pdq_index: SyncedIndex, max_distance: int,
                 min_quality: int, audio_index: AudioIndex | None = None,
                 face_index: SyncedIndex | None = None,
                 faces: FaceThresholds | None = None) -> None:
        self.db = db
        self.pdq = pdq_index
        self.audio = audio_index
        self.face_index = face_index
        self.faces = faces or FaceThresholds()
        self.max_distance = max_distance
        self.min_quality = min_quality

    def exact(self, sha256s: list[str]) -> dict[str, int]:
        with self.db.session() as s:
            return {d: m.id for d, m in repos.media_by_sha256(s, sha256s).items()}

    def near(self, per_file: list[list[Signal]]) -> list[list[Hit]]:
        """Hits per file, best first, from one batched index search for the whole batch."""
        out: list[list[Hit]] = [[] for _ in per_file]
        for row, hits in self._pictures(per_file).items():
            out[row].extend(hits)
        if self.audio is not None:
            for row, signals in enumerate(per_file):
                out[row].extend(self._sound(signals))
        if self.face_index is not None:
            for row, hits in self._faces(per_file).items():
                out[row].extend(hits)
        for hits in out:
            hits.sort(key=lambda h: (-(h.query_coverage or h.match_coverage or 0.0),
                                     h.distance, h.media_id))
        return out

    # -- pictures: stills and frames in one PDQ space -------------------------------------

    def _pictures(self, per_file: list[list[Signal]]) -> dict[int, list[Hit]]:
        owners: list[int] = []
        queries: list[Signal] = []
        for row, signals in enumerate(per_file):
            seen: set[tuple[bytes, str]] = set()
            for signal in signals:
                if signal.type not in self.pdq.member_names or \
                        (signal.quality or 0) < self.min_quality:
                    continue
                if signal.type in FRAME_TYPES and (signal.value, signal.region) in seen:
                    continue
                seen.add((signal.value, signal.region))
                owners.append(row)
                queries.append(signal)
        if not queries:
            return {}
        raw = self.pdq.search(as_codes([q.value for q in queries], BITS), self.max_distance)
        with self.db.session() as s:
            places = repos.signal_places(s, [h.id for h in raw])
        found: dict[int, dict[int, _Found]] = defaultdict(dict)
        for h in raw:
            place = places.get(h.id)
            if place is None or place.quality < self.min_quality:
                continue
            q = queries[h.query]
            item = found[owners[h.query]].setdefault(place.media_id, _Found())
            q_frame, m_frame = q.type in FRAME_TYPES, place.type in FRAME_TYPES
            if q_frame and m_frame:
                q0, m0 = q.start or 0.0, place.start or 0.0
                item.pairs[q.transform].append(Pair(q0, q0 + (q.span or 0.0), m0,
                                                    m0 + (place.span or 0.0), h.distance))
                item.regions = (q.region, place.region)
                continue
            kind = "still-in-video" if m_frame else "frame-of-still" if q_frame else "pdq"
            if m_frame:
                item.times.add(place.start or 0.0)
            elif q_frame:
                item.times.add(q.start or 0.0)
            hit = Hit(place.media_id, kind, h.distance, q.transform, q.region, place.region)
            if item.best is None or (hit.distance, hit.transform != Transform.ORIGINAL) < (
                    item.best.distance, item.best.transform != Transform.ORIGINAL):
                item.best = hit
        return self._finish(per_file, found)

    def _finish(self, per_file: list[list[Signal]],
                found: dict[int, dict[int, _Found]]) -> dict[int, list[Hit]]:
        video_ids = {m for per in found.values() for m, f in per.items() if f.pairs}
        with self.db.session() as s:
            durations = repos.media_durations(s, video_ids)
        out: dict[int, list[Hit]] = defaultdict(list)
        for row, per_media in found.items():
            query_duration = _duration(per_file[row])
            for media_id, item in per_media.items():
                if item.pairs:
                    hit = self._video_hit(media_id, item, query_duration,
                                          durations.get(media_id, 0.0))
                    if hit is not None:
                        out[row].append(hit)
                        continue
                if item.best is not None:
                    times = tuple(sorted(item.times))
                    out[row].append(Hit(
                        item.best.media_id, item.best.kind, item.best.distance,
                        item.best.transform, item.best.query_region, item.best.match_region,
                        match_times=times[:MAX_TIMES] if item.best.kind == "still-in-video"
                        else (), query_times=times[:MAX_TIMES]
                        if item.best.kind == "frame-of-still" else (), frames=len(times)))
        return out

    @staticmethod
    def _video_hit(media_id: int, item: _Found, query_duration: float,
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
        return Hit(media_id, "video", distances[len(distances) // 2], turn,
                   query_region=item.regions[0], match_region=item.regions[1],
                   segments=tuple(segments),
                   query_coverage=round(min(1.0, q_cov / query_duration), 3)
                   if query_duration else None,
                   match_coverage=round(min(1.0, m_cov / match_duration), 3)
                   if match_duration else None,
                   frames=len(pairs))

    # -- sound ------------------------------------------------------------------------------

    def _sound(self, signals: list[Signal]) -> list[Hit]:
        assert self.audio is not None
        prints = [s for s in signals if s.type == "chromaprint"]
        if not prints:
            return []
        query_duration = _duration(prints)
        hits = self.audio.search(prints[0].value)
        if not hits:
            return []
        with self.db.session() as s:
            places = repos.signal_places(s, [h.signal_id for h in hits])
        out = []
        for h in hits:
            place = places.get(h.signal_id)
            if place is None:
                continue
            q_cov = covered([(x.query_start, x.query_end) for x in h.segments])
            m_cov = covered([(x.match_start, x.match_end) for x in h.segments])
            out.append(Hit(place.media_id, "audio", round(h.bit_error_rate * 100),
                           query_region="audio", match_region="audio", segments=h.segments,
                           query_coverage=round(min(1.0, q_cov / query_duration), 3)
                           if query_duration else None,
                           match_coverage=round(min(1.0, m_cov / place.span), 3)
                           if place.span else None, offset=h.offset_seconds))
        return out

    # -- faces --------------------------------------------------------------------------------

    def search_faces(self, faces: list[Signal], min_score: float | None = None,
                     k: int = FACE_NEIGHBOURS) -> list[list[tuple[int, float]]]:
        """(stored face signal id, score) per query face, best first; faces of too low a
        quality on either side are left out."""
        assert self.face_index is not None
        floor = self.faces.match if min_score is None else min_score
        usable = [i for i, f in enumerate(faces)
                  if (f.quality or 0) >= self.faces.min_quality]
        out: list[list[tuple[int, float]]] = [[] for _ in faces]
        if not usable:
            return out
        raw = self.face_index.nearest(self.face_index.codes([faces[i].value for i in usable]),
                                      k, floor)
        with self.db.session() as s:
            places = repos.signal_places(s, [h.id for h in raw])
        for h in raw:
            place = places.get(h.id)
            if place is not None and place.quality >= self.faces.min_quality:
                out[usable[h.query]].append((h.id, round(h.score, 4)))
        for row in out:
            row.sort(key=lambda x: -x[1])
        return out

    def _faces(self, per_file: list[list[Signal]]) -> dict[int, list[Hit]]:
        """One hit per (query face, matched media): the best-scoring stored face of it."""
        out: dict[int, list[Hit]] = defaultdict(list)
        for row, signals in enumerate(per_file):
            faces = face_queries(signals)
            if not faces:
                continue
            found = self.search_faces(faces)
            ids = {sid for per in found for sid, _ in per}
            with self.db.session() as s:
                places = repos.signal_places(s, ids)
            for number, (face, matches) in enumerate(zip(faces, found, strict=True), 1):
                best: dict[int, tuple[int, float]] = {}
                for sid, score in matches:
                    media_id = places[sid].media_id
                    if media_id not in best or score > best[media_id][1]:
                        best[media_id] = (sid, score)
                for media_id, (sid, score) in best.items():
                    start = places[sid].start
                    out[row].append(Hit(
                        media_id, "face", round((1 - score) * 1000), score=score,
                        query_face=number, match_signal=sid, query_region="face",
                        match_region="face",
                        query_times=(face.start,) if face.start is not None else (),
                        match_times=(start,) if start is not None else ()))
        return out
