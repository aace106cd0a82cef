""""What does this upload connect?": every registered link suggester run on the files of a
de-confliction (their metadata and hits), before anything is stored, and the leads grouped by
the series they reach, as the viewer may know them."""

from __future__ import annotations

from collections import defaultdict

from tessera.core.types import FileResult
from tessera.core.words import file_count
from tessera.matching.hits import Hit
from tessera.matching.leads import SUGGESTERS, EntityLead, Lead, Probe, ProbeItem
from tessera.matching.leads.base import kind_words
from tessera.reports.model import ConnectionSummary, FileEntry, SeriesRef
from tessera.store.db import Database

MAX_FACTS = 3


def upload_leads(db: Database, results: list[FileResult], exact: dict[str, int],
                 near: list[list[Hit]]
                 ) -> tuple[dict[int, list[Lead]], dict[int, list[EntityLead]]]:
    """File number (in ``results``) → its leads to stored media, and to entities (places)."""
    items = tuple(
        ProbeItem(n, result.info.metadata or {}, hits,
                  exact=exact.get(result.digests.sha256) if result.digests else None)
        for n, (result, hits) in enumerate(zip(results, near, strict=True))
        if result.ok and result.info is not None)
    if not items:
        return {}, {}
    probe = Probe(items)
    out: dict[int, list[Lead]] = defaultdict(list)
    to_entities: dict[int, list[EntityLead]] = defaultdict(list)
    with db.session() as s:
        for _, suggester in SUGGESTERS:
            for lead in suggester.suggest(s, probe):
                out[lead.key].append(lead)
            for entity_lead in suggester.suggest_entities(s, probe):
                to_entities[entity_lead.key].append(entity_lead)
    return out, to_entities


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


def place_lines(files: list[FileEntry]) -> list[str]:
    """The places the upload's files were made in, as each is known to the viewer."""
    count: dict[tuple[str | None, str], int] = defaultdict(int)
    for f in files:
        for where in {(c.place.name, c.place.agency) for c in f.connections if c.place}:
            count[where] += 1
    lines = []
    for (name, agency), n in sorted(count.items(), key=lambda x: (-x[1], x[0][1], x[0][0] or "")):
        what = f"place '{name}' ({agency})" if name else f"a place held by {agency}"
        lines.append(f"{file_count(n)} {'was' if n == 1 else 'were'} made inside {what}")
    return lines


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
