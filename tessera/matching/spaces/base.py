"""How an index space turns query signals into hits; a signal type names its search.

A search is built for one index space from that space's (tuned) member types; the first member
is the space's owner, whose threshold and quality gate apply to every value in the space. It
opens its own index (``open_index``), so a new kind of index arrives with the search that reads
it and nothing else changes: the matcher runs every search of every registered space.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Protocol

from tessera.core.registry import Registry
from tessera.core.types import Signal
from tessera.matching.hits import Hit
from tessera.matching.indexes import SyncedIndex
from tessera.signals.base import SignalType
from tessera.store.db import Database


class SpaceIndex(Protocol):
    """What the context keeps per space between searches: caught up before each use."""

    def refresh(self) -> int: ...


class SpaceSearch(ABC):
    def __init__(self, space: str, members: list[SignalType], db: Database,
                 index: SpaceIndex) -> None:
        self.space = space
        self.owner = members[0]
        self.members = {m.name: m for m in members}
        self.db = db
        self.index = index

    @classmethod
    @abstractmethod
    def open_index(cls, directory: Path, db: Database, space: str,
                   members: list[SignalType]) -> SpaceIndex:
        """The index of this space, in step with the database (``members``: every registered
        type of the space, whether or not the options switch it on)."""

    @abstractmethod
    def search(self, per_file: list[list[Signal]]) -> dict[int, list[Hit]]:
        """Hits per row of ``per_file`` (a batch of query files' signals)."""

    def queries(self, signals: list[Signal]) -> list[Signal]:
        """The signals of one file this space searches with: its members', past the gate."""
        return [s for s in signals if s.type in self.members
                and self.owner.is_matchable(s.quality)]


class PersistedSearch(SpaceSearch):
    """A search over one of the context's saved indexes (kept in step with the database)."""

    index: SyncedIndex

    @classmethod
    def open_index(cls, directory: Path, db: Database, space: str,
                   members: list[SignalType]) -> SyncedIndex:
        return SyncedIndex(directory, db, space, members).open()


SEARCHES: Registry[type[SpaceSearch]] = Registry("search")
