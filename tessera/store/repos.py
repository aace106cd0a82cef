"""Queries grouped by aggregate. Every function takes the session explicitly."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from tessera.core.errors import Conflict, NotFound, TesseraError
from tessera.core.paths import restore
from tessera.store.tables import (
    Agency,
    Case,
    Derivative,
    IngestJob,
    JobItem,
    Media,
    MediaSeries,
    Series,
    Signal,
    Submission,
    Task,
    TranscriptSegment,
)

# --- agencies and cases -------------------------------------------------------------------


def add_agency(s: Session, code: str, name: str, country: str, contact: str | None) -> Agency:
    if s.scalar(select(Agency).where(Agency.code == code)):
        raise Conflict(f"agency {code!r} already exists")
    agency = Agency(code=code, name=name, country=country.upper(), contact=contact)
    s.add(agency)
    s.flush()
    return agency


def get_agency(s: Session, code: str) -> Agency:
    agency = s.scalar(select(Agency).where(Agency.code == code))
    if agency is None:
        raise NotFound(f"no agency {code!r}: add it with `tessera agency add`")
    return agency


def agency_by_id(s: Session, agency_id: int) -> Agency:
    agency = s.get(Agency, agency_id)
    if agency is None:
        raise NotFound(f"no agency {agency_id}")
    return agency


def list_agencies(s: Session) -> Sequence[Agency]:
    return s.scalars(select(Agency).order_by(Agency.code)).all()


def get_or_create_case(s: Session, agency: Agency, reference: str) -> Case:
    case = s.scalar(select(Case).where(Case.agency_id == agency.id, Case.reference == reference))
    if case is None:
        case = Case(agency_id=agency.id, reference=reference)
        s.add(case)
        s.flush()
    return case


# --- series ---------------------------------------------------------------------------------


def find_series(s: Session, name: str, owner: Agency | None = None) -> Series | None:
    """A series by name within one owning agency; without ``owner`` (the local operator) the
    one series of that name, or an error naming the agencies when several have it."""
    q = select(Series).where(Series.name == name)
    if owner is not None:
        return s.scalar(q.where(Series.owner_agency_id == owner.id))
    found = list(s.scalars(q.options(selectinload(Series.owner))))
    if len(found) > 1:
        raise TesseraError(f"several agencies have a series named {name!r} "
                           f"({', '.join(sorted(x.owner.code for x in found))}); "
                           "name the agency")
    return found[0] if found else None


def get_series(s: Session, name: str, owner: Agency | None = None) -> Series:
    series = find_series(s, name, owner)
    if series is None:
        raise NotFound(f"no series {name!r}")
    return series


def series_by_id(s: Session, series_id: int) -> Series:
    series = s.get(Series, series_id)
    if series is None:
        raise NotFound(f"no series {series_id}")
    return series


def get_or_create_series(s: Session, name: str, owner: Agency) -> Series:
    """The owner's series of that name, created when it has none. Another agency's series is
    never found by name: contributing to it is that agency's decision, not the uploader's."""
    series = find_series(s, name, owner)
    if series is None:
        series = Series(name=name, owner_agency_id=owner.id, sharing=owner.default_sharing)
        s.add(series)
        s.flush()
    return series


def list_series(s: Session) -> list[tuple[Series, int]]:
    counts = (select(MediaSeries.series_id, func.count().label("n"))
              .group_by(MediaSeries.series_id).subquery())
    rows = s.execute(select(Series, func.coalesce(counts.c.n, 0))
                     .outerjoin(counts, counts.c.series_id == Series.id)
                     .options(selectinload(Series.owner)).order_by(Series.name)).all()
    return [(series, int(n)) for series, n in rows]


def series_media(s: Session, series_id: int, limit: int = 1000,
                 offset: int = 0) -> Sequence[Media]:
    return s.scalars(select(Media).join(MediaSeries, MediaSeries.media_id == Media.id)
                     .where(MediaSeries.series_id == series_id)
                     .order_by(Media.id).limit(limit).offset(offset)).all()


def agency_media(s: Session, agency_id: int, *, kind: str | None = None, limit: int = 50,
                 offset: int = 0) -> tuple[Sequence[Media], int]:
    """Media an agency submitted, newest first, one page of them and how many there are."""
    mine = select(Submission.media_id).where(Submission.agency_id == agency_id)
    q = select(Media).where(Media.id.in_(mine))
    if kind:
        q = q.where(Media.kind == kind)
    total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
    return s.scalars(q.order_by(Media.id.desc()).limit(limit).offset(offset)).all(), total


def series_media_count(s: Session, series_id: int) -> int:
    return s.scalar(select(func.count()).select_from(MediaSeries)
                    .where(MediaSeries.series_id == series_id)) or 0


def series_for_media(s: Session, media_ids: Iterable[int]) -> dict[int, list[Series]]:
    ids = list(set(media_ids))
    out: dict[int, list[Series]] = {i: [] for i in ids}
    for start in range(0, len(ids), 500):
        rows = s.execute(select(MediaSeries.media_id, Series)
                         .join(Series, Series.id == MediaSeries.series_id)
                         .options(selectinload(Series.owner))
                         .where(MediaSeries.media_id.in_(ids[start:start + 500]))
                         .order_by(Series.id)).all()
        for media_id, series in rows:
            out[media_id].append(series)
    return out


def link_media_series(s: Session, media_id: int, series_id: int) -> None:
    if s.get(MediaSeries, (media_id, series_id)) is None:
        s.add(MediaSeries(media_id=media_id, series_id=series_id))


# --- media and signals ----------------------------------------------------------------------


def media_by_sha256(s: Session, digests: Iterable[str]) -> dict[str, Media]:
    wanted = list(set(digests))
    out: dict[str, Media] = {}
    for start in range(0, len(wanted), 500):
        for media in s.scalars(select(Media).where(Media.sha256.in_(wanted[start:start + 500]))):
            out[media.sha256] = media
    return out


def get_media(s: Session, media_id: int) -> Media:
    media = s.get(Media, media_id, options=[selectinload(Media.signals),
                                            selectinload(Media.submissions)])
    if media is None:
        raise NotFound(f"no media {media_id}")
    return media


def submissions_of(s: Session, media_id: int) -> list[Submission]:
    """Every agency's submission of one media, oldest first."""
    return list(s.scalars(select(Submission).where(Submission.media_id == media_id)
                          .order_by(Submission.id)))


def media_owners(s: Session, media_ids: Iterable[int]) -> dict[int, list[Agency]]:
    """Agencies that submitted each media (for matches outside any series)."""
    ids = list(set(media_ids))
    out: dict[int, list[Agency]] = {i: [] for i in ids}
    for start in range(0, len(ids), 500):
        rows = s.execute(select(Submission.media_id, Agency).distinct()
                         .join(Agency, Agency.id == Submission.agency_id)
                         .where(Submission.media_id.in_(ids[start:start + 500]))).all()
        for media_id, agency in rows:
            out[media_id].append(agency)
    return out


TypeVersions = Sequence[tuple[str, int]]


def _of_types(members: TypeVersions):
    return or_(*(and_(Signal.type == name, Signal.version == version)
                 for name, version in members))


@dataclass(frozen=True, slots=True)
class SignalPlace:
    """Where a stored signal sits: its media, type, region, quality and time."""

    media_id: int
    type: str
    region: str
    quality: int
    start: float | None
    span: float | None


def signal_places(s: Session, signal_ids: Iterable[int]) -> dict[int, SignalPlace]:
    ids = list(set(signal_ids))
    out: dict[int, SignalPlace] = {}
    for start in range(0, len(ids), 500):
        rows = s.execute(select(Signal.id, Signal.media_id, Signal.type, Signal.region,
                                Signal.quality, Signal.t_start, Signal.t_span)
                         .where(Signal.id.in_(ids[start:start + 500]))).all()
        for sid, mid, kind, region, quality, t0, span in rows:
            out[sid] = SignalPlace(mid, kind, region, quality if quality is not None else 100,
                                   t0, span)
    return out


def media_durations(s: Session, media_ids: Iterable[int]) -> dict[int, float]:
    """Seconds of analysed video or sound per media, from its time-placed signals."""
    ids = list(set(media_ids))
    out: dict[int, float] = {}
    for start in range(0, len(ids), 500):
        rows = s.execute(select(Signal.media_id, func.max(Signal.t_start + Signal.t_span))
                         .where(Signal.media_id.in_(ids[start:start + 500]),
                                Signal.t_start.is_not(None))
                         .group_by(Signal.media_id)).all()
        out.update({int(m): float(d or 0.0) for m, d in rows})
    return out


def signal_stats(s: Session, members: TypeVersions) -> tuple[int, int]:
    """(count, max id) of some signal types: how an index tells whether it is stale."""
    count, max_id = s.execute(select(func.count(), func.coalesce(func.max(Signal.id), 0))
                              .where(_of_types(members))).one()
    return int(count), int(max_id)


def max_signal_id(s: Session, signal_types: Sequence[str]) -> int:
    """Highest id of some signal types: cheap (index lookups), asked before every search."""
    return max((int(s.scalar(select(func.max(Signal.id)).where(Signal.type == t)) or 0)
                for t in signal_types), default=0)


def iter_signal_values(s: Session, members: TypeVersions, after_id: int = 0,
                       batch: int = 50_000) -> Iterator[list[tuple[int, bytes]]]:
    last = after_id
    while True:
        rows = s.execute(select(Signal.id, Signal.value)
                         .where(_of_types(members), Signal.id > last)
                         .order_by(Signal.id).limit(batch)).all()
        if not rows:
            return
        yield [(int(i), bytes(v)) for i, v in rows]
        last = rows[-1][0]


def evidence_count(s: Session) -> int:
    """Stored originals plus derivatives: what ``tessera verify`` reads."""
    return (s.scalar(select(func.count()).select_from(Media)) or 0) + \
        (s.scalar(select(func.count()).select_from(Derivative)) or 0)


def all_derivatives(s: Session) -> Iterator[tuple[int, str, str]]:
    """(media id, SHA-256, kind) of every derivative, oldest first."""
    for media_id, sha256, kind in s.execute(select(Derivative.media_id, Derivative.sha256,
                                                   Derivative.kind).order_by(Derivative.id)):
        yield int(media_id), sha256, kind


def agency_counts(s: Session, agency_id: int) -> dict[str, int]:
    """What an agency holds and runs: its series, the media it submitted, its active jobs."""
    series = s.scalar(select(func.count()).select_from(Series)
                      .where(Series.owner_agency_id == agency_id)) or 0
    media = s.scalar(select(func.count(func.distinct(Submission.media_id)))
                     .where(Submission.agency_id == agency_id)) or 0
    active = s.scalar(select(func.count()).select_from(Task).where(
        Task.agency_id == agency_id, Task.state.in_(("queued", "running")))) or 0
    return {"series": series, "media": media, "active_jobs": active}


def all_media_sha256(s: Session) -> Iterator[tuple[int, str]]:
    last = 0
    while True:
        rows = s.execute(select(Media.id, Media.sha256).where(Media.id > last)
                         .order_by(Media.id).limit(5000)).all()
        if not rows:
            return
        yield from ((int(i), d) for i, d in rows)
        last = rows[-1][0]


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
    job = s.get(IngestJob, job_id)
    if job is None:
        raise NotFound(f"no job {job_id}")
    return job


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


# --- transcripts and derivatives --------------------------------------------------------------


def search_transcripts(s: Session, text: str, limit: int = 100) -> Sequence[TranscriptSegment]:
    """Segments containing every word of ``text`` (case-insensitive), oldest media first."""
    words = [w for w in text.split() if w]
    if not words:
        return []
    query = select(TranscriptSegment)
    for word in words:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(TranscriptSegment.text.ilike(f"%{escaped}%", escape="\\"))
    return s.scalars(query.order_by(TranscriptSegment.media_id, TranscriptSegment.t_start)
                     .limit(limit)).all()


def transcript_of(s: Session, media_id: int) -> Sequence[TranscriptSegment]:
    return s.scalars(select(TranscriptSegment).where(TranscriptSegment.media_id == media_id)
                     .order_by(TranscriptSegment.t_start)).all()


def derivatives_of(s: Session, media_id: int, kind: str | None = None) -> Sequence[Derivative]:
    query = select(Derivative).where(Derivative.media_id == media_id)
    if kind is not None:
        query = query.where(Derivative.kind == kind)
    return s.scalars(query.order_by(Derivative.t_start, Derivative.id)).all()
