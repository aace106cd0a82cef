"""Notes between agencies: a thread on each series, person and place, read and written by
every agency that may read the entity's details. Naming an agency (``@NL``) tells it, where it
may read the entity; the owner hears of every message from another agency."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from tessera.access.policy import (
    Action,
    Principal,
    Target,
    Visibility,
    agency_series_visibility,
    can,
    require,
)
from tessera.core.errors import NotFound, TesseraError
from tessera.entities.links import Endpoint
from tessera.service.entity_kinds import Side, shares_of, sides
from tessera.store import audit, repos
from tessera.store.repos import notifications as notification_repo

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_-]{1,32})")
MAX_TEXT = 10_000


def _readable(s: Session, p: Principal, end: Endpoint) -> Side:
    """The entity, where ``p`` may read its details; else "not found" (hidden or absent)."""
    side = sides(s, p, [end]).get(end)
    if side is None or side.visibility < Visibility.METADATA:
        raise NotFound(f"no {end[0]} {end[1]}")
    return side


def thread_of(s: Session, p: Principal, end: Endpoint) -> list[dict[str, Any]]:
    _readable(s, p, end)
    return [{"id": m.id, "agency": m.agency.code, "country": m.agency.country,
             "by": m.actor, "text": m.text, "at": m.at.isoformat()}
            for m in repos.posts_of(s, end)]


def may_post(s: Session, p: Principal, end: Endpoint) -> bool:
    side = sides(s, p, [end]).get(end)
    return side is not None and can(p, Action.DISCUSS, Target(side.owner.id, side.visibility))


def post_on(s: Session, p: Principal, end: Endpoint, text: str) -> dict[str, Any]:
    side = _readable(s, p, end)
    require(p, Action.DISCUSS, Target(side.owner.id, side.visibility))
    text = text.strip()
    if not text or len(text) > MAX_TEXT:
        raise TesseraError(f"a message has 1 to {MAX_TEXT:,} characters")
    me = repos.agency_by_id(s, p.agency_id) if p.agency_id else side.owner
    row = repos.add_post(s, end, me.id, p.actor, text)
    shares = shares_of(s, end)
    told = {side.owner.id} if me.id != side.owner.id else set()
    for code in {c.upper() for c in MENTION.findall(text)}:
        agency = next((a for a in repos.list_agencies(s) if a.code.upper() == code), None)
        if agency is None or agency.id == me.id:
            continue
        if agency_series_visibility(agency.id, *shares) >= Visibility.METADATA:
            told.add(agency.id)  # an agency that may not read the entity hears nothing of it
    for agency_id in sorted(told):
        notification_repo.add(s, agency_id=agency_id, from_agency_id=me.id,
                              series_id=end[1] if end[0] == "series" else None, files=0,
                              message=f"{me.name} ({me.code}) wrote on {end[0]} "
                                      f"'{side.label}': {text[:300]}")
    audit.append(s, p.actor, f"{end[0]}.discuss", f"{end[0]}:{end[1]}", agency=me.code,
                 details={"post": row.id, "told": sorted(told)})
    return {"id": row.id, "agency": me.code, "country": me.country, "by": p.actor,
            "text": text, "at": row.at.isoformat()}


def thread(s: Session, p: Principal, series_id: int) -> list[dict[str, Any]]:
    return thread_of(s, p, ("series", series_id))


def post(s: Session, p: Principal, series_id: int, text: str) -> dict[str, Any]:
    return post_on(s, p, ("series", series_id), text)
