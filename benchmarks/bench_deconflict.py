"""End to end: de-conflict a seizure of 3,500 files against a database of 1M PDQ hashes.

The database holds 1M synthetic media rows with random PDQ hashes (bulk-inserted, as if ingested
earlier) plus a few hundred real ingested pictures; the seizure mixes transformed copies of
those pictures with new ones. Timed: opening the index (built from the database) and the whole
`deconflict` (read, hash, 8 dihedral variants, faces, search, report), with all cores and the
settings a user gets by default; ``--no-faces`` is the hash-only first pass of a huge seizure.

    python benchmarks/bench_deconflict.py [--hashes 1000000] [--files 3500] [--no-faces]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import machine
from tessera.config import Settings
from tessera.context import Context
from tessera.pipeline.deconflict import deconflict
from tessera.pipeline.ingest import ingest
from tessera.reports.renderers import RENDERERS
from tessera.store import repos
from tessera.store.bootstrap import initialise
from tessera.store.tables import Media, Signal
from tessera.synthetic import TRANSFORMS, jpeg, picture


def bulk_media(ctx: Context, n: int, agency_id: int) -> None:
    rng = np.random.default_rng(1)
    batch = 50_000
    for lo in range(0, n, batch):
        count = min(batch, n - lo)
        digests = rng.integers(0, 256, (count, 32), dtype=np.uint8)
        codes = rng.integers(0, 256, (count, 32), dtype=np.uint8)
        with ctx.db.session() as s:
            first = lo + 1_000_000_000  # ids far from the real ones
            s.execute(insert(Media), [
                {"id": first + i, "sha256": digests[i].tobytes().hex(),
                 "md5": digests[i, :16].tobytes().hex(), "sha1": digests[i, :20].tobytes().hex(),
                 "kind": "image", "mime": "image/jpeg", "size": 100_000, "width": 640,
                 "height": 480, "meta": {}} for i in range(count)])
            s.execute(insert(Signal), [
                {"media_id": first + i, "type": "pdq", "version": 1,
                 "value": codes[i].tobytes(), "quality": 100, "region": "full"}
                for i in range(count)])
    del agency_id


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hashes", type=int, default=1_000_000)
    parser.add_argument("--files", type=int, default=3500)
    parser.add_argument("--known", type=int, default=500)
    parser.add_argument("--no-faces", action="store_true")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="tessera-e2e-"))
    settings = Settings.from_env(env={"TESSERA_FACES": "0"} if args.no_faces else {},
                                 home=root / "home")
    initialise(settings, "bench")
    ctx = Context.open(settings)
    with ctx.db.session() as s:
        au = repos.add_agency(s, "AU", "Australian Federal Police", "AU", None)
        repos.add_agency(s, "DE", "Bundeskriminalamt", "DE", None)
        au_id = au.id
    start = time.perf_counter()
    bulk_media(ctx, args.hashes, au_id)
    fill = time.perf_counter() - start

    known = root / "known"
    known.mkdir()
    for seed in range(args.known):
        (known / f"k_{seed}.jpg").write_bytes(jpeg(picture(seed)))
    ingest(ctx, known, "AU", series_name="Series Ocean")

    seizure = root / "seizure"
    seizure.mkdir()
    transforms = list(TRANSFORMS.values())
    for seed in range(args.known):
        image = transforms[seed % len(transforms)](picture(seed))
        (seizure / f"copy_{seed}.jpg").write_bytes(jpeg(image, 85))
    for seed in range(args.files - args.known):
        (seizure / f"new_{seed}.jpg").write_bytes(jpeg(picture(100_000 + seed)))
    ctx.close()

    ctx = Context.open(settings)  # a fresh process' view: the index is opened from disk
    start = time.perf_counter()
    index = ctx.index("pdq")
    open_s = time.perf_counter() - start
    start = time.perf_counter()
    report = deconflict(ctx, seizure, "DE", thumbnails=True)
    elapsed = time.perf_counter() - start
    html = RENDERERS.get("html").render(report)
    print(f"# end-to-end de-confliction — {machine()}, {settings.workers} workers, faces "
          f"{'on' if settings.media.faces else 'off'}")
    print(f"database: {len(index.index):,} PDQ hashes (bulk fill {fill:.0f} s); index opened in "
          f"{open_s:.2f} s")
    print(f"seizure: {args.files:,} JPEGs 640x480 ({args.known} transformed copies of known media)")
    print(f"de-confliction: {elapsed:.1f} s = {args.files / elapsed:.1f} files/s; "
          f"counts {report.counts}; HTML report {len(html) / 1e6:.1f} MB")
    missed = args.known - report.counts["exact"] - report.counts["near"]
    print(f"transformed copies found: {args.known - missed} of {args.known}")
    os.system(f"rm -rf {root}")


if __name__ == "__main__":
    main()
