"""EXIF facts investigators use to link files: camera, serial number, times and GPS position."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PIL import ExifTags, Image

_EXIF_IFD = ExifTags.IFD.Exif
_GPS_IFD = ExifTags.IFD.GPSInfo
_BASE_TAGS = {0x010F: "camera_make", 0x0110: "camera_model", 0x0131: "software", 0x0132: "datetime",
              0x0112: "orientation", 0x013B: "artist"}
_EXIF_TAGS = {0x9003: "datetime_original", 0x9004: "datetime_digitized", 0xA431: "camera_serial",
              0xA434: "lens_model", 0x9010: "offset_time", 0xA420: "image_unique_id"}


def _clean(value: Any) -> Any:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        return value.replace("\x00", "").strip() or None
    if isinstance(value, int | float):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def _degrees(dms: Any, ref: Any) -> float | None:
    try:
        d, m, s = (float(x) for x in dms)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = d + m / 60 + s / 3600
    if str(_clean(ref) or "").upper() in ("S", "W"):
        value = -value
    return round(value, 7)


def read_exif(image: Image.Image) -> dict[str, Any]:
    """Best effort: a broken EXIF block never fails the file, it just yields fewer facts."""
    out: dict[str, Any] = {}
    try:
        exif = image.getexif()
    except Exception:
        return out
    for tag, name in _BASE_TAGS.items():
        if tag in exif and (v := _clean(exif[tag])) is not None:
            out[name] = v
    try:
        sub = exif.get_ifd(_EXIF_IFD)
        for tag, name in _EXIF_TAGS.items():
            if tag in sub and (v := _clean(sub[tag])) is not None:
                out[name] = v
    except Exception:
        pass
    try:
        gps = exif.get_ifd(_GPS_IFD)
        if gps:
            lat = _degrees(gps.get(2), gps.get(1))
            lon = _degrees(gps.get(4), gps.get(3))
            if lat is not None and lon is not None:
                out["gps"] = {"lat": lat, "lon": lon}
                if 6 in gps:
                    alt = _clean(gps[6])
                    if isinstance(alt, int | float):
                        out["gps"]["alt"] = round(float(alt), 2)
    except Exception:
        pass
    return out


def device_of(meta: Mapping[str, Any]) -> tuple[str, str, str] | None:
    """(make, model, serial) of the camera that made a file, when its serial is known: a model
    alone is shared by millions of devices and links nothing."""
    serial = meta.get("camera_serial")
    if serial is None or not str(serial).strip() or set(str(serial).strip()) <= {"0"}:
        return None
    return (str(meta.get("camera_make") or "")[:100], str(meta.get("camera_model") or "")[:100],
            str(serial).strip()[:100])


def position_of(meta: Mapping[str, Any]) -> tuple[float, float, float | None] | None:
    """(latitude, longitude, altitude) from EXIF GPS, refused when out of range or at 0,0 (what
    a device writes without a fix)."""
    gps = meta.get("gps")
    if not isinstance(gps, dict):
        return None
    lat, lon, alt = gps.get("lat"), gps.get("lon"), gps.get("alt")
    if not isinstance(lat, int | float) or not isinstance(lon, int | float):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None
    return float(lat), float(lon), float(alt) if isinstance(alt, int | float) else None
