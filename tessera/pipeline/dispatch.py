"""The coordinator's side of analysis: send files to the context's runner, and keep what the
workers found worth keeping.

Workers are pure (``pipeline.worker``); evidence is written here, in the coordinating
process. The original is read again from its source and stored under the SHA-256 the worker
computed: a file that changed in between is an error on that file, never a different blob.
An original already held is not read again.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import partial

from tessera.config import Limits
from tessera.context import Context
from tessera.core.errors import IntegrityError, MediaError
from tessera.core.types import FileResult
from tessera.media.sources import Item, open_item
from tessera.pipeline.analyze import CHUNK, AnalyzeOptions
from tessera.pipeline.worker import crashed, settled, work
from tessera.store.blobs import BlobStore, load_key


def _with_key(ctx: Context, options: AnalyzeOptions, sealed: bool) -> AnalyzeOptions:
    return replace(options, key_path=str(ctx.settings.key_path)) if sealed else options


def analyze_one(ctx: Context, item: Item, options: AnalyzeOptions) -> FileResult:
    """One file, nothing stored (a search); a sealed item is read with the evidence key."""
    return ctx.runner.call(partial(work, options=_with_key(ctx, options, item.sealed)), item,
                           on_crash=crashed)


def analyze_stream(ctx: Context, items: Iterable[Item], options: AnalyzeOptions, *,
                   sealed: bool = False) -> Iterator[FileResult]:
    """Every item's result, in order; with ``options.store_blobs`` each result's evidence is
    stored before it is yielded. ``sealed``: the items are uploads staged encrypted."""
    task = partial(work, options=_with_key(ctx, options, sealed))
    if not options.store_blobs:
        yield from ctx.runner.map(task, items, on_crash=crashed, settled=settled)
        return
    blobs = ctx.blobs()
    secret = load_key(ctx.settings.key_path) if sealed else None
    sent: deque[Item] = deque()

    def remembered() -> Iterator[Item]:
        for item in items:
            sent.append(item)
            yield item

    for result in ctx.runner.map(task, remembered(), on_crash=crashed, settled=settled):
        yield keep_evidence(blobs, sent.popleft(), result, ctx.settings.limits, secret)


def keep_evidence(blobs: BlobStore, item: Item, result: FileResult, limits: Limits,
                  secret: bytes | None = None) -> FileResult:
    """Store the original (when the worker says it is evidence) and the derivatives; the
    result that comes back holds no payloads."""
    if result.keep_original and result.digests is not None:
        try:
            _keep_original(blobs, item, result.digests.sha256, limits, secret)
        except (MediaError, IntegrityError) as exc:
            code = exc.code if isinstance(exc, MediaError) else "changed"
            return FileResult(result.path, digests=result.digests, error_code=code,
                              error=f"not stored: {exc}", warnings=result.warnings)
    if any(d.data is not None for d in result.derivatives):
        for d in result.derivatives:
            if d.data is not None:
                blobs.put([d.data], expected_sha256=d.sha256)
        result.derivatives = [replace(d, data=None) for d in result.derivatives]
    return result


def _keep_original(blobs: BlobStore, item: Item, sha256: str, limits: Limits,
                   secret: bytes | None) -> None:
    if blobs.exists(sha256):
        return
    with open_item(item, limits, secret if item.sealed else None) as fh:
        blobs.put(iter(partial(fh.read, CHUNK), b""), expected_sha256=sha256)
