"""Similarity indexes: pure data structures (no database); the store stays the source of truth."""

from tessera.index.base import INDEX_KINDS, HashIndex, RangeHit
from tessera.index.brute import BruteForceHammingIndex
from tessera.index.mih import MultiIndexHammingIndex
from tessera.index.vectors import FlatVectorIndex, IvfVectorIndex, VectorHit, VectorIndex

INDEX_KINDS.register("hamming", MultiIndexHammingIndex)
INDEX_KINDS.register("hamming-brute", BruteForceHammingIndex)
INDEX_KINDS.register("vectors", IvfVectorIndex)
INDEX_KINDS.register("vectors-flat", FlatVectorIndex)

__all__ = ["INDEX_KINDS", "BruteForceHammingIndex", "FlatVectorIndex", "HashIndex",
           "IvfVectorIndex", "MultiIndexHammingIndex", "RangeHit", "VectorHit", "VectorIndex"]
