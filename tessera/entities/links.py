"""Links between entities: from leads (two media connected by a fact) to proposed links between
the series holding them, and walks over links (neighbourhood, shortest path, component).

Pure: the walks take a ``fetch`` that returns the links touching a set of entities, so one
query per level serves SQLite and PostgreSQL alike (a level-wise breadth-first search does
the work of a recursive CTE, with the access filter applied to each link in Python).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from tessera.matching.leads.base import EntityLead, Lead

Endpoint = tuple[str, int]  # (entity type, id)

ENTITY_TYPES = ("clue", "media", "person", "place", "series")

ASSERTED_KINDS = ("same-series", "same-victim", "same-offender", "same-person", "same-device",
                  "same-place", "same-recording", "related")
MAX_EVIDENCE = 20  # pieces kept per link: enough to check it, bounded for a large seizure


class LinkState(StrEnum):
    SUGGESTED = "suggested"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


def ordered(a: Endpoint, b: Endpoint) -> tuple[Endpoint, Endpoint]:
    return (a, b) if a <= b else (b, a)


@dataclass
class Proposal:
    """A link the leads propose between two entities (in stored order), with what shows it."""

    a: Endpoint
    b: Endpoint
    kind: str
    score: float = 0.0
    source: str = ""
    evidence: list[dict[str, object]] = field(default_factory=list)

    def add(self, lead: Lead | EntityLead, a_media: int | None, b_media: int | None) -> None:
        if lead.score > self.score:
            self.score, self.source = lead.score, lead.source
        merge_evidence(self.evidence, [{"source": lead.source, "score": lead.score,
                                        "fact": lead.fact, "a_media": a_media,
                                        "b_media": b_media}])


def merge_evidence(kept: list[dict[str, object]], new: Iterable[dict[str, object]]) -> bool:
    """Add pieces not yet kept (by source and media pair), best first, up to MAX_EVIDENCE;
    whether anything changed."""
    seen = {(e["source"], e["a_media"], e["b_media"]) for e in kept}
    changed = False
    for e in new:
        key = (e["source"], e["a_media"], e["b_media"])
        if key not in seen:
            seen.add(key)
            kept.append(e)
            changed = True
    kept.sort(key=lambda e: -float(e["score"]))  # type: ignore[arg-type]
    del kept[MAX_EVIDENCE:]
    return changed


def propose(leads: Iterable[Lead], series_of: Mapping[int, Iterable[int]]
            ) -> dict[tuple[Endpoint, Endpoint, str], Proposal]:
    """Series-to-series links the leads of stored media (``Lead.key`` a media id) propose:
    every series of one media with every other series of the other. Media in no series
    propose nothing (a loose submission has no entity to link); two media of one series
    propose nothing (they are already together)."""
    out: dict[tuple[Endpoint, Endpoint, str], Proposal] = {}
    for lead in leads:
        for x in series_of.get(lead.key, ()):
            for y in series_of.get(lead.other_media_id, ()):
                if x == y:
                    continue
                a, b = ordered(("series", x), ("series", y))
                a_media, b_media = (lead.key, lead.other_media_id) if a == ("series", x) \
                    else (lead.other_media_id, lead.key)
                key = (a, b, lead.kind)
                out.setdefault(key, Proposal(a, b, lead.kind)).add(lead, a_media, b_media)
    return out


def propose_entities(leads: Iterable[EntityLead], series_of: Mapping[int, Iterable[int]]
                     ) -> dict[tuple[Endpoint, Endpoint, str], Proposal]:
    """Links from each series of a stored media to the entity its lead reaches (the place it
    was made at); the entity's side of the evidence names no media."""
    out: dict[tuple[Endpoint, Endpoint, str], Proposal] = {}
    for lead in leads:
        for x in series_of.get(lead.key, ()):
            a, b = ordered(("series", x), lead.entity)
            a_media, b_media = (lead.key, None) if a == ("series", x) else (None, lead.key)
            key = (a, b, lead.kind)
            out.setdefault(key, Proposal(a, b, lead.kind)).add(lead, a_media, b_media)
    return out


# --- walks -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Edge:
    id: int
    a: Endpoint
    b: Endpoint
    kind: str
    state: str

    def other(self, end: Endpoint) -> Endpoint:
        return self.b if end == self.a else self.a


Fetch = Callable[[set[Endpoint]], list[Edge]]  # the (visible) links touching these entities


@dataclass
class Neighbourhood:
    depth_of: dict[Endpoint, int]  # every entity reached, with its distance from the start
    edges: list[Edge]


def neighbourhood(start: Endpoint, depth: int, fetch: Fetch, max_nodes: int = 2_000
                  ) -> Neighbourhood:
    """Entities within ``depth`` links of ``start`` and the links among them; stops growing at
    ``max_nodes`` (a hub must not pull the whole graph into one page)."""
    depth_of = {start: 0}
    edges: dict[int, Edge] = {}
    frontier = {start}
    for level in range(1, depth + 1):
        if not frontier:
            break
        found: set[Endpoint] = set()
        for edge in fetch(frontier):
            edges[edge.id] = edge
            for end in (edge.a, edge.b):
                if end not in depth_of and len(depth_of) < max_nodes:
                    depth_of[end] = level
                    found.add(end)
        frontier = found
    kept = [e for e in edges.values() if e.a in depth_of and e.b in depth_of]
    return Neighbourhood(depth_of, sorted(kept, key=lambda e: e.id))


def shortest_path(start: Endpoint, goal: Endpoint, fetch: Fetch, max_depth: int = 8
                  ) -> list[Edge] | None:
    """The fewest links from ``start`` to ``goal`` (None when they are not connected within
    ``max_depth``)."""
    if start == goal:
        return []
    came: dict[Endpoint, Edge | None] = {start: None}
    frontier = {start}
    for _ in range(max_depth):
        found: set[Endpoint] = set()
        for edge in sorted(fetch(frontier), key=lambda e: e.id):
            for here in (edge.a, edge.b):
                there = edge.other(here)
                if here in frontier and there not in came:
                    came[there] = edge
                    found.add(there)
        if goal in came:
            path: list[Edge] = []
            at = goal
            while (step := came[at]) is not None:
                path.append(step)
                at = step.other(at)
            return path[::-1]
        if not found:
            return None
        frontier = found
    return None


def component(start: Endpoint, fetch: Fetch, max_nodes: int = 10_000) -> Neighbourhood:
    """Everything connected to ``start`` (with the fetch's links, e.g. confirmed only)."""
    return neighbourhood(start, max_nodes, fetch, max_nodes)
