"""De-confliction: what of this seizure is already known, to whom, and how.

Read-only unless ``ingest`` is given: then the seizure is stored *after* matching, so its files
never match themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tessera.context import Context
from tessera.matching.matcher import Hit, Matcher
from tessera.media.sources import iter_items
from tessera.pipeline.analyze import AnalyzeOptions, FileResult
from tessera.pipeline.ingest import (
    IngestSummary,
    JobTarget,
    analyze_stream,
    commit_results,
    count_items,
)
from tessera.pipeline.progress import NoProgress, Progress
from tessera.reports.build import build_report
from tessera.reports.model import Report
from tessera.store import audit, repos
from tessera.store.tables import IngestJob

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
    with ctx.db.session() as s:
        agency = repos.get_agency(s, agency_code)
        case = repos.get_or_create_case(s, agency, request.case) if request.case else None
        series = repos.get_or_create_series(s, request.series, agency) if request.series else None
        job = IngestJob(source=str(Path(source).resolve()), agency_id=agency.id, actor=ctx.actor,
                        case_id=case.id if case else None, series_id=series.id if series else None)
        s.add(job)
        s.flush()
        audit.append(s, ctx.actor, "ingest.start", f"job:{job.id}", agency=agency_code,
                     details={"source": job.source, "via": "deconflict"})
        target = JobTarget(agency.id, job.case_id, job.series_id, job.id)
    summary = IngestSummary(job_id=target.job_id, resumed=False)
    commit_results(ctx, target, results, summary, NoProgress())
    ctx.index("pdq").save()
    with ctx.db.session() as s:
        job_row = s.get(IngestJob, target.job_id)
        assert job_row is not None
        job_row.state, job_row.finished_at = "done", datetime.now(UTC)
        audit.append(s, ctx.actor, "ingest.finish", f"job:{target.job_id}", agency=agency_code,
                     details={"files": summary.files, "new_media": summary.new_media,
                              "errors": len(summary.errors)})
    return summary
