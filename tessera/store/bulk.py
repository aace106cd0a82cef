"""Loading many rows at once: PostgreSQL's COPY where the database is PostgreSQL, a multi-row
INSERT elsewhere.

Why: a hash list of millions of entries, or a database filled to be measured, must not go
through the ORM; COPY loaded 1.8-2.6x the rows/s of its executemany in the same run
(benchmarks/RESULTS.md, PostgreSQL growth curve). Rows are dicts keyed by the model's attribute
names; the model's client-side defaults (``default=``) are filled in here, since COPY knows
only the server's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import islice
from typing import Any

from sqlalchemy import JSON, Table, insert, inspect, text
from sqlalchemy.orm import Session

from tessera.store.tables import Base

BATCH = 10_000


def copy_rows(s: Session, model: type[Base], rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert ``rows`` (dicts keyed by the model's attribute names, every row the same keys)
    into ``model``'s table in the session's transaction; returns how many."""
    source = iter(rows)
    first = next(source, None)
    if first is None:
        return 0
    mapper = inspect(model)
    table = mapper.local_table
    assert isinstance(table, Table)
    column_of = {attr.key: attr.columns[0].name for attr in mapper.column_attrs}
    unknown = set(first) - set(column_of)
    if unknown:
        raise ValueError(f"{table.name} has no column {', '.join(sorted(unknown))}")
    keys = list(first)
    defaults = _client_defaults(table, [column_of[k] for k in keys])
    count = 0
    if s.get_bind().dialect.name == "postgresql":
        from psycopg.types.json import Jsonb

        names = [column_of[k] for k in keys] + list(defaults)
        is_json = [isinstance(table.c[n].type, JSON) for n in names]
        raw = s.connection().connection.driver_connection
        assert raw is not None, "a session in a transaction has a driver connection"
        quoted = ", ".join(f'"{n}"' for n in names)
        with raw.cursor() as cursor, \
                cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
            for row in _chain(first, source):
                values = [row[k] for k in keys] + [make() for make in defaults.values()]
                copy.write_row([Jsonb(v) if j and v is not None else v
                                for v, j in zip(values, is_json, strict=True)])
                count += 1
        return count
    by_key = {mapper.get_property_by_column(table.c[n]).key: make for n, make in defaults.items()}
    rows_left = _chain(first, source)
    while batch := list(islice(rows_left, BATCH)):
        s.execute(insert(model), [{**row, **{k: make() for k, make in by_key.items()}}
                                  for row in batch])
        count += len(batch)
    return count


def refresh_statistics(s: Session, *models: type[Base]) -> None:
    """Let PostgreSQL's planner see rows this transaction loaded. Without statistics it takes
    each value of an ``IN`` list to match 0.5% of a table, so a lookup of 300 hashes becomes a
    scan of the whole table (2.5 s a query at a million uncommitted media); ANALYZE in the
    transaction samples its own rows too. SQLite's planner needs no such help."""
    if s.get_bind().dialect.name != "postgresql":
        return
    for model in models:
        table = inspect(model).local_table
        assert isinstance(table, Table)
        s.execute(text(f'ANALYZE "{table.name}"'))


def insert_returning_ids(s: Session, model: type[Base], rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` and return their new ids in the rows' order: one multi-row INSERT …
    RETURNING per batch where the ORM would send one statement per object."""
    if not rows:
        return []
    column = inspect(model).primary_key[0]
    return list(s.scalars(insert(model).returning(column, sort_by_parameter_order=True), rows))


def _client_defaults(table: Table, given: list[str]) -> dict[str, Any]:
    """Makers of the values of columns the rows leave out but the model fills in itself."""
    out: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        if column.name in given or default is None:
            continue
        if default.is_callable:
            fn = default.arg  # type: ignore[attr-defined]
            out[column.name] = lambda fn=fn: fn(None)
        elif default.is_scalar:
            value = default.arg  # type: ignore[attr-defined]
            out[column.name] = lambda value=value: value
    return out


def _chain(first: Mapping[str, Any], rest: Iterable[Mapping[str, Any]]
           ) -> Iterable[Mapping[str, Any]]:
    yield first
    yield from rest
