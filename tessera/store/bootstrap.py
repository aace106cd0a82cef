"""Create a data folder: directories (mode 0700), the evidence key (0600) and the schema."""

from __future__ import annotations

import os

from tessera.config import Settings
from tessera.store import audit
from tessera.store.blobs import create_key
from tessera.store.db import Database, upgrade


def initialise(settings: Settings, actor: str) -> dict[str, object]:
    for path in (settings.home, settings.evidence_dir, settings.index_dir):
        path.mkdir(parents=True, exist_ok=True)
        os.chmod(path, 0o700)
    created_key = create_key(settings.key_path)
    db = Database(settings.database_url)
    try:
        upgrade(db.engine)
        with db.session() as s:
            audit.append(s, actor, "init", str(settings.home),
                         details={"new_key": created_key})
    finally:
        db.dispose()
    return {"home": str(settings.home), "key": str(settings.key_path),
            "key_created": created_key, "database": settings.database_url}
