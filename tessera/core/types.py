"""Plain value types that flow between the pure stages (media → signals → matches)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class MediaKind(StrEnum):
    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"


class VictimStatus(StrEnum):
    """The way from an unknown child in a series to a child in safety, in order."""

    UNIDENTIFIED = "unidentified"
    IN_PROGRESS = "in-progress"  # an agency is working on an identification
    IDENTIFIED = "identified"
    SAFEGUARDED = "safeguarded"


class OffenderStatus(StrEnum):
    UNKNOWN = "unknown"
    IDENTIFIED = "identified"
    ARRESTED = "arrested"
    CONVICTED = "convicted"


class Transform(StrEnum):
    """The dihedral group of the square: how a query was turned to meet its match."""

    ORIGINAL = "original"
    ROTATE_90 = "rotate90"
    ROTATE_180 = "rotate180"
    ROTATE_270 = "rotate270"
    FLIP_HORIZONTAL = "flip_horizontal"
    FLIP_VERTICAL = "flip_vertical"
    TRANSPOSE = "transpose"
    TRANSVERSE = "transverse"


@dataclass(frozen=True, slots=True)
class Signal:
    """One value a signal type extracted from one piece of media.

    ``region`` says which part of the media it describes ("full", or "trimmed" when uniform
    borders were cut off); ``transform`` is only set on query-side variants, never stored.
    ``frame``, ``start`` and ``span`` place a signal in time (a video frame hash holds from
    ``start`` for ``span`` seconds, until the next kept frame). ``detail`` holds what a type
    knows beyond its value (a face: box, landmarks, detector confidence, quality factors).
    """

    type: str
    version: int
    value: bytes
    quality: int | None = None
    region: str = "full"
    transform: Transform = Transform.ORIGINAL
    frame: int | None = None
    start: float | None = None
    span: float | None = None
    detail: Mapping[str, Any] | None = field(default=None, compare=False, hash=False)

    @property
    def hex(self) -> str:
        return self.value.hex()


@dataclass(slots=True)
class MediaInfo:
    """What the analyzers learned about one file, minus its bytes."""

    sha256: str
    md5: str
    sha1: str
    size: int
    mime: str
    kind: MediaKind
    width: int | None = None
    height: int | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    signals: list[Signal] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Digests:
    """Cryptographic identity of a file's bytes: SHA-256 is the evidence key, MD5 and SHA-1 are
    what other agencies' hash lists are keyed by."""

    md5: str
    sha1: str
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class Derivative:
    """A picture made from evidence (a keyframe, a contact sheet), stored encrypted beside it
    under its own SHA-256; never a replacement for the original."""

    kind: str  # "keyframe" | "contact_sheet"
    sha256: str | None  # None when not kept (de-confliction without ingest)
    start: float | None = None
    width: int | None = None
    height: int | None = None
    data: bytes | None = None  # the JPEG, from a worker to the coordinator that stores it


@dataclass(frozen=True, slots=True)
class Utterance:
    """A stretch of recognised speech: times in seconds from the start of the media."""

    start: float
    end: float
    text: str
    language: str | None = None
    engine: str = ""
    confidence: float | None = None


@dataclass(slots=True)
class FileResult:
    """The outcome of analysing one input file: what flows from the pipeline's workers to
    matching, storage and reports. ``error`` set means the file could not be used."""

    path: str
    info: MediaInfo | None = None
    digests: Digests | None = None
    error_code: str | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    thumbnail: bytes | None = None
    query_signals: list[Signal] = field(default_factory=list)
    derivatives: list[Derivative] = field(default_factory=list)
    transcript: list[Utterance] = field(default_factory=list)
    keep_original: bool = False  # the file is evidence to store (media, even undecodable AV)

    @property
    def ok(self) -> bool:
        return self.error is None
