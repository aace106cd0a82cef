"""What an ingest writes per file, in one transaction: the ledger row (``job_item``), and for
a file that is stored its media, signals, derivatives, transcript and the submission.

Rows are built here from the plain results the workers returned; nothing outside the store
constructs a table row.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tessera.core.errors import Conflict
from tessera.core.paths import raw, shown
from tessera.core.types import FileResult, MediaInfo
from tessera.store.repos.facts import record_facts
from tessera.store.repos.media import media_by_sha256, media_owners
from tessera.store.repos.series import link_media_series
from tessera.store.repos.triage import Digest, media_by_digests
from tessera.store.rows import added
from tessera.store.tables import (
    Derivative,
    IngestJob,
    JobItem,
    Media,
    Signal,
    Submission,
    TranscriptSegment,
)


class StoredMeanwhile(Conflict):
    """Another process stored one of the same files between our read and our write."""


@dataclass(frozen=True)
class JobTarget:
    agency_id: int
    case_id: int | None
    series_id: int | None
    job_id: int


def add_job(s: Session, source: str, agency_id: int, actor: str, case_id: int | None,
            series_id: int | None) -> IngestJob:
    return added(s, IngestJob(source=source, agency_id=agency_id, actor=actor,
                              case_id=case_id, series_id=series_id))


def _media_row(info: MediaInfo) -> Media:
    media = Media(sha256=info.sha256, md5=info.md5, sha1=info.sha1, kind=info.kind.value,
                  mime=info.mime, size=info.size, width=info.width, height=info.height,
                  meta=info.metadata)
    media.signals = _signal_rows(info)
    return media


def _signal_rows(info: MediaInfo) -> list[Signal]:
    return [Signal(type=s.type, version=s.version, value=s.value, quality=s.quality,
                   region=s.region, frame_no=s.frame, t_start=s.start, t_span=s.span,
                   detail=dict(s.detail) if s.detail else None) for s in info.signals]


def _held_by_hashes(s: Session, infos: list[MediaInfo], agency_id: int) -> dict[str, Media]:
    """SHA-256 → a hash-only media of that file that only the storing agency holds. Another
    agency's hash-only record stays apart: knowing a file's hashes (from a partner's list) is
    not holding it, and must not open the pixels to that agency."""
    if not infos:
        return {}
    found = media_by_digests(s, [Digest(i.md5, i.sha1, i.sha256) for i in infos])
    twins = {i.sha256: m for i, m in zip(infos, found, strict=True)
             if m is not None and m.hash_only and m.sha256 in (None, i.sha256)
             and m.md5 in (None, i.md5) and m.sha1 in (None, i.sha1)}
    holders = media_owners(s, [m.id for m in twins.values()])
    return {sha: m for sha, m in twins.items()
            if {a.id for a in holders.get(m.id, [])} <= {agency_id}}


def _fill(media: Media, info: MediaInfo) -> None:
    media.sha256, media.md5, media.sha1, media.hash_only = info.sha256, info.md5, info.sha1, False
    media.kind, media.mime, media.size = info.kind.value, info.mime, info.size
    media.width, media.height = info.width, info.height
    media.meta = {**(info.metadata or {}), **{k: v for k, v in (media.meta or {}).items()
                                              if k == "vics"}}
    media.signals.extend(_signal_rows(info))


def _add_extras(s: Session, media_id: int, r: FileResult) -> None:
    """Derivatives (keyframes, contact sheet), transcript, device and position of a newly
    stored media."""
    if r.info is not None:
        record_facts(s, media_id, r.info.metadata)
    for d in r.derivatives:
        if d.sha256:
            s.add(Derivative(media_id=media_id, kind=d.kind, sha256=d.sha256, t_start=d.start,
                             width=d.width, height=d.height))
    for u in r.transcript:
        s.add(TranscriptSegment(media_id=media_id, t_start=u.start, t_end=u.end, text=u.text,
                                language=u.language, engine=u.engine, confidence=u.confidence))


def write_batch(s: Session, target: JobTarget, results: list[FileResult]) -> tuple[int, int]:
    """Ledger, media and submissions of a batch; returns (new media, already known). Raises
    ``StoredMeanwhile`` when a concurrent writer won a race (the caller retries the batch)."""
    try:
        return _write_batch(s, target, results)
    except IntegrityError as exc:
        raise StoredMeanwhile(f"stored meanwhile by another process: {exc.orig}") from None


def _write_batch(s: Session, target: JobTarget, results: list[FileResult]) -> tuple[int, int]:
    known = media_by_sha256(s, [r.info.sha256 for r in results if r.info])
    twins = _held_by_hashes(s, [r.info for r in results if r.info and (
        r.info.sha256 not in known or known[r.info.sha256].hash_only)], target.agency_id)
    for sha, record in list(known.items()):
        if record.hash_only and sha not in twins:  # another agency's record keeps its hashes
            record.sha256 = None  # (and its SHA-256 in its VICS metadata); the file is new
            del known[sha]
    s.flush()
    new = 0
    for r in results:
        if not r.ok or r.info is None:
            s.add(JobItem(job_id=target.job_id, path=shown(r.path), path_raw=raw(r.path),
                          state="error", sha256=r.digests.sha256 if r.digests else None,
                          error_code=r.error_code, error=r.error and shown(r.error)))
            continue
        media: Media | None = known.get(r.info.sha256)
        if media is None or media.hash_only:
            media = twins.get(r.info.sha256)
            if media is not None and media.hash_only:  # a hash-only record's file: it
                _fill(media, r.info)  # becomes that media, its categories and series kept
                known[r.info.sha256] = media
                _add_extras(s, media.id, r)
                new += 1
        if media is None:
            media = _media_row(r.info)
            s.add(media)
            s.flush()
            known[r.info.sha256] = media
            _add_extras(s, media.id, r)
            new += 1
        s.add(Submission(media_id=media.id, agency_id=target.agency_id, case_id=target.case_id,
                         series_id=target.series_id, job_id=target.job_id,
                         original_path=shown(r.path), original_path_raw=raw(r.path)))
        if target.series_id is not None:
            link_media_series(s, media.id, target.series_id)
        s.add(JobItem(job_id=target.job_id, path=shown(r.path), path_raw=raw(r.path),
                      state="done", media_id=media.id, sha256=r.info.sha256))
    s.flush()
    return new, len([r for r in results if r.ok]) - new
