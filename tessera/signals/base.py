"""The contract every signal type fulfils; the type owns what "a match" means for its values."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from tessera.core.registry import Registry
from tessera.core.types import MediaKind, Signal
from tessera.media.image import DecodedImage


class SignalType(ABC):
    name: ClassVar[str]
    version: ClassVar[int]
    applies_to: ClassVar[frozenset[MediaKind]]
    default_threshold: ClassVar[float]
    min_quality: ClassVar[int | None] = None
    index_kind: ClassVar[str]  # name of the index implementation in ``tessera.index``

    @abstractmethod
    def extract(self, media: DecodedImage) -> list[Signal]:
        """The values stored for this media (zero or more)."""

    def query_variants(self, media: DecodedImage) -> list[Signal]:
        """The values used to search for this media; by default what would be stored."""
        return self.extract(media)

    def extract_with_variants(self, media: DecodedImage) -> tuple[list[Signal], list[Signal]]:
        """Both at once; types whose variants include the stored values override this to
        avoid computing them twice."""
        return self.extract(media), self.query_variants(media)

    @abstractmethod
    def distance(self, a: bytes, b: bytes) -> float: ...

    def is_matchable(self, signal: Signal, min_quality: int | None = None) -> bool:
        floor = self.min_quality if min_quality is None else min_quality
        return floor is None or signal.quality is None or signal.quality >= floor


SIGNAL_TYPES: Registry[SignalType] = Registry("signal type")
