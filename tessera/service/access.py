"""Access requests: "DE asks AU for metadata access to Series Harbour". An agency may ask for
more of a series it knows of (one whose details it reads, or one a match of its own files told
it is held by the owner); the owner's agency admin grants or refuses it in one click, the
grant being for that agency alone. Both sides are told, and every step is audited.

A requester learns nothing from asking: a series it may not read stays "held by AU" in what it
is shown, by name only once a grant lets it read the details."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tessera.access.policy import (
    Action,
    Principal,
    Sharing,
    Target,
    Visibility,
    agency_series_visibility,
    can,
    parse_sharing,
    request_target,
    require,
)
from tessera.core.errors import NotFound, TesseraError
from tessera.service.notifications import notify
from tessera.service.views import get_series, media_target, series_target
from tessera.store import audit, repos
from tessera.store.repos import access as access_repo
from tessera.store.repos import tasks as task_repo

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tessera.store.tables import AccessRequest, Agency, Series

ASKABLE = {Sharing.METADATA.value: Visibility.METADATA, Sharing.FULL.value: Visibility.FULL}
MAX_REASON = 2_000


def request_access(s: Session, p: Principal, series_id: int, level: str,
                   reason: str | None = None) -> dict[str, Any]:
    """Ask the owner of a series for ``level`` (metadata or full) for one's agency."""
    x = repos.series_by_id(s, series_id)
    seen = _seen(p, x)
    matched = p.agency_id in repos.agencies_that_matched(s, x)
    require(p, Action.REQUEST_ACCESS, request_target(p, x.owner_agency_id, seen, matched),
            hide=seen < Visibility.METADATA and not matched)
    return _ask(s, p, x, seen, level, reason)


def request_access_for_media(s: Session, p: Principal, media_id: int, level: str,
                             reason: str | None = None) -> list[dict[str, Any]]:
    """Ask every other agency whose series holds this file (one's own submission, or one whose
    details one reads): the way to ask about a series known only as "held by AU"."""
    require(p, Action.VIEW_MEDIA, media_target(s, p, media_id), hide=True)
    asked = []
    for x in repos.series_for_media(s, [media_id]).get(media_id, []):
        seen = _seen(p, x)
        if x.owner_agency_id == p.agency_id or seen >= _level(level):
            continue
        require(p, Action.REQUEST_ACCESS, request_target(p, x.owner_agency_id, seen, True))
        asked.append(_ask(s, p, x, seen, level, reason))
    if not asked:
        raise TesseraError("no other agency holds this file in a series you see less of")
    return asked


def request_access_for_job(s: Session, p: Principal, job_id: int, owner: str, level: str,
                           reason: str | None = None) -> list[dict[str, Any]]:
    """Ask an agency for the series one's upload matched, known from its report only as
    "held by AU": the way to ask without learning which series it is first."""
    task = task_repo.get(s, job_id)
    if task is None:
        raise NotFound(f"no job {job_id}")
    require(p, Action.VIEW_JOB, Target(task.agency_id), hide=True)  # another agency's
    holder = repos.get_agency(s, owner)
    asked = []
    for x in access_repo.series_matched_by_task(s, task.id, holder.id):
        seen = _seen(p, x)
        if seen < _level(level):
            require(p, Action.REQUEST_ACCESS, request_target(p, x.owner_agency_id, seen, True))
            asked.append(_ask(s, p, x, seen, level, reason))
    if not asked:
        raise TesseraError(f"this upload matched no series of {holder.code} that you see "
                           f"less of than {level}")
    return asked


def _seen(p: Principal, x: Series) -> Visibility:
    """What the asking agency sees (the console's operator asks for an agency, as it)."""
    return agency_series_visibility(p.agency_id, *x.shares)


def _level(level: str) -> Visibility:
    wanted = parse_sharing(level)
    if wanted not in ASKABLE:
        raise TesseraError("ask for metadata or full access")
    return ASKABLE[wanted]


def _ask(s: Session, p: Principal, x: Series, seen: Visibility, level: str,
         reason: str | None) -> dict[str, Any]:
    if seen >= _level(level):
        raise TesseraError(f"your agency already sees this series at {level} or more")
    reason = (reason or "").strip() or None
    if reason and len(reason) > MAX_REASON:
        raise TesseraError(f"a reason has at most {MAX_REASON:,} characters")
    me = repos.agency_by_id(s, p.agency_id)
    row = access_repo.pending(s, x.id, me.id, level)
    if row is None:
        row = access_repo.add_request(s, x.id, me.id, level, reason, p.actor)
        audit.append(s, p.actor, "access.request", f"series:{x.id}", agency=me.code,
                     details={"request": row.id, "level": level})
        why = f" Reason: {reason}" if reason else ""
        notify(s, to_agency_id=x.owner_agency_id, sender=me, series_id=x.id,
               message=f"{me.name} ({me.code}) asks for {level} access to your series "
                       f"'{x.name}'.{why} Contact: {me.contact or 'no contact recorded'}",
               details={"access_request": row.id})
    return request_row(p, row)


def decide_request(s: Session, p: Principal, request_id: int, grant: bool,
                   note: str | None = None) -> dict[str, Any]:
    """Grant (for the asking agency alone) or refuse; a decided request stays decided."""
    row = access_repo.get_request(s, request_id)
    x = row.series
    if x.owner_agency_id != p.agency_id and not p.operator:
        raise NotFound("not found")  # another agency's request is none of one's business
    require(p, Action.SHARE_SERIES, series_target(p, x))
    if row.state != "pending":
        raise TesseraError(f"this request was already {row.state}")
    note = (note or "").strip() or None
    access_repo.decide(row, "granted" if grant else "refused", p.actor, note)
    if grant:
        held = x.shares[2].get(row.agency_id)
        level = row.level if held not in ASKABLE or ASKABLE[held] < ASKABLE[row.level] \
            else held
        access_repo.grant(s, x, row.agency_id, level, p.actor, row.id)
    owner = x.owner
    audit.append(s, p.actor, "access.grant" if grant else "access.refuse",
                 f"series:{x.id}", agency=owner.code,
                 details={"request": row.id, "to_agency_id": row.agency_id, "level": row.level})
    _tell_requester(s, row, x, owner, note)
    return request_row(p, row)


def _tell_requester(s: Session, row: AccessRequest, x: Series, owner: Agency,
                    note: str | None) -> None:
    reads = agency_series_visibility(row.agency_id, *x.shares) >= Visibility.METADATA
    named = f"series '{x.name}'" if reads else f"material held by {owner.code}"
    said = "granted" if row.state == "granted" else "refused"
    why = f" Note: {note}" if note else ""
    notify(s, to_agency_id=row.agency_id, sender=owner, series_id=x.id if reads else None,
           message=f"{owner.name} ({owner.code}) {said} your request for {row.level} access "
                   f"to {named}.{why} Contact: {owner.contact or 'no contact recorded'}",
           details={"access_request": row.id, "state": row.state})


def withdraw_grant(s: Session, p: Principal, series_id: int, agency_code: str) -> None:
    """Take back what was granted: the agency sees the series at its sharing level again."""
    x = get_series(s, p, series_id)
    require(p, Action.SHARE_SERIES, series_target(p, x))
    agency = repos.get_agency(s, agency_code)
    if access_repo.withdraw(s, x, agency.id) is None:
        raise NotFound(f"{agency.code} holds no grant on this series")
    audit.append(s, p.actor, "access.withdraw", f"series:{x.id}", agency=x.owner.code,
                 details={"to_agency_id": agency.id})


def requests_of(s: Session, p: Principal) -> dict[str, list[dict[str, Any]]]:
    """What one's agency was asked (for its series) and what it asked others."""
    mine = p.agency_id
    return {"incoming": [request_row(p, r) for r in access_repo.requests_to(s, mine)],
            "outgoing": [request_row(p, r) for r in access_repo.requests_from(s, mine)]}


def requests_for_series(s: Session, p: Principal, series_id: int) -> list[dict[str, Any]]:
    """On a series page: to its owner, what others asked of it; to another agency, what it
    asked itself."""
    x = get_series(s, p, series_id)
    rows = access_repo.requests_to(s, x.owner_agency_id, series_id=x.id) \
        if x.owner_agency_id == p.agency_id else \
        access_repo.requests_from(s, p.agency_id, series_id=x.id)
    return [request_row(p, r) for r in rows]


def grants_of(s: Session, p: Principal, series_id: int) -> list[dict[str, Any]]:
    x = get_series(s, p, series_id)
    if x.owner_agency_id != p.agency_id and not p.operator:
        return []
    return [{"agency": repos.agency_by_id(s, g.agency_id).code, "level": g.level,
             "granted_by": g.granted_by, "at": g.at.isoformat()} for g in x.grants]


def request_row(p: Principal, row: AccessRequest) -> dict[str, Any]:
    """A request as ``p`` may read it: the series by name only where ``p`` reads it."""
    x = row.series
    reads = _seen(p, x) >= Visibility.METADATA
    return {"id": row.id, "series_id": x.id if reads else None,
            "series": x.name if reads else None, "owner": x.owner.code,
            "agency": row.agency.code, "level": row.level, "state": row.state,
            "reason": row.reason, "requested_by": row.requested_by,
            "created_at": row.created_at.isoformat(), "decided_by": row.decided_by,
            "decided_at": row.decided_at.isoformat() if row.decided_at else None,
            "note": row.note,
            "can_decide": row.state == "pending" and x.owner_agency_id == p.agency_id
            and can(p, Action.SHARE_SERIES, series_target(p, x))}
