"""Facts of media that link files across series without comparing pixels: the camera (by serial)
and the GPS position, kept in indexed rows beside the metadata they come from."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from tessera.media.metadata import device_of, position_of
from tessera.store.tables import Device, MediaDevice, MediaPosition

EARTH_RADIUS_M = 6_371_000.0


def record_facts(s: Session, media_id: int, meta: dict[str, Any] | None) -> None:
    """The device and position of a newly stored media (nothing when its metadata has none)."""
    meta = meta or {}
    key = device_of(meta)
    if key is not None and s.get(MediaDevice, media_id) is None:
        device = s.scalar(select(Device).where(Device.make == key[0], Device.model == key[1],
                                               Device.serial == key[2]))
        if device is None:
            device = Device(make=key[0], model=key[1], serial=key[2])
            s.add(device)
            s.flush()
        s.add(MediaDevice(media_id=media_id, device_id=device.id))
    where = position_of(meta)
    if where is not None and s.get(MediaPosition, media_id) is None:
        s.add(MediaPosition(media_id=media_id, lat=where[0], lon=where[1], alt=where[2]))


@dataclass(frozen=True, slots=True)
class SharedDevice:
    media_id: int  # one of the media asked about
    other_media_id: int  # another media made by the same device
    device_id: int
    make: str
    model: str
    serial: str


def same_device(s: Session, media_ids: Iterable[int], limit: int = 10_000) -> list[SharedDevice]:
    """Other media made by the device of each of ``media_ids`` (one indexed join)."""
    ids = sorted(set(media_ids))
    other = aliased(MediaDevice)
    out: list[SharedDevice] = []
    for start in range(0, len(ids), 500):
        rows = s.execute(
            select(MediaDevice.media_id, other.media_id, Device.id, Device.make, Device.model,
                   Device.serial)
            .join(other, and_(other.device_id == MediaDevice.device_id,
                              other.media_id != MediaDevice.media_id))
            .join(Device, Device.id == MediaDevice.device_id)
            .where(MediaDevice.media_id.in_(ids[start:start + 500]))
            .order_by(MediaDevice.media_id, other.media_id).limit(limit)).all()
        out.extend(SharedDevice(*row) for row in rows)
    return out


def devices_of(s: Session, media_ids: Iterable[int]) -> dict[int, Device]:
    rows = s.execute(select(MediaDevice.media_id, Device)
                     .join(Device, Device.id == MediaDevice.device_id)
                     .where(MediaDevice.media_id.in_(list(set(media_ids))))).all()
    return {int(m): d for m, d in rows}


def positions_of(s: Session, media_ids: Iterable[int]) -> dict[int, MediaPosition]:
    rows = s.scalars(select(MediaPosition)
                     .where(MediaPosition.media_id.in_(list(set(media_ids))))).all()
    return {p.media_id: p for p in rows}


def metres_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine) between two (lat, lon) in degrees."""
    la1, lo1, la2, lo2 = (math.radians(x) for x in (*a, *b))
    h = math.sin((la2 - la1) / 2) ** 2 + \
        math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True, slots=True)
class NearPosition:
    media_id: int
    other_media_id: int
    metres: float
    lat: float  # of ``media_id``
    lon: float


def near_positions(s: Session, media_ids: Iterable[int], radius_m: float,
                   limit: int = 1_000) -> list[NearPosition]:
    """Other media made within ``radius_m`` of each of ``media_ids``: a latitude band from the
    index, then the exact distance."""
    out: list[NearPosition] = []
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    for here in positions_of(s, media_ids).values():
        cos = max(math.cos(math.radians(here.lat)), 1e-6)
        dlon = min(180.0, dlat / cos)
        rows = s.execute(select(MediaPosition.media_id, MediaPosition.lat, MediaPosition.lon)
                         .where(MediaPosition.lat.between(here.lat - dlat, here.lat + dlat),
                                MediaPosition.media_id != here.media_id)
                         .limit(limit * 4)).all()
        for other, lat, lon in rows:
            if abs(lon - here.lon) > dlon and abs(abs(lon - here.lon) - 360) > dlon:
                continue
            metres = metres_between((here.lat, here.lon), (lat, lon))
            if metres <= radius_m:
                out.append(NearPosition(here.media_id, int(other), metres, here.lat, here.lon))
    return out
