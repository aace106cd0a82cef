"""Faces as signals: one per face found, its value the unit-length 128-d embedding (float32).

A detection is not an identity: the link to a person lives in the entities layer and is made
by an investigator (or suggested by Tessera). What a face signal carries besides its value —
box and landmarks in the original's oriented pixels, detector confidence, quality factors —
is in ``detail``; ``quality`` (0-100) gates matching.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
from PIL import Image

from tessera.analyzers.faces import EMBEDDING_DIMS, FoundFace, engine
from tessera.config import MediaOptions
from tessera.core.types import MediaKind, Signal
from tessera.media.image import DecodedImage
from tessera.signals.base import SIGNAL_TYPES, Knob, SignalType

REGION = "face"


def embedding_of(value: bytes) -> np.ndarray:
    return np.frombuffer(value, dtype=np.float32)


def similarity(a: bytes, b: bytes) -> float:
    return float(np.dot(embedding_of(a), embedding_of(b)))


def _score_knob(attribute: str) -> Knob:
    return Knob(attribute, f"TESSERA_FACE_{attribute.upper()}_SCORE", 0.8, 1.0,
                why="a lower score links strangers")


class FaceSignal(SignalType):
    """Scores are cosine similarities of unit-length embeddings (see benchmarks/RESULTS.md for
    the false accept rates they were chosen at). Clustering is stricter than search: a search
    result is looked at by a person, a cluster groups many faces at once."""

    name: ClassVar[str] = "face"
    version: ClassVar[int] = 1  # dlib ResNet embedding, chip aligned on 68 landmarks
    applies_to: ClassVar[frozenset[MediaKind]] = frozenset({MediaKind.IMAGE, MediaKind.VIDEO})
    default_threshold: ClassVar[float] = 1 - 0.92  # as a distance; ``match`` is the score
    unit: ClassVar[str] = "1 - cosine similarity"
    min_quality: int | None = 40  # faces below this are kept but never matched
    index_kind: ClassVar[str] = "vectors"
    index_width: ClassVar[int] = EMBEDDING_DIMS
    search: ClassVar[str] = "nearest"
    evidence = "person"
    match: float = 0.92  # search results and report face matches
    suggest: float = 0.93  # Tessera suggests linking a face to a person
    cluster: float = 0.92  # every pair of faces in one automatic cluster is at least this
    knobs = (_score_knob("match"), _score_knob("suggest"), _score_knob("cluster"),
             Knob("min_quality", "TESSERA_FACE_MIN_QUALITY", 0, 100, integer=True))

    def __init__(self, engine_name: str = "dlib-hog", max_faces: int = 100,
                 size: int = 1280) -> None:
        self.engine_name = engine_name
        self.max_faces = max_faces
        self.size = size

    def configured(self, options: MediaOptions) -> SignalType | None:
        if not options.faces:
            return None
        return FaceSignal(options.face_engine, options.max_faces, options.face_size)

    def extract(self, media: DecodedImage) -> list[Signal]:
        picture = media.at_size(self.size)
        scale = media.width / picture.width
        return self._signals(picture, scale)

    def extract_with_variants(self, media: DecodedImage) -> tuple[list[Signal], list[Signal]]:
        found = self.extract(media)  # an embedding does not change with a mirror image
        return found, found

    def extract_stills(self, stills: list[tuple[float, Image.Image]],
                       size: tuple[int, int]) -> list[Signal]:
        out: list[Signal] = []
        for start, picture in stills:
            scale = size[0] / picture.width if size[0] else 1.0
            out.extend(self._signals(picture, scale, start))
        return out

    def distance(self, a: bytes, b: bytes) -> float:
        return 1.0 - similarity(a, b)

    @property
    def threshold(self) -> float:
        return 1.0 - self.match

    def score_floor(self) -> float:
        return self.match

    def _signals(self, picture: Image.Image, scale: float,
                 start: float | None = None) -> list[Signal]:
        faces = engine(self.engine_name).find(picture, self.max_faces + 1)
        detail_extra: dict[str, Any] = {}
        if len(faces) > self.max_faces:
            faces = faces[:self.max_faces]
            detail_extra["warning"] = (f"more than {self.max_faces} faces found; the "
                                       f"{self.max_faces} largest were kept")
        return [Signal(self.name, self.version, f.embedding.astype(np.float32).tobytes(),
                       quality=f.quality(scale), region=REGION, start=start,
                       detail={**_detail(f, scale, self.engine_name), **detail_extra})
                for f in faces]


def _detail(face: FoundFace, scale: float, engine_name: str) -> dict[str, Any]:
    x, y, w, h = face.box
    return {
        "box": [round(v * scale, 1) for v in (x, y, w, h)],
        "landmarks": [[round(px * scale, 1), round(py * scale, 1)]
                      for px, py in face.landmarks],
        "confidence": face.confidence,
        "quality": {k: round(v, 3) for k, v in face.factors(scale).items()},
        "engine": engine_name,
    }


def face_type(tuning: Mapping[str, str]) -> FaceSignal:
    """The registered face type as the operator tuned it (for the face features: search by
    face, suggestions, clustering), whether or not ``TESSERA_FACES`` runs it on ingest."""
    found = SIGNAL_TYPES.get(FaceSignal.name).tuned(tuning)
    assert isinstance(found, FaceSignal)
    return found


SIGNAL_TYPES.register(FaceSignal.name, FaceSignal())
