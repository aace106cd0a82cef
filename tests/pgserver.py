"""A throw-away PostgreSQL cluster on loopback, for the tests and the benchmarks."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text


def bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def postgres(binaries: Path, *settings: str) -> Iterator[str]:
    """Base URL of a fresh cluster (durability off: it is thrown away), stopped on exit;
    ``settings``: more ``name=value`` server settings."""
    base = Path(tempfile.mkdtemp(prefix="tessera-pg-", dir="/tmp"))
    os.chmod(base, 0o755)
    prefix: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        user = pwd.getpwnam("postgres")
        os.chown(base, user.pw_uid, user.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    data, port = base / "data", _free_port()
    subprocess.run([*prefix, str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U",
                    "tessera", "-E", "UTF8", "--no-sync"], check=True, capture_output=True)
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {base} -c fsync=off " \
              "-c synchronous_commit=off -c full_page_writes=off " \
              + " ".join(f"-c {x}" for x in settings)
    subprocess.run([*prefix, str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                    str(base / "log"), "-w", "start"], check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://tessera@127.0.0.1:{port}"
    finally:
        subprocess.run([*prefix, str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate",
                        "stop"], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def new_database(server: str) -> str:
    name = "t_" + uuid.uuid4().hex[:12]
    engine = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return f"{server}/{name}"
