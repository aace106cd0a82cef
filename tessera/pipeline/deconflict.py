"""De-confliction: what of this seizure is already known, to whom, and how.

Read-only unless ``ingest`` is given: then the seizure is stored *after* matching, so its files
never match themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tessera.context import Context
from tessera.core.types import FileResult
from tessera.matching.matcher import Hit, Matcher
from tessera.media.sources import iter_items
from tessera.pipeline.analyze import AnalyzeOptions
from tessera.pipeline.ingest import (
    IngestSummary,
    analyze_stream,
    commit_results,
    count_items,
    finish_job,
    open_job,
)
from tessera.pipeline.progress import NoProgress, Progress
from tessera.reports.build import build_report
from tessera.reports.model import Report
from tessera.store import audit, repos

MATCH_BATCH = 256


@dataclass(frozen=True)
class IngestRequest:
    case: str | None = None
    series: str | None = None


def deconflict(ctx: Context, source: Path, agency_code: str, *, thumbnails: bool = True,
               ingest: IngestRequest | None = None,
               progress: Progress | None = None) -> Report:
    progress = progress or NoProgress()
    with ctx.db.session() as s:
        repos.get_agency(s, agency_code)
    matcher = Matcher(ctx.db, ctx.index("pdq"), ctx.settings.pdq_max_distance,
                      ctx.settings.pdq_min_quality)
    options = AnalyzeOptions(ctx.settings.limits, store_blobs=ingest is not None,
                             query_variants=True, thumbnails=thumbnails)
    if ingest is not None:
        ctx.blobs()
    progress.start(count_items(source, ctx), "de-conflict")
    results: list[FileResult] = []
    near: list[list[Hit]] = []
    exact: dict[str, int] = {}
    batch: list[FileResult] = []

    def match_batch() -> None:
        exact.update(matcher.exact([r.digests.sha256 for r in batch if r.digests]))
        near.extend(matcher.near([r.query_signals if r.ok else [] for r in batch]))
        for r in batch:
            r.query_signals = []  # variants are not needed past matching; keep memory flat
        results.extend(batch)
        progress.advance(len(batch))
        batch.clear()

    try:
        for result in analyze_stream(ctx, iter_items(source, ctx.settings.limits), options):
            batch.append(result)
            if len(batch) >= MATCH_BATCH:
                match_batch()
        match_batch()
    finally:
        progress.stop()
    report = build_report(ctx.db, agency_code, str(source), ctx.settings.pdq_max_distance,
                          results, exact, near)
    with ctx.db.session() as s:
        audit.append(s, ctx.actor, "deconflict", str(Path(source).resolve()), agency=agency_code,
                     details=report.counts)
    if ingest is not None:
        _store(ctx, source, agency_code, ingest, results)
    return report


def _store(ctx: Context, source: Path, agency_code: str, request: IngestRequest,
           results: list[FileResult]) -> IngestSummary:
    target, _, _ = open_job(ctx, source, agency_code, request.case, request.series,
                            resume=False, via="deconflict")
    summary = IngestSummary(job_id=target.job_id, resumed=False)
    commit_results(ctx, target, results, summary, NoProgress())
    ctx.index("pdq").save()
    finish_job(ctx, agency_code, summary)
    return summary
