"""Per-process state for pool workers (set once by the initializer, never shared)."""

from __future__ import annotations

from pathlib import Path

from tessera.core.types import FileResult
from tessera.media.sources import Item
from tessera.pipeline.analyze import AnalyzeOptions, analyze_item
from tessera.store.blobs import BlobStore, load_key

_OPTIONS: AnalyzeOptions | None = None
_BLOBS: BlobStore | None = None


def init_worker(options: AnalyzeOptions, evidence_dir: str | None, key_path: str | None) -> None:
    global _OPTIONS, _BLOBS
    _OPTIONS = options
    _BLOBS = None
    if options.store_blobs and evidence_dir and key_path:
        _BLOBS = BlobStore(Path(evidence_dir), load_key(Path(key_path)))


def work(item: Item) -> FileResult:
    assert _OPTIONS is not None, "init_worker was not called"
    return analyze_item(item, _OPTIONS, _BLOBS)


def crashed(item: Item) -> FileResult:
    return FileResult(item.path, error_code="decoder_crashed",
                      error="the decoder crashed on this file; it was isolated and skipped")
