"""Search by face: "where else does this person appear?" for one picture or video.

Every face of the file is found (whatever ``TESSERA_FACES`` says: asking is the point), each is
searched in the face index, and the answer is redacted for the viewer like a report. Nothing is
stored; the search is audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tessera.access.policy import Principal
from tessera.context import Context
from tessera.core.errors import TesseraError
from tessera.media.sources import Item
from tessera.pipeline.analyze import AnalyzeOptions
from tessera.pipeline.dispatch import analyze_one
from tessera.reports.build import build_report
from tessera.reports.model import FaceMatchEntry
from tessera.signals.face import face_type
from tessera.store import audit


@dataclass
class FoundFace:
    number: int
    box: list[float] | None
    quality: int
    matchable: bool
    start: float | None
    matches: list[FaceMatchEntry] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"face": self.number, "box": self.box, "quality": self.quality,
                "matchable": self.matchable, "start": self.start,
                "matches": [m.to_dict() for m in self.matches]}


@dataclass
class FaceSearch:
    file: str
    sha256: str | None
    width: int | None
    height: int | None
    faces: list[FoundFace]
    min_score: float

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "sha256": self.sha256, "width": self.width,
                "height": self.height, "min_score": self.min_score,
                "faces": [f.to_dict() for f in self.faces]}


def search_faces(ctx: Context, path: Path, name: str, *, face: int | None = None,
                 viewer: Principal | None = None, agency: str | None = None,
                 sealed: bool = False) -> FaceSearch:
    """``face`` (1-based, as numbered in the answer) limits the search to one face;
    ``sealed``: the file was staged encrypted with the evidence key."""
    ctx.refresh_indexes()
    media = replace(ctx.settings.media, faces=True)
    result = analyze_one(ctx, Item(name, str(path), size=path.stat().st_size, sealed=sealed),
                         AnalyzeOptions(ctx.settings.limits, query_variants=True,
                                        media=media))
    if not result.ok:
        raise TesseraError(f"{name}: {result.error_code}: {result.error}")
    faces = face_type(ctx.settings.tuning)
    queries = [x for x in result.query_signals if x.type == faces.name]  # numbered 1, 2, …
    if face is not None and not 1 <= face <= len(queries):
        raise TesseraError(f"{name} has {len(queries)} face(s); --face must be 1-"
                           f"{len(queries)}" if queries else f"no face found in {name}")
    matcher = ctx.matcher(media)
    hits = [h for h in matcher.space(faces.space()).search([queries]).get(0, [])
            if face is None or (h.neighbour and h.neighbour.query_number == face)]
    report = build_report(ctx.db, agency or (viewer.agency_code if viewer else "local"), name,
                          ctx.thresholds(), [result], {}, [hits], viewer=viewer)
    found = [FoundFace(n, list(q.detail["box"]) if q.detail else None, q.quality or 0,
                       faces.is_matchable(q.quality or 0), q.start)
             for n, q in enumerate(queries, 1) if face is None or n == face]
    by_number = {f.number: f for f in found}
    for m in report.files[0].faces:
        if m.query_face in by_number:
            by_number[m.query_face].matches.append(m)
    info = result.info
    out = FaceSearch(name, info.sha256 if info else None, info.width if info else None,
                     info.height if info else None, found, faces.score_floor())
    with ctx.db.session() as s:
        audit.append_read(s, viewer.actor if viewer else ctx.actor, "faces.search",
                          info.sha256 if info else name,
                          agency=viewer.agency_code if viewer else agency,
                          details={"file": name, "faces": len(queries), "face": face,
                                   "matches": sum(len(f.matches) for f in found)})
    return out
