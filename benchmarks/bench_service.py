"""The cost of the service layer: search-by-image and a series page, 8 concurrent clients.

The same two operations are timed twice in this run on the same data: over HTTP against
`tessera serve` (uvicorn, one process, loopback, API tokens) and in-process by calling the
service functions the routes call (8 threads). The ratio of requests/s is what HTTP, auth,
JSON and the middleware cost; p99 is per request. Then the service under load: the 8 clients
mix searches and series pages over HTTP for ``--seconds``; every error is counted.

    python benchmarks/bench_service.py [--series-media 200] [--requests 400] [--seconds 60]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import machine
from tessera.access import identity
from tessera.access.policy import Role
from tessera.config import Settings
from tessera.context import Context
from tessera.pipeline.ingest import ingest
from tessera.service import views
from tessera.store import repos
from tessera.store.bootstrap import initialise
from tessera.store.tables import User
from tessera.synthetic import jpeg, picture

CLIENTS = 8


def build(home: Path, media: int) -> tuple[Settings, str, int, Path]:
    settings = Settings.from_env(env={"TESSERA_WORKERS": "2"}, home=home)  # faces on, as served
    initialise(settings, "bench")
    ctx = Context.open(settings)
    folder = home.parent / "known"
    folder.mkdir()
    for seed in range(media):
        (folder / f"{seed:05d}.jpg").write_bytes(jpeg(picture(seed, (640, 480))))
    with ctx.db.session() as s:
        au = repos.add_agency(s, "AU", "Australian Federal Police", "AU", "vid@afp.example")
        nl = repos.add_agency(s, "NL", "Dutch National Police", "NL", None)
        identity.create_user(s, "owner", "benchmark password", au, Role.INVESTIGATOR)
        user = identity.create_user(s, "reader", "benchmark password", nl, Role.INVESTIGATOR)
        token, _ = identity.create_token(s, user, "bench")
    ingest(ctx, folder, "AU", case_ref="OP-1", series_name="Bench Series")
    with ctx.db.session() as s:
        series = repos.get_series(s, "Bench Series")
        series.sharing = "full"
        series_id = series.id
    query = home.parent / "query.jpg"
    query.write_bytes(jpeg(picture(7, (800, 600)), 80))  # a re-encoded, resized copy
    ctx.close()
    return settings, token, series_id, query


def run_load(fn: Callable[[], None], requests: int) -> tuple[float, float, float]:
    """(requests/s, p50 ms, p99 ms) with CLIENTS concurrent callers."""
    latencies: list[float] = []

    def one(_: int) -> None:
        start = time.perf_counter()
        fn()
        latencies.append(time.perf_counter() - start)

    for _ in range(CLIENTS):  # warm caches and connections
        one(0)
    latencies.clear()
    start = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(one, range(requests)))
    wall = time.perf_counter() - start
    ordered = sorted(latencies)
    return (requests / wall, statistics.median(ordered) * 1000,
            ordered[int(len(ordered) * 0.99) - 1] * 1000)


def mixed_load(ops: dict[str, Callable[[], None]], seconds: float
               ) -> tuple[dict[str, list[float]], list[str], float]:
    """CLIENTS callers, each taking the operations in turn until ``seconds`` have passed:
    latencies per operation, the errors, and the wall time."""
    names = list(ops)
    latencies: dict[str, list[float]] = {n: [] for n in names}
    errors: list[str] = []
    start = time.perf_counter()
    stop = start + seconds

    def client(k: int) -> None:
        turn = k
        while time.perf_counter() < stop:
            name = names[turn % len(names)]
            began = time.perf_counter()
            try:
                ops[name]()
                latencies[name].append(time.perf_counter() - began)
            except Exception as exc:  # counted, never hidden
                errors.append(f"{name}: {exc!r}"[:300])
            turn += 1

    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(client, range(CLIENTS)))
    return latencies, errors, time.perf_counter() - start


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--series-media", type=int, default=200)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        home = Path(tmp) / "home"
        settings, token, series_id, query = build(home, args.series_media)
        data = query.read_bytes()

        ctx = Context.open(settings)
        with ctx.db.session() as s:
            reader = identity.principal_of(s.scalar(select(User).where(
                User.username == "reader")))

        def search_in_process() -> None:
            views.search_image(ctx, reader, query, "query.jpg")

        def series_in_process() -> None:
            with ctx.db.session() as s:
                views.series_detail(s, reader, series_id, limit=120)

        results = {"search": [run_load(search_in_process, args.requests)],
                   "series page": [run_load(series_in_process, args.requests)]}
        ctx.close()

        port = free_port()
        env = {**os.environ, "TESSERA_HOME": str(home), "TESSERA_SEARCH_RATE": "1000000"}
        server = subprocess.Popen([sys.executable, "-m", "tessera.cli", "serve", "--port",
                                   str(port)], env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(300):
                try:
                    httpx.get(base + "/login", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            headers = {"authorization": f"Bearer {token}"}
            client = httpx.Client(base_url=base, headers=headers, timeout=60,
                                  limits=httpx.Limits(max_connections=CLIENTS))

            def search_http() -> None:
                r = client.post("/api/search", files={"file": ("q.jpg", data, "image/jpeg")})
                assert r.status_code == 200 and r.json()["file"]["status"] == "near", r.text

            def series_http() -> None:
                r = client.get(f"/api/series/{series_id}", params={"limit": 120})
                assert r.status_code == 200

            results["search"].append(run_load(search_http, args.requests))
            results["series page"].append(run_load(series_http, args.requests))
            load = mixed_load({"search": search_http, "series page": series_http},
                              args.seconds)
        finally:
            server.terminate()
            server.wait(10)

    print(f"# service layer, {CLIENTS} concurrent clients, {args.requests} requests each, "
          f"series of {args.series_media} media — {machine()}")
    print("| operation | in-process req/s | HTTP req/s | ratio | in-process p99 ms "
          "| HTTP p50 ms | HTTP p99 ms |")
    print("|---|---|---|---|---|---|---|")
    for name, ((local_rps, _, local_p99), (http_rps, http_p50, http_p99)) in results.items():
        print(f"| {name} | {local_rps:.0f} | {http_rps:.0f} | {http_rps / local_rps:.2f} "
              f"| {local_p99:.1f} | {http_p50:.1f} | {http_p99:.1f} |")
    latencies, errors, wall = load
    print(f"\n# under load: {CLIENTS} clients mixing both operations over HTTP for "
          f"{wall:.0f} s — {len(errors)} errors")
    print("| operation | requests | req/s | p50 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|---|")
    for name, got in latencies.items():
        ordered = sorted(got) or [0.0]
        print(f"| {name} | {len(got)} | {len(got) / wall:.1f} "
              f"| {statistics.median(ordered) * 1000:.0f} "
              f"| {ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000:.0f} "
              f"| {ordered[-1] * 1000:.0f} |")
    for line in errors[:10]:
        print(f"error: {line}")


if __name__ == "__main__":
    main()
