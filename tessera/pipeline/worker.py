"""The task a runner sends to a worker: one file with the options it came with.

A worker holds no options and writes nothing; the one thing it keeps between tasks is the
evidence key it read (from the path in the options) to open uploads staged sealed with it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from tessera.core.types import FileResult
from tessera.media.sources import Item
from tessera.pipeline.analyze import AnalyzeOptions, analyze_item
from tessera.store.blobs import load_key


@cache
def _key(key_path: str) -> bytes:
    return load_key(Path(key_path))


def work(item: Item, options: AnalyzeOptions) -> FileResult:
    """Never raises for bad input: the result carries the file's error."""
    secret = _key(options.key_path) if item.sealed and options.key_path else None
    return analyze_item(item, options, secret)


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
