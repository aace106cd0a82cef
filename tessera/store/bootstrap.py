"""Create or upgrade a data folder: directories (0700), keys (0600), the schema, the audit keys.

Every file Tessera creates in the data folder is private to its user: the SQLite database is
created 0600 before SQLite opens it (its journal files take the same mode)."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from tessera.config import Settings
from tessera.store import audit
from tessera.store.audit import AuditKeys
from tessera.store.blobs import create_key
from tessera.store.db import Database, upgrade
from tessera.store.tables import AuditEvent


def private_dirs(settings: Settings) -> None:
    for path in (settings.home, settings.evidence_dir, settings.index_dir, settings.temp_dir):
        path.mkdir(parents=True, exist_ok=True)
        os.chmod(path, 0o700)


def private_sqlite_file(url: str) -> None:
    """Create the SQLite file 0600 (or tighten an existing one) before SQLite touches it."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database \
            or parsed.database == ":memory:":
        return
    path = Path(parsed.database)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for suffix in ("", "-wal", "-shm"):
        extra = path.with_name(path.name + suffix)
        if extra.exists():
            os.chmod(extra, 0o600)


def initialise(settings: Settings, actor: str) -> dict[str, object]:
    private_dirs(settings)
    created_key = create_key(settings.key_path)
    result = upgrade_home(settings, actor)
    db = Database(settings.database_url, AuditKeys.load(settings.home))
    try:
        with db.session() as s:
            audit.append(s, actor, "init", str(settings.home),
                         details={"new_key": created_key})
    finally:
        db.dispose()
    return {"home": str(settings.home), "key": str(settings.key_path),
            "key_created": created_key, "database": settings.database_url, **result}


def upgrade_home(settings: Settings, actor: str) -> dict[str, object]:
    """Bring schema and keys up to date. A trail written before the audit chain was keyed is
    re-keyed once (after checking it), and the change is itself an audit event."""
    private_dirs(settings)
    private_sqlite_file(settings.database_url)
    created = AuditKeys.create(settings.home)
    db = Database(settings.database_url, AuditKeys.load(settings.home))
    rekeyed = 0
    try:
        upgrade(db.engine)
        with db.session() as s:
            existing = s.scalar(select(func.count()).select_from(AuditEvent)) or 0
            if created and existing:
                rekeyed = audit.rekey_legacy(s)
                audit.append(s, actor, "audit.rekey", None,
                             details={"events": rekeyed, "chain": "hmac-sha256"})
    finally:
        db.dispose()
    return {"audit_rekeyed": rekeyed}
