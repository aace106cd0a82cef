"""Clues: what an investigator noticed in one file that may lead to a place or a person (a
school badge, a shop's logo, a street sign, a train announcement). Where in the file: a region
of the picture as fractions of its width and height (so it holds for any size the picture is
shown at), a stretch of the video or sound in seconds, or the whole file."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tessera.core.errors import TesseraError


class ClueKind(StrEnum):
    OBJECT = "object"
    LOGO = "logo"
    TEXT = "text"
    SOUND = "sound"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class ClueFields:
    kind: str
    note: str
    x: float | None
    y: float | None
    w: float | None
    h: float | None
    start_s: float | None
    end_s: float | None


def clue_fields(kind: str, note: str, *, region: tuple[float, float, float, float] | None = None,
                start_s: float | None = None, end_s: float | None = None) -> ClueFields:
    """Checked fields of a clue; a clear error for each that does not hold."""
    try:
        kind = ClueKind(kind).value
    except ValueError:
        raise TesseraError(f"a clue is one of {', '.join(k.value for k in ClueKind)}") from None
    note = (note or "").strip()
    if not note or len(note) > 5_000:
        raise TesseraError("a clue says what was seen, in 1 to 5,000 characters")
    x = y = w = h = None
    if region is not None:
        x, y, w, h = (float(v) for v in region)
        if not (0 <= x < 1 and 0 <= y < 1 and 0 < w <= 1 - x + 1e-9 and 0 < h <= 1 - y + 1e-9):
            raise TesseraError("a region is x, y, width, height as fractions of the picture "
                               "(0-1), inside it")
    if (start_s is None) != (end_s is None):
        raise TesseraError("a time range has a start and an end")
    if start_s is not None and end_s is not None and not 0 <= start_s < end_s:
        raise TesseraError("a time range starts at 0 s or later and ends after it starts")
    return ClueFields(kind, note, x, y, w, h, start_s, end_s)


def clue_words(kind: str, note: str) -> str:
    """A clue in a few words, as a node of the graph or a side of a link."""
    short = note if len(note) <= 48 else note[:47] + "…"
    return f"{kind}: {short}"
