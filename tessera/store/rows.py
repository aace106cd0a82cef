"""One way to write a new row: add it and flush, so that its id is known at once."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

R = TypeVar("R")


def added(s: Session, row: R) -> R:
    s.add(row)
    s.flush()
    return row
