"""Queries of places."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tessera.store.rows import added, by_id
from tessera.store.tables import Place


def add_place(s: Session, owner_agency_id: int, sharing: str, created_by: str,
              **fields: Any) -> Place:
    return added(s, Place(owner_agency_id=owner_agency_id, sharing=sharing,
                          created_by=created_by, **fields))


def get_place(s: Session, place_id: int) -> Place:
    return by_id(s, Place, place_id, "place")


def find_place(s: Session, owner_agency_id: int, label: str) -> Place | None:
    return s.scalar(select(Place).where(Place.owner_agency_id == owner_agency_id,
                                        Place.label == label))


def list_places(s: Session) -> Sequence[Place]:
    return s.scalars(select(Place).options(selectinload(Place.owner))
                     .order_by(Place.label, Place.id)).all()


def places_by_ids(s: Session, ids: Iterable[int]) -> dict[int, Place]:
    wanted, out = sorted(set(ids)), {}
    for start in range(0, len(wanted), 500):
        out.update({x.id: x for x in s.scalars(
            select(Place).where(Place.id.in_(wanted[start:start + 500]))
            .options(selectinload(Place.owner)))})
    return out
