"""The Alembic migrations must produce exactly the schema the models describe."""

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
