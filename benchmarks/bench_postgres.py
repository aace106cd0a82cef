"""PostgreSQL at scale: the growth curve of a database filled by COPY.

A throw-away PostgreSQL server on loopback is filled step by step with synthetic media rows and
``--signals`` PDQ signals each (random codes), through ``tessera.store.bulk.copy_rows``. At
each size: load rate, bytes on disk per media, exact lookups by SHA-256 and near-duplicate
searches through Tessera's matcher (p50/p99), the PDQ index's build from the database, its
memory per hash and its reopening from disk. Baseline in the same run: the ORM's batched
INSERT of the first 50,000 rows, against COPY of the same rows' kind.

    python benchmarks/bench_postgres.py [--steps 250000,500000,1000000,2000000] [--signals 3]
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy import insert, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import machine, rss_mib
from tessera.config import MediaOptions, Settings
from tessera.context import Context
from tessera.core.types import Signal
from tessera.store.bootstrap import initialise
from tessera.store.bulk import copy_rows
from tessera.store.tables import Media
from tessera.store.tables import Signal as SignalRow
from tests import pgserver

BATCH = 50_000
HASH_ONLY = MediaOptions(faces=False, speech=False)


def sha(i: int) -> str:
    return hashlib.sha256(i.to_bytes(8, "little")).hexdigest()


def media_rows(lo: int, hi: int) -> list[dict[str, object]]:
    out = []
    for i in range(lo, hi):
        digest = sha(i)
        out.append({"id": i + 1, "sha256": digest, "md5": digest[:32], "sha1": digest[:40],
                    "kind": "image", "mime": "image/jpeg", "size": 100_000, "width": 640,
                    "height": 480, "meta": {}})
    return out


def signal_rows(lo: int, hi: int, per: int, codes: np.ndarray) -> list[dict[str, object]]:
    return [{"media_id": i + 1, "type": "pdq", "version": 1,
             "value": codes[(i - lo) * per + k].tobytes(), "quality": 100, "region": "full"}
            for i in range(lo, hi) for k in range(per)]


def load(ctx: Context, lo: int, hi: int, per: int, rng: np.random.Generator,
         samples: dict[int, bytes]) -> None:
    for start in range(lo, hi, BATCH):
        stop = min(hi, start + BATCH)
        codes = rng.integers(0, 256, ((stop - start) * per, 32), dtype=np.uint8)
        for pick in rng.choice(stop - start, min(50, stop - start), replace=False):
            samples[start + int(pick)] = codes[int(pick) * per].tobytes()
        with ctx.db.session() as s:
            copy_rows(s, Media, media_rows(start, stop))
            copy_rows(s, SignalRow, signal_rows(start, stop, per, codes))


def orm_baseline(ctx: Context, per: int) -> float:
    """Rows/s of the ORM's executemany INSERT for 50,000 media and their signals (then
    removed), the way rows went in before COPY."""
    rng = np.random.default_rng(99)
    lo, hi = 900_000_000, 900_000_000 + 50_000
    codes = rng.integers(0, 256, ((hi - lo) * per, 32), dtype=np.uint8)
    start = time.perf_counter()
    with ctx.db.session() as s:
        s.execute(insert(Media), media_rows(lo, hi))
        s.execute(insert(SignalRow), signal_rows(lo, hi, per, codes))
    spent = time.perf_counter() - start
    with ctx.db.session() as s:
        s.execute(text("DELETE FROM signal WHERE media_id > :lo"), {"lo": lo})
        s.execute(text("DELETE FROM media WHERE id > :lo"), {"lo": lo})
    return (hi - lo) * (1 + per) / spent


def percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return (statistics.median(ordered) * 1000,
            ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000)


def flipped(code: bytes, bits: int, rng: np.random.Generator) -> bytes:
    unpacked = np.unpackbits(np.frombuffer(code, dtype=np.uint8))
    unpacked[rng.choice(256, bits, replace=False)] ^= 1
    return np.packbits(unpacked).tobytes()


def measure(settings: Settings, n: int, per: int, queries: int, samples: dict[int, bytes],
            rng: np.random.Generator) -> dict[str, float]:
    shutil.rmtree(settings.index_dir, ignore_errors=True)
    ctx = Context.open(settings)
    before = rss_mib()
    start = time.perf_counter()
    ctx.index("pdq")
    build = time.perf_counter() - start
    per_hash = (rss_mib() - before) * 2**20 / (n * per)
    ctx.save_indexes()
    ctx.close()

    ctx = Context.open(settings)
    start = time.perf_counter()
    ctx.index("pdq")
    reopen = time.perf_counter() - start
    matcher = ctx.matcher(HASH_ONLY)
    exact, near = [], []
    picks = rng.integers(0, n, queries)
    for i in picks:
        t = time.perf_counter()
        found = matcher.exact([sha(int(i))])
        exact.append(time.perf_counter() - t)
        assert found, "a stored media must be found by its SHA-256"
    known = list(samples.items())
    for k in range(queries):
        media_id, code = known[k % len(known)]
        query = Signal("pdq", 1, flipped(code, 12, rng), quality=100)
        t = time.perf_counter()
        hits = matcher.near([[query]])[0]
        near.append(time.perf_counter() - t)
        assert any(h.media_id == media_id + 1 for h in hits), "a planted copy must be found"
    with ctx.db.session() as s:
        size = s.scalar(text("SELECT pg_database_size(current_database())"))
        tables = {name: s.scalar(text(f"SELECT pg_total_relation_size('{name}')"))
                  for name in ("media", "signal")}
    ctx.close()
    e50, e99 = percentiles(exact)
    n50, n99 = percentiles(near)
    return {"bytes_per_media": size / n, "media_bytes": tables["media"] / n,
            "signal_bytes": tables["signal"] / (n * per), "build": build, "reopen": reopen,
            "per_hash": per_hash, "exact50": e50, "exact99": e99, "near50": n50, "near99": n99}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", default="250000,500000,1000000,2000000")
    parser.add_argument("--signals", type=int, default=3, help="PDQ signals per media")
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    steps = [int(x) for x in args.steps.split(",")]
    binaries = pgserver.bindir()
    if binaries is None:
        sys.exit("PostgreSQL is not installed (make test installs it)")
    rng = np.random.default_rng(1)
    samples: dict[int, bytes] = {}
    print(f"# PostgreSQL growth — {machine()}, {args.signals} PDQ signals per media")
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp, \
            pgserver.postgres(binaries, "shared_buffers=512MB",
                              "maintenance_work_mem=512MB") as server:
        settings = Settings.from_env(env={"TESSERA_DATABASE_URL": pgserver.new_database(server),
                                          "TESSERA_FACES": "0", "TESSERA_SPEECH": "0"},
                                     home=Path(tmp) / "home")
        initialise(settings, "bench")
        ctx = Context.open(settings)
        orm = orm_baseline(ctx, args.signals)
        print(f"ORM executemany INSERT (baseline, 50,000 media + signals): {orm:,.0f} rows/s\n")
        print("| media | signals | COPY rows/s | vs ORM | bytes/media on disk (media, per "
              "signal) | index build from DB | memory/hash | index reopen | exact p50/p99 ms "
              "| near p50/p99 ms |")
        print("|---:|---:|---:|---:|---|---:|---:|---:|---|---|")
        have = 0
        for n in steps:
            start = time.perf_counter()
            load(ctx, have, n, args.signals, rng, samples)
            rate = (n - have) * (1 + args.signals) / (time.perf_counter() - start)
            with ctx.db.session() as s:
                s.execute(text("ANALYZE"))
            m = measure(settings, n, args.signals, args.queries, samples, rng)
            print(f"| {n:,} | {n * args.signals:,} | {rate:,.0f} | {rate / orm:.1f}x | "
                  f"{m['bytes_per_media']:,.0f} ({m['media_bytes']:,.0f}, "
                  f"{m['signal_bytes']:,.0f}) | {m['build']:.1f} s | {m['per_hash']:.0f} B | "
                  f"{m['reopen']:.2f} s | {m['exact50']:.2f} / {m['exact99']:.2f} | "
                  f"{m['near50']:.2f} / {m['near99']:.2f} |", flush=True)
            have = n
        ctx.close()


if __name__ == "__main__":
    main()
