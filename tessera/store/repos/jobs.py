"""Queries of ingest jobs and their per-file ledger."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from tessera.core.errors import NotFound
from tessera.core.paths import restore
from tessera.store.rows import by_id
from tessera.store.tables import (
    IngestJob,
    JobItem,
    Submission,
)

# --- ingest jobs ----------------------------------------------------------------------------



def media_only_from_source(s: Session, source: str, media_ids: Iterable[int]) -> set[int]:
    """Of ``media_ids``, those every submission of which came from ingest jobs of ``source``
    (a job's own files, stored by an earlier, interrupted run of it)."""
    ids = set(media_ids)
    if not ids:
        return set()
    jobs = select(IngestJob.id).where(IngestJob.source == source)
    own = set(s.scalars(select(Submission.media_id).where(
        Submission.media_id.in_(ids), Submission.job_id.in_(jobs))))
    other = set(s.scalars(select(Submission.media_id).where(
        Submission.media_id.in_(own),
        or_(Submission.job_id.is_(None), Submission.job_id.not_in(jobs)))))
    return own - other


def find_resumable_job(s: Session, source: str, agency_id: int, case_id: int | None,
                       series_id: int | None) -> IngestJob | None:
    return s.scalar(select(IngestJob)
                    .where(IngestJob.source == source, IngestJob.agency_id == agency_id,
                           IngestJob.case_id.is_(None) if case_id is None
                           else IngestJob.case_id == case_id,
                           IngestJob.series_id.is_(None) if series_id is None
                           else IngestJob.series_id == series_id,
                           IngestJob.state == "running")
                    .order_by(IngestJob.id.desc()).limit(1))


def finished_paths(s: Session, job_id: int) -> set[str]:
    """The paths a job holds, as the file system names them (original bytes restored)."""
    return {restore(path, original) for path, original in s.execute(
        select(JobItem.path, JobItem.path_raw).where(JobItem.job_id == job_id))}


def job_media_of_agency(s: Session, job_id: int, agency_id: int) -> set[int]:
    """The media an ingest job of this agency stored; another agency's job is none."""
    job = s.get(IngestJob, job_id)
    if job is None or job.agency_id != agency_id:
        raise NotFound(f"no job {job_id}")
    return set(s.scalars(select(JobItem.media_id).where(JobItem.job_id == job_id,
                                                        JobItem.media_id.is_not(None))))


def get_ingest_job(s: Session, job_id: int) -> IngestJob:
    return by_id(s, IngestJob, job_id, "job")


def job_counts(s: Session, job_id: int) -> dict[str, int]:
    rows = s.execute(select(JobItem.state, func.count()).where(JobItem.job_id == job_id)
                     .group_by(JobItem.state)).all()
    return {state: int(n) for state, n in rows}


def list_jobs(s: Session, limit: int = 50) -> Sequence[IngestJob]:
    return s.scalars(select(IngestJob).options(selectinload(IngestJob.agency))
                     .order_by(IngestJob.id.desc()).limit(limit)).all()


def job_errors(s: Session, job_id: int) -> Sequence[JobItem]:
    return s.scalars(select(JobItem).where(JobItem.job_id == job_id, JobItem.state == "error")
                     .order_by(JobItem.id)).all()
