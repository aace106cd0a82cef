"""When an upload matches another agency's material, that agency learns who uploaded it (agency
and case) so that the two can work together; the uploader's report names the holder's contact."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tessera.access.policy import (
    Action,
    Principal,
    Target,
    Visibility,
    agency_series_visibility,
    require,
)
from tessera.core.errors import NotFound
from tessera.core.words import file_count
from tessera.pipeline.deconflict import Matched
from tessera.store import audit, repos
from tessera.store.repos import notifications as notification_repo

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tessera.store.tables import Agency, Notification, Series, Task


def matched_media(matched: Matched) -> dict[int, set[str]]:
    """media id → paths of the upload that matched it."""
    out: dict[int, set[str]] = defaultdict(set)
    for r, hits in zip(matched.results, matched.near, strict=True):
        exact = matched.exact.get(r.digests.sha256) if r.digests else None
        if exact is not None:
            out[exact].add(r.path)
        for h in hits:
            out[h.media_id].add(r.path)
    return out


def notify_owners(s: Session, task: Task, matched: Matched) -> list[Notification]:
    paths_of = matched_media(matched)
    series_of = repos.series_for_media(s, paths_of)
    submitters = repos.media_owners(s, paths_of)
    by_series: dict[int, set[str]] = defaultdict(set)
    series_rows = {}
    by_agency: dict[int, set[str]] = defaultdict(set)  # matches outside any series
    for media_id, paths in paths_of.items():
        series = [x for x in series_of.get(media_id, []) if x.owner_agency_id != task.agency_id]
        for x in series:
            by_series[x.id] |= paths
            series_rows[x.id] = x
        if not series_of.get(media_id):
            for agency in submitters.get(media_id, []):
                if agency.id != task.agency_id:
                    by_agency[agency.id] |= paths
    sender = task.agency
    case = f", case {task.case_ref}" if task.case_ref else ""
    where = sender.code if sender.code == sender.country else f"{sender.code}, {sender.country}"
    made = []
    for series_id, paths in by_series.items():
        x = series_rows[series_id]
        made.append(notification_repo.add(
            s, agency_id=x.owner_agency_id, from_agency_id=sender.id, task_id=task.id,
            case_ref=task.case_ref, series_id=series_id, files=len(paths),
            message=f"{sender.name} ({where}{case}) uploaded "
                    f"{file_count(len(paths))} matching your series '{x.name}'. "
                    f"Contact: {sender.contact or 'no contact recorded'}"))
    for agency_id, paths in by_agency.items():
        made.append(notification_repo.add(
            s, agency_id=agency_id, from_agency_id=sender.id, task_id=task.id,
            case_ref=task.case_ref, files=len(paths),
            message=f"{sender.name} ({where}{case}) uploaded "
                    f"{file_count(len(paths))} matching media your agency submitted. "
                    f"Contact: {sender.contact or 'no contact recorded'}"))
    return _recorded(s, made, sender.code, lambda n: {"task": task.id, "files": n.files})


def notify_status_change(s: Session, p: Principal, series: Series,
                         changes: list[tuple[str, str, str]], note: str | None
                         ) -> list[Notification]:
    """Tell every agency that matched or holds the series' material, and the owner's own
    colleagues, that its victim or offender moved on. An agency learns it only where it may
    read the series' details: a series shared hash-only tells nobody outside its owner."""
    owner = series.owner
    said = "; ".join(f"{subject} {before} → {after}" for subject, before, after in changes)
    why = f" Note: {note}" if note else ""
    made = [notification_repo.add(
        s, agency_id=owner.id, from_agency_id=p.agency_id or owner.id, series_id=series.id,
        files=0,
        message=f"{p.username} set series '{series.name}': {said}.{why}")]
    for agency_id in sorted(repos.agencies_that_matched(s, series)):
        if agency_series_visibility(agency_id, *series.shares) < Visibility.METADATA:
            continue
        agency = repos.agency_by_id(s, agency_id)
        made.append(notification_repo.add(
            s, agency_id=agency.id, from_agency_id=owner.id, series_id=series.id, files=0,
            message=f"{owner.name} ({owner.code}) updated series '{series.name}', which your "
                    f"agency's material matched: {said}.{why} "
                    f"Contact: {owner.contact or 'no contact recorded'}"))
    return _recorded(s, made, owner.code, lambda n: {"series": series.id, "status": said})


def _recorded(s: Session, made: list[Notification], agency: str,
              details: Callable[[Notification], dict[str, Any]]) -> list[Notification]:
    """Each notification made, in the audit trail: to whom, and about what."""
    s.flush()
    for n in made:
        audit.append(s, "system", "notification.create", f"notification:{n.id}",
                     agency=agency, details={"to_agency_id": n.agency_id, **details(n)})
    return made


def list_notifications(s: Session, p: Principal, unread_only: bool = False,
                       limit: int = 100) -> list[Notification]:
    require(p, Action.READ_NOTIFICATIONS)
    return notification_repo.of_agency(s, p.agency_id, unread_only, limit)


def notification_rows(s: Session, p: Principal, unread_only: bool = False,
                      limit: int = 100) -> list[dict[str, Any]]:
    """The agency's notifications as the API and the pages show them, newest first."""
    return [notification_row(n) for n in list_notifications(s, p, unread_only, limit)]


def mark_all_read(s: Session, p: Principal) -> int:
    """Every unread notification of the principal's agency; returns how many."""
    require(p, Action.READ_NOTIFICATIONS)
    unread = list_notifications(s, p, unread_only=True, limit=100_000)
    now = datetime.now(UTC)
    for n in unread:
        n.read_at = now
    if unread:
        audit.append(s, p.actor, "notification.read_all", None, agency=p.agency_code,
                     details={"notifications": len(unread)})
    return len(unread)


def unread_count(s: Session, p: Principal) -> int:
    return notification_repo.unread_count(s, p.agency_id)


def mark_read(s: Session, p: Principal, notification_id: int) -> None:
    n = notification_repo.get(s, notification_id)
    if n is None:
        raise NotFound(f"no notification {notification_id}")
    require(p, Action.READ_NOTIFICATIONS, Target(n.agency_id), hide=True)
    n.read_at = n.read_at or datetime.now(UTC)
    audit.append(s, p.actor, "notification.read", f"notification:{notification_id}",
                 agency=p.agency_code)


def notification_row(n: Notification) -> dict[str, Any]:
    return {"id": n.id, "message": n.message, "from_agency": n.from_agency.code,
            "from_country": n.from_agency.country, "from_contact": n.from_agency.contact,
            "case": n.case_ref, "series_id": n.series_id, "files": n.files,
            "created_at": n.created_at.isoformat(), "read": n.read_at is not None}


def notify(s: Session, *, to_agency_id: int, sender: Agency, series_id: int | None,
           message: str, details: dict[str, Any]) -> Notification:
    """One message to an agency from another, recorded in the audit trail like every other."""
    made = notification_repo.add(s, agency_id=to_agency_id, from_agency_id=sender.id,
                                 series_id=series_id, files=0, message=message)
    return _recorded(s, [made], sender.code, lambda n: details)[0]
