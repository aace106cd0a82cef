"""Analysis of one seizure on each runner, as files/s against the local pool with the same
number of worker processes, in the same run: what the Dask runner costs (or gains) per file.

    python benchmarks/bench_runner.py [--files N] [--workers W]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import best_of, machine
from tessera.config import Limits, MediaOptions
from tessera.core.dask_runner import DaskRunner
from tessera.core.runner import LocalRunner, Runner
from tessera.media.sources import iter_items
from tessera.pipeline.analyze import AnalyzeOptions
from tessera.pipeline.worker import crashed, settled, work
from tessera.synthetic import jpeg, picture


def seizure(files: int) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="tessera-runner-"))
    for i in range(files):
        (folder / f"{i:05d}.jpg").write_bytes(jpeg(picture(20_000 + i, (640, 480)), 88))
    return folder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=400)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    from distributed import LocalCluster

    folder = seizure(args.files)
    limits = Limits()
    task = partial(work, options=AnalyzeOptions(limits, query_variants=True,
                                                media=MediaOptions(speech=False, faces=False)))

    def run(runner: Runner) -> None:
        results = list(runner.map(task, iter_items(folder, limits), on_crash=crashed,
                                  settled=settled))
        assert len(results) == args.files and all(r.ok for r in results)

    local = LocalRunner(args.workers)
    t_local = best_of(2, lambda: run(local))
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        dask_runner = DaskRunner(cluster)
        run(dask_runner)  # warm the workers' imports
        t_dask = best_of(2, lambda: run(dask_runner))
        dask_runner.close()
    n = args.files
    print(f"# runners, de-confliction analysis without faces — {machine()}")
    print(f"{n} JPEGs 640x480, {args.workers} worker processes each")
    print(f"local pool   : {n / t_local:7.1f} files/s")
    print(f"Dask cluster : {n / t_dask:7.1f} files/s  ratio {t_local / t_dask:.2f}")


if __name__ == "__main__":
    main()
