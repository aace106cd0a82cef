"""Counts for the statistics: identification steps, de-conflicted files, and matches that
spared an agency the triage of material another already knew."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, String, cast, func, select
from sqlalchemy.orm import Session

from tessera.store.tables import Agency, Notification, Series, StatusChange, Task

S = TypeVar("S", bound=Select)


def _period(q: S, column: Any, since: datetime | None, until: datetime | None) -> S:
    if since is not None:
        q = q.where(column >= since)
    if until is not None:
        q = q.where(column < until)
    return q


def status_steps(s: Session, since: datetime | None,
                 until: datetime | None) -> list[tuple[int, str, str, int]]:
    """(agency id, subject, status reached, how many times) in the period."""
    q = select(StatusChange.agency_id, StatusChange.subject, StatusChange.after, func.count()) \
        .group_by(StatusChange.agency_id, StatusChange.subject, StatusChange.after)
    return [(a, subject, after, n) for a, subject, after, n in
            s.execute(_period(q, StatusChange.at, since, until))]


def status_days(s: Session, since: datetime | None, until: datetime | None,
                statuses: tuple[str, ...]) -> list[tuple[str, int]]:
    """(day, victims reaching one of ``statuses``) for each day with any."""
    day = func.substr(cast(StatusChange.at, String), 1, 10)
    q = select(day, func.count()).where(StatusChange.subject == "victim",
                                        StatusChange.after.in_(statuses)).group_by(day)
    return sorted((str(d), int(n)) for d, n in s.execute(_period(q, StatusChange.at, since,
                                                                 until)))


def current_statuses(s: Session) -> list[tuple[int, str, str, int]]:
    """(owner agency id, victim status, offender status, series) as the series stand now."""
    q = select(Series.owner_agency_id, Series.victim_status, Series.offender_status,
               func.count()).group_by(Series.owner_agency_id, Series.victim_status,
                                      Series.offender_status)
    return [(a, v, o, n) for a, v, o, n in s.execute(q)]


def deconflicted_files(s: Session, since: datetime | None,
                       until: datetime | None) -> dict[int, int]:
    """Files each agency's finished de-confliction jobs checked in the period."""
    q = select(Task.agency_id, func.coalesce(func.sum(Task.done), 0)) \
        .where(Task.state == "done").group_by(Task.agency_id)
    return {a: int(n) for a, n in s.execute(_period(q, Task.finished_at, since, until))}


def spared_files(s: Session, since: datetime | None, until: datetime | None) -> dict[int, int]:
    """Files of each agency's uploads that matched another agency's material: known already,
    so the uploader need not triage them again (counted once per owner told)."""
    q = select(Notification.from_agency_id, func.coalesce(func.sum(Notification.files), 0)) \
        .where(Notification.task_id.is_not(None)).group_by(Notification.from_agency_id)
    return {a: int(n) for a, n in s.execute(_period(q, Notification.created_at, since, until))}


def agencies(s: Session) -> dict[int, Agency]:
    return {a.id: a for a in s.scalars(select(Agency))}
