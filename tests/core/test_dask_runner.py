"""The Dask runner on a real LocalCluster of worker processes: results in input order, items
that carry their error never sent, a task that kills its worker answered as crashed, and
ingest and de-confliction giving what the local pool gives."""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import dask
import pytest
from distributed import LocalCluster
from sqlalchemy import func, select

from tessera.context import Context
from tessera.core.dask_runner import DaskRunner
from tessera.pipeline.deconflict import match_source
from tessera.pipeline.ingest import ingest
from tessera.pipeline.verify import verify_evidence
from tessera.store import repos
from tessera.store.tables import Media
from tests.conftest import write_pictures


def _square_or_die(x: int) -> int:
    if x == 7:
        os._exit(1)  # what a segfaulting decoder looks like from the scheduler
    return x * x


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    # a task that kills its worker once is not tried on the next one (the local pool's rule)
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                         dashboard_address=None) as local:
        yield local


@pytest.fixture
def runner(cluster: LocalCluster) -> Iterator[DaskRunner]:
    """A client of the cluster (a context given it closes it)."""
    dask_runner = DaskRunner(cluster)
    yield dask_runner
    dask_runner.close()


def test_results_keep_the_input_order_and_a_crash_is_one_answer(runner: DaskRunner) -> None:
    results = list(runner.map(_square_or_die, range(12), on_crash=lambda x: -x,
                              settled=lambda x: 1000 + x if x % 5 == 0 else None))
    assert results == [1000 + x if x % 5 == 0 else -7 if x == 7 else x * x for x in range(12)]
    assert runner.call(_square_or_die, 3, on_crash=lambda x: -x) == 9


def test_deconflict_and_ingest_on_the_cluster_match_the_local_pool(
        runner: DaskRunner, sqlite_ctx: Context, tmp_path: Path) -> None:
    known, seized = tmp_path / "known", tmp_path / "seized"
    write_pictures(known, [1, 2, 3, 4])
    write_pictures(seized, [3, 4, 5])
    (seized / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really")
    local = match_source(sqlite_ctx, seized, thumbnails=False)
    sqlite_ctx.use_runner(runner)
    summary = ingest(sqlite_ctx, known, "AU", series_name="Known")
    assert (summary.files, summary.new_media, len(summary.errors)) == (4, 4, 0)
    assert verify_evidence(sqlite_ctx).ok  # the coordinator stored what the workers hashed
    on_cluster = match_source(sqlite_ctx, seized, thumbnails=False)
    assert [(r.path, r.error_code, r.digests) for r in on_cluster.results] == \
        [(r.path, r.error_code, r.digests) for r in local.results]
    with sqlite_ctx.db.session() as s:
        stored = {m.sha256 for m in repos.series_media(s, repos.get_series(s, "Known").id)}
    assert set(on_cluster.exact) == stored & {r.digests.sha256 for r in on_cluster.results
                                              if r.digests}
    assert len(on_cluster.exact) == 2  # pictures 3 and 4, found exactly


def test_the_command_line_deconflicts_on_a_cluster(cluster: LocalCluster,
                                                   sqlite_ctx: Context, tmp_path: Path) -> None:
    seized = tmp_path / "seized"
    write_pictures(seized, [1, 2])
    report = tmp_path / "report.json"
    env = {**os.environ, "TESSERA_HOME": str(sqlite_ctx.settings.home), "TESSERA_FACES": "0",
           "TESSERA_SPEECH": "0"}
    env.pop("TESSERA_DATABASE_URL", None)
    address = cluster.scheduler_address
    proc = subprocess.run([sys.executable, "-m", "tessera", "deconflict", str(seized),
                           "--agency", "AU", "--cluster", address, "--json", str(report)],
                          env=env, text=True, capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(report.read_text())["summary"]["counts"]["new"] == 2


def _slowly(fn: Callable[[object], object], item: object) -> object:
    time.sleep(0.4)  # long enough for the kill to find tasks in flight
    return fn(item)


class _KillsAWorkerMidRun(DaskRunner):
    """Kills one worker process (SIGKILL, as a lost machine) once the first result is in."""

    def map(self, fn, items: Iterable, **kw):  # type: ignore[no-untyped-def,override]
        results = super().map(functools.partial(_slowly, fn), items, **kw)
        yield next(results)
        pid = next(iter(self.client.run(os.getpid).values()))
        os.kill(pid, signal.SIGKILL)
        self.killed = pid
        yield from results


def test_a_worker_killed_mid_ingest_loses_and_duplicates_nothing(
        cluster: LocalCluster, sqlite_ctx: Context, tmp_path: Path) -> None:
    folder = tmp_path / "seizure"
    paths = write_pictures(folder, range(20, 36))
    killer = _KillsAWorkerMidRun(cluster, batch=2)
    sqlite_ctx.use_runner(killer)
    summary = ingest(sqlite_ctx, folder, "AU", series_name="Killed")
    assert killer.killed
    assert (summary.files, summary.new_media, len(summary.errors)) == (len(paths), len(paths), 0)
    with sqlite_ctx.db.session() as s:
        in_series = repos.series_media(s, repos.get_series(s, "Killed").id)
        assert len(in_series) == len({m.sha256 for m in in_series}) == len(paths)
        assert s.scalar(select(func.count()).select_from(Media)) == len(paths)
    assert verify_evidence(sqlite_ctx).ok
