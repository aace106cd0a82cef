"""The contract every signal type fulfils; the type owns what "a match" means for its values.

A type says which media it applies to and implements the matching hook: ``extract`` for still
images, ``frame_sink`` for video frames (fed once per sampled frame in a single decoding pass),
``extract_audio`` for a soundtrack, ``extract_stills`` for the keyframes of a video. Types
whose values are comparable share an index through ``index_space``: vPDQ frame hashes are PDQ
hashes, so stills and video frames meet in one index. ``configured`` lets a type follow the
media options (or switch itself off) without the pipeline knowing its name.

A type also owns what a match of its values means: its ``threshold`` (in its ``unit``), its
quality gate, its ``score`` (0-1, 1 = identical, to rank across types), the ``search`` that
turns index neighbours into hits and whether those hits are evidence of a copy or of a person.
Operators override the threshold and gate through the type's ``knobs`` (environment
variables), read in ``tuned`` and nowhere else. Types sharing an index space are matched by
the space owner's threshold and gate (the type whose name the space bears).
"""

from __future__ import annotations

import copy
import math
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, Literal, Protocol

import numpy as np
from PIL import Image

from tessera.config import MediaOptions
from tessera.core.errors import ConfigError
from tessera.core.registry import Registry
from tessera.core.types import MediaKind, Signal
from tessera.media.image import DecodedImage
from tessera.media.video import Frame


@dataclass(frozen=True, slots=True)
class VideoPlan:
    """What is known about a video before its frames flow: where its constant bars are, how
    often frames are sampled and how alike consecutive kept frames may be."""

    content_box: tuple[float, float, float, float] | None = None  # fractions, see borders.py
    sample_fps: float | None = 1.0  # None: every frame
    prune_distance: int = 6  # a frame this close to the last kept one is dropped; -1 keeps all
    mirrored_queries: bool = False  # also hash mirrored frames, to search with (never stored)


class FrameSink(Protocol):
    def add(self, frame: Frame) -> None: ...

    def finish(self, end_time: float) -> list[Signal]: ...


@dataclass(frozen=True, slots=True)
class Knob:
    """One matching setting a type lets operators override, with the bounds it accepts."""

    attribute: str  # of the type: "threshold", "min_quality" or one of its own
    env: str  # e.g. TESSERA_PDQ_MAX_DISTANCE
    minimum: float = 0.0
    maximum: float = math.inf
    integer: bool = False
    why: str = ""  # said when the value is refused for being out of bounds

    def read(self, raw: str) -> float:
        try:
            value = int(raw) if self.integer else float(raw)
        except ValueError:
            what = "an integer" if self.integer else "a number"
            raise ConfigError(f"{self.env} must be {what}, got {raw!r}") from None
        if not self.minimum <= value <= self.maximum:  # also refuses NaN
            bounds = f"between {self.minimum:g} and {self.maximum:g}"
            raise ConfigError(f"{self.env} must be {bounds}, got {raw}"
                              + (f": {self.why}" if self.why else ""))
        return value


Evidence = Literal["copy", "person"]


class SignalType(ABC):
    name: ClassVar[str]
    version: ClassVar[int]
    applies_to: ClassVar[frozenset[MediaKind]]
    default_threshold: ClassVar[float]  # in ``unit``; see ``within``
    unit: ClassVar[str] = "distance"
    min_quality: int | None = None  # stored and query values below it are kept, never matched
    index_kind: ClassVar[str]  # name of the index implementation in ``tessera.index``
    index_space: ClassVar[str | None] = None  # shared index name; defaults to ``name``
    index_width: ClassVar[int] = 256  # bits of a binary code, or dimensions of a vector
    search: ClassVar[str] = "range"  # how index neighbours become hits (``matching.spaces``)
    hit_kind: ClassVar[str | None] = None  # the kind of a still-to-still hit; defaults to name
    evidence: ClassVar[Evidence] = "copy"  # "person": listed apart, never makes a file "near"
    # the link a hit between media of two series suggests (see ``suggests``)
    link_kind: ClassVar[str | None] = None
    knobs: ClassVar[tuple[Knob, ...]] = ()

    @property
    def threshold(self) -> float:
        return getattr(self, "_threshold", self.default_threshold)

    def configured(self, options: MediaOptions) -> SignalType | None:
        """This type as the options want it; None when they switch it off."""
        return self

    def tuned(self, env: Mapping[str, str]) -> SignalType:
        """This type with the operator's overrides of its knobs (a copy; refused with a
        ``ConfigError`` when out of bounds)."""
        out = copy.copy(self)
        for knob in self.knobs:
            raw = env.get(knob.env, "").strip()
            if raw:
                name = "_threshold" if knob.attribute == "threshold" else knob.attribute
                object.__setattr__(out, name, knob.read(raw))
        return out

    @classmethod
    def space(cls) -> str:
        return cls.index_space or cls.name

    @property
    def kind_of_hit(self) -> str:
        return self.hit_kind or self.name

    @property
    def suggests(self) -> str:
        """The kind of link between two series that a hit of this type suggests: a copy
        suggests the same series, a person the same person, unless the type says better."""
        return self.link_kind or ("same-person" if self.evidence == "person" else "same-series")

    def within(self, distance: float) -> bool:
        """Whether two values this far apart match (distances: smaller is closer)."""
        return distance <= self.threshold

    def score(self, distance: float) -> float:
        """Closeness on one scale for every type: 1 identical, 0 as far as values get."""
        return max(0.0, 1.0 - distance)

    def score_floor(self) -> float:
        """The lowest score that matches (for searches that ask an index by score)."""
        return self.score(self.threshold)

    def extract(self, media: DecodedImage) -> list[Signal]:
        """The values stored for a still image (zero or more)."""
        raise NotImplementedError(f"{self.name} does not apply to images")

    def query_variants(self, media: DecodedImage) -> list[Signal]:
        """The values used to search for this media; by default what would be stored."""
        return self.extract(media)

    def extract_with_variants(self, media: DecodedImage) -> tuple[list[Signal], list[Signal]]:
        """Both at once; types whose variants include the stored values override this to
        avoid computing them twice."""
        return self.extract(media), self.query_variants(media)

    def frame_sink(self, plan: VideoPlan) -> FrameSink | None:
        """A consumer of sampled video frames, for types that apply to video."""
        return None

    def extract_audio(self, pcm: np.ndarray, rate: int) -> list[Signal]:
        """Values of a soundtrack (mono int16 PCM), for types that apply to audio."""
        return []

    def extract_stills(self, stills: list[tuple[float, Image.Image]],
                       size: tuple[int, int]) -> list[Signal]:
        """Values of a video's keyframes (time in seconds, picture); ``size`` is the video's
        frame size, to which positions are scaled."""
        return []

    @abstractmethod
    def distance(self, a: bytes, b: bytes) -> float: ...

    def is_matchable(self, quality: int | None) -> bool:
        """The quality gate: values of unknown quality pass."""
        return self.min_quality is None or quality is None or quality >= self.min_quality


# Popcount of every byte value, for Hamming distance without Python-level bit loops.
_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)


def hamming(a: bytes, b: bytes) -> int:
    x = np.frombuffer(a, dtype=np.uint8) ^ np.frombuffer(b, dtype=np.uint8)
    return int(_POPCOUNT[x].sum())


class BinaryHashType(SignalType):
    """A perceptual hash of ``index_width`` bits, compared by Hamming distance within a radius
    (PDQ, vPDQ; a new binary hash subclasses this and registers itself)."""

    unit: ClassVar[str] = "bits"
    index_kind: ClassVar[str] = "hamming"
    search: ClassVar[str] = "range"

    def distance(self, a: bytes, b: bytes) -> float:
        return hamming(a, b)

    def score(self, distance: float) -> float:
        return max(0.0, 1.0 - distance / self.index_width)


class SequenceType(SignalType):
    """A sequence of uint32 items in time (a soundtrack fingerprint), matched by aligning two
    sequences and measuring the share of differing bits where they agree."""

    unit: ClassVar[str] = "% of bits"
    index_kind: ClassVar[str] = "audio"  # in memory, rebuilt from the database
    search: ClassVar[str] = "aligned"
    item_seconds: ClassVar[float]  # how long one item lasts
    min_items: ClassVar[int]  # the shortest stretch that may link two media

    def score(self, distance: float) -> float:
        return max(0.0, 1.0 - distance / 100)


SIGNAL_TYPES: Registry[SignalType] = Registry("signal type")


def active_types(kind: MediaKind, options: MediaOptions) -> list[SignalType]:
    """The signal types that run on media of ``kind`` under ``options``."""
    out = []
    for _, signal_type in SIGNAL_TYPES:
        if kind in signal_type.applies_to:
            configured = signal_type.configured(options)
            if configured is not None:
                out.append(configured)
    return out


def matching_types(options: MediaOptions, env: Mapping[str, str]) -> list[SignalType]:
    """Every type that runs under ``options``, tuned by the operator's overrides."""
    out = []
    for _, signal_type in SIGNAL_TYPES:
        configured = signal_type.configured(options)
        if configured is not None:
            out.append(configured.tuned(env))
    return out


def spaces_of(types: list[SignalType]) -> dict[str, list[SignalType]]:
    """Types grouped by index space, the space's owner (the type it is named after) first."""
    out: dict[str, list[SignalType]] = {}
    for t in types:
        out.setdefault(t.space(), []).append(t)
    for space, members in out.items():
        members.sort(key=lambda m: (m.name != space, m.name))
    return out


def signal_warnings(signals: list[Signal]) -> list[str]:
    """What signal types had to say about a file (e.g. a crowd capped), once each."""
    seen: dict[str, None] = {}
    for signal in signals:
        if signal.detail and signal.detail.get("warning"):
            seen[signal.detail["warning"]] = None
    return list(seen)
