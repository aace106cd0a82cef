"""A server stopped with work queued or half-done loses none of it: the next start runs it."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from tessera.context import Context
from tessera.server import create_app
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


def test_a_job_killed_while_storing_never_matches_itself_nor_tells_twice(
        tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The attack on trust: 66 of 270 files reported as exact matches of files the same job
    stored before a kill; the owner notified twice, the run audited twice."""
    import threading

    from tessera.service import tasks

    settings, folders, _, tokens = build_world(tmp_path / "home", None)
    bearer = {"authorization": f"Bearer {tokens['nl.inv']}"}
    known = sorted(folders["full"].iterdir())[0]  # one file AU holds: a real match
    files = [("files", (f"{i}.jpg", jpeg(picture(700 + i)), "image/jpeg")) for i in range(4)]
    files.append(("files", ("known.jpg", known.read_bytes(), "image/jpeg")))
    with TestClient(create_app(settings, run_tasks=False)) as c:
        job = c.post("/api/jobs", headers=bearer, files=files,
                     data={"case": "NL-K", "series": "Series Tulip", "store": "true"}).json()
    ctx = Context.open(settings)
    real_store = tasks.store_results

    def killed_while_storing(actx, staging, agency, request, results, progress=None):  # type: ignore[no-untyped-def]
        real_store(actx, staging, agency, request, results[:3], progress)
        raise tasks.Interrupted

    monkeypatch.setattr(tasks, "store_results", killed_while_storing)
    tasks.run_task(ctx, job["id"], threading.Event())
    monkeypatch.setattr(tasks, "store_results", real_store)
    tasks.run_task(ctx, job["id"], threading.Event())  # the next start runs it again
    ctx.close()
    with TestClient(create_app(settings, run_tasks=False)) as c:
        state = c.get(f"/api/jobs/{job['id']}", headers=bearer).json()
        assert state["state"] == "done"
        assert state["counts"] == {"exact": 1, "near": 0, "new": 4, "error": 0, "total": 5}
        report = c.get(f"/api/jobs/{job['id']}/report", headers=bearer).json()
        assert [f["status"] for f in report["files"]].count("exact") == 1
        au = {"authorization": f"Bearer {tokens['au.inv']}"}
        told = [n for n in c.get("/api/notifications", headers=au).json()
                if n["case"] == "NL-K"]
        assert len(told) == 1
        runs = c.get("/api/audit", headers={"authorization": f"Bearer {tokens['root']}"},
                     params={"action": "deconflict", "limit": 1000}).json()
        assert [e["object"] for e in runs].count(f"task:{job['id']}") == 1
        series = [x for x in c.get("/api/series", headers=bearer).json()
                  if x["name"] == "Series Tulip"]
        assert series[0]["media_count"] == 5  # and everything was stored, once


def test_media_stored_only_by_a_source_are_its_own(ctx) -> None:  # type: ignore[no-untyped-def]
    from tessera.pipeline.ingest import ingest, key_of
    from tessera.store import repos
    from tests.conftest import write_pictures

    mine = ctx.settings.home.parent / "mine"
    theirs = ctx.settings.home.parent / "theirs"
    write_pictures(mine, [1, 2])
    write_pictures(theirs, [2, 3])  # picture 2 is also held through another job
    ingest(ctx, mine, "AU")
    ingest(ctx, theirs, "NL")
    with ctx.db.session() as s:
        own = repos.media_only_from_source(s, key_of(mine), range(1, 10))
    assert len(own) == 1  # picture 1 alone: picture 2 has a submission from elsewhere


def test_leftovers_of_a_killed_server_are_cleaned_at_start(tmp_path: Path) -> None:
    import os

    settings, _, _, tokens = build_world(tmp_path / "home", None)
    bearer = {"authorization": f"Bearer {tokens['nl.inv']}"}
    with TestClient(create_app(settings, run_tasks=False)) as c:  # a job still waiting
        waiting = c.post("/api/jobs", headers=bearer,
                         files=[("files", ("w.jpg", jpeg(picture(5)), "image/jpeg"))]).json()
    staging = settings.home / "staging"
    old = time.time() - 3600
    dead = staging / "dead-upload" / "files"
    dead.mkdir(parents=True)
    (dead / "x.jpg").write_bytes(b"half")
    young = staging / "being-uploaded"
    young.mkdir()
    partial = settings.evidence_dir / "tmp" / "tmpleft"
    partial.write_bytes(b"")
    for path in (dead / "x.jpg", dead, dead.parent, partial):
        os.utime(path, (old, old))
    with TestClient(create_app(settings)) as c:
        for _ in range(300):
            if c.get(f"/api/jobs/{waiting['id']}", headers=bearer).json()["state"] == "done":
                break
            time.sleep(0.1)
        assert c.get(f"/api/jobs/{waiting['id']}", headers=bearer).json()["state"] == "done"
    assert not dead.parent.exists() and not partial.exists()
    assert young.exists()  # it may belong to someone writing right now
