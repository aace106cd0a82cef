"""Notes between agencies: a thread on each series, read and written by every agency that may
read the series' details. Naming an agency (``@NL``) tells it, where it may read the series;
the owner hears of every message from another agency."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from tessera.access.policy import (
    Action,
    Principal,
    Visibility,
    agency_series_visibility,
    require,
)
from tessera.core.errors import TesseraError
from tessera.service.views import get_series, series_target
from tessera.store import audit, repos
from tessera.store.repos import notifications as notification_repo

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_-]{1,32})")
MAX_TEXT = 10_000


def thread(s: Session, p: Principal, series_id: int) -> list[dict[str, Any]]:
    x = get_series(s, p, series_id)  # hidden: "not found"
    return [{"id": m.id, "agency": m.agency.code, "country": m.agency.country,
             "by": m.actor, "text": m.text, "at": m.at.isoformat()}
            for m in repos.posts_of(s, x.id)]


def post(s: Session, p: Principal, series_id: int, text: str) -> dict[str, Any]:
    x = get_series(s, p, series_id)
    require(p, Action.DISCUSS, series_target(p, x))
    text = text.strip()
    if not text or len(text) > MAX_TEXT:
        raise TesseraError(f"a message has 1 to {MAX_TEXT:,} characters")
    me = repos.agency_by_id(s, p.agency_id) if p.agency_id else x.owner
    row = repos.add_post(s, x.id, me.id, p.actor, text)
    told = {x.owner_agency_id} if me.id != x.owner_agency_id else set()
    for code in {c.upper() for c in MENTION.findall(text)}:
        agency = next((a for a in repos.list_agencies(s) if a.code.upper() == code), None)
        if agency is None or agency.id == me.id:
            continue
        if agency_series_visibility(agency.id, *x.shares) >= Visibility.METADATA:
            told.add(agency.id)  # an agency that may not read the series hears nothing of it
    for agency_id in sorted(told):
        notification_repo.add(s, agency_id=agency_id, from_agency_id=me.id, series_id=x.id,
                              files=0, message=f"{me.name} ({me.code}) wrote on series "
                                               f"'{x.name}': {text[:300]}")
    audit.append(s, p.actor, "series.discuss", f"series:{x.id}", agency=me.code,
                 details={"post": row.id, "told": sorted(told)})
    return {"id": row.id, "agency": me.code, "country": me.country, "by": p.actor,
            "text": text, "at": row.at.isoformat()}
