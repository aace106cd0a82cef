"""Queries of the service's background jobs (uploads to de-conflict, and to store)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tessera.store.rows import added
from tessera.store.tables import Task


def add(s: Session, **fields: Any) -> Task:
    return added(s, Task(**fields))


def get(s: Session, task_id: int) -> Task | None:
    return s.get(Task, task_id)


def of_agency(s: Session, agency_id: int, limit: int = 50) -> list[Task]:
    """Newest first."""
    return list(s.scalars(select(Task).where(Task.agency_id == agency_id)
                          .order_by(Task.id.desc()).limit(limit)))


def in_states(s: Session, states: tuple[str, ...]) -> list[Task]:
    return list(s.scalars(select(Task).where(Task.state.in_(states)).order_by(Task.id)))


def next_queued(s: Session) -> int | None:
    """The oldest task waiting to run."""
    return s.scalar(select(Task.id).where(Task.state == "queued").order_by(Task.id).limit(1))
