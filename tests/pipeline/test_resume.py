"""Kill an ingest with SIGKILL mid-run, run it again: the result equals one clean run."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.conftest import write_pictures

FILES = 240


def _run(home: Path, env_extra: dict[str, str], source: Path, *args: str,
         ) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TESSERA_HOME": str(home), "TESSERA_WORKERS": "2",
           "TESSERA_FACES": "0", **env_extra}
    return subprocess.Popen([sys.executable, "-m", "tessera", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)


def _tessera(home: Path, env_extra: dict[str, str], *args: str) -> str:
    proc = _run(home, env_extra, Path("."), *args)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, out.decode()
    return out.decode()


def _state(url: str) -> dict[str, object]:
    engine = create_engine(url)
    with engine.connect() as c:
        state = {
            "media": sorted(r[0] for r in c.execute(text("SELECT sha256 FROM media"))),
            "submissions": sorted(r[0] for r in c.execute(
                text("SELECT original_path FROM submission"))),
            "signals": c.execute(text("SELECT count(*) FROM signal")).scalar(),
            "items": c.execute(text("SELECT count(*) FROM job_item")).scalar(),
        }
    engine.dispose()
    return state


def _done_items(url: str) -> int:
    if url.startswith("sqlite"):
        try:
            with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=1) as conn:
                return conn.execute("SELECT count(*) FROM job_item").fetchone()[0]
        except sqlite3.Error:
            return 0
    engine = create_engine(url)
    try:
        with engine.connect() as c:
            return int(c.execute(text("SELECT count(*) FROM job_item")).scalar() or 0)
    except Exception:
        return 0
    finally:
        engine.dispose()


def test_sigkill_then_resume_equals_clean_run(tmp_path: Path, database_url: str,
                                              request) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "seizure"
    write_pictures(source, range(FILES), size=(320, 240))
    (source / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 broken")

    killed_home = tmp_path / "killed"
    env = {"TESSERA_DATABASE_URL": database_url}
    _tessera(killed_home, env, "init")
    _tessera(killed_home, env, "agency", "add", "AU", "AFP", "--country", "AU")
    args = ("ingest", str(source), "--agency", "AU", "--case", "OP-1", "--series", "S")
    proc = _run(killed_home, env, source, *args)
    deadline = time.monotonic() + 120
    while _done_items(database_url) < 64 and time.monotonic() < deadline:
        assert proc.poll() is None, "ingest finished before it could be killed"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done_at_kill = _done_items(database_url)
    assert 0 < done_at_kill < FILES + 1, done_at_kill

    out = _tessera(killed_home, env, *args)
    assert "resumed" in out
    resumed = _state(database_url)

    if database_url.startswith("sqlite"):
        clean_url = f"sqlite:///{tmp_path / 'clean.db'}"
    else:
        from tests.conftest import new_postgres_database

        clean_url = new_postgres_database(request.getfixturevalue("postgres_server"))
    clean_home, clean_env = tmp_path / "clean", {"TESSERA_DATABASE_URL": clean_url}
    _tessera(clean_home, clean_env, "init")
    _tessera(clean_home, clean_env, "agency", "add", "AU", "AFP", "--country", "AU")
    _tessera(clean_home, clean_env, *args)
    clean = _state(clean_url)

    assert resumed == clean
    assert len(clean["media"]) == FILES and clean["items"] == FILES + 1  # type: ignore[arg-type]
    status = _tessera(killed_home, env, "index", "status")
    assert f"pdq index: {FILES:,} entries" in status
    assert "0 failed" in _tessera(killed_home, env, "verify")
