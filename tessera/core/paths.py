"""File names as seized file systems have them: bytes, not always valid UTF-8.

Python hands such names over with surrogate escapes (``'caf\\udce9.jpg'``), which no database,
JSON file or terminal accepts. Everywhere a name is stored or shown it travels as a display
form (undecodable bytes as ``\\xe9``, always valid UTF-8) plus, only when the two differ, the
original bytes, so nothing about the evidence is lost and a resumed job still finds its files.
"""

from __future__ import annotations

import base64
from typing import Any


def is_clean(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def shown(name: str) -> str:
    """The display form: identical for valid names, ``\\xNN`` for each undecodable byte."""
    if is_clean(name):
        return name
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def raw(name: str) -> bytes | None:
    """The original bytes of a name that is not valid UTF-8, else None."""
    return None if is_clean(name) else name.encode("utf-8", "surrogateescape")


def raw_b64(name: str) -> str | None:
    data = raw(name)
    return base64.b64encode(data).decode() if data is not None else None


def restore(display: str, original: bytes | None) -> str:
    """The name as the file system gave it, from what was stored."""
    return original.decode("utf-8", "surrogateescape") if original is not None else display


def printable(value: Any) -> Any:
    """``value`` with every string in display form (for JSON details and logs)."""
    if isinstance(value, str):
        return shown(value)
    if isinstance(value, dict):
        return {printable(k): printable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [printable(v) for v in value]
    return value
