"""Ingest hashing throughput per core, as a ratio to plain Pillow decoding of the same JPEGs.

The decode is the floor: Tessera must read every byte (MD5, SHA-1, SHA-256) and compute PDQ
(shrink to 512 px, EXIF orientation, border check). Target: at least 0.7 of the full-decode rate.

    python benchmarks/bench_hashing.py [--files N]
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import SHARED, best_of, machine
from tessera.config import Limits, MediaOptions
from tessera.media.sources import Item
from tessera.pipeline.analyze import AnalyzeOptions, analyze_item
from tessera.pipeline.dispatch import keep_evidence
from tessera.store.blobs import BlobStore
from tessera.synthetic import jpeg, picture

# hashing alone, as before faces existed; face analysis is measured in benchmarks/faces.py
HASH_ONLY = MediaOptions(speech=False, faces=False)


def corpus(n_generated: int) -> list[Path]:
    """Real photos from ../shared/data (camera JPEGs) plus generated 12 MP and 2 MP JPEGs."""
    files = sorted(p for p in SHARED.rglob("*.jpg") if "corrupt" not in p.parts
                   and p.stat().st_size > 20_000) if SHARED.is_dir() else []
    tmp = Path(tempfile.mkdtemp(prefix="tessera-bench-"))
    for i in range(n_generated):
        size = (4000, 3000) if i % 4 == 0 else (1600, 1200)
        path = tmp / f"gen_{i}.jpg"
        path.write_bytes(jpeg(picture(10_000 + i, size), 88))
        files.append(path)
    return files


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=40, help="generated JPEGs to add")
    args = parser.parse_args()
    files = corpus(args.files)
    total_bytes = sum(p.stat().st_size for p in files)
    pixels = 0
    for p in files:
        with Image.open(p) as im:
            pixels += im.width * im.height
    limits = Limits()

    def pillow_decode() -> None:
        for p in files:
            Image.open(io.BytesIO(p.read_bytes())).convert("RGB")

    options = AnalyzeOptions(limits, media=HASH_ONLY)

    def tessera_hash() -> None:
        for p in files:
            r = analyze_item(Item(str(p), str(p), size=p.stat().st_size), options, None)
            assert r.ok, r.error

    store = BlobStore(Path(tempfile.mkdtemp(prefix="tessera-blobs-")), b"k" * 32)
    store_options = AnalyzeOptions(limits, store_blobs=True, media=HASH_ONLY)

    def tessera_ingest() -> None:
        for p in files:
            item = Item(str(p), str(p), size=p.stat().st_size)
            keep_evidence(store, item, analyze_item(item, store_options), limits)

    tessera_hash()  # warm caches and imports
    t_decode = best_of(3, pillow_decode)
    t_hash = best_of(3, tessera_hash)
    t_ingest = best_of(1, tessera_ingest)  # first run encrypts; later runs would skip
    n = len(files)
    print(f"# ingest hashing, one core — {machine()}")
    print(f"files: {n} JPEGs, {total_bytes / 1e6:.1f} MB, {pixels / n / 1e6:.1f} MP on average")
    print(f"plain Pillow full decode : {n / t_decode:7.1f} files/s")
    print(f"Tessera hashing          : {n / t_hash:7.1f} files/s  "
          f"ratio {t_decode / t_hash:.2f} (target >= 0.7)")
    print(f"Tessera hashing + encrypted store : {n / t_ingest:7.1f} files/s  "
          f"ratio {t_decode / t_ingest:.2f}")


if __name__ == "__main__":
    main()
