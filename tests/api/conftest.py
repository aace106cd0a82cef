"""A running service over a real database (SQLite and PostgreSQL) with three agencies, users of
every role, and AU's three series shared at each level."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tessera.access import identity
from tessera.access.policy import Role
from tessera.config import Settings
from tessera.context import Context
from tessera.pipeline.ingest import ingest
from tessera.server import create_app
from tessera.store import repos
from tessera.store.bootstrap import initialise
from tests.conftest import make_settings, new_postgres_database, write_pictures

PASSWORD = "correct horse battery staple"
SHARING = {"hash-only": "Harbour Hash", "metadata": "Meadow Meta", "full": "Fjord Full"}
SEEDS = {"hash-only": range(0, 4), "metadata": range(10, 14), "full": range(20, 24)}
USERS = [("au.admin", "AU", Role.AGENCY_ADMIN), ("au.inv", "AU", Role.INVESTIGATOR),
         ("au.viewer", "AU", Role.VIEWER), ("nl.admin", "NL", Role.AGENCY_ADMIN),
         ("nl.inv", "NL", Role.INVESTIGATOR), ("nl.viewer", "NL", Role.VIEWER),
         ("root", "DE", Role.ADMIN)]


@dataclass
class World:
    settings: Settings
    client: TestClient
    app: FastAPI
    folders: dict[str, Path]
    tokens: dict[str, str] = field(default_factory=dict)
    series: dict[str, int] = field(default_factory=dict)  # sharing level → series id
    media: dict[str, list[int]] = field(default_factory=dict)  # sharing level → media ids

    def as_(self, user: str) -> dict[str, str]:
        return {"authorization": f"Bearer {self.tokens[user]}"}

    def wait(self, user: str, job_id: int, timeout: float = 120) -> dict:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            job = self.client.get(f"/api/jobs/{job_id}", headers=self.as_(user)).json()
            if job["state"] not in ("queued", "running"):
                return job
            time.sleep(0.2)
        raise AssertionError(f"job {job_id} did not finish")


def build_world(home: Path, database_url: str | None) -> tuple[Settings, dict, dict, dict]:
    settings = make_settings(home, database_url)
    initialise(settings, "test")
    ctx = Context.open(settings)
    ctx.actor = "test"
    folders, series, tokens = {}, {}, {}
    with ctx.db.session() as s:
        repos.add_agency(s, "AU", "Australian Federal Police", "AU", "vid@afp.example")
        repos.add_agency(s, "NL", "Dutch National Police", "NL", "vic@politie.example")
        repos.add_agency(s, "DE", "Bundeskriminalamt", "DE", None)
        for name, agency, role in USERS:
            user = identity.create_user(s, name, PASSWORD, repos.get_agency(s, agency), role)
            tokens[name], _ = identity.create_token(s, user, "tests")
    for level, name in SHARING.items():
        folders[level] = home.parent / f"known-{level}"
        write_pictures(folders[level], SEEDS[level])
        ingest(ctx, folders[level], "AU", case_ref="OP-AU-1", series_name=name)
        with ctx.db.session() as s:
            x = repos.get_series(s, name)
            x.sharing = level
            series[level] = x.id
    ctx.close()
    return settings, folders, series, tokens


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql",
                                                               marks=pytest.mark.postgres)])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[World]:
    root = tmp_path_factory.mktemp("world")
    url = new_postgres_database(request.getfixturevalue("postgres_server")) \
        if request.param == "postgresql" else None
    settings, folders, series, tokens = build_world(root / "home", url)
    app = create_app(settings)
    with TestClient(app) as client:
        w = World(settings, client, app, folders, tokens, series)
        for level, sid in series.items():
            detail = client.get(f"/api/series/{sid}", headers=w.as_("au.inv")).json()
            w.media[level] = [m["id"] for m in detail["media"]]
        yield w
