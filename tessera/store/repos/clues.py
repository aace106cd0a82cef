"""Queries of clues."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tessera.store.rows import added, by_id
from tessera.store.tables import Clue


def add_clue(s: Session, **fields: Any) -> Clue:
    return added(s, Clue(**fields))


def get_clue(s: Session, clue_id: int) -> Clue:
    return by_id(s, Clue, clue_id, "clue")


def clues_of_media(s: Session, media_id: int) -> list[Clue]:
    return list(s.scalars(select(Clue).where(Clue.media_id == media_id)
                          .options(selectinload(Clue.owner)).order_by(Clue.id)))


def clues_by_ids(s: Session, ids: Iterable[int]) -> dict[int, Clue]:
    wanted, out = sorted(set(ids)), {}
    for start in range(0, len(wanted), 500):
        out.update({x.id: x for x in s.scalars(
            select(Clue).where(Clue.id.in_(wanted[start:start + 500]))
            .options(selectinload(Clue.owner)))})
    return out
