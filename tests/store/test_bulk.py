"""Bulk loading on SQLite and on a real PostgreSQL (COPY): what goes in comes back, and the
columns the model fills in itself are filled."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import select, text

from tessera.context import Context
from tessera.store.bulk import copy_rows, insert_returning_ids, refresh_statistics
from tessera.store.tables import Media, Signal


def _media(i: int) -> dict[str, object]:
    digest = f"{i:064x}"
    return {"id": 10_000 + i, "sha256": digest, "md5": digest[:32], "sha1": digest[:40],
            "kind": "image", "mime": "image/jpeg", "size": 1000 + i, "width": 640,
            "height": 480, "meta": {"camera": f"Model {i}", "quote": "it's \"odd\"\t\\"}}


def test_rows_come_back_as_they_went_in(ctx: Context) -> None:
    signals = [{"media_id": 10_000 + i, "type": "pdq", "version": 1,
                "value": bytes([i % 256]) * 31 + b"\x00", "quality": 90,
                "detail": {"box": [1, 2, 3, 4]} if i % 2 else None} for i in range(25)]
    with ctx.db.session() as s:
        assert copy_rows(s, Media, (_media(i) for i in range(25))) == 25
        assert copy_rows(s, Signal, signals) == 25
        assert copy_rows(s, Signal, []) == 0
    with ctx.db.session() as s:
        media = {m.id: m for m in s.scalars(select(Media).where(Media.id >= 10_000))}
        stored = list(s.scalars(select(Signal).where(Signal.media_id >= 10_000)
                                .order_by(Signal.media_id)))
    assert sorted(media) == [10_000 + i for i in range(25)]
    assert media[10_007].meta == _media(7)["meta"] and media[10_007].size == 1007
    assert all(m.first_seen is not None for m in media.values())  # the model's own default
    assert [x.value for x in stored] == [x["value"] for x in signals]
    assert [x.detail for x in stored] == [x["detail"] for x in signals]
    assert {x.region for x in stored} == {"full"}


def test_a_column_the_table_lacks_is_an_error_not_a_silent_drop(ctx: Context) -> None:
    with ctx.db.session() as s, pytest.raises(ValueError, match="colour"):
        copy_rows(s, Media, [{**_media(1), "colour": "red"}])


def test_new_ids_come_back_in_the_rows_order_and_lookups_stay_indexed(ctx: Context) -> None:
    def row(i: int) -> dict[str, object]:
        digest = hashlib.sha256(str(i).encode()).hexdigest()
        return {"sha256": digest, "md5": digest[:32], "sha1": digest[-40:], "kind": "image",
                "mime": "image/jpeg", "size": i, "meta": {}}

    rows = [row(i) for i in range(20_000)][::-1]
    with ctx.db.session() as s:
        ids = insert_returning_ids(s, Media, rows)
        assert len(ids) == 20_000 and ids == sorted(ids)  # an id a row, in the rows' order
        stored = {m.id: m.sha256 for m in s.scalars(select(Media).where(Media.id.in_(ids)))}
        assert [stored[i] for i in ids] == [r["sha256"] for r in rows]
        postgres = s.get_bind().dialect.name == "postgresql"
        before = _estimate(s, rows[:300]) if postgres else 0
        refresh_statistics(s, Media)  # in the same transaction, before anything is committed
        if postgres:  # the planner no longer takes 300 hashes to match the whole table
            after = _estimate(s, rows[:300])
            assert after <= 1_000 and before >= 5 * after, (before, after)
    assert insert_returning_ids(s, Media, []) == []


def _estimate(s, rows: list[dict[str, object]]) -> int:  # type: ignore[no-untyped-def]
    """How many rows PostgreSQL's planner expects a lookup of these SHA-1s to find."""
    plan = s.execute(text("EXPLAIN SELECT id FROM media WHERE sha1 = ANY(:v)"),
                     {"v": [r["sha1"] for r in rows]}).scalars().first()
    return int(re.search(r"rows=(\d+)", plan).group(1))
