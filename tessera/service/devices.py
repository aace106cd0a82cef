"""Devices: a camera or phone known by the serial number in its files' metadata. A device is
no agency's: a reader learns of it through a file whose details they may read, and of the
series it shot as far as each series' sharing allows ("held by AU" otherwise)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tessera.access.policy import Visibility, media_visibility, series_visibility
from tessera.core.errors import NotFound
from tessera.store import audit, repos
from tessera.store.repos import facts

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tessera.access.policy import Principal


def device_detail(s: Session, p: Principal, device_id: int) -> dict[str, Any]:
    try:
        device = facts.get_device(s, device_id)
    except NotFound:
        raise NotFound(f"no device {device_id}") from None
    media = facts.media_of_device(s, device.id)
    owners = repos.media_owners(s, media)
    series_of = repos.series_for_media(s, media)
    readable = [m for m in media if media_visibility(
        p, [a.id for a in owners.get(m, [])], [x.shares for x in series_of.get(m, [])])
        >= Visibility.METADATA]
    if not readable:
        raise NotFound(f"no device {device_id}")  # known only to those who may read a file
    series: dict[str, dict[str, Any]] = {}
    for m in media:
        for x in series_of.get(m, []):
            open_ = series_visibility(p, *x.shares) >= Visibility.METADATA
            key = f"series:{x.id}" if open_ else f"held:{x.owner.code}"
            row = series.setdefault(key, {  # a hidden series: who holds it, never how much
                "id": x.id if open_ else None, "name": x.name if open_ else None,
                "agency": x.owner.code, "contact": x.owner.contact,
                "words": x.name if open_ else f"held by {x.owner.code}",
                "files": 0 if open_ else None})
            if open_:
                row["files"] += 1
    audit.append_read(s, p.actor, "device.view", f"device:{device.id}", agency=p.agency_code)
    return {"id": device.id, "make": device.make, "model": device.model,
            "serial": device.serial, "files": len(readable), "readable_media": readable[:200],
            "series": sorted(series.values(), key=lambda r: (-(r["files"] or 0), r["words"]))}


def devices_of_media(s: Session, media_id: int) -> list[dict[str, Any]]:
    """The device a file was made with (for its page, whose reader may read its details)."""
    found = facts.devices_of(s, [media_id]).get(media_id)
    return [] if found is None else [{"id": found.id, "make": found.make,
                                      "model": found.model, "serial": found.serial}]
