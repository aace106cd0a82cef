"""Places as a use case: created and corrected by an investigator of the owning agency, shared
like a series (``policy.person_visibility``, the same rule), read by every agency that may, and
linked to series and persons through the connections (``service.links``). Each act audited."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tessera.access.policy import (
    Action,
    Principal,
    Target,
    Visibility,
    can,
    parse_sharing,
    person_visibility,
    require,
)
from tessera.core.errors import Conflict, NotFound
from tessera.entities.places import country_name, place_fields
from tessera.store import audit, repos
from tessera.store.repos import places as place_repo

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tessera.store.tables import Place

FIELDS = ("label", "country", "region", "lat", "lon", "radius_m", "clues")


def place_target(p: Principal, x: Place) -> Target:
    return Target(x.owner_agency_id, person_visibility(p, x.owner_agency_id, x.sharing))


def _place(s: Session, p: Principal, place_id: int, action: Action) -> Place:
    try:
        x = place_repo.get_place(s, place_id)
    except NotFound:
        raise NotFound(f"no place {place_id}") from None
    target = place_target(p, x)
    require(p, Action.VIEW_PLACE, target, hide=True)
    require(p, action, target)
    return x


def place_row(p: Principal, x: Place) -> dict[str, Any]:
    target = place_target(p, x)
    own = x.owner_agency_id == p.agency_id or p.operator
    return {"id": x.id, "label": x.label, "country": x.country,
            "country_name": country_name(x.country), "region": x.region, "lat": x.lat,
            "lon": x.lon, "radius_m": x.radius_m, "clues": x.clues, "owner": x.owner.code,
            "owner_name": x.owner.name, "contact": x.owner.contact,
            "sharing": x.sharing if own else None, "created_by": x.created_by,
            "created_at": x.created_at.isoformat(),
            "can_edit": can(p, Action.EDIT_PLACE, target),
            "can_share": can(p, Action.SHARE_PLACE, target)}


def list_places(s: Session, p: Principal) -> list[dict[str, Any]]:
    """Every place whose details ``p`` may read; a hash-only one of another agency is absent
    (it shows only where it is linked, as "held by" its owner)."""
    return [place_row(p, x) for x in place_repo.list_places(s)
            if place_target(p, x).visibility >= Visibility.METADATA]


def place_detail(s: Session, p: Principal, place_id: int) -> dict[str, Any]:
    x = _place(s, p, place_id, Action.VIEW_PLACE)
    audit.append_read(s, p.actor, "place.view", f"place:{x.id}", agency=p.agency_code)
    return place_row(p, x)


def create_place(s: Session, p: Principal, label: str, *, sharing: str | None = None,
                 **given: Any) -> dict[str, Any]:
    agency = repos.agency_by_id(s, p.agency_id)
    require(p, Action.EDIT_PLACE, Target(agency.id))
    fields = place_fields(label, **given)
    if place_repo.find_place(s, agency.id, fields.label) is not None:
        raise Conflict(f"{agency.code} already has a place named {fields.label!r}")
    x = place_repo.add_place(s, agency.id, parse_sharing(sharing or agency.default_sharing),
                             p.actor, **{k: getattr(fields, k) for k in FIELDS})
    x.owner = agency
    audit.append(s, p.actor, "place.create", f"place:{x.id}", agency=agency.code,
                 details={"label": x.label, "country": x.country, "sharing": x.sharing})
    return place_row(p, x)


def edit_place(s: Session, p: Principal, place_id: int, **given: Any) -> dict[str, Any]:
    """Correct a place: the fields given replace the old ones (the audit trail keeps both)."""
    x = _place(s, p, place_id, Action.EDIT_PLACE)
    before = {k: getattr(x, k) for k in FIELDS}
    merged = {**before, **{k: v for k, v in given.items() if k in FIELDS}}
    fields = place_fields(merged.pop("label"), **merged)
    other = place_repo.find_place(s, x.owner_agency_id, fields.label)
    if other is not None and other.id != x.id:
        raise Conflict(f"{x.owner.code} already has a place named {fields.label!r}")
    for k in FIELDS:
        setattr(x, k, getattr(fields, k))
    x.updated_at = datetime.now(UTC)
    after = {k: getattr(x, k) for k in FIELDS}
    audit.append(s, p.actor, "place.edit", f"place:{x.id}", agency=x.owner.code,
                 details={"before": {k: v for k, v in before.items() if after[k] != v},
                          "after": {k: v for k, v in after.items() if before[k] != v}})
    return place_row(p, x)


def share_place(s: Session, p: Principal, place_id: int, sharing: str) -> dict[str, Any]:
    x = _place(s, p, place_id, Action.SHARE_PLACE)
    before, x.sharing = x.sharing, parse_sharing(sharing)
    audit.append(s, p.actor, "place.share", f"place:{x.id}", agency=x.owner.code,
                 details={"before": before, "after": x.sharing})
    return place_row(p, x)
