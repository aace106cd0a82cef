"""Face evaluation: verification accuracy, throughput and search at scale.

    python benchmarks/faces.py [--size 1000000] [--queries 1000]

1. Verification on every pair of photos in ../shared/data/faces (identity = folder name; one
   face per photo, the largest): true accept rate at false accept rates of 1% and 0.1%, and at
   Tessera's configured thresholds. Group photos (``_groups``): is each of the two known people
   the best match of one of the photo's faces?
2. Throughput, one core: photos and faces per second for detection + landmarks + embedding,
   against plain Pillow decoding of the same files (the baseline).
3. Search at ``--size`` synthetic embeddings (identities with spread like real faces): latency
   and recall of the inverted-file index against exact brute force (FAISS flat inner product)
   on the same vectors.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core: the figure is per core
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import faiss
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import SHARED, machine
from tessera.config import Limits
from tessera.index.vectors import IvfVectorIndex
from tessera.media.image import decode_image
from tessera.signals.face import FaceSignal


def analyse(paths: list[Path]) -> tuple[dict[Path, list], float, float, int]:
    faiss.omp_set_num_threads(1)
    signal, limits = FaceSignal(), Limits()
    signal.extract(decode_image(paths[0].read_bytes(), limits))  # load the models first
    start = time.perf_counter()
    for p in paths:
        Image.open(p).convert("RGB")
    baseline = time.perf_counter() - start
    found: dict[Path, list] = {}
    start = time.perf_counter()
    for p in paths:
        found[p] = signal.extract(decode_image(p.read_bytes(), limits))
    spent = time.perf_counter() - start
    return found, spent, baseline, sum(len(v) for v in found.values())


def verification(found: dict[Path, list]) -> tuple[list[str], dict[str, np.ndarray]]:
    lines = []
    singles = {p: v for p, v in found.items() if p.parent.name != "_groups"}
    missed = [p for p, v in singles.items() if not v]
    kept = [(p.parent.name, np.frombuffer(max(v, key=lambda s: _area(s)).value, np.float32))
            for p, v in singles.items() if v]
    names = [n for n, _ in kept]
    vectors = np.stack([v for _, v in kept])
    scores = vectors @ vectors.T
    same, diff = [], []
    for a, b in itertools.combinations(range(len(kept)), 2):
        (same if names[a] == names[b] else diff).append(scores[a, b])
    same_a, diff_a = np.array(same), np.array(diff)
    lines.append(f"photos: {len(singles)} of {len(set(p.parent.name for p in singles))} "
                 f"identities; no face found in {len(missed)}"
                 + (f" ({', '.join(p.parent.name + '/' + p.name for p in missed)})"
                    if missed else ""))
    lines.append(f"pairs: {len(same_a):,} same-person, {len(diff_a):,} different-person")
    lines.append("")
    lines.append("| false accept rate | threshold (cosine) | true accept rate |")
    lines.append("|---:|---:|---:|")
    for far in (0.01, 0.001):
        t = float(np.quantile(diff_a, 1 - far))
        lines.append(f"| {far:.1%} | {t:.3f} | {(same_a > t).mean():.3f} |")
    config = FaceSignal()
    for name, t in (("match", config.match), ("suggest", config.suggest),
                    ("cluster", config.cluster)):
        lines.append(f"| {(diff_a >= t).mean():.3%} at Tessera's {name} threshold | {t:.3f} | "
                     f"{(same_a >= t).mean():.3f} |")
    gallery = {n: vectors[[k for k, x in enumerate(names) if x == n]] for n in set(names)}
    return lines, gallery


def quality_buckets(found: dict[Path, list]) -> list[str]:
    """Whether quality predicts match reliability: same-person pairs (largest face per photo)
    accepted at the match threshold, by the quality of the weaker face of the pair; and the
    share of all faces found that the quality gate keeps from matching."""
    config = FaceSignal()
    singles = [(p.parent.name, max(v, key=lambda s: _area(s))) for p, v in found.items()
               if p.parent.name != "_groups" and v]
    vectors = np.stack([np.frombuffer(s.value, np.float32) for _, s in singles])
    scores = vectors @ vectors.T
    buckets: dict[str, list[bool]] = {}
    for a, b in itertools.combinations(range(len(singles)), 2):
        if singles[a][0] != singles[b][0]:
            continue
        q = min(singles[a][1].quality or 0, singles[b][1].quality or 0)
        key = next(f"{lo}-{hi - 1}" for lo, hi in ((0, 40), (40, 60), (60, 80), (80, 101))
                   if lo <= q < hi)
        buckets.setdefault(key, []).append(bool(scores[a, b] >= config.match))
    lines = ["| weaker face's quality | same-person pairs | accepted at the match threshold |",
             "|---|---:|---:|"]
    for key in ("0-39", "40-59", "60-79", "80-100"):
        got = buckets.get(key, [])
        lines.append(f"| {key} | {len(got)} | {np.mean(got):.3f} |" if got
                     else f"| {key} | 0 | — |")
    every = [s for v in found.values() for s in v]
    gated = [s for s in every if (s.quality or 0) < config.min_quality]
    lines.append("")
    lines.append(f"faces found: {len(every)}; under the quality gate ({config.min_quality}): "
                 f"{len(gated)} ({len(gated) / max(1, len(every)):.1%})")
    return lines


def _area(signal) -> float:  # type: ignore[no-untyped-def]
    box = signal.detail["box"]
    return box[2] * box[3]


GROUPS = {"kit_with_rose.jpg": {"kit_harington", "rose_leslie"},
          "obama_and_biden.jpg": {"obama", "biden"}, "two_people.jpg": {"obama", "biden"}}


def groups(found: dict[Path, list], gallery: dict[str, np.ndarray]) -> list[str]:
    lines = []
    for p, faces in sorted(found.items()):
        if p.parent.name != "_groups":
            continue
        best = set()
        for face in faces:
            v = np.frombuffer(face.value, np.float32)
            name, score = max(((n, float((g @ v).max())) for n, g in gallery.items()),
                              key=lambda x: x[1])
            if score >= FaceSignal().match:
                best.add(name)
        want = GROUPS.get(p.name, set())
        lines.append(f"{p.name}: {len(faces)} faces; best matches above the match threshold: "
                     f"{', '.join(sorted(best)) or 'none'} — expected {', '.join(sorted(want))}: "
                     f"{'yes' if want <= best else 'NO'}")
    return lines


def synthetic(n: int, per: int = 10, seed: int = 1) -> np.ndarray:
    """Identities as random directions, faces scattered around them: same-person cosine
    ~0.93, different ~0, like the real embeddings' separation."""
    rng = np.random.default_rng(seed)
    people = n // per
    out = np.empty((people * per, 128), dtype=np.float32)
    for start in range(0, people, 20_000):
        k = min(20_000, people - start)
        centres = rng.standard_normal((k, 128)).astype(np.float32)
        centres /= np.linalg.norm(centres, axis=1, keepdims=True)
        noise = rng.standard_normal((k, per, 128)).astype(np.float32) * (0.27 / np.sqrt(128))
        block = centres[:, None, :] + noise
        block /= np.linalg.norm(block, axis=2, keepdims=True)
        out[start * per:(start + k) * per] = block.reshape(-1, 128)
    return out


def search(size: int, queries: int) -> list[str]:
    faiss.omp_set_num_threads(1)
    data = synthetic(size)
    ids = np.arange(1, len(data) + 1, dtype=np.int64)
    rng = np.random.default_rng(2)
    picks = rng.choice(len(data), queries // 2, replace=False)
    noisy = data[picks] + rng.standard_normal((len(picks), 128)).astype(np.float32) * (
        0.27 / np.sqrt(128))
    noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
    strangers = rng.standard_normal((queries - len(picks), 128)).astype(np.float32)
    strangers /= np.linalg.norm(strangers, axis=1, keepdims=True)
    q = np.concatenate([noisy, strangers])
    threshold = FaceSignal().match

    start = time.perf_counter()
    flat = faiss.IndexFlatIP(128)
    flat.add(data)
    flat_build = time.perf_counter() - start
    start = time.perf_counter()
    ivf = IvfVectorIndex(128)
    faiss.omp_set_num_threads(os.cpu_count() or 1)  # building may use every core
    ivf.add(ids, data)
    build = time.perf_counter() - start
    faiss.omp_set_num_threads(1)

    truth: set[tuple[int, int]] = set()
    brute = []
    for k, row in enumerate(q):
        t0 = time.perf_counter()
        _lims, _dist, labels = flat.range_search(row[None, :], threshold)
        brute.append(time.perf_counter() - t0)
        truth.update((k, int(i) + 1) for i in labels)
    fast = []
    found: set[tuple[int, int]] = set()
    for k, row in enumerate(q):
        t0 = time.perf_counter()
        hits = ivf.search(row[None, :], 50, threshold)
        fast.append(time.perf_counter() - t0)
        found.update((k, h.id) for h in hits)
    recall = len(found & truth) / max(1, len(truth))
    ms = lambda xs, p: float(np.percentile(xs, p)) * 1000  # noqa: E731
    return [
        f"{len(data):,} synthetic embeddings ({len(data) // 10:,} identities x 10), "
        f"{queries:,} queries (half are new photos of stored identities, half strangers), "
        f"threshold {threshold}",
        "",
        "| index | build | p50 query | p99 query | recall vs brute force |",
        "|---|---:|---:|---:|---:|",
        f"| brute force (FAISS flat inner product, 1 thread) | {flat_build:.1f} s | "
        f"{ms(brute, 50):.2f} ms | {ms(brute, 99):.2f} ms | 1.000 ({len(truth):,} true matches) |",
        f"| Tessera IVF ({ivf.describe()}, 1 thread) | {build:.1f} s | {ms(fast, 50):.2f} ms | "
        f"{ms(fast, 99):.2f} ms | {recall:.3f} |",
        "",
        f"speed-up at p50: {ms(brute, 50) / ms(fast, 50):.0f}x",
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=1_000_000, help="0 skips the search part")
    parser.add_argument("--queries", type=int, default=1000)
    args = parser.parse_args()
    paths = sorted(p for p in (SHARED / "faces").rglob("*") if p.is_file())
    found, spent, baseline, faces = analyse(paths)
    print(f"# faces — {machine()}")
    print("\n## Verification (../shared/data/faces, dlib ResNet, cosine of unit embeddings)\n")
    lines, gallery = verification(found)
    print("\n".join(lines))
    print("\n## Quality against match reliability\n")
    print("\n".join(quality_buckets(found)))
    print("\n## Group photos\n")
    print("\n".join(groups(found, gallery)))
    print("\n## Throughput, one core\n")
    print(f"{len(paths)} photos, {faces} faces: plain Pillow decode {len(paths) / baseline:.1f} "
          f"photos/s; Tessera faces {len(paths) / spent:.2f} photos/s = {faces / spent:.2f} "
          f"faces/s (ratio to decode {baseline / spent:.3f})")
    if args.size:
        print("\n## Search\n")
        print("\n".join(search(args.size, args.queries)))


if __name__ == "__main__":
    main()
