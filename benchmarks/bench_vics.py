"""VICS import at scale: a generated 2.0 case of N Media entries imported into a fresh data folder
(SQLite, the embedded default; ``--postgres`` for a throw-away PostgreSQL on loopback).

Reports entries/s and the process's peak resident memory during the import, at each size, so a
flat memory line shows the reader streams. Baseline in the same run: ijson's own event stream
over the same file (``ijson.parse``, the C backend) without storing anything: the floor under
any streaming reader.

    python benchmarks/bench_vics.py [--sizes 100000,1000000] [--postgres]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import ijson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import machine, rss_mib
from tessera.access.policy import Principal
from tessera.config import Settings
from tessera.context import Context
from tessera.service import hashsets
from tessera.store import repos
from tessera.store.bootstrap import initialise

V20 = "http://github.com/ICMEC/ProjectVic/DataModels/2.0.xml/US/$metadata#Cases"


def write_case(path: Path, n: int) -> int:
    """A case the way forensic tools write one: hashes, categories, series, tags, EXIF-ish
    metadata, one MediaFiles entry each; one entry in fifty names a file already named."""
    with path.open("w", encoding="utf-8") as out:
        head = json.dumps({"@odata.context": V20, "value": [
            {"CaseID": "bench", "CaseNumber": "BENCH-1", "TotalMediaFiles": n, "Media": []}]})
        out.write(head[:-len("]}]}")])  # the Media array left open, entries streamed in
        for i in range(n):
            key = i - 1 if i % 50 == 49 else i
            digest = hashlib.sha1(key.to_bytes(8, "little")).digest()
            md5 = hashlib.md5(digest).hexdigest()
            entry = {"MediaID": i + 1, "Category": key % 5, "MD5": md5.upper(),
                     "SHA1": digest.hex().upper(), "MediaSize": 50_000 + key,
                     "PhotoDNA": digest.hex() * 3, "Series": f"Series {key % 40}",
                     "Tags": ["bench"] if key % 3 else [], "IsDistributed": key % 2 == 0,
                     "VictimIdentified": None, "Comments": "generated",
                     "MediaFiles": [{"FileName": f"img_{key}.jpg",
                                     "FilePath": f"C:\\\\seized\\\\{key % 100}",
                                     "Created": "2026-01-02T03:04:05Z"}],
                     "Exifs": [{"PropertyName": "Make", "PropertyValue": "Bench"}]}
            out.write(("," if i else "") + json.dumps(entry, separators=(",", ":")))
        out.write("]}]}")
    return path.stat().st_size


def parse_only(path: Path) -> float:
    start = time.perf_counter()
    with path.open("rb") as fh:
        for _ in ijson.parse(fh):
            pass
    return time.perf_counter() - start


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(n: int, folder: Path, database_url: str | None) -> None:
    case = folder / f"case-{n}.json"
    size = write_case(case, n)
    parse = parse_only(case)
    env = {"TESSERA_HOME": str(folder / f"home-{n}")}
    if database_url:
        env["TESSERA_DATABASE_URL"] = database_url
    settings = Settings.from_env(env=env)
    initialise(settings, "bench")
    ctx = Context.open(settings)
    ctx.actor = "bench"
    with ctx.db.session() as s:
        au = repos.add_agency(s, "AU", "Australian Federal Police", "AU", None)
        s.flush()
        p = Principal.local_operator("bench", au.id, "AU")
    before, peak_before = rss_mib(), peak_mib()
    start = time.perf_counter()
    summary = hashsets.import_vics(ctx, p, case)
    took = time.perf_counter() - start
    peak = peak_mib()
    ctx.close()
    grew = max(0.0, peak - max(before, peak_before))
    print(f"{n:>10,} entries, {size / 2**20:,.0f} MiB: import {took:6.1f} s = "
          f"{n / took:8,.0f} entries/s; parse only {n / parse:9,.0f} entries/s "
          f"(ratio {parse / took:.2f}); peak RSS {peak:,.0f} MiB (+{grew:,.0f} during import); "
          f"{summary.media_new:,} media, {summary.duplicates:,} duplicates, "
          f"{len(summary.series)} series", flush=True)
    case.unlink()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--postgres", action="store_true")
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="tessera-vics-"))
    print(f"# VICS import — {machine()}, {'PostgreSQL' if args.postgres else 'SQLite'}")
    try:
        if args.postgres:
            from tests import pgserver

            binaries = pgserver.bindir()
            if binaries is None:
                sys.exit("PostgreSQL is not installed (make test installs it)")
            with pgserver.postgres(binaries) as server:
                for n in (int(x) for x in args.sizes.split(",")):
                    run(n, folder, pgserver.new_database(server))
        else:
            for n in (int(x) for x in args.sizes.split(",")):
                run(n, folder, None)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
