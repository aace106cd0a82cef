"""Facts of media that link files across series without comparing pixels: the camera (by serial)
and the GPS position, kept in indexed rows beside the metadata they come from."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tessera.media.metadata import device_of, position_of
from tessera.store.rows import by_id
from tessera.store.tables import Device, MediaDevice, MediaPosition, Place

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


def media_by_device(s: Session, keys: Iterable[tuple[str, str, str]], limit: int = 10_000
                    ) -> dict[tuple[str, str, str], list[int]]:
    """(make, model, serial) → the media made by that device (indexed on serial)."""
    wanted = set(keys)
    out: dict[tuple[str, str, str], list[int]] = {}
    serials = sorted({k[2] for k in wanted})
    for start in range(0, len(serials), 500):
        rows = s.execute(select(Device.make, Device.model, Device.serial, MediaDevice.media_id)
                         .join(MediaDevice, MediaDevice.device_id == Device.id)
                         .where(Device.serial.in_(serials[start:start + 500]))
                         .order_by(MediaDevice.media_id).limit(limit)).all()
        for make, model, serial, media_id in rows:
            if (make, model, serial) in wanted:
                out.setdefault((make, model, serial), []).append(int(media_id))
    return out


def devices_of(s: Session, media_ids: Iterable[int]) -> dict[int, Device]:
    rows = s.execute(select(MediaDevice.media_id, Device)
                     .join(Device, Device.id == MediaDevice.device_id)
                     .where(MediaDevice.media_id.in_(list(set(media_ids))))).all()
    return {int(m): d for m, d in rows}


def get_device(s: Session, device_id: int) -> Device:
    return by_id(s, Device, device_id, "device")


def devices_by_serial(s: Session, serial: str) -> list[Device]:
    return list(s.scalars(select(Device).where(Device.serial == serial).order_by(Device.id)))


def media_of_device(s: Session, device_id: int, limit: int = 10_000) -> list[int]:
    return [int(m) for m in s.scalars(select(MediaDevice.media_id)
                                      .where(MediaDevice.device_id == device_id)
                                      .order_by(MediaDevice.media_id).limit(limit))]


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


def media_near(s: Session, lat: float, lon: float, radius_m: float,
               limit: int = 1_000) -> list[tuple[int, float]]:
    """(media id, metres) of media made within ``radius_m`` of a point, nearest first: a
    latitude band from the index, then the exact distance."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    dlon = min(180.0, dlat / max(math.cos(math.radians(lat)), 1e-6))
    rows = s.execute(select(MediaPosition.media_id, MediaPosition.lat, MediaPosition.lon)
                     .where(MediaPosition.lat.between(lat - dlat, lat + dlat))
                     .limit(limit * 4)).all()
    out = []
    for media_id, there_lat, there_lon in rows:
        gap = abs(there_lon - lon)
        if min(gap, 360 - gap) > dlon:
            continue
        metres = metres_between((lat, lon), (there_lat, there_lon))
        if metres <= radius_m:
            out.append((int(media_id), metres))
    return sorted(out, key=lambda x: (x[1], x[0]))[:limit]


def places_around(s: Session, lat: float, lon: float, widest_m: float, slack_m: float
                  ) -> list[tuple[int, float, float]]:
    """(place id, metres, radius) of the places whose point ± radius (+ ``slack_m``, for the
    position's own error) covers this position; places wider than ``widest_m`` are left out."""
    reach = widest_m + slack_m
    dlat = math.degrees(reach / EARTH_RADIUS_M)
    dlon = min(180.0, dlat / max(math.cos(math.radians(lat)), 1e-6))
    rows = s.execute(select(Place.id, Place.lat, Place.lon, Place.radius_m)
                     .where(Place.lat.between(lat - dlat, lat + dlat),
                            Place.radius_m.is_not(None), Place.radius_m <= widest_m)).all()
    out = []
    for place_id, there_lat, there_lon, radius in rows:
        if there_lat is None or there_lon is None or radius is None:
            continue
        gap = abs(there_lon - lon)
        if min(gap, 360 - gap) > dlon:
            continue
        metres = metres_between((lat, lon), (there_lat, there_lon))
        if metres <= radius + slack_m:
            out.append((int(place_id), metres, float(radius)))
    return sorted(out, key=lambda x: (x[1], x[0]))
