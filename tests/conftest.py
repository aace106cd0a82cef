"""Fixtures that build real things: data folders, SQLite and PostgreSQL databases, media files."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn

from tessera.config import Settings
from tessera.context import Context
from tessera.server import create_app
from tessera.store import repos
from tessera.store.bootstrap import initialise
from tessera.synthetic import jpeg, picture
from tests import pgserver

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"the licensed test media are missing: expected {SHARED}")
    return SHARED


# --- PostgreSQL: a throw-away server on loopback, started by the tests themselves ---------


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """Base URL of a fresh PostgreSQL cluster; fails (never skips) when PostgreSQL is absent,
    unless TESSERA_SKIP_POSTGRES=1 says so explicitly."""
    binaries = pgserver.bindir()
    if binaries is None:
        if os.environ.get("TESSERA_SKIP_POSTGRES") == "1":
            pytest.skip("TESSERA_SKIP_POSTGRES=1")
        pytest.fail("PostgreSQL is not installed: run `make test` (it installs it)")
    with pgserver.postgres(binaries) as url:
        yield url


new_postgres_database = pgserver.new_database


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tessera.db'}"
    return new_postgres_database(request.getfixturevalue("postgres_server"))


# --- Debian's Chromium, driven by Playwright (never `playwright install`) ----------------------

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    if not Path(CHROMIUM).exists():
        if os.environ.get("TESSERA_SKIP_BROWSER") == "1":
            pytest.skip("TESSERA_SKIP_BROWSER=1")
        pytest.fail("Debian chromium is not installed: run `make test` (it installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()


# --- the service on loopback -----------------------------------------------------------------


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """The app on a free loopback port in a thread; yields its base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                            log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(10)


# --- A ready data folder ---------------------------------------------------------------------


def make_settings(home: Path, database_url: str | None = None, workers: int = 1,
                  speech: bool = False, faces: bool = False) -> Settings:
    """Speech recognition runs at about real time and face detection at a few pictures a
    second: off unless a test is about them."""
    env = {"TESSERA_WORKERS": str(workers), "TESSERA_SPEECH": "1" if speech else "0",
           "TESSERA_FACES": "1" if faces else "0"}
    if database_url:
        env["TESSERA_DATABASE_URL"] = database_url
    return Settings.from_env(env=env, home=home)


@pytest.fixture
def ctx(tmp_path: Path, database_url: str) -> Iterator[Context]:
    """An initialised Tessera (SQLite and PostgreSQL) with agencies AU, NL and DE."""
    settings = make_settings(tmp_path / "home", database_url)
    initialise(settings, "test")
    context = Context.open(settings)
    context.actor = "test"
    with context.db.session() as s:
        repos.add_agency(s, "AU", "Australian Federal Police", "AU", "vid@afp.example")
        repos.add_agency(s, "NL", "Dutch National Police", "NL", None)
        repos.add_agency(s, "DE", "Bundeskriminalamt", "DE", None)
    yield context
    context.close()


@pytest.fixture
def sqlite_ctx(tmp_path: Path) -> Iterator[Context]:
    settings = make_settings(tmp_path / "home")
    initialise(settings, "test")
    context = Context.open(settings)
    with context.db.session() as s:
        repos.add_agency(s, "AU", "Australian Federal Police", "AU", None)
        repos.add_agency(s, "DE", "Bundeskriminalamt", "DE", None)
    yield context
    context.close()


def write_pictures(folder: Path, seeds: range | list[int], size: tuple[int, int] = (640, 480),
                   quality: int = 90) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for seed in seeds:
        path = folder / f"img_{seed:05d}.jpg"
        path.write_bytes(jpeg(picture(seed, size), quality))
        paths.append(path)
    return paths
