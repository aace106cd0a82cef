"""De-confliction: what of this seizure is already known, to whom, and how.

Read-only unless ``ingest`` is given: then the seizure is stored *after* matching, so its files
never match themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tessera.context import Context
from tessera.core.types import FileResult
from tessera.matching.hits import Hit
from tessera.media.sources import iter_items
from tessera.pipeline.analyze import AnalyzeOptions
from tessera.pipeline.dispatch import analyze_stream
from tessera.pipeline.ingest import (
    IngestSummary,
    commit_results,
    count_items,
    finish_job,
    open_job,
)
from tessera.pipeline.progress import NoProgress, Progress
from tessera.reports.build import build_report
from tessera.reports.model import Report
from tessera.store import audit, repos
from tessera.store.blobs import load_key

MATCH_BATCH = 256


@dataclass(frozen=True)
class IngestRequest:
    case: str | None = None
    series: str | None = None


@dataclass
class Matched:
    """Every file of a source with its exact (sha256 → media id) and near-duplicate hits."""

    results: list[FileResult] = field(default_factory=list)
    exact: dict[str, int] = field(default_factory=dict)
    near: list[list[Hit]] = field(default_factory=list)

    def media_ids(self) -> set[int]:
        return set(self.exact.values()) | {h.media_id for hits in self.near for h in hits}

    def pairs(self) -> list[tuple[str, int, str]]:
        """(SHA-256 of a seized file, a known media it copies, "exact"|"near"), best first:
        what a pre-category is taken from."""
        out = []
        for result, hits in zip(self.results, self.near, strict=True):
            if not result.ok or result.digests is None:
                continue
            sha = result.digests.sha256
            if sha in self.exact:
                out.append((sha, self.exact[sha], "exact"))
            out.extend((sha, h.media_id, "near") for h in hits if h.evidence == "copy")
        return out

    def without(self, media_ids: set[int]) -> Matched:
        """The same matches less those on ``media_ids`` (a job's own files never match it)."""
        if not media_ids:
            return self
        return Matched(self.results, {k: v for k, v in self.exact.items()
                                      if v not in media_ids},
                       [[h for h in hits if h.media_id not in media_ids] for hits in self.near])


def match_source(ctx: Context, source: Path, *, thumbnails: bool = True,
                 store_blobs: bool = False, progress: Progress | None = None,
                 sealed: bool = False) -> Matched:
    """Analyse and match every file; a ``progress`` that raises stops the run cleanly.
    ``sealed``: ``source`` holds uploads staged encrypted with the evidence key."""
    progress = progress or NoProgress()
    matcher = ctx.matcher()
    options = AnalyzeOptions(ctx.settings.limits, store_blobs=store_blobs,
                             transcribe=store_blobs, query_variants=True, thumbnails=thumbnails,
                             media=ctx.settings.media)
    if store_blobs:
        ctx.blobs()
    secret = load_key(ctx.settings.key_path) if sealed else None
    progress.start(count_items(source, ctx, secret), "analysing")
    out = Matched()
    batch: list[FileResult] = []

    def match_batch() -> None:
        out.exact.update(matcher.exact([r.digests for r in batch if r.digests]))
        out.near.extend(matcher.near([r.query_signals if r.ok else [] for r in batch]))
        for r in batch:
            r.query_signals = []  # variants are not needed past matching; keep memory flat
        out.results.extend(batch)
        batch.clear()

    try:
        for result in analyze_stream(ctx, iter_items(source, ctx.settings.limits, secret),
                                     options, sealed=sealed):
            batch.append(result)
            progress.advance(1)  # as each file is analysed: a long run never looks hung
            if len(batch) >= MATCH_BATCH:
                match_batch()
        match_batch()
    finally:
        progress.stop()
    return out


def deconflict(ctx: Context, source: Path, agency_code: str, *, thumbnails: bool = True,
               ingest: IngestRequest | None = None,
               progress: Progress | None = None,
               on_stored: Callable[[Matched, IngestSummary], None] | None = None) -> Report:
    """``on_stored``: called with the matches and the ingest once the files are stored
    (pre-categories, link suggestions)."""
    with ctx.db.session() as s:
        repos.get_agency(s, agency_code)
    matched = match_source(ctx, source, thumbnails=thumbnails, store_blobs=ingest is not None,
                           progress=progress)
    report = build_report(ctx.db, agency_code, str(source), ctx.thresholds(),
                          matched.results, matched.exact, matched.near)
    with ctx.db.session() as s:
        audit.append(s, ctx.actor, "deconflict", str(Path(source).resolve()), agency=agency_code,
                     details=report.counts)
    if ingest is not None:
        summary = store_results(ctx, source, agency_code, ingest, matched.results)
        if on_stored is not None:
            on_stored(matched, summary)
    return report


def store_results(ctx: Context, source: Path, agency_code: str, request: IngestRequest,
                  results: list[FileResult], progress: Progress | None = None) -> IngestSummary:
    """Store matched files as evidence, after matching; resumes a job a crash left unfinished."""
    progress = progress or NoProgress()
    target, resumed, done = open_job(ctx, source, agency_code, request.case, request.series,
                                     via="deconflict")
    summary = IngestSummary(job_id=target.job_id, resumed=resumed, already_done=len(done))
    todo = [r for r in results if r.path not in done]
    progress.start(len(todo), "storing")
    try:
        commit_results(ctx, target, iter(todo), summary, progress)
    finally:
        progress.stop()
    ctx.save_indexes()
    finish_job(ctx, agency_code, summary)
    return summary
