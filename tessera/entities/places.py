"""Places: what an agency has worked out about where material was made. A place is only as
precise as its evidence, so a point comes with a radius (how sure), and a country or region
alone is a place too; the clues (a socket, a street sign, a shop's logo) say why."""

from __future__ import annotations

from dataclasses import dataclass

import pycountry

from tessera.core.errors import TesseraError

MAX_RADIUS_M = 20_000_000.0  # half the Earth's circumference: "somewhere on Earth"


@dataclass(frozen=True, slots=True)
class PlaceFields:
    label: str
    country: str | None
    region: str | None
    lat: float | None
    lon: float | None
    radius_m: float | None
    clues: str | None


def country_code(value: str | None) -> str | None:
    """An ISO 3166-1 alpha-2 code from a code or a name ("de", "DEU", "Germany")."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        found = pycountry.countries.lookup(value)
    except LookupError:
        raise TesseraError(f"no country {value!r}: give its ISO code (AU, DE) or "
                           f"its name") from None
    return str(found.alpha_2)


def country_name(code: str | None) -> str | None:
    found = pycountry.countries.get(alpha_2=code) if code else None
    return str(found.name) if found is not None else None


def country_number(code: str | None) -> str | None:
    """ISO 3166-1 numeric ("036"): how Natural Earth's outlines name countries."""
    found = pycountry.countries.get(alpha_2=code) if code else None
    return str(found.numeric) if found is not None else None


def place_fields(label: str, *, country: str | None = None, region: str | None = None,
                 lat: float | None = None, lon: float | None = None,
                 radius_m: float | None = None, clues: str | None = None) -> PlaceFields:
    """Checked fields of a place; a clear error for each that does not hold."""
    label = (label or "").strip()
    if not label or len(label) > 200:
        raise TesseraError("a place has a name of 1 to 200 characters")
    if (lat is None) != (lon is None):
        raise TesseraError("a point needs both latitude and longitude")
    if lat is not None and lon is not None and not (-90.0 <= lat <= 90.0
                                                     and -180.0 <= lon <= 180.0):
        raise TesseraError("latitude is -90 to 90 and longitude -180 to 180")
    if radius_m is not None:
        if lat is None:
            raise TesseraError("a radius needs a point")
        if not 0.0 <= radius_m <= MAX_RADIUS_M:
            raise TesseraError(f"the radius is 0 to {MAX_RADIUS_M:,.0f} metres")
    region = (region or "").strip()[:200] or None
    clues = (clues or "").strip()[:10_000] or None
    return PlaceFields(label, country_code(country), region, lat, lon, radius_m, clues)
