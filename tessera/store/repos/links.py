"""Links between entities: one row per (pair, kind), endpoints in one order."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from tessera.store.rows import by_id
from tessera.store.tables import EntityLink

Endpoint = tuple[str, int]  # (entity type, id): ("series", 4)


def ordered(a: Endpoint, b: Endpoint) -> tuple[Endpoint, Endpoint]:
    return (a, b) if a <= b else (b, a)


def find(s: Session, a: Endpoint, b: Endpoint, kind: str) -> EntityLink | None:
    (at, ai), (bt, bi) = ordered(a, b)
    return s.scalar(select(EntityLink).where(EntityLink.a_type == at, EntityLink.a_id == ai,
                                             EntityLink.b_type == bt, EntityLink.b_id == bi,
                                             EntityLink.kind == kind))


def add(s: Session, a: Endpoint, b: Endpoint, kind: str, *, state: str, source: str,
        score: float | None, evidence: list[dict[str, Any]], created_by: str,
        note: str | None = None) -> EntityLink:
    (at, ai), (bt, bi) = ordered(a, b)
    row = EntityLink(a_type=at, a_id=ai, b_type=bt, b_id=bi, kind=kind, state=state,
                     source=source, score=score, evidence=evidence, note=note,
                     created_by=created_by)
    s.add(row)
    s.flush()
    return row


def get(s: Session, link_id: int) -> EntityLink:
    return by_id(s, EntityLink, link_id, "link")


def decide(row: EntityLink, state: str, actor: str, agency_id: int | None,
           note: str | None) -> None:
    row.state, row.decided_by, row.decided_agency_id = state, actor, agency_id
    row.decided_at = datetime.now(UTC)
    if note:
        row.note = note


def _touching(columns: Sequence[Any], ends: Iterable[Endpoint], states: Sequence[str]
              ) -> list[Any]:
    """Statements for the links touching ``ends``: one per side, entity type and chunk, each
    an equality on the type and an IN on ids, so that the a-side uses the pair's unique index
    and the b-side ``ix_entity_link_b`` (a row-value IN under an OR made SQLite scan)."""
    by_type: dict[str, list[int]] = {}
    for kind, entity_id in set(ends):
        by_type.setdefault(kind, []).append(entity_id)
    out = []
    for kind, ids in sorted(by_type.items()):
        ids.sort()
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for type_col, id_col in ((EntityLink.a_type, EntityLink.a_id),
                                     (EntityLink.b_type, EntityLink.b_id)):
                out.append(select(*columns).where(type_col == kind, id_col.in_(chunk),
                                                  EntityLink.state.in_(list(states))))
    return out


def of_entities(s: Session, ends: Iterable[Endpoint],
                states: Sequence[str] = ("suggested", "confirmed", "rejected")
                ) -> list[EntityLink]:
    """Every link touching any of ``ends`` in one of ``states``, oldest first."""
    out: dict[int, EntityLink] = {}
    for q in _touching([EntityLink], ends, states):
        out.update({r.id: r for r in s.scalars(q)})
    return sorted(out.values(), key=lambda r: r.id)


EdgeRow = tuple[int, str, int, str, int, str, str]  # id, a type, a id, b type, b id, kind, state


def edges_of(s: Session, ends: Iterable[Endpoint], states: Sequence[str]) -> list[EdgeRow]:
    """The same links as ``of_entities``, as plain rows without their evidence: what a walk
    over the graph needs, hundreds at a time."""
    columns = [EntityLink.id, EntityLink.a_type, EntityLink.a_id, EntityLink.b_type,
               EntityLink.b_id, EntityLink.kind, EntityLink.state]
    out: dict[int, EdgeRow] = {}
    for q in _touching(columns, ends, states):
        out.update({r[0]: tuple(r) for r in s.execute(q)})
    return [out[k] for k in sorted(out)]


def of_kind_between(s: Session, pairs: Iterable[tuple[Endpoint, Endpoint, str]]
                    ) -> dict[tuple[Endpoint, Endpoint, str], EntityLink]:
    """The existing rows of some (a, b, kind), keyed in stored order."""
    wanted = {(*ordered(a, b), kind) for a, b, kind in pairs}
    out: dict[tuple[Endpoint, Endpoint, str], EntityLink] = {}
    items = sorted(wanted)
    for start in range(0, len(items), 200):
        conditions = [and_(EntityLink.a_type == a[0], EntityLink.a_id == a[1],
                           EntityLink.b_type == b[0], EntityLink.b_id == b[1],
                           EntityLink.kind == kind) for a, b, kind in items[start:start + 200]]
        for r in s.scalars(select(EntityLink).where(or_(*conditions))).all():
            out[((r.a_type, r.a_id), (r.b_type, r.b_id), r.kind)] = r
    return out
