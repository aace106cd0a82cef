"""The index contract: add binary codes under external ids, range-query them, save and load."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tessera.core.registry import Registry

if TYPE_CHECKING:
    from tessera.index.vectors import VectorIndex


@dataclass(frozen=True, slots=True)
class RangeHit:
    query: int  # row of the query batch
    id: int  # external id (the signal row id)
    distance: int


class HashIndex(ABC):
    """Codes are ``uint8`` rows of ``bits // 8`` bytes; ids are int64 signal ids."""

    def __init__(self, bits: int) -> None:
        self.bits = bits

    @staticmethod
    def codes(values: list[bytes], bits: int) -> np.ndarray:
        return as_codes(values, bits)

    @abstractmethod
    def add(self, ids: np.ndarray, codes: np.ndarray) -> None: ...

    @abstractmethod
    def range_search(self, queries: np.ndarray, max_distance: int) -> list[RangeHit]:
        """Every stored code within ``max_distance`` (inclusive) of each query row."""

    @abstractmethod
    def __len__(self) -> int: ...

    @abstractmethod
    def save(self, path: Path) -> None: ...

    @classmethod
    @abstractmethod
    def load(cls, path: Path, bits: int) -> HashIndex: ...


INDEX_KINDS: Registry[type[HashIndex] | type[VectorIndex]] = Registry("index kind")


def as_codes(values: list[bytes], bits: int) -> np.ndarray:
    width = bits // 8
    if not values:
        return np.zeros((0, width), dtype=np.uint8)
    return np.frombuffer(b"".join(values), dtype=np.uint8).reshape(-1, width)
