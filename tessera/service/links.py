"""Connections: links between series and persons, suggested from what Tessera finds and decided
by investigators, and the walks over them ("what does this connect to?").

Every registered suggester runs on the media asked about (a new upload, a series); what the
leads propose between series becomes a *suggested* link. Only an investigator of an agency that
owns one side confirms or rejects it; a rejected link stays rejected, however often the leads
come back. A link is shown to whoever may read one side's details, the other side as far as its
own sharing allows: a hash-only series appears as "held by AU", its media ids never.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tessera.access.policy import (
    Action,
    Principal,
    Target,
    Visibility,
    agency_series_visibility,
    can,
    link_target,
    require,
    series_visibility,
)
from tessera.core.errors import NotFound, TesseraError
from tessera.entities.links import (
    ASSERTED_KINDS,
    ENTITY_TYPES,
    Edge,
    Endpoint,
    LinkState,
    Neighbourhood,
    component,
    merge_evidence,
    neighbourhood,
    propose,
    propose_entities,
    shortest_path,
)
from tessera.matching.hits import Hit
from tessera.matching.leads import SUGGESTERS, Probe, ProbeItem
from tessera.matching.leads.base import kind_words
from tessera.pipeline.deconflict import Matched
from tessera.service.entity_kinds import Side, shares_of
from tessera.service.entity_kinds import sides as sides_of
from tessera.store import audit, repos
from tessera.store.repos import facts
from tessera.store.repos import links as link_repo
from tessera.store.repos import notifications as notification_repo
from tessera.store.repos import places as place_repo

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tessera.context import Context
    from tessera.store.tables import EntityLink

SEARCH_BATCH = 256  # stored media searched at once when suggesting for a series


# --- suggesting ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SuggestSummary:
    media: int
    leads: int
    created: int
    updated: int


def stored_hits(ctx: Context, media_ids: Iterable[int]) -> dict[int, list[Hit]]:
    """What the matcher finds for media Tessera already holds, searched with their stored
    values (the media itself left out)."""
    ids = sorted(set(media_ids))
    matcher = ctx.matcher()
    out: dict[int, list[Hit]] = {}
    for start in range(0, len(ids), SEARCH_BATCH):
        chunk = ids[start:start + SEARCH_BATCH]
        with ctx.db.session() as s:
            signals = repos.stored_signals(s, chunk)
        found = matcher.near([signals[m] for m in chunk])
        out.update({m: [h for h in hits if h.media_id != m]
                    for m, hits in zip(chunk, found, strict=True)})
    return out


def suggest_links(ctx: Context, media_ids: Iterable[int], *, actor: str = "system",
                  hits: Mapping[int, list[Hit]] | None = None) -> SuggestSummary:
    """Run every suggester on ``media_ids`` and record what they propose between series.
    ``hits`` are the matcher's findings when the caller has them (an upload just matched);
    otherwise the stored media are searched again."""
    ids = tuple(sorted(set(media_ids)))
    found = dict(hits) if hits is not None else stored_hits(ctx, ids)
    created = updated = 0
    with ctx.db.session() as s:
        meta = repos.media_meta(s, ids)
        probe = Probe(tuple(ProbeItem(m, meta.get(m, {}), found.get(m, ()), media_id=m)
                            for m in ids))
        leads = [lead for _, suggester in SUGGESTERS for lead in suggester.suggest(s, probe)]
        to_entities = [lead for _, suggester in SUGGESTERS
                       for lead in suggester.suggest_entities(s, probe)]
        involved = {m for lead in leads for m in (lead.key, lead.other_media_id)} | \
            {lead.key for lead in to_entities}
        series_of = {m: [x.id for x in xs]
                     for m, xs in repos.series_for_media(s, involved).items()}
        proposals = propose(leads, series_of) | propose_entities(to_entities, series_of)
        existing = link_repo.of_kind_between(s, [(x.a, x.b, x.kind)
                                                 for x in proposals.values()])
        for key, proposal in sorted(proposals.items()):
            row = existing.get(key)
            if row is None:
                link_repo.add(s, proposal.a, proposal.b, proposal.kind,
                              state=LinkState.SUGGESTED.value, source=proposal.source,
                              score=proposal.score, evidence=proposal.evidence,
                              created_by=actor)
                created += 1
            elif row.state != LinkState.REJECTED:  # a rejected link never comes back
                evidence = list(row.evidence or [])
                if merge_evidence(evidence, proposal.evidence):
                    row.evidence = evidence  # a new list: JSON columns track assignment
                    row.score = max(row.score or 0.0, proposal.score)
                    updated += 1
        if created or updated:
            audit.append(s, actor, "link.suggest", None,
                         details={"media": len(ids), "leads": len(leads) + len(to_entities),
                                  "created": created,
                                  "updated": updated})
    return SuggestSummary(len(ids), len(leads), created, updated)


def suggest_for_job(ctx: Context, job_id: int, agency_id: int, *, actor: str,
                    matched: Matched | None = None) -> SuggestSummary | None:
    """Links for what an ingest job stored into a series (None when it named no series: a
    loose submission has no entity to link). ``matched``: the de-confliction that preceded
    the storing, whose hits are reused instead of searching again."""
    with ctx.db.session() as s:
        if repos.get_ingest_job(s, job_id).series_id is None:
            return None
        media = repos.job_media_of_agency(s, job_id, agency_id)
        hits: dict[int, list[Hit]] | None = None
        if matched is not None:
            stored = repos.media_by_sha256(s, [r.digests.sha256 for r in matched.results
                                               if r.ok and r.digests])
            hits = {}
            for r, near in zip(matched.results, matched.near, strict=True):
                record = stored.get(r.digests.sha256) if r.ok and r.digests else None
                if record is not None and record.id in media:
                    hits.setdefault(record.id, []).extend(
                        h for h in near if h.media_id != record.id)
    return suggest_links(ctx, media, actor=actor, hits=hits)


def suggest_for_place(ctx: Context, p: Principal, place_id: int) -> SuggestSummary | None:
    """Look for the series made at a place just worked out (or corrected): every stored file
    whose GPS falls inside it, through the registered suggesters (their metadata only; the
    matcher is not run again). None for a place without a point and radius."""
    with ctx.db.session() as s:
        x = place_repo.get_place(s, place_id)
        if x.lat is None or x.lon is None or x.radius_m is None:
            return None
        media = [m for m, _ in facts.media_near(s, x.lat, x.lon, x.radius_m + 30.0)]
    return suggest_links(ctx, media, actor=p.actor, hits={}) if media else None


def suggest_for_series(ctx: Context, p: Principal, series_id: int) -> SuggestSummary:
    """Look again for what one's own series connects to (after new material elsewhere)."""
    with ctx.db.session() as s:
        x = repos.series_by_id(s, series_id)
        _require_side(p, Action.LINK, x.owner_agency_id,
                      series_visibility(p, *x.shares))
        media = [m.id for m in repos.series_media(s, x.id, limit=1_000_000)]
    return suggest_links(ctx, media, actor=p.actor)


def _require_side(p: Principal, action: Action, owner: int, visibility: Visibility) -> None:
    require(p, Action.VIEW_SERIES, Target(owner, visibility), hide=True)
    require(p, action, Target(owner, visibility))


def _target(p: Principal, a: Side, b: Side) -> Target:
    return link_target(p, [(a.owner.id, a.visibility), (b.owner.id, b.visibility)])


def _row(p: Principal, link: EntityLink, sides: Mapping[Endpoint, Side]) -> dict[str, Any]:
    a, b = sides[(link.a_type, link.a_id)], sides[(link.b_type, link.b_id)]
    open_a, open_b = (x.visibility >= Visibility.METADATA for x in (a, b))
    evidence = [{"source": e["source"], "score": e["score"], "fact": e["fact"],
                 "a_media": e["a_media"] if open_a else None,
                 "b_media": e["b_media"] if open_b else None} for e in link.evidence or []]
    return {"id": link.id, "kind": link.kind, "words": kind_words(link.kind),
            "state": link.state, "source": link.source, "score": link.score,
            "suggested": link.source != "asserted",
            "a": a.shown(), "b": b.shown(), "evidence": evidence, "note": link.note,
            "created_by": link.created_by, "created_at": link.created_at.isoformat(),
            "decided_by": link.decided_by, "decided_at":
                link.decided_at.isoformat() if link.decided_at else None,
            "can_decide": can(p, Action.LINK, _target(p, a, b))}


def _visible(p: Principal, links: Iterable[EntityLink], sides: Mapping[Endpoint, Side]
             ) -> list[EntityLink]:
    out = []
    for link in links:
        a, b = sides.get((link.a_type, link.a_id)), sides.get((link.b_type, link.b_id))
        if a is not None and b is not None and can(p, Action.VIEW_LINK, _target(p, a, b)):
            out.append(link)
    return out


def _entity(s: Session, p: Principal, end: Endpoint) -> Side:
    """One entity the principal may read the details of (else "not found")."""
    if end[0] not in ENTITY_TYPES:
        raise TesseraError(f"links join {', '.join(ENTITY_TYPES)}; not {end[0]!r}")
    side = sides_of(s, p, [end]).get(end)
    if side is None or side.visibility < Visibility.METADATA:
        raise NotFound(f"no {end[0]} {end[1]}")
    return side


def links_of(s: Session, p: Principal, end: Endpoint, *,
             states: tuple[str, ...] = ("suggested", "confirmed", "rejected")
             ) -> list[dict[str, Any]]:
    """What one entity connects to, best first within each state, as ``p`` may see it."""
    _entity(s, p, end)
    links = link_repo.of_entities(s, [end], states)
    sides = sides_of(s, p, [x for link in links for x in ((link.a_type, link.a_id),
                                                       (link.b_type, link.b_id))])
    order = {"confirmed": 0, "suggested": 1, "rejected": 2}
    visible = sorted(_visible(p, links, sides),
                     key=lambda x: (order.get(x.state, 3), -(x.score or 0.0), x.id))
    return [_row(p, link, sides) for link in visible]


# --- deciding --------------------------------------------------------------------------------


def decide_link(s: Session, p: Principal, link_id: int, state: str,
                note: str | None = None) -> dict[str, Any]:
    """Confirm or reject a link (or set a confirmed one back to rejected); audited, and the
    other side's owner hears of a confirmation as far as it may read this side."""
    try:
        wanted = LinkState(state)
    except ValueError:
        raise TesseraError("a link is confirmed or rejected") from None
    if wanted is LinkState.SUGGESTED:
        raise TesseraError("a link is confirmed or rejected; only Tessera suggests")
    link = link_repo.get(s, link_id)
    sides = sides_of(s, p, [(link.a_type, link.a_id), (link.b_type, link.b_id)])
    a, b = sides.get((link.a_type, link.a_id)), sides.get((link.b_type, link.b_id))
    if a is None or b is None or not can(p, Action.VIEW_LINK, target := _target(p, a, b)):
        raise NotFound(f"no link {link_id}")  # as if there were none
    require(p, Action.LINK, target)
    before = link.state
    note = (note or "").strip()[:2000] or None
    link_repo.decide(link, wanted.value, p.actor, p.agency_id or a.owner.id, note)
    audit.append(s, p.actor, _DECIDED[wanted], f"link:{link.id}", agency=p.agency_code,
                 details={"before": before, "after": wanted.value, "kind": link.kind,
                          "a": f"{link.a_type}:{link.a_id}", "b": f"{link.b_type}:{link.b_id}",
                          "note": note})
    if wanted is LinkState.CONFIRMED and before != LinkState.CONFIRMED:
        _tell_other_side(s, p, link, a, b)
    return _row(p, link, sides)


_DECIDED = {LinkState.CONFIRMED: "link.confirm", LinkState.REJECTED: "link.reject"}


def assert_link(s: Session, p: Principal, a: Endpoint, b: Endpoint, kind: str,
                note: str | None = None) -> dict[str, Any]:
    """An investigator's own word that two entities are connected: confirmed at once, with
    them as its source. One side must be their agency's; the other one they may read."""
    if kind not in ASSERTED_KINDS:
        raise TesseraError(f"kind must be one of {', '.join(ASSERTED_KINDS)}")
    if a == b:
        raise TesseraError("a link joins two different entities")
    left, right = _entity(s, p, a), _entity(s, p, b)
    target = _target(p, left, right)
    require(p, Action.LINK, target)
    note = (note or "").strip()[:2000] or None
    link = link_repo.find(s, a, b, kind)
    before = link.state if link is not None else None
    if link is None:
        link = link_repo.add(s, a, b, kind, state=LinkState.CONFIRMED.value, source="asserted",
                             score=None, evidence=[], created_by=p.actor, note=note)
    link_repo.decide(link, LinkState.CONFIRMED.value, p.actor, p.agency_id or left.owner.id,
                     note)
    audit.append(s, p.actor, "link.assert", f"link:{link.id}", agency=p.agency_code,
                 details={"kind": kind, "a": f"{a[0]}:{a[1]}", "b": f"{b[0]}:{b[1]}",
                          "before": before, "note": note})
    sides = {left.end: left, right.end: right}
    if before != LinkState.CONFIRMED:
        _tell_other_side(s, p, link, *(sides[(link.a_type, link.a_id)],
                                       sides[(link.b_type, link.b_id)]))
    return _row(p, link, sides)


def _tell_other_side(s: Session, p: Principal, link: EntityLink, a: Side, b: Side) -> None:
    """The owner of the side that is not the decider's agency learns of the confirmed link,
    naming the decider's side only where its sharing lets that agency read it."""
    decider = p.agency_id
    for mine, theirs in ((a, b), (b, a)):
        if mine.owner.id != decider or theirs.owner.id == decider:
            continue
        seen = agency_series_visibility(theirs.owner.id, *shares_of(s, mine.end))
        named = f"{mine.end[0]} '{mine.label}'" if seen >= Visibility.METADATA else \
            f"material held by {mine.owner.code}"
        made = notification_repo.add(
            s, agency_id=theirs.owner.id, from_agency_id=mine.owner.id,
            series_id=theirs.end[1] if theirs.end[0] == "series" else None, files=0,
            message=f"{mine.owner.name} ({mine.owner.code}) confirmed that your {theirs.end[0]} "
                    f"'{theirs.label}' and {named} show {kind_words(link.kind)}. "
                    f"Contact: {mine.owner.contact or 'no contact recorded'}")
        s.flush()
        audit.append(s, "system", "notification.create", f"notification:{made.id}",
                     agency=mine.owner.code,
                     details={"to_agency_id": theirs.owner.id, "link": link.id})


# --- walks -----------------------------------------------------------------------------------


class _Walk:
    """One walk's fetch: the links touching a frontier that ``p`` may see, each entity's side
    resolved once for the whole walk."""

    def __init__(self, s: Session, p: Principal, states: tuple[str, ...]) -> None:
        self.s, self.p, self.states = s, p, states
        self.sides: dict[Endpoint, Side] = {}
        self.missing: set[Endpoint] = set()

    def resolve(self, ends: Iterable[Endpoint]) -> dict[Endpoint, Side]:
        new = {e for e in ends if e not in self.sides and e not in self.missing}
        if new:
            found = sides_of(self.s, self.p, new)
            self.sides.update(found)
            self.missing |= new - found.keys()
        return self.sides

    def __call__(self, ends: set[Endpoint]) -> list[Edge]:
        rows = link_repo.edges_of(self.s, ends, self.states)
        sides = self.resolve(x for r in rows for x in ((r[1], r[2]), (r[3], r[4])))
        out = []
        for link_id, at, ai, bt, bi, kind, state in rows:
            a, b = sides.get((at, ai)), sides.get((bt, bi))
            if a is not None and b is not None and can(self.p, Action.VIEW_LINK,
                                                       _target(self.p, a, b)):
                out.append(Edge(link_id, (at, ai), (bt, bi), kind, state))
        return out


def _states(include_suggested: bool) -> tuple[str, ...]:
    return ("confirmed", "suggested") if include_suggested else ("confirmed",)


def graph(s: Session, p: Principal, start: Endpoint, depth: int = 2, *,
          include_suggested: bool = True) -> dict[str, Any]:
    """The neighbourhood of an entity to ``depth`` links: nodes (as the viewer may know them)
    and the links among them."""
    if not 1 <= depth <= 6:
        raise TesseraError("depth must be between 1 and 6")
    _entity(s, p, start)
    walk = _Walk(s, p, _states(include_suggested))
    found = neighbourhood(start, depth, walk)
    audit.append_read(s, p.actor, "link.graph", f"{start[0]}:{start[1]}",
                      agency=p.agency_code, details={"depth": depth})
    return _shaped(start, depth, found, walk)


def connected(s: Session, p: Principal, start: Endpoint) -> dict[str, Any]:
    """Everything joined to an entity by confirmed links, however far (the connected
    component, capped at ``component``'s bound), shaped as a graph."""
    _entity(s, p, start)
    walk = _Walk(s, p, ("confirmed",))
    found = component(start, walk)
    audit.append_read(s, p.actor, "link.component", f"{start[0]}:{start[1]}",
                      agency=p.agency_code, details={"nodes": len(found.depth_of)})
    return _shaped(start, max(found.depth_of.values(), default=0), found, walk)


def _shaped(start: Endpoint, depth: int, found: Neighbourhood, walk: _Walk) -> dict[str, Any]:
    sides = walk.resolve(found.depth_of)
    ends = [end for end, _ in sorted(found.depth_of.items(), key=lambda x: (x[1], x[0]))
            if end in sides]
    keys = _keys(ends, sides)
    nodes = [{"key": keys[end], "depth": found.depth_of[end], **sides[end].shown()}
             for end in ends]
    edges = [{"id": e.id, "a": keys[e.a], "b": keys[e.b],
              "kind": e.kind, "words": kind_words(e.kind), "state": e.state}
             for e in found.edges if e.a in keys and e.b in keys]
    return {"start": keys[start], "depth": depth, "nodes": nodes, "edges": edges}


def _keys(ends: list[Endpoint], sides: Mapping[Endpoint, Side]) -> dict[Endpoint, str]:
    """Each node's name in one graph: its id where readable, else a handle numbered within
    this answer only, so that no id of a hidden series leaves the server."""
    out = {}
    for n, end in enumerate(ends, 1):
        out[end] = f"{end[0]}:{end[1]}" if sides[end].visibility >= Visibility.METADATA \
            else f"held:{sides[end].owner.code}:{n}"
    return out


def path(s: Session, p: Principal, a: Endpoint, b: Endpoint) -> list[dict[str, Any]]:
    """The fewest confirmed links from one entity to another (empty when not connected)."""
    _entity(s, p, a)
    _entity(s, p, b)
    found = shortest_path(a, b, _Walk(s, p, ("confirmed",)))
    if not found:
        return []
    links = {x.id: x for x in link_repo.of_entities(
        s, [end for e in found for end in (e.a, e.b)], ("confirmed",))}
    sides = sides_of(s, p, [end for e in found for end in (e.a, e.b)])
    return [_row(p, links[e.id], sides) for e in found]
