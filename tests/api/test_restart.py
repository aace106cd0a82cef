"""A server stopped with work queued or half-done loses none of it: the next start runs it."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from tessera.api.app import create_app
from tessera.context import Context
from tessera.store.tables import Task
from tessera.synthetic import jpeg, picture
from tests.api.conftest import build_world


def test_jobs_survive_a_restart(tmp_path: Path) -> None:
    settings, _, _, tokens = build_world(tmp_path / "home", None)
    bearer = {"authorization": f"Bearer {tokens['nl.inv']}"}
    files = [("files", (f"{i}.jpg", jpeg(picture(300 + i)), "image/jpeg")) for i in range(5)]
    with TestClient(create_app(settings, run_tasks=False)) as c:  # accepts, never runs
        first = c.post("/api/jobs", headers=bearer, files=files,
                       data={"case": "NL-1", "store": "true"}).json()
        second = c.post("/api/jobs", headers=bearer, files=files[:2]).json()
    ctx = Context.open(settings)
    with ctx.db.session() as s:  # as if the server died while running the second
        s.get(Task, second["id"]).state = "running"
    ctx.close()
    with TestClient(create_app(settings)) as c:
        for job in (first, second):
            for _ in range(600):
                state = c.get(f"/api/jobs/{job['id']}", headers=bearer).json()
                if state["state"] == "done":
                    break
                time.sleep(0.1)
            assert state["state"] == "done", state
        stored = c.post("/api/search", headers=bearer,
                        files={"file": ("q.jpg", jpeg(picture(300)), "image/jpeg")}).json()
    assert stored["file"]["status"] == "exact"  # the first job's files were stored
    assert not any(Path(folder).exists() for folder in _staging(settings))


def _staging(settings) -> list[str]:  # type: ignore[no-untyped-def]
    ctx = Context.open(settings)
    with ctx.db.session() as s:
        rows = [t.staging for t in s.scalars(select(Task))]
    ctx.close()
    return rows
