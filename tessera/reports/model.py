"""What a de-confliction tells an investigator, independent of how it is rendered.

JSON schema (version 1), stable for machine clients:
  report.schema_version, generated_at, tessera_version, agency, source, max_distance
  (the widest Hamming radius of a picture space), thresholds[] (space, threshold, unit: what
  each index space matched at)
  Hash-only matches (see tessera.access.policy) have media_id, series and victim_status null and
  name only the holding agency and its contact.
  files[]: path, sha256, md5, sha1, size, mime, kind, status (exact|near|new|error),
           error_code, error, warnings[], thumbnail (data: URI or null),
           matches[]: media_id, kind (exact|pdq|still-in-video|frame-of-still|video|audio),
                      distance, unit (of distance), signal_type, transform, query_region,
                      match_region, series[] (name, agency, country, victim_status,
                      offender_status), series (first series name or null),
                      agency (owning agency code or null), country, victim_status,
                      submitted_by[] (agency codes),
                      segments[] (query_start, query_end, match_start, match_end: seconds),
                      query_coverage, match_coverage (0-1), query_times[], match_times[],
                      frames, offset (audio), where (the same in words), hash_only (the
                      known media came from a VICS case or hash list: no pixels held)
           category: the pre-category the matches give (null when none is known or may be
                     told): code, label, scheme_id, abuse, source (exact|near), media_id;
                     marked as proposed, never an investigator's decision
           faces[]: query_face (1 = first face found in the file), score (cosine, 0-1),
                    media_id, face (stored face id; both null when hash-only), series[],
                    agency, submitted_by[], query_times[], match_times[] (video seconds),
                    persons[] (label, role, status, agency, country, contact, link:
                    confirmed|suggested; label/role/status null when the person is shared
                    hash-only). Face matches never change a file's status: a face is
                    evidence of a person, not of a copy.
           connections[]: leads that are neither copies nor faces (same camera by serial,
                          same place by GPS, …): kind, words, source, score, fact,
                          media_id (null when hash-only), series[], place (a place an
                          agency worked out that the file's GPS falls in: name null when
                          it is shared hash-only, agency, agency_name, contact; else null)
  summary: counts{exact,near,new,error,total}, by_series[], by_agency[], lines[],
           connections[]: what this upload connects to, per series or holder: the series
                          fields, kinds{link kind: files}, facts[] (up to 3)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from tessera.core.timecode import timecode

STATUSES = ("exact", "near", "new", "error")


@dataclass(slots=True)
class SeriesRef:
    """A series a file matched; with ``name`` None it is material the viewer may only know to
    be held by ``agency`` (hash-only sharing): no name, no status, no media id."""

    name: str | None
    agency: str
    agency_name: str
    country: str
    contact: str | None
    victim_status: str | None
    offender_status: str | None

    @property
    def key(self) -> str:
        return self.name if self.name is not None else f"held by {self.agency}"


@dataclass(slots=True)
class MatchEntry:
    media_id: int | None  # None: hash-only, the viewer learns who holds it, not what it is
    kind: str
    distance: float
    transform: str
    query_region: str
    match_region: str
    series: list[SeriesRef]
    submitted_by: list[str]
    segments: list[dict[str, float]] = field(default_factory=list)
    query_coverage: float | None = None
    match_coverage: float | None = None
    query_times: list[float] = field(default_factory=list)
    match_times: list[float] = field(default_factory=list)
    frames: int = 0
    offset: float | None = None
    unit: str = ""  # of ``distance``, as the signal type behind the match measures it
    signal_type: str = ""
    hash_only: bool = False  # the known media came from a hash list: no pixels held

    @property
    def where(self) -> str:
        """Where in time the match is, in words (empty for stills)."""
        if self.kind == "still-in-video":
            shown = ", ".join(timecode(t) for t in self.match_times[:6])
            more = f" and {self.frames - 6} more" if self.frames > 6 else ""
            return f"appears in the video at {shown}{more}"
        if self.kind == "frame-of-still":
            shown = ", ".join(timecode(t) for t in self.query_times[:6])
            more = f" and {self.frames - 6} more" if self.frames > 6 else ""
            return f"this video shows it at {shown}{more}"
        if not self.segments:
            return ""
        parts = [f"{timecode(x['query_start'])}-{timecode(x['query_end'])} here"
                 + (f" = {timecode(x['match_start'])}-{timecode(x['match_end'])} there"
                    if "match_start" in x else "") for x in self.segments[:5]]
        if len(self.segments) > 5:
            parts.append(f"{len(self.segments) - 5} more segments")
        cover = []
        if self.query_coverage is not None:
            cover.append(f"{self.query_coverage:.0%} of this file")
        if self.match_coverage is not None:
            cover.append(f"{self.match_coverage:.0%} of the known one")
        text = "; ".join(parts)
        return f"{text} (covers {', '.join(cover)})" if cover else text

    def to_dict(self) -> dict[str, Any]:
        first = self.series[0] if self.series else None
        return {
            "media_id": self.media_id, "kind": self.kind, "distance": self.distance,
            "unit": self.unit, "signal_type": self.signal_type, "transform": self.transform,
            "query_region": self.query_region,
            "match_region": self.match_region,
            "series": first.name if first else None,
            "agency": first.agency if first else (self.submitted_by[0] if self.submitted_by
                                                  else None),
            "country": first.country if first else None,
            "victim_status": first.victim_status if first else None,
            "all_series": [asdict(s) for s in self.series],
            "submitted_by": self.submitted_by,
            "segments": self.segments, "query_coverage": self.query_coverage,
            "match_coverage": self.match_coverage, "query_times": self.query_times,
            "match_times": self.match_times, "frames": self.frames, "offset": self.offset,
            "hash_only": self.hash_only,
            "where": self.where,
        }



@dataclass(slots=True)
class PersonRef:
    """A person a matched face is linked to; with ``label`` None the viewer may only know
    that ``agency`` tracks this person (hash-only sharing)."""

    label: str | None
    role: str | None
    status: str | None
    agency: str
    country: str
    contact: str | None
    link: str | None  # confirmed | suggested; None where the person is hash-only
    person_id: int | None = None  # where the viewer may open the person

    def words(self) -> str:
        if self.label is None:
            return (f"a person tracked by {self.agency}"
                    + (f" (contact: {self.contact})" if self.contact else ""))
        owner = self.agency if self.agency == self.country else f"{self.agency}, {self.country}"
        maybe = "possibly " if self.link == "suggested" else ""
        return f"{maybe}{self.role} '{self.label}' ({owner}, {self.status})"


@dataclass(slots=True)
class FaceMatchEntry:
    query_face: int
    score: float
    media_id: int | None  # None: hash-only
    face: int | None
    series: list[SeriesRef]
    submitted_by: list[str]
    persons: list[PersonRef] = field(default_factory=list)
    query_times: list[float] = field(default_factory=list)
    match_times: list[float] = field(default_factory=list)

    @property
    def where(self) -> str:
        parts = []
        if self.query_times:
            parts.append(f"at {timecode(self.query_times[0])} here")
        if self.match_times:
            parts.append(f"at {timecode(self.match_times[0])} there")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        first = self.series[0] if self.series else None
        return {
            "query_face": self.query_face, "score": self.score, "media_id": self.media_id,
            "face": self.face, "series": [asdict(x) for x in self.series],
            "agency": first.agency if first else (self.submitted_by[0] if self.submitted_by
                                                  else None),
            "submitted_by": self.submitted_by, "persons": [asdict(x) for x in self.persons],
            "query_times": self.query_times, "match_times": self.match_times,
            "where": self.where,
        }


@dataclass(slots=True)
class PlaceRef:
    """A place a file was made in, as the viewer may know it: ``name`` None when its owner
    shares it hash-only (then only "a place held by AU" and whom to ask)."""

    name: str | None
    agency: str
    agency_name: str
    contact: str | None


@dataclass(slots=True)
class ConnectionEntry:
    """A lead that is not a copy or a face (those are listed as matches): the same camera, the
    same place, … with the known media and its series as the viewer may know them."""

    kind: str
    words: str
    source: str
    score: float
    fact: str
    media_id: int | None  # None: hash-only, or a lead to a place
    series: list[SeriesRef]
    place: PlaceRef | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "words": self.words, "source": self.source,
                "score": self.score, "fact": self.fact, "media_id": self.media_id,
                "series": [asdict(x) for x in self.series],
                "place": asdict(self.place) if self.place else None}


@dataclass(slots=True)
class ConnectionSummary:
    """What the upload connects to, per series (or holder): by which kinds of link, in how
    many files, seen on which facts."""

    series: SeriesRef
    kinds: dict[str, int] = field(default_factory=dict)  # link kind → files
    facts: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self.series), "kinds": self.kinds, "facts": self.facts}


@dataclass(slots=True)
class FileEntry:
    path: str
    status: str
    sha256: str | None = None
    md5: str | None = None
    sha1: str | None = None
    size: int | None = None
    mime: str | None = None
    kind: str | None = None
    error_code: str | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    thumbnail: str | None = None
    matches: list[MatchEntry] = field(default_factory=list)
    faces: list[FaceMatchEntry] = field(default_factory=list)
    path_raw: str | None = None  # base64 of the name's bytes when they are not valid UTF-8
    category: dict[str, Any] | None = None  # pre-category from a match (see the schema)
    connections: list[ConnectionEntry] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "faces": [f.to_dict() for f in self.faces],
            "connections": [c.to_dict() for c in self.connections],
            "path": self.path, "path_raw": self.path_raw, "sha256": self.sha256,
            "md5": self.md5, "sha1": self.sha1,
            "size": self.size, "mime": self.mime, "kind": self.kind, "status": self.status,
            "error_code": self.error_code, "error": self.error, "warnings": self.warnings,
            "thumbnail": self.thumbnail, "matches": [m.to_dict() for m in self.matches],
            "category": self.category,
        }


@dataclass(slots=True)
class SeriesSummary:
    series: SeriesRef
    exact: int = 0
    near: int = 0

    @property
    def files(self) -> int:
        return self.exact + self.near


@dataclass(slots=True)
class Report:
    generated_at: str
    tessera_version: str
    agency: str
    source: str
    max_distance: int
    files: list[FileEntry]
    counts: dict[str, int]
    by_series: list[SeriesSummary]
    by_agency: list[dict[str, Any]]
    lines: list[str]
    thresholds: list[dict[str, Any]] = field(default_factory=list)  # per index space
    connections: list[ConnectionSummary] = field(default_factory=list)

    @property
    def matched_at(self) -> str:
        """The thresholds in words: "pdq ≤ 31 bits · chromaprint ≤ 20 % of bits"."""
        return " · ".join(f"{t['space']} ≤ {t['threshold']:g} {t['unit']}"
                          for t in self.thresholds) or f"distance ≤ {self.max_distance}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": 1, "generated_at": self.generated_at,
            "tessera_version": self.tessera_version, "agency": self.agency,
            "source": self.source, "max_distance": self.max_distance,
            "thresholds": self.thresholds,
            "files": [f.to_dict() for f in self.files],
            "summary": {
                "counts": self.counts,
                "by_series": [{**asdict(s.series), "exact": s.exact, "near": s.near,
                               "files": s.files} for s in self.by_series],
                "by_agency": self.by_agency,
                "connections": [c.to_dict() for c in self.connections],
                "lines": self.lines,
            },
        }
