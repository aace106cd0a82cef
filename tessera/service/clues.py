"""Clues as a use case: noted by an investigator who sees the file's pixels (or hears its
sound), owned and shared like a series but never readable further than the file; linked to
places, persons and series through the connections, discussed in a thread. Audited."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tessera.access.policy import Action, Principal, Target, Visibility, can, parse_sharing, require
from tessera.core.errors import NotFound
from tessera.entities.clues import clue_fields, clue_words
from tessera.service.entity_kinds import sides
from tessera.service.views import media_target
from tessera.store import audit, repos
from tessera.store.repos import clues as clue_repo

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tessera.store.tables import Clue


def _row(p: Principal, x: Clue, seen: Visibility) -> dict[str, Any]:
    own = p.operator or x.owner_agency_id == p.agency_id
    region = [x.x, x.y, x.w, x.h] if x.x is not None else None
    return {"id": x.id, "media_id": x.media_id, "kind": x.kind, "note": x.note,
            "words": clue_words(x.kind, x.note), "region": region, "start_s": x.start_s,
            "end_s": x.end_s, "owner": x.owner.code, "sharing": x.sharing if own else None,
            "created_by": x.created_by, "created_at": x.created_at.isoformat(),
            "can_edit": can(p, Action.EDIT_CLUE, Target(x.owner_agency_id, seen))}


def clues_of_media(s: Session, p: Principal, media_id: int) -> list[dict[str, Any]]:
    """The clues noted in a file that ``p`` may read (the file's details first)."""
    require(p, Action.VIEW_MEDIA, media_target(s, p, media_id), hide=True)
    rows = clue_repo.clues_of_media(s, media_id)
    seen = sides(s, p, [("clue", x.id) for x in rows])
    return [_row(p, x, seen[("clue", x.id)].visibility) for x in rows
            if seen[("clue", x.id)].visibility >= Visibility.METADATA]


def clue_detail(s: Session, p: Principal, clue_id: int) -> dict[str, Any]:
    side = sides(s, p, [("clue", clue_id)]).get(("clue", clue_id))
    if side is None:
        raise NotFound(f"no clue {clue_id}")
    require(p, Action.VIEW_CLUE, Target(side.owner.id, side.visibility), hide=True)
    audit.append_read(s, p.actor, "clue.view", f"clue:{clue_id}", agency=p.agency_code)
    return _row(p, clue_repo.get_clue(s, clue_id), side.visibility)


def add_clue(s: Session, p: Principal, media_id: int, kind: str, note: str, *,
             region: tuple[float, float, float, float] | None = None,
             start_s: float | None = None, end_s: float | None = None,
             sharing: str | None = None) -> dict[str, Any]:
    """A clue in a file whose pixels ``p`` may see, for ``p``'s agency."""
    target = media_target(s, p, media_id)
    require(p, Action.VIEW_MEDIA, target, hide=True)
    require(p, Action.VIEW_PIXELS, target)
    agency = repos.agency_by_id(s, p.agency_id)
    require(p, Action.EDIT_CLUE, Target(agency.id))
    fields = clue_fields(kind, note, region=region, start_s=start_s, end_s=end_s)
    x = clue_repo.add_clue(s, media_id=media_id, owner_agency_id=agency.id,
                           sharing=parse_sharing(sharing or agency.default_sharing),
                           created_by=p.actor, kind=fields.kind, note=fields.note,
                           x=fields.x, y=fields.y, w=fields.w, h=fields.h,
                           start_s=fields.start_s, end_s=fields.end_s)
    x.owner = agency
    audit.append(s, p.actor, "clue.create", f"clue:{x.id}", agency=agency.code,
                 details={"media": media_id, "kind": x.kind, "sharing": x.sharing})
    return _row(p, x, Visibility.FULL)
