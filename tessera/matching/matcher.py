"""Query signals → hits: exact matches by SHA-256 from the database (by MD5 or SHA-1 for media
known only from hash lists), near-duplicates through
every index space that a registered signal type declares.

The matcher knows no signal type: it runs each space's search (``matching.spaces``), which
applies the space owner's threshold and quality gate, and ranks the hits of one file together
by coverage and score.
"""

from __future__ import annotations

from tessera.core.types import Digests, Signal
from tessera.matching.hits import Hit
from tessera.matching.spaces import SpaceSearch
from tessera.store.db import Database
from tessera.store.repos import triage
from tessera.store.repos.triage import Digest


def _rank(hit: Hit) -> tuple[float, float, int]:
    coverage = hit.timing.query_coverage or hit.timing.match_coverage or 0.0
    return -coverage, -hit.score, hit.media_id


class Matcher:
    def __init__(self, db: Database, searches: list[SpaceSearch]) -> None:
        self.db = db
        self.searches = {s.space: s for s in searches}

    def space(self, name: str) -> SpaceSearch:
        """One space's search (a feature built on one type, e.g. face suggestions)."""
        return self.searches[name]

    def exact(self, digests: list[Digests]) -> dict[str, int]:
        """SHA-256 of each query file → the media it is a copy of."""
        with self.db.session() as s:
            found = triage.media_by_digests(s, [Digest(d.md5, d.sha1, d.sha256)
                                                for d in digests])
            return {d.sha256: m.id for d, m in zip(digests, found, strict=True)
                    if m is not None}

    def near(self, per_file: list[list[Signal]]) -> list[list[Hit]]:
        """Hits per file, best first, from one batched search per space for the whole batch."""
        out: list[list[Hit]] = [[] for _ in per_file]
        for _, search in sorted(self.searches.items()):
            for row, hits in search.search(per_file).items():
                out[row].extend(hits)
        for hits in out:
            hits.sort(key=_rank)
        return out
