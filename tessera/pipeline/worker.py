"""Per-process state for pool workers (set once by the initializer, never shared)."""

from __future__ import annotations

from pathlib import Path

from tessera.core.types import FileResult
from tessera.media.sources import Item
from tessera.pipeline.analyze import AnalyzeOptions, analyze_item
from tessera.store.blobs import BlobStore, load_key

_OPTIONS: AnalyzeOptions | None = None
_BLOBS: BlobStore | None = None
_SECRET: bytes | None = None  # reads sealed (staged) uploads


def init_worker(options: AnalyzeOptions, evidence_dir: str | None, key_path: str | None,
                sealed: bool = False) -> None:
    global _OPTIONS, _BLOBS, _SECRET
    _OPTIONS = options
    _BLOBS = None
    key = load_key(Path(key_path)) if key_path and (options.store_blobs or sealed) else None
    _SECRET = key if sealed else None
    if options.store_blobs and evidence_dir and key is not None:
        _BLOBS = BlobStore(Path(evidence_dir), key)


def work(item: Item) -> FileResult:
    assert _OPTIONS is not None, "init_worker was not called"
    return analyze_item(item, _OPTIONS, _BLOBS, _SECRET if item.sealed else None)


def init_searcher(key_path: str | None) -> None:
    """A search worker holds the key that sealed staged queries are read with."""
    global _SECRET
    _SECRET = load_key(Path(key_path)) if key_path else None


def analyze_alone(item: Item, options: AnalyzeOptions) -> FileResult:
    """One file with its own options and nothing stored (a search)."""
    return analyze_item(item, options, None, _SECRET if item.sealed else None)


def settled(item: Item) -> FileResult | None:
    """An item that already carries its error (a symlink, a bomb, a too-deep archive) is
    answered at once: it never goes to a worker."""
    if item.error is None:
        return None
    return FileResult(item.path, error_code=item.error.code, error=item.error.message,
                      warnings=list(item.warnings))


def crashed(item: Item) -> FileResult:
    return FileResult(item.path, error_code="decoder_crashed",
                      error="the decoder crashed on this file; it was isolated and skipped")
