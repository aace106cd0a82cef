"""Keeps a signal type's on-disk index in step with the database, which stays the truth.

The index lives beside the database with a small manifest (signal type, version, count and
highest signal id it holds). On open: missing or unreadable → rebuilt from the database; behind
(new signals, e.g. after a killed ingest) → caught up incrementally; inconsistent → rebuilt.

One instance may serve a long-running server: searches and additions from several threads are
serialised by a lock, and ``refresh`` (called by the service before each search or job) catches
up with signals that another process (a CLI ingest beside the server) committed meanwhile.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path

import numpy as np

from tessera.index import INDEX_KINDS, HashIndex, VectorHit, VectorIndex
from tessera.signals.base import SignalType
from tessera.store import repos
from tessera.store.db import Database

log = logging.getLogger(__name__)
BITS = 256


class SyncedIndex:
    """One index over every signal type of an index space (e.g. PDQ of stills and vPDQ of
    video frames): their values are comparable, so one search answers both."""

    def __init__(self, directory: Path, db: Database, space: str,
                 members: list[SignalType]) -> None:
        if not members or len({(m.index_kind, m.index_width) for m in members}) != 1:
            raise ValueError(f"index space {space!r} needs members of one index kind")
        self.directory = directory
        self.db = db
        self.space = space
        self.kind = members[0].index_kind
        self.width = members[0].index_width
        self.members = sorted((m.name, m.version) for m in members)
        self.member_names = frozenset(n for n, _ in self.members)
        tag = "-".join(f"{n}v{v}" for n, v in self.members)
        self.base = directory / f"{space}-{tag}"
        self.manifest_path = self.base.with_suffix(".json")
        self.index: HashIndex | VectorIndex = INDEX_KINDS.get(self.kind)(self.width)
        self.max_id = 0
        self.rebuilt = False
        self.lock = threading.RLock()

    # -- lifecycle -----------------------------------------------------------------------

    def open(self) -> SyncedIndex:
        self.directory.mkdir(parents=True, exist_ok=True)
        with self.db.session() as s:
            count, max_id = repos.signal_stats(s, self.members)
        manifest = self._read_manifest()
        if manifest and manifest.get("max_id", 0) <= max_id:
            try:
                self.index = INDEX_KINDS.get(self.kind).load(self.base, self.width)
                self.max_id = int(manifest["max_id"])
            except (OSError, ValueError, RuntimeError) as exc:
                log.warning("index %s unreadable (%s); rebuilding", self.base, exc)
                manifest = None
        if not manifest or len(self.index) != manifest.get("count"):
            self.rebuild()
            return self
        if self.max_id < max_id:
            self.catch_up()
        if len(self.index) != count:
            log.warning("index %s holds %d signals, database %d; rebuilding",
                        self.base, len(self.index), count)
            self.rebuild()
        return self

    def rebuild(self) -> None:
        self.index = INDEX_KINDS.get(self.kind)(self.width)
        self.max_id = 0
        self.catch_up()
        self.rebuilt = True
        self.save()

    def catch_up(self) -> int:
        """Add what the database has beyond ``max_id``, in one go (one table merge). Each
        batch read becomes arrays at once: as Python tuples, 12M hashes held ~1.5 GB."""
        ids: list[np.ndarray] = []
        codes: list[np.ndarray] = []
        with self.lock:
            with self.db.session() as s:
                for rows in repos.iter_signal_values(s, self.members, self.max_id):
                    ids.append(np.fromiter((i for i, _ in rows), dtype=np.int64,
                                           count=len(rows)))
                    codes.append(self.index.codes([v for _, v in rows], self.width))
            if ids:
                self._add(np.concatenate(ids), np.concatenate(codes))
        return sum(len(x) for x in ids)

    def add(self, rows: list[tuple[int, bytes]]) -> None:
        if rows:
            self._add(np.fromiter((i for i, _ in rows), dtype=np.int64, count=len(rows)),
                      self.index.codes([v for _, v in rows], self.width))

    def _add(self, ids: np.ndarray, codes: np.ndarray) -> None:
        with self.lock:
            fresh = ids > self.max_id  # a refresh may have added them
            if not fresh.any():
                return
            if not fresh.all():
                ids, codes = ids[fresh], codes[fresh]
            self.index.add(ids, codes)
            self.max_id = max(self.max_id, int(ids.max()))

    def refresh(self) -> int:
        """Catch up with signals committed by other processes since the last look."""
        with self.db.session() as s:
            max_id = repos.max_signal_id(s, [n for n, _ in self.members])
        if max_id <= self.max_id:
            return 0
        with self.lock:
            return self.catch_up()

    def search(self, codes: np.ndarray, radius: int) -> list:
        """Hamming spaces: every stored code within ``radius``."""
        with self.lock:
            assert isinstance(self.index, HashIndex)
            return self.index.range_search(codes, radius)

    def nearest(self, vectors: np.ndarray, k: int, min_score: float) -> list[VectorHit]:
        """Vector spaces: the ``k`` most similar stored vectors scoring at least ``min_score``."""
        with self.lock:
            assert isinstance(self.index, VectorIndex)
            return self.index.search(vectors, k, min_score)

    def codes(self, values: list[bytes]) -> np.ndarray:
        return self.index.codes(values, self.width)

    def save(self) -> None:
        with self.lock:
            self._save()

    def _save(self) -> None:
        self.index.save(self.base)
        tmp = self.manifest_path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps({"space": self.space, "members": self.members,
                                   "count": len(self.index), "max_id": self.max_id}))
        os.replace(tmp, self.manifest_path)

    def _read_manifest(self) -> dict | None:
        try:
            data = json.loads(self.manifest_path.read_text())
        except (OSError, ValueError):
            return None
        if data.get("space") != self.space or \
                [tuple(m) for m in data.get("members", [])] != self.members:
            return None
        return data
