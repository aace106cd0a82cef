"""Queries of media, their signals, submissions, transcripts and derivatives."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from tessera.core.types import Signal as CoreSignal
from tessera.store.rows import by_id
from tessera.store.tables import (
    Agency,
    Derivative,
    Media,
    Series,
    Signal,
    Submission,
    Task,
    TranscriptSegment,
)

# --- media and signals ----------------------------------------------------------------------



def media_by_sha256(s: Session, digests: Iterable[str]) -> dict[str, Media]:
    wanted = list(set(digests))
    out: dict[str, Media] = {}
    for start in range(0, len(wanted), 500):
        for media in s.scalars(select(Media).where(Media.sha256.in_(wanted[start:start + 500]))):
            if media.sha256 is not None:
                out[media.sha256] = media
    return out


def get_media(s: Session, media_id: int) -> Media:
    return by_id(s, Media, media_id, "media", options=[selectinload(Media.signals),
                                                      selectinload(Media.submissions)])


def media_by_ids(s: Session, ids: Iterable[int]) -> dict[int, Media]:
    """Many media rows (without their signals) in a few queries: the media ends of links."""
    wanted, out = sorted(set(ids)), {}
    for start in range(0, len(wanted), 500):
        out.update({m.id: m for m in s.scalars(
            select(Media).where(Media.id.in_(wanted[start:start + 500])))})
    return out


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
    return (s.scalar(select(func.count()).select_from(Media)
                     .where(Media.hash_only.is_(False))) or 0) + \
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
    """(id, SHA-256) of every media whose file Tessera holds."""
    last = 0
    while True:
        rows = s.execute(select(Media.id, Media.sha256).where(Media.id > last)
                         .order_by(Media.id).limit(5000)).all()
        if not rows:
            return
        yield from ((int(i), d) for i, d in rows if d is not None)  # hash-only: no file
        last = rows[-1][0]


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


def stored_signals(s: Session, media_ids: Iterable[int]) -> dict[int, list[CoreSignal]]:
    """The stored values of each media, as the matcher takes them (to search with a file
    Tessera already holds)."""
    ids = sorted(set(media_ids))
    out: dict[int, list[CoreSignal]] = {m: [] for m in ids}
    for start in range(0, len(ids), 500):
        rows = s.scalars(select(Signal).where(Signal.media_id.in_(ids[start:start + 500]))
                         .order_by(Signal.id)).all()
        for x in rows:
            out[x.media_id].append(CoreSignal(x.type, x.version, bytes(x.value), x.quality,
                                              x.region, frame=x.frame_no, start=x.t_start,
                                              span=x.t_span))
    return out


def media_meta(s: Session, media_ids: Iterable[int]) -> dict[int, dict]:
    """The metadata (EXIF facts) of each media."""
    ids = sorted(set(media_ids))
    out: dict[int, dict] = {}
    for start in range(0, len(ids), 500):
        rows = s.execute(select(Media.id, Media.meta)
                         .where(Media.id.in_(ids[start:start + 500]))).all()
        out.update({int(m): dict(meta or {}) for m, meta in rows})
    return out
