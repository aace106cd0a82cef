"""Video: hashing speed against FFmpeg decoding alone, and match latency of a 10-minute query
against 10,000 indexed videos.

1. Hashing. For each video, in the same run: PyAV/FFmpeg decoding of every frame (the floor any
   frame hasher pays) and Tessera's full analysis (vPDQ at 1 frame/s with bar probing, keyframes,
   contact sheet, Chromaprint; speech off, it is a separate cost of about real time). Reported as
   multiples of real time and as the ratio analysis / decoding.
2. Matching. 10,000 videos of 200 kept frame hashes each (2M hashes, ~3 min at 1 frame/s with
   pruning) in the multi-index; a 10-minute query (600 frames) that contains a 2-minute stretch
   of one indexed video (each hash with up to 16 bits flipped) and otherwise unrelated frames.
   Latency of the range search + segment alignment, against exact brute force (faiss
   IndexBinaryFlat) over the same hashes.

    python benchmarks/bench_video.py [--videos DIR] [--indexed 10000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import av
import faiss
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import machine
from tessera.config import Limits, MediaOptions
from tessera.index import MultiIndexHammingIndex
from tessera.matching.video import Pair, align
from tessera.media.sources import Item
from tessera.pipeline.analyze import AnalyzeOptions, analyze_item
from tessera.synthetic import Shot, tone_track, write_video

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
RADIUS = 31


def decode_only(path: Path) -> float:
    start = time.perf_counter()
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        stream.thread_type = "AUTO"
        for _ in c.decode(stream):
            pass
    return time.perf_counter() - start


def hashing(paths: list[Path]) -> None:
    options = AnalyzeOptions(Limits(), thumbnails=True,
                             media=MediaOptions(speech=False, faces=False))
    total_media = total_decode = total_analyze = 0.0
    print(f"{'video':38s} {'secs':>6s} {'decode x rt':>11s} {'analyse x rt':>12s} {'ratio':>6s}")
    for path in paths:
        with av.open(str(path)) as c:
            duration = (c.duration or 0) / av.time_base
        dec = decode_only(path)
        start = time.perf_counter()
        result = analyze_item(Item(str(path), str(path), size=path.stat().st_size), options, None)
        ana = time.perf_counter() - start
        assert result.ok, result.error
        total_media, total_decode, total_analyze = (total_media + duration, total_decode + dec,
                                                    total_analyze + ana)
        print(f"{path.name[:38]:38s} {duration:6.1f} {duration / dec:11.1f} "
              f"{duration / ana:12.1f} {ana / dec:6.2f}")
    print(f"{'all':38s} {total_media:6.1f} {total_media / total_decode:11.1f} "
          f"{total_media / total_analyze:12.1f} {total_analyze / total_decode:6.2f}")


def flip(codes: np.ndarray, max_bits: int, rng: np.random.Generator) -> np.ndarray:
    bits = np.unpackbits(codes, axis=1)
    for row in range(len(bits)):
        bits[row, rng.choice(256, int(rng.integers(0, max_bits + 1)), replace=False)] ^= 1
    return np.packbits(bits, axis=1)


def matching(indexed: int, frames: int, repeats: int) -> None:
    rng = np.random.default_rng(7)
    codes = rng.integers(0, 256, (indexed * frames, 32), dtype=np.uint8)
    ids = np.arange(len(codes))
    start = time.perf_counter()
    index = MultiIndexHammingIndex(256)
    index.add(ids, codes)
    index.merge()
    build = time.perf_counter() - start
    brute = faiss.IndexBinaryFlat(256)
    brute.add(codes)
    target = 4321
    stretch = codes[target * frames + 30: target * frames + 150]  # 2 minutes of video 4321
    query = rng.integers(0, 256, (600, 32), dtype=np.uint8)
    query[200:320] = flip(stretch, 16, rng)
    faiss.omp_set_num_threads(1)

    def locate(hits) -> list:  # type: ignore[no-untyped-def]
        pairs = [Pair(q, q + 1.0, float(i % frames), float(i % frames) + 1.0, d)
                 for q, i, d in hits if i // frames == target]
        return align(pairs)

    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        found = index.range_search(query, RADIUS)
        segments = locate([(h.query, h.id, h.distance) for h in found])
        times.append(time.perf_counter() - start)
    brute_times = []
    for _ in range(max(1, repeats // 3)):
        start = time.perf_counter()
        lims, dist, labels = brute.range_search(query, RADIUS + 1)
        brute_hits = [(q, int(labels[k]), int(dist[k])) for q in range(len(query))
                      for k in range(lims[q], lims[q + 1])]
        brute_segments = locate(brute_hits)
        brute_times.append(time.perf_counter() - start)
    assert len(segments) == 1 and segments == brute_segments, (segments, brute_segments)
    seg = segments[0]
    ms, bs = 1000 * float(np.median(times)), 1000 * float(np.median(brute_times))
    print(f"indexed videos {indexed:,} x {frames} frames = {len(codes):,} hashes, "
          f"multi-index built in {build:.1f} s")
    print(f"10-min query (600 frames): {ms:.0f} ms (median of {repeats}) vs brute force "
          f"{bs:.0f} ms: {bs / ms:.1f}x faster; found query {seg.query_start:.0f}-"
          f"{seg.query_end:.0f} s = video {target} {seg.match_start:.0f}-{seg.match_end:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--videos", type=Path, default=SHARED / "videos")
    parser.add_argument("--indexed", type=int, default=10_000)
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    print(machine())
    paths = sorted(p for p in args.videos.glob("*") if p.suffix in (".mp4", ".webm"))
    with tempfile.TemporaryDirectory() as tmp:
        long = write_video(Path(tmp) / "generated-60s-720p.mp4",
                           [Shot(k, 6) for k in range(10)], size=(1280, 720), fps=30,
                           bitrate=3_000_000, audio=tone_track(60, 3))
        hashing([*paths, long])
    matching(args.indexed, args.frames, args.repeats)


if __name__ == "__main__":
    main()
