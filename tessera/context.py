"""What a command needs to run: settings, database, evidence store and indexes, opened lazily.

Passed explicitly to every service function; there is no global instance.
"""

from __future__ import annotations

import getpass
import os
import threading
from dataclasses import dataclass, field

from tessera.config import MediaOptions, Settings
from tessera.core.runner import LocalRunner, Runner
from tessera.matching.indexes import SyncedIndex
from tessera.matching.matcher import Matcher
from tessera.matching.spaces import SEARCHES, SpaceIndex
from tessera.signals import SIGNAL_TYPES, SignalType, matching_types, spaces_of
from tessera.store.audit import AuditKeys
from tessera.store.blobs import BlobStore, load_key
from tessera.store.db import Database, require_current_schema


def default_actor() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid())
    return f"cli:{user}"


@dataclass
class Context:
    settings: Settings
    db: Database
    actor: str = field(default_factory=default_actor)
    _blobs: BlobStore | None = None
    _indexes: dict[str, SpaceIndex] = field(default_factory=dict)
    _runner: Runner | None = None
    _runner_for: tuple[int, bool] | None = None  # (workers, isolated) it was built for
    _isolated: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(cls, settings: Settings, check_schema: bool = True) -> Context:
        db = Database(settings.database_url)
        if check_schema:
            require_current_schema(db.engine)
        db.enable_audit(AuditKeys.load(settings.home))
        matching_types(settings.media, settings.tuning)  # a bad threshold stops us here
        return cls(settings, db)

    def blobs(self) -> BlobStore:
        if self._blobs is None:
            self._blobs = BlobStore(self.settings.evidence_dir, load_key(self.settings.key_path))
        return self._blobs

    def signal_type(self, name: str) -> SignalType:
        """One registered type as the operator tuned it (for a feature built on that type,
        e.g. face suggestions), whether or not the media options switch it on."""
        return SIGNAL_TYPES.get(name).tuned(self.settings.tuning)

    def index(self, space: str) -> SpaceIndex:
        """The index of one index space (all signal types whose values it compares), opened
        by the search that reads it."""
        if space not in self._indexes:
            members = spaces_of([t for _, t in SIGNAL_TYPES])[space]
            search = SEARCHES.get(members[0].search)
            self._indexes[space] = search.open_index(self.settings.index_dir, self.db, space,
                                                     members)
        return self._indexes[space]

    def indexes(self) -> list[SyncedIndex]:
        """Every index kept on disk (PDQ, faces, …), opened; ingest feeds them as it commits.
        In-memory indexes (sound) catch up by themselves before each search."""
        spaces = sorted(spaces_of([t for _, t in SIGNAL_TYPES]))
        return [i for i in (self.index(space) for space in spaces) if isinstance(i, SyncedIndex)]

    def save_indexes(self) -> None:
        """Persist the indexes this context opened (others have nothing new)."""
        for index in list(self._indexes.values()):
            if isinstance(index, SyncedIndex):
                index.save()

    def refresh_indexes(self) -> None:
        """Catch up with what other processes committed (a CLI ingest beside the server)."""
        for index in self.indexes():
            index.refresh()

    def thresholds(self, media: MediaOptions | None = None) -> list[tuple[str, float, str]]:
        """What each index space matches at: (space, threshold, unit), its owner's."""
        spaces = spaces_of(matching_types(media or self.settings.media, self.settings.tuning))
        return [(space, m[0].threshold, m[0].unit) for space, m in sorted(spaces.items())]

    def matcher(self, media: MediaOptions | None = None) -> Matcher:
        """A search of every index space of the types that run under ``media`` (default: the
        settings'), at the thresholds the types own."""
        spaces = spaces_of(matching_types(media or self.settings.media, self.settings.tuning))
        return Matcher(self.db, [SEARCHES.get(members[0].search)(space, members, self.db,
                                                                 self.index(space))
                                 for space, members in spaces.items()])

    def isolate(self) -> Context:
        """Run every analysis in worker processes from now on (the service does): a native
        crash or a library that is not thread-safe must not take it down. The CLI analyses
        in its own process when it has one worker."""
        self._isolated = True
        return self

    @property
    def runner(self) -> Runner:
        """Where analysis runs: the local pool for the settings in force, unless another
        runner was given (``use_runner``)."""
        wanted = (self.settings.workers, self._isolated)
        with self._lock:  # the service's threads share one context
            stale = self._runner_for is not None and self._runner_for != wanted
            if self._runner is None or stale:
                if self._runner is not None:
                    self._runner.close()
                self._runner = LocalRunner(self.settings.workers, isolate=self._isolated,
                                           call_workers=min(2, self.settings.workers))
                self._runner_for = wanted
            return self._runner

    def use_runner(self, runner: Runner) -> Context:
        if self._runner is not None:
            self._runner.close()
        self._runner, self._runner_for = runner, None
        return self

    def close(self) -> None:
        if self._runner is not None:
            self._runner.close()
        self.db.dispose()
