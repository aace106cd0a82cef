"""Searches, one per way an index space is matched; importing this registers the built-ins.

A signal type names its search (``SignalType.search``); a new search is a module with a
``SpaceSearch`` subclass registered in ``SEARCHES``, imported here.
"""

from tessera.matching.spaces import aligned, nearest, ranged  # noqa: F401  (registration)
from tessera.matching.spaces.base import SEARCHES, SpaceIndex, SpaceSearch

__all__ = ["SEARCHES", "SpaceIndex", "SpaceSearch"]
