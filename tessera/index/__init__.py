"""Similarity indexes: pure data structures (no database); the store stays the source of truth."""

from tessera.index.base import INDEX_KINDS, HashIndex, RangeHit
from tessera.index.brute import BruteForceHammingIndex
from tessera.index.mih import MultiIndexHammingIndex

INDEX_KINDS.register("hamming", MultiIndexHammingIndex)
INDEX_KINDS.register("hamming-brute", BruteForceHammingIndex)

__all__ = ["INDEX_KINDS", "BruteForceHammingIndex", "HashIndex", "MultiIndexHammingIndex",
           "RangeHit"]
