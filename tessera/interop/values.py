"""Lenient readers for the values real exports carry: booleans as strings, sizes as strings,
timestamps in several forms, lists that are sometimes one string."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

_TRUE = {"true", "yes", "1", "y", "t"}
_FALSE = {"false", "no", "0", "n", "f"}
_NET_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")
_LOCAL_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S",
                  "%m/%d/%Y", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y", "%Y:%m:%d %H:%M:%S")


def flag(value: Any) -> bool | None:
    """True, False, or None for absent/unknown: an absent flag is not a false one."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def integer(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(float(str(value).strip()))
    except ValueError:
        return None


def timestamp(value: Any) -> str | None:
    """ISO 8601 (UTC when the source says where it is) or None; text nobody can read stays as
    it was, so nothing is lost."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    net = _NET_DATE.match(text)
    if net:
        at = datetime.fromtimestamp(int(net.group(1)) / 1000, UTC)
        return at.isoformat().replace("+00:00", "Z")
    try:
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for form in _LOCAL_FORMATS:
            try:
                at = datetime.strptime(text, form)
                break
            except ValueError:
                continue
        else:
            return text
    if at.tzinfo is None:
        return at.isoformat()
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def names(value: Any) -> list[str]:
    """A list of names from a string ("a; b"), a list, or objects with a name."""
    if value is None:
        return []
    if isinstance(value, str):
        return [p.strip() for p in re.split(r"[;|]", value) if p.strip()]
    if isinstance(value, dict):
        for key in ("Name", "name", "Value", "value", "SeriesName", "Tag"):
            if key in value:
                return names(value[key])
        return []
    if isinstance(value, list):
        out: list[str] = []
        for item in value:
            out.extend(n for n in names(item) if n not in out)
        return out
    return [str(value)]


def hex_digest(value: Any, length: int) -> str | None:
    """A lower-case hex digest of ``length`` characters, or None when it is not one."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    if len(text) == length and re.fullmatch(r"[0-9a-f]+", text):
        return text
    return None
