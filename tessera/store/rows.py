"""One way to write a new row (add it and flush, so that its id is known at once) and one way
to fetch a row by id that must exist."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.orm import Session

from tessera.core.errors import NotFound

R = TypeVar("R")


def added(s: Session, row: R) -> R:
    s.add(row)
    s.flush()
    return row


def by_id(s: Session, table: type[R], row_id: int, what: str, **options: Any) -> R:
    """The row, or ``NotFound("no <what> <id>")``."""
    row = s.get(table, row_id, **options)
    if row is None:
        raise NotFound(f"no {what} {row_id}")
    return row
