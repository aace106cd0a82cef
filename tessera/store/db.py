"""Engine and sessions; schema changes only through Alembic migrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tessera.core.errors import ConfigError
from tessera.store.audit import AuditKeys, ReadLog, bind, defer_reads, take_reads

MIGRATIONS = Path(__file__).with_name("migrations")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=60000")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine) -> None:
    command.upgrade(alembic_config(engine), "head")


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def require_current_schema(engine: Engine) -> None:
    if engine.url.get_backend_name() == "sqlite" and engine.url.database and \
            not Path(engine.url.database).exists():
        raise ConfigError(f"no database at {engine.url.database}: run `tessera init` first "
                          "(or set TESSERA_HOME)")
    try:
        current, head = current_revision(engine), head_revision(engine)
    except OperationalError as exc:
        raise ConfigError(f"cannot open the database: {exc.orig}") from None
    if current is None:
        raise ConfigError("the database is not initialised: run `tessera init` first")
    if current != head:
        raise ConfigError(f"the database schema is at {current}, this Tessera needs {head}: "
                          "run `tessera db upgrade`")


class Database:
    """An engine plus a session factory; pass it explicitly, never as a global.

    With ``audit`` keys its sessions can append to the audit trail (and checkpoint it)."""

    def __init__(self, url: str, audit: AuditKeys | None = None) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.audit: AuditKeys | None = None
        self._reads: ReadLog | None = None
        if audit is not None:
            self.enable_audit(audit)

    def enable_audit(self, keys: AuditKeys) -> None:
        if self.audit is None:
            self.audit = keys
            self._reads = ReadLog(self._sessions)
            bind(self._sessions, keys)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction, committed when the block ends; the reads it noted are appended to
        the audit trail (group commit) before the block is left."""
        with self._sessions() as session:
            if self._reads is not None:
                defer_reads(session, self._reads)
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            reads = take_reads(session)
        if reads and self._reads is not None:
            self._reads.write(reads)

    def dispose(self) -> None:
        if self._reads is not None:
            self._reads.close()
        self.engine.dispose()
