"""Connections at scale: the graph around a series, depth 2, over N series and M links
(default 1M and 10M, random pairs: about 20 links a series), on SQLite (the embedded default).

Each query is what the API's ``GET /api/entities/series/{id}/graph?depth=2`` runs: the level-wise
walk over the link table's indexes, every endpoint resolved under the sharing rules (as an
investigator of another agency), nodes and edges shaped for the page. Reports p50/p95/p99.
Baseline in the same run: the same depth-2 neighbourhood found by scanning the whole link table
once per level (no index), the cost of a graph query without the schema's indexes.

    python benchmarks/bench_links.py [--entities 1000000] [--links 10000000] [--queries 200]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import machine, rss_mib
from tessera.access.policy import Principal, Role
from tessera.config import Settings
from tessera.context import Context
from tessera.service import links
from tessera.store import repos
from tessera.store.bootstrap import initialise

KINDS = ("same-series", "same-victim", "same-offender", "same-place", "same-device", "related")
CHUNK = 500_000


def load(ctx: Context, entities: int, n_links: int, seed: int) -> int:
    """Series 1..N (owners AU and NL, every sharing level) and about ``n_links`` distinct links,
    inserted in key order through the DBAPI: a bulk load, as a migration from another system."""
    with ctx.db.session() as s:
        au = repos.add_agency(s, "AU", "Australian Federal Police", "AU", "vid@afp.example")
        nl = repos.add_agency(s, "NL", "Dutch National Police", "NL", None)
        s.flush()
        owners = (au.id, nl.id)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    raw = ctx.db.engine.raw_connection()
    cur = raw.cursor()
    cur.execute("PRAGMA synchronous=OFF")
    cur.execute("PRAGMA cache_size=-1000000")
    sharing = ("hash-only", "metadata", "full")
    for start in range(1, entities + 1, CHUNK):
        cur.executemany(
            "INSERT INTO series (id, name, owner_agency_id, victim_status, offender_status, "
            "sharing, created_at, updated_at) VALUES (?, ?, ?, 'unidentified', 'unknown', ?, ?, ?)",
            [(i, f"Series {i}", owners[i % 2], sharing[i % 3], now, now)
             for i in range(start, min(start + CHUNK, entities + 1))])
    rng = np.random.default_rng(seed)
    a = rng.integers(1, entities + 1, int(n_links * 1.01), dtype=np.int64)
    b = rng.integers(1, entities + 1, a.size, dtype=np.int64)
    kind = rng.integers(0, len(KINDS), a.size, dtype=np.int64)
    keep = a != b
    lo, hi, kind = np.minimum(a, b)[keep], np.maximum(a, b)[keep], kind[keep]
    key = np.unique((lo * (entities + 1) + hi) * len(KINDS) + kind)[:n_links]
    kind, pair = key % len(KINDS), key // len(KINDS)
    lo, hi = pair // (entities + 1), pair % (entities + 1)
    confirmed = rng.random(key.size) < 0.8
    for start in range(0, key.size, CHUNK):
        end = start + CHUNK
        cur.executemany(
            "INSERT INTO entity_link (a_type, a_id, b_type, b_id, kind, state, source, score, "
            "evidence, created_by, created_at) VALUES ('series', ?, 'series', ?, ?, ?, ?, ?, "
            "'[]', 'bench', ?)",
            [(int(x), int(y), KINDS[k], "confirmed" if c else "suggested",
              "asserted" if c else "sha256", None if c else 1.0, now)
             for x, y, k, c in zip(lo[start:end], hi[start:end], kind[start:end],
                                   confirmed[start:end], strict=True)])
    raw.commit()
    cur.execute("ANALYZE")
    raw.commit()
    raw.close()
    return int(key.size)


def brute_neighbourhood(ctx: Context, start: int, depth: int) -> set[int]:
    """The same walk, scanning the whole table at each level (indexes disabled with ``+``)."""
    seen, frontier = {start}, {start}
    raw = ctx.db.engine.raw_connection()
    cur = raw.cursor()
    for _ in range(depth):
        marks = ",".join("?" * len(frontier))
        cur.execute(f"SELECT a_id, b_id FROM entity_link WHERE state IN ('confirmed', "
                    f"'suggested') AND (+a_id IN ({marks}) OR +b_id IN ({marks}))",
                    [*frontier, *frontier])
        found = {x for row in cur.fetchall() for x in row} - seen
        seen |= found
        frontier = found
    raw.close()
    return seen


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entities", type=int, default=1_000_000)
    ap.add_argument("--links", type=int, default=10_000_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--baseline-queries", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="tessera-links-"))
    try:
        settings = Settings.from_env(env={"TESSERA_HOME": str(folder / "home")})
        initialise(settings, "bench")
        ctx = Context.open(settings)
        ctx.actor = "bench"
        began = time.perf_counter()
        stored = load(ctx, args.entities, args.links, args.seed)
        loaded = time.perf_counter() - began
        db_bytes = sum(p.stat().st_size for p in (folder / "home").rglob("*.db*"))
        print(f"# connections graph, depth 2 — {machine()}")
        print(f"{args.entities:,} series, {stored:,} links loaded in {loaded:.0f} s "
              f"({db_bytes / 2**30:.1f} GiB on disk)")
        with ctx.db.session() as s:
            nl = repos.get_agency(s, "NL")
        viewer = Principal(1, "nl.inv", nl.id, "NL", Role.INVESTIGATOR)
        rnd = random.Random(args.seed)
        # a series the viewer may read the details of: NL's own, or shared metadata or full
        starts = [i for i in (rnd.randrange(1, args.entities + 1) for _ in range(args.queries * 3))
                  if i % 2 == 1 or i % 3 != 0][:args.queries]
        times, sizes = [], []
        for i in starts:
            t0 = time.perf_counter()
            with ctx.db.session() as s:
                g = links.graph(s, viewer, ("series", i), 2)
            times.append(time.perf_counter() - t0)
            sizes.append((len(g["nodes"]), len(g["edges"])))
        ms = sorted(t * 1000 for t in times)
        p50, p95, p99 = (ms[int(q * (len(ms) - 1))] for q in (0.5, 0.95, 0.99))
        nodes = statistics.median(n for n, _ in sizes)
        edges = statistics.median(e for _, e in sizes)
        base = []
        for i in starts[:args.baseline_queries]:
            t0 = time.perf_counter()
            brute_neighbourhood(ctx, i, 2)
            base.append(time.perf_counter() - t0)
        base_ms = statistics.median(base) * 1000
        print(f"graph depth 2 ({len(ms)} queries, median {nodes:.0f} nodes, {edges:.0f} edges): "
              f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms (target p50 < 50 ms)")
        print(f"baseline, full scans per level: {base_ms:.0f} ms median of {len(base)}; "
              f"ratio {base_ms / p50:.0f}x")
        print(f"peak RSS {rss_mib():.0f} MiB")
        ctx.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
