"""Workers are pure and the coordinator keeps the evidence: analysis writes nothing, the
original is stored from a second read checked against the worker's SHA-256, and a worker that
dies in the service's isolated runner costs one per-file error."""

from __future__ import annotations

import os
import signal
import time
from functools import partial
from pathlib import Path

from tessera.config import Limits
from tessera.context import Context
from tessera.core.runner import LocalRunner
from tessera.media.sources import Item
from tessera.pipeline.analyze import AnalyzeOptions, analyze_item
from tessera.pipeline.deconflict import match_source
from tessera.pipeline.dispatch import keep_evidence
from tessera.pipeline.worker import crashed, work
from tessera.store.blobs import BlobStore
from tessera.synthetic import Shot, write_video
from tests.conftest import write_pictures


def _item(path: Path) -> Item:
    return Item(str(path), str(path), size=path.stat().st_size)


def test_a_dead_worker_is_one_error_and_the_pool_comes_back(tmp_path: Path) -> None:
    picture = write_pictures(tmp_path, [5])[0]
    item = _item(picture)
    options = AnalyzeOptions(Limits(), query_variants=True)
    runner = LocalRunner(isolate=True, call_workers=1)
    task = partial(work, options=options)
    try:
        first = runner.call(task, item, on_crash=crashed)
        assert first.ok and first.info is not None
        local = analyze_item(item, options)  # the same answer as in-process
        assert local.info is not None
        assert [s.value for s in first.info.signals] == [s.value for s in local.info.signals]
        assert runner._pool is not None
        for pid in list(runner._pool._processes):  # the worker dies (as a crash would)
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.5)
        dead = runner.call(task, item, on_crash=crashed)
        assert dead.error_code == "decoder_crashed"
        again = runner.call(task, item, on_crash=crashed)
        assert again.ok and again.digests == first.digests
    finally:
        runner.close()


def test_analysis_writes_nothing_and_the_coordinator_stores_what_it_returns(
        tmp_path: Path) -> None:
    video = write_video(tmp_path / "clip.mp4", [Shot(1, 2), Shot(2, 2)])
    before = {p for p in tmp_path.rglob("*")}
    result = analyze_item(_item(video), AnalyzeOptions(Limits(), store_blobs=True))
    assert {p for p in tmp_path.rglob("*")} == before  # the worker wrote nothing
    assert result.ok and result.keep_original and result.digests is not None
    payloads = [d for d in result.derivatives if d.data is not None]
    assert payloads and {d.kind for d in payloads} == {"keyframe", "contact_sheet"}
    blobs = BlobStore(tmp_path / "evidence", os.urandom(32))
    kept = keep_evidence(blobs, _item(video), result, Limits())
    assert kept.ok and all(d.data is None for d in kept.derivatives)
    assert blobs.get(result.digests.sha256) == video.read_bytes()  # the original, unaltered
    assert all(blobs.exists(d.sha256) for d in kept.derivatives if d.sha256)


def test_a_file_changed_after_analysis_is_an_error_not_a_different_blob(
        tmp_path: Path) -> None:
    picture = write_pictures(tmp_path, [3])[0]
    result = analyze_item(_item(picture), AnalyzeOptions(Limits(), store_blobs=True))
    assert result.ok and result.digests is not None
    picture.write_bytes(picture.read_bytes() + b"appended")
    blobs = BlobStore(tmp_path / "evidence", os.urandom(32))
    kept = keep_evidence(blobs, _item(picture), result, Limits())
    assert kept.error_code == "changed" and not blobs.exists(result.digests.sha256)


def test_speech_is_a_stage_the_task_asks_for(tmp_path: Path, shared_data: Path) -> None:
    speech = shared_data / "audio" / "speech_jfk.flac"
    item = _item(speech)
    silent = analyze_item(item, AnalyzeOptions(Limits()))
    assert silent.ok and silent.transcript == []
    heard = analyze_item(item, AnalyzeOptions(Limits(), transcribe=True))
    assert heard.ok and heard.transcript  # asked for, and nothing stored


class CountingRunner(LocalRunner):
    """Another runner, as a distributed one would be plugged in: the pipeline must use it."""

    def __init__(self) -> None:
        super().__init__(1)
        self.mapped: list[str] = []

    def map(self, fn, items, *, on_crash, settled=None):
        def seen(stream):
            for item in stream:
                self.mapped.append(item.path)
                yield item
        return super().map(fn, seen(items), on_crash=on_crash, settled=settled)


def test_the_pipeline_runs_on_the_runner_the_context_is_given(sqlite_ctx: Context,
                                                              tmp_path: Path) -> None:
    pictures = write_pictures(tmp_path / "seized", [1, 2, 3])
    runner = CountingRunner()
    sqlite_ctx.use_runner(runner)
    matched = match_source(sqlite_ctx, tmp_path / "seized", thumbnails=False)
    assert sorted(runner.mapped) == sorted(str(p) for p in pictures)
    assert [r.ok for r in matched.results] == [True, True, True]
    assert sqlite_ctx.runner is runner  # kept, whatever the settings say


def _pid(_: object) -> int:
    return os.getpid()


def test_an_isolated_context_never_analyses_in_its_own_process(sqlite_ctx: Context) -> None:
    """The service isolates its context: a search's native decoding runs in a worker."""
    assert sqlite_ctx.runner.call(_pid, None, on_crash=lambda _: -1) == os.getpid()
    runner = sqlite_ctx.isolate().runner
    assert runner.isolated
    assert runner.call(_pid, None, on_crash=lambda _: -1) not in (os.getpid(), -1)
