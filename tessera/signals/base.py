"""The contract every signal type fulfils; the type owns what "a match" means for its values.

A type says which media it applies to and implements the matching hook: ``extract`` for still
images, ``frame_sink`` for video frames (fed once per sampled frame in a single decoding pass),
``extract_audio`` for a soundtrack, ``extract_stills`` for the keyframes of a video. Types
whose values are comparable share an index through ``index_space``: vPDQ frame hashes are PDQ
hashes, so stills and video frames meet in one index. ``configured`` lets a type follow the
media options (or switch itself off) without the pipeline knowing its name.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar, Protocol

import numpy as np
from PIL import Image

from tessera.config import MediaOptions
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
    index_width: ClassVar[int] = 256  # bits of a binary code, or dimensions of a vector

    def configured(self, options: MediaOptions) -> SignalType | None:
        """This type as the options want it; None when they switch it off."""
        return self

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

    def extract_stills(self, stills: list[tuple[float, Image.Image]],
                       size: tuple[int, int]) -> list[Signal]:
        """Values of a video's keyframes (time in seconds, picture); ``size`` is the video's
        frame size, to which positions are scaled."""
        return []

    @abstractmethod
    def distance(self, a: bytes, b: bytes) -> float: ...

    def is_matchable(self, signal: Signal, min_quality: int | None = None) -> bool:
        floor = self.min_quality if min_quality is None else min_quality
        return floor is None or signal.quality is None or signal.quality >= floor


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


def signal_warnings(signals: list[Signal]) -> list[str]:
    """What signal types had to say about a file (e.g. a crowd capped), once each."""
    seen: dict[str, None] = {}
    for signal in signals:
        if signal.detail and signal.detail.get("warning"):
            seen[signal.detail["warning"]] = None
    return list(seen)
