"""Searches in the service are analysed in worker processes: a worker that dies costs one
per-file error, and the next search works again."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from tessera.config import Limits
from tessera.media.sources import Item
from tessera.pipeline.analyze import AnalyzeOptions, analyze_item
from tessera.pipeline.isolated import IsolatedAnalyzer
from tests.conftest import write_pictures


def test_a_dead_worker_is_one_error_and_the_pool_comes_back(tmp_path: Path) -> None:
    picture = write_pictures(tmp_path, [5])[0]
    item = Item(str(picture), str(picture), size=picture.stat().st_size)
    options = AnalyzeOptions(Limits(), query_variants=True)
    analyzer = IsolatedAnalyzer(workers=1)
    try:
        first = analyzer.analyze(item, options)
        assert first.ok and first.info is not None
        local = analyze_item(item, options, None)  # the same answer as in-process
        assert [s.value for s in first.info.signals] == [s.value for s in local.info.signals]
        assert analyzer._pool is not None
        for pid in list(analyzer._pool._processes):  # the worker dies (as a crash would)
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.5)
        crashed = analyzer.analyze(item, options)
        assert crashed.error_code == "decoder_crashed"
        again = analyzer.analyze(item, options)
        assert again.ok and again.digests == first.digests
    finally:
        analyzer.close()
