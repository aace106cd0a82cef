"""The contract every signal type fulfils; the type owns what "a match" means for its values.

A type says which media it applies to and implements the matching hook: ``extract`` for still
images, ``frame_sink`` for video frames (fed once per sampled frame in a single decoding pass),
``extract_audio`` for a soundtrack. Types whose values are comparable share an index through
``index_space``: vPDQ frame hashes are PDQ hashes, so stills and video frames meet in one index.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar, Protocol

import numpy as np

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


class SignalType(ABC):
    name: ClassVar[str]
    version: ClassVar[int]
    applies_to: ClassVar[frozenset[MediaKind]]
    default_threshold: ClassVar[float]
    min_quality: ClassVar[int | None] = None
    index_kind: ClassVar[str]  # name of the index implementation in ``tessera.index``
    index_space: ClassVar[str | None] = None  # shared index name; defaults to ``name``

    @classmethod
    def space(cls) -> str:
        return cls.index_space or cls.name

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

    @abstractmethod
    def distance(self, a: bytes, b: bytes) -> float: ...

    def is_matchable(self, signal: Signal, min_quality: int | None = None) -> bool:
        floor = self.min_quality if min_quality is None else min_quality
        return floor is None or signal.quality is None or signal.quality >= floor


SIGNAL_TYPES: Registry[SignalType] = Registry("signal type")
