"""Similarity indexes: pure data structures (no database); the store stays the source of truth."""

from tessera.index.base import INDEX_KINDS, HashIndex, RangeHit
from tessera.index.brute import BruteForceHammingIndex
from tessera.index.hamming import MultiHashHammingIndex

INDEX_KINDS.register("hamming", MultiHashHammingIndex)
INDEX_KINDS.register("hamming-brute", BruteForceHammingIndex)

__all__ = ["INDEX_KINDS", "BruteForceHammingIndex", "HashIndex", "MultiHashHammingIndex",
           "RangeHit"]
