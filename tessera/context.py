"""What a command needs to run: settings, database, evidence store and indexes, opened lazily.

Passed explicitly to every service function; there is no global instance.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field

from tessera.config import Settings
from tessera.core.types import FileResult
from tessera.index import INDEX_KINDS
from tessera.matching.audio import AudioIndex
from tessera.matching.indexes import SyncedIndex
from tessera.matching.matcher import Matcher
from tessera.media.sources import Item
from tessera.pipeline.analyze import AnalyzeOptions, analyze_item
from tessera.pipeline.isolated import IsolatedAnalyzer
from tessera.signals import SIGNAL_TYPES
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
    _indexes: dict[str, SyncedIndex] = field(default_factory=dict)
    _audio: AudioIndex | None = None
    _analyzer: IsolatedAnalyzer | None = None

    @classmethod
    def open(cls, settings: Settings, check_schema: bool = True) -> Context:
        db = Database(settings.database_url)
        if check_schema:
            require_current_schema(db.engine)
        db.enable_audit(AuditKeys.load(settings.home))
        return cls(settings, db)

    def blobs(self) -> BlobStore:
        if self._blobs is None:
            self._blobs = BlobStore(self.settings.evidence_dir, load_key(self.settings.key_path))
        return self._blobs

    def index(self, space: str = "pdq") -> SyncedIndex:
        """The index of one index space (all signal types whose values it compares)."""
        if space not in self._indexes:
            members = [t for _, t in SIGNAL_TYPES if t.space() == space]
            self._indexes[space] = SyncedIndex(self.settings.index_dir, self.db, space,
                                               members).open()
        return self._indexes[space]

    def indexes(self) -> list[SyncedIndex]:
        """Every persisted index (one per index space: PDQ, faces, …), opened."""
        spaces = sorted({t.space() for _, t in SIGNAL_TYPES if t.index_kind in INDEX_KINDS.names()})
        return [self.index(space) for space in spaces]

    def save_indexes(self) -> None:
        for index in self._indexes.values():
            index.save()

    def refresh_indexes(self) -> None:
        """Catch up with what other processes committed (a CLI ingest beside the server)."""
        for index in self.indexes():
            index.refresh()

    def audio_index(self) -> AudioIndex:
        if self._audio is None:
            self._audio = AudioIndex(self.db)
        return self._audio

    def matcher(self) -> Matcher:
        """Every index a de-confliction searches, with the configured thresholds."""
        return Matcher(self.db, self.index("pdq"), self.settings.pdq_max_distance,
                       self.settings.pdq_min_quality, self.audio_index(),
                       self.index("face"), self.settings.faces)

    def isolate(self) -> Context:
        """Run every analysis in worker processes from now on (the service does): a native
        crash or a library that is not thread-safe must not take it down. The CLI analyses
        in its own process."""
        if self._analyzer is None:
            self._analyzer = IsolatedAnalyzer(max(1, min(2, self.settings.workers)),
                                              str(self.settings.key_path))
        return self

    @property
    def isolated(self) -> bool:
        return self._analyzer is not None

    def analyze(self, item: Item, options: AnalyzeOptions) -> FileResult:
        """One file, nothing stored (a search); a sealed item is read with the evidence key."""
        if self._analyzer is None:
            secret = load_key(self.settings.key_path) if item.sealed else None
            return analyze_item(item, options, None, secret)
        return self._analyzer.analyze(item, options)

    def close(self) -> None:
        if self._analyzer is not None:
            self._analyzer.close()
        self.db.dispose()
