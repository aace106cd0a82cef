"""Access requests between agencies and the grants that answer them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tessera.store.rows import added, by_id
from tessera.store.tables import AccessRequest, Notification, Series, SeriesGrant


def add_request(s: Session, series_id: int, agency_id: int, level: str, reason: str | None,
                actor: str) -> AccessRequest:
    return added(s, AccessRequest(series_id=series_id, agency_id=agency_id, level=level,
                                  reason=reason, requested_by=actor, state="pending"))


def get_request(s: Session, request_id: int) -> AccessRequest:
    return by_id(s, AccessRequest, request_id, "access request")


def pending(s: Session, series_id: int, agency_id: int, level: str) -> AccessRequest | None:
    return s.scalar(select(AccessRequest).where(
        AccessRequest.series_id == series_id, AccessRequest.agency_id == agency_id,
        AccessRequest.level == level, AccessRequest.state == "pending"))


def requests_to(s: Session, owner_agency_id: int, limit: int = 500,
                series_id: int | None = None) -> list[AccessRequest]:
    """Requests for the series an agency owns (or one of them), pending first, newest first."""
    q = (select(AccessRequest).join(Series, Series.id == AccessRequest.series_id)
         .where(Series.owner_agency_id == owner_agency_id,
                *([AccessRequest.series_id == series_id] if series_id is not None else []))
         .options(selectinload(AccessRequest.series), selectinload(AccessRequest.agency))
         .order_by(AccessRequest.state != "pending", AccessRequest.id.desc()).limit(limit))
    return list(s.scalars(q))


def requests_from(s: Session, agency_id: int, limit: int = 500,
                  series_id: int | None = None) -> list[AccessRequest]:
    q = (select(AccessRequest).where(
        AccessRequest.agency_id == agency_id,
        *([AccessRequest.series_id == series_id] if series_id is not None else []))
         .options(selectinload(AccessRequest.series).selectinload(Series.owner))
         .order_by(AccessRequest.id.desc()).limit(limit))
    return list(s.scalars(q))


def decide(row: AccessRequest, state: str, actor: str, note: str | None) -> None:
    row.state, row.decided_by, row.note = state, actor, note
    row.decided_at = datetime.now(UTC)


def grant(s: Session, series: Series, agency_id: int, level: str, actor: str,
          request_id: int | None) -> SeriesGrant:
    row = s.get(SeriesGrant, (series.id, agency_id))
    if row is None:
        row = added(s, SeriesGrant(series_id=series.id, agency_id=agency_id, level=level,
                                   granted_by=actor, request_id=request_id))
    else:
        row.level, row.granted_by, row.request_id = level, actor, request_id
        row.at = datetime.now(UTC)
    s.refresh(series, ["grants"])
    return row


def withdraw(s: Session, series: Series, agency_id: int) -> SeriesGrant | None:
    row = s.get(SeriesGrant, (series.id, agency_id))
    if row is not None:
        s.delete(row)
        s.flush()
        s.refresh(series, ["grants"])
    return row


def series_matched_by_task(s: Session, task_id: int, owner_agency_id: int) -> list[Series]:
    """The owner's series an upload matched: those whose owner was told of the match."""
    ids = select(Notification.series_id).where(Notification.task_id == task_id,
                                               Notification.agency_id == owner_agency_id,
                                               Notification.series_id.is_not(None))
    return list(s.scalars(select(Series).where(Series.id.in_(ids)).order_by(Series.id)))
