"""Queries of the notifications an agency receives when its material is matched."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tessera.store.tables import Notification


def add(s: Session, **fields: Any) -> Notification:
    row = Notification(**fields)
    s.add(row)
    return row


def of_agency(s: Session, agency_id: int, unread_only: bool = False,
              limit: int = 100) -> list[Notification]:
    """Newest first."""
    q = select(Notification).where(Notification.agency_id == agency_id)
    if unread_only:
        q = q.where(Notification.read_at.is_(None))
    return list(s.scalars(q.order_by(Notification.id.desc()).limit(limit)))


def unread_count(s: Session, agency_id: int) -> int:
    return s.scalar(select(func.count()).select_from(Notification).where(
        Notification.agency_id == agency_id, Notification.read_at.is_(None))) or 0


def get(s: Session, notification_id: int) -> Notification | None:
    return s.get(Notification, notification_id)
