"""Ingest: store every file of a source as evidence, exactly once, resumable after a kill.

The ledger (``job_item``) row of a file is written in the same transaction as its media,
submission and signals. A run killed at any point leaves whole files or nothing; running the same
command again resumes the unfinished job and skips what it already holds. The index is caught up
from the database on open, so it cannot miss what a killed run committed.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tessera.context import Context
from tessera.core.paths import shown
from tessera.core.types import FileResult
from tessera.media.sources import iter_items
from tessera.pipeline.analyze import AnalyzeOptions
from tessera.pipeline.dispatch import analyze_stream
from tessera.pipeline.progress import NoProgress, Progress
from tessera.store import audit, repos
from tessera.store.repos import ledger
from tessera.store.repos.ledger import JobTarget, StoredMeanwhile

BATCH_FILES = 64
BATCH_SECONDS = 2.0


@dataclass
class IngestSummary:
    job_id: int
    resumed: bool
    files: int = 0
    already_done: int = 0
    new_media: int = 0
    known_media: int = 0
    errors: list[tuple[str, str, str]] = field(default_factory=list)
    seconds: float = 0.0


def commit_results(ctx: Context, target: JobTarget, results: Iterable[FileResult],
                   summary: IngestSummary, progress: Progress) -> None:
    """Write results in small transactions and feed new signals to the index."""
    indexes = ctx.indexes()
    batch: list[FileResult] = []
    started = time.monotonic()

    def flush() -> None:
        nonlocal started
        if not batch:
            return
        for attempt in (1, 2):
            try:
                with ctx.db.session() as s:
                    new, known = ledger.write_batch(s, target, batch)
                    last_ids = [index.max_id for index in indexes]
                break
            except StoredMeanwhile:  # another process stored the same file meanwhile: retry
                if attempt == 2:
                    raise
        summary.new_media += new
        summary.known_media += known
        for r in batch:
            if not r.ok:
                summary.errors.append((shown(r.path), r.error_code or "error",
                                       shown(r.error or "")))
        with ctx.db.session() as s:
            for index, last_id in zip(indexes, last_ids, strict=True):
                for rows in repos.iter_signal_values(s, index.members, last_id):
                    index.add(rows)
        progress.advance(len(batch))
        batch.clear()
        started = time.monotonic()

    for result in results:
        summary.files += 1
        batch.append(result)
        if len(batch) >= BATCH_FILES or time.monotonic() - started > BATCH_SECONDS:
            flush()
    flush()


def count_items(source: Path, ctx: Context, secret: bytes | None = None) -> int:
    return sum(1 for _ in iter_items(source, ctx.settings.limits, secret))


def key_of(source: Path) -> str:
    """How a job names what it ingests: the resolved path, in display form."""
    return shown(str(Path(source).resolve()))


def open_job(ctx: Context, source: Path, agency_code: str, case_ref: str | None,
             series_name: str | None, *, resume: bool = True,
             via: str = "ingest") -> tuple[JobTarget, bool, set[str]]:
    """Create (or, with ``resume``, reopen the unfinished) job: its target, whether it was
    resumed, and the paths it already holds."""
    source_key = key_of(source)
    with ctx.db.session() as s:
        agency = repos.get_agency(s, agency_code)
        case = repos.get_or_create_case(s, agency, case_ref) if case_ref else None
        series = repos.get_or_create_series(s, series_name, agency) if series_name else None
        job = repos.find_resumable_job(s, source_key, agency.id, case.id if case else None,
                                       series.id if series else None) if resume else None
        resumed = job is not None
        if job is None:
            job = ledger.add_job(s, source_key, agency.id, ctx.actor, case.id if case else None,
                                 series.id if series else None)
        audit.append(s, ctx.actor, "ingest.resume" if resumed else "ingest.start",
                     f"job:{job.id}", agency=agency_code,
                     details={"source": source_key, "case": case_ref, "series": series_name,
                              "via": via})
        done = repos.finished_paths(s, job.id) if resumed else set()
        return JobTarget(agency.id, job.case_id, job.series_id, job.id), resumed, done


def finish_job(ctx: Context, agency_code: str, summary: IngestSummary) -> None:
    with ctx.db.session() as s:
        job = repos.get_ingest_job(s, summary.job_id)
        job.state, job.finished_at = "done", datetime.now(UTC)
        audit.append(s, ctx.actor, "ingest.finish", f"job:{summary.job_id}", agency=agency_code,
                     details={"files": summary.files, "new_media": summary.new_media,
                              "errors": len(summary.errors)})


def ingest(ctx: Context, source: Path, agency_code: str, case_ref: str | None = None,
           series_name: str | None = None, progress: Progress | None = None) -> IngestSummary:
    progress = progress or NoProgress()
    began = time.monotonic()
    ctx.blobs()  # fail early, before any work, if the key is missing
    target, resumed, done = open_job(ctx, source, agency_code, case_ref, series_name)
    summary = IngestSummary(job_id=target.job_id, resumed=resumed, already_done=len(done))
    total = count_items(source, ctx)
    progress.start(max(total - len(done), 0), "ingest")
    todo = (it for it in iter_items(source, ctx.settings.limits) if it.path not in done)
    options = AnalyzeOptions(ctx.settings.limits, store_blobs=True, transcribe=True,
                             media=ctx.settings.media)
    try:
        commit_results(ctx, target, analyze_stream(ctx, todo, options), summary, progress)
    finally:
        progress.stop()
        ctx.save_indexes()
    finish_job(ctx, agency_code, summary)
    summary.seconds = time.monotonic() - began
    return summary
