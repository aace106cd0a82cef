"""Load on the real server, on loopback: 8 clients searching by image and by face at once.

The attack: two concurrent searches by image with faces on crashed the server (dlib is not
thread-safe), so any viewer could take the instance down. The server runs as its own process
here (``tessera serve``), so a crash is a failed assertion, not a dead test run. Bounded: a
fixed number of requests per client and a deadline."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import build_world
from tests.conftest import SHARED

CLIENTS = 8
REQUESTS_PER_CLIENT = 4
DEADLINE_S = 240


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    if not SHARED.is_dir():
        pytest.fail(f"the licensed test media are missing: expected {SHARED}")
    root = tmp_path_factory.mktemp("load")
    settings, _, _, tokens = build_world(root / "home", None)
    port = _free_port()
    env = {**os.environ, "TESSERA_HOME": str(settings.home), "TESSERA_FACES": "1",
           "TESSERA_SPEECH": "0", "TESSERA_WORKERS": "2", "TESSERA_SEARCH_RATE": "1000"}
    log = (root / "server.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "tessera", "serve", "--port", str(port)],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(url + "/login", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    yield proc, url, tokens, root / "server.log"
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_eight_clients_searching_with_faces_do_not_crash_the_server(live) -> None:  # type: ignore[no-untyped-def]
    proc, url, tokens, log = live
    photos = [SHARED / "faces" / "_groups" / p for p in sorted(os.listdir(SHARED / "faces"
                                                                           / "_groups"))][:4]
    photos += [SHARED / "faces" / "obama" / "obama.jpg", SHARED / "faces" / "biden" / "biden.jpg"]
    users = ["nl.viewer", "au.viewer", "nl.inv", "au.inv"]
    end = time.monotonic() + DEADLINE_S

    def client(n: int) -> list[int]:
        codes = []
        headers = {"authorization": f"Bearer {tokens[users[n % len(users)]]}"}
        with httpx.Client(base_url=url, headers=headers, timeout=120) as c:
            for i in range(REQUESTS_PER_CLIENT):
                if time.monotonic() > end:
                    break
                photo: Path = photos[(n + i) % len(photos)]
                route = "/api/faces/search" if (n + i) % 2 else "/api/search"
                r = c.post(route, files={"file": (photo.name, photo.read_bytes())})
                codes.append(r.status_code)
        return codes

    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(client, range(CLIENTS)))
    assert proc.poll() is None, log.read_text()[-3000:]  # the server is alive
    codes = [c for r in results for c in r]
    assert len(codes) == CLIENTS * REQUESTS_PER_CLIENT, "the deadline cut the load short"
    assert set(codes) == {200}, codes
    status = httpx.get(url + "/api/status", timeout=10,
                       headers={"authorization": f"Bearer {tokens['root']}"})
    assert status.status_code == 200
