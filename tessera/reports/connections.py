""""What does this upload connect?": every registered link suggester run on the files of a
de-confliction (their metadata and hits), before anything is stored, and the leads grouped by
the series they reach, as the viewer may know them."""

from __future__ import annotations

from collections import defaultdict

from tessera.core.types import FileResult
from tessera.core.words import file_count
from tessera.matching.hits import Hit
from tessera.matching.leads import SUGGESTERS, Lead, Probe, ProbeItem
from tessera.matching.leads.base import kind_words
from tessera.reports.model import ConnectionSummary, FileEntry, SeriesRef
from tessera.store.db import Database

MAX_FACTS = 3


def upload_leads(db: Database, results: list[FileResult], exact: dict[str, int],
                 near: list[list[Hit]]) -> dict[int, list[Lead]]:
    """File number (in ``results``) → its leads to stored media."""
    items = tuple(
        ProbeItem(n, result.info.metadata or {}, hits,
                  exact=exact.get(result.digests.sha256) if result.digests else None)
        for n, (result, hits) in enumerate(zip(results, near, strict=True))
        if result.ok and result.info is not None)
    if not items:
        return {}
    probe = Probe(items)
    out: dict[int, list[Lead]] = defaultdict(list)
    with db.session() as s:
        for _, suggester in SUGGESTERS:
            for lead in suggester.suggest(s, probe):
                out[lead.key].append(lead)
    return out


def summarise_connections(files: list[FileEntry], leads: dict[int, list[Lead]],
                          series_of: dict[int, list[SeriesRef]]) -> list[ConnectionSummary]:
    """Per series (or holder) reached: files per link kind and the first facts seen."""
    by_key: dict[str, ConnectionSummary] = {}
    counted: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for n, _ in enumerate(files):
        for lead in leads.get(n, []):
            for ref in series_of.get(lead.other_media_id, []):
                summary = by_key.setdefault(ref.key, ConnectionSummary(ref))
                counted[ref.key][lead.kind].add(n)
                if lead.fact not in summary.facts and len(summary.facts) < MAX_FACTS:
                    summary.facts.append(lead.fact)
    for key, summary in by_key.items():
        summary.kinds = {kind: len(numbers) for kind, numbers in sorted(counted[key].items())}
    return sorted(by_key.values(), key=lambda x: (-sum(x.kinds.values()), x.series.key))


def connection_lines(connections: list[ConnectionSummary]) -> list[str]:
    """The connections in words: links that are not copies, and what the upload bridges."""
    lines = []
    for c in connections:
        ref = c.series
        where = f"'{ref.name}' ({ref.agency})" if ref.name else f"material held by {ref.agency}"
        for kind, files in c.kinds.items():
            if kind == "same-series":
                continue  # told as matches already
            verb = "connects" if files == 1 else "connect"
            lines.append(f"{file_count(files)} {verb} to {where} by {kind_words(kind)}")
    if len(connections) > 1:
        named = ", ".join(f"'{c.series.name}' ({c.series.agency})" if c.series.name
                          else f"material held by {c.series.agency}" for c in connections)
        lines.append(f"this upload connects {len(connections)} series: {named}")
    return lines
