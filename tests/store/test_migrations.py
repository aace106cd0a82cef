"""The Alembic migrations must produce exactly the schema the models describe."""

import json

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tessera.context import Context
from tessera.store.db import current_revision, head_revision
from tessera.store.tables import Base


def test_migrations_match_models(ctx: Context) -> None:
    assert current_revision(ctx.db.engine) == head_revision(ctx.db.engine)
    with ctx.db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_sqlite_runs_in_wal_mode(sqlite_ctx: Context) -> None:
    with sqlite_ctx.db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_upgrading_gives_media_stored_before_their_device_and_position(ctx: Context) -> None:
    """0009 reads devices and positions from the metadata of media already held."""
    import sqlalchemy as sa
    from alembic import command

    from tessera.store.db import alembic_config

    config = alembic_config(ctx.db.engine)
    command.downgrade(config, "0008")
    meta = [{"camera_make": "Canon", "camera_model": "EOS", "camera_serial": "123"},
            {"camera_make": "Canon", "camera_model": "EOS", "camera_serial": "123",
             "gps": {"lat": 52.1, "lon": 4.3}},
            {"camera_serial": "0000", "gps": {"lat": 0, "lon": 0}},  # no serial, no fix
            {}]
    with ctx.db.engine.begin() as conn:
        for n, m in enumerate(meta):
            conn.execute(sa.text(
                "INSERT INTO media (sha256, hash_only, kind, mime, size, metadata, first_seen)"
                " VALUES (:sha, false, 'image', 'image/jpeg', 1, :meta, CURRENT_TIMESTAMP)"),
                {"sha": f"{n:064x}", "meta": json.dumps(m)})
    command.upgrade(config, "head")
    with ctx.db.engine.connect() as conn:
        devices = conn.execute(sa.text("SELECT make, model, serial FROM device")).all()
        held = conn.execute(sa.text("SELECT count(*) FROM media_device")).scalar()
        places = conn.execute(sa.text("SELECT lat, lon FROM media_position")).all()
    assert [tuple(d) for d in devices] == [("Canon", "EOS", "123")] and held == 2
    assert [tuple(p) for p in places] == [(52.1, 4.3)]
