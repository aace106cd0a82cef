"""Queries of series and the media they hold."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from tessera.core.errors import NotFound, TesseraError
from tessera.store.rows import by_id
from tessera.store.tables import (
    Agency,
    Case,
    DiscussionPost,
    Media,
    MediaSeries,
    Notification,
    Series,
    StatusChange,
    Submission,
)

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
    return by_id(s, Series, series_id, "series")


def series_by_ids(s: Session, ids: Iterable[int]) -> dict[int, Series]:
    """Many series in a few queries (the graph around one touches hundreds)."""
    wanted, out = sorted(set(ids)), {}
    for start in range(0, len(wanted), 500):
        out.update({x.id: x for x in s.scalars(
            select(Series).where(Series.id.in_(wanted[start:start + 500]))
            .options(selectinload(Series.owner)))})
    return out


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


# --- the identification workflow ------------------------------------------------------------


def add_status_change(s: Session, series_id: int, subject: str, before: str, after: str, *,
                      note: str | None, actor: str, agency_id: int) -> StatusChange:
    row = StatusChange(series_id=series_id, subject=subject, before=before, after=after,
                       note=note, actor=actor, agency_id=agency_id)
    s.add(row)
    s.flush()
    return row


def status_history(s: Session, series_id: int) -> list[StatusChange]:
    return list(s.scalars(select(StatusChange).where(StatusChange.series_id == series_id)
                          .options(selectinload(StatusChange.agency))
                          .order_by(StatusChange.at, StatusChange.id)))


def agencies_that_matched(s: Session, series: Series) -> set[int]:
    """Agencies other than the owner that know this series' material: their uploads matched
    it (the owner was told so) or they hold some of its files themselves."""
    told = select(Notification.from_agency_id).where(Notification.series_id == series.id,
                                                     Notification.agency_id ==
                                                     series.owner_agency_id)
    holding = select(Submission.agency_id).join(
        MediaSeries, MediaSeries.media_id == Submission.media_id).where(
        MediaSeries.series_id == series.id)
    found = set(s.scalars(told)) | set(s.scalars(holding))
    return found - {series.owner_agency_id}


def submission_groups(s: Session, series_id: int
                      ) -> list[tuple[int, str | None, datetime, datetime, int]]:
    """Who submitted the series' files, per agency and case: agency id, case reference, first
    and last submission, how many files (for the series' timeline)."""
    held = select(MediaSeries.media_id).where(MediaSeries.series_id == series_id)
    q = (select(Submission.agency_id, Case.reference, func.min(Submission.submitted_at),
                func.max(Submission.submitted_at), func.count(func.distinct(Submission.media_id)))
         .outerjoin(Case, Case.id == Submission.case_id)
         .where(Submission.media_id.in_(held))
         .group_by(Submission.agency_id, Case.reference))
    return [tuple(r) for r in s.execute(q)]  # type: ignore[misc]


def matches_told(s: Session, series: Series, limit: int = 500) -> list[Notification]:
    """What the owner was told of other agencies' uploads matching this series."""
    return list(s.scalars(select(Notification).where(
        Notification.series_id == series.id, Notification.agency_id == series.owner_agency_id,
        Notification.task_id.is_not(None)).order_by(Notification.id).limit(limit)))


# --- notes between agencies -----------------------------------------------------------------


def add_post(s: Session, end: tuple[str, int], agency_id: int, actor: str,
             text: str) -> DiscussionPost:
    kind, entity_id = end
    row = DiscussionPost(entity_type=kind, entity_id=entity_id, agency_id=agency_id,
                         series_id=entity_id if kind == "series" else None, actor=actor,
                         text=text)
    s.add(row)
    s.flush()
    return row


def posts_of(s: Session, end: tuple[str, int], limit: int = 500) -> list[DiscussionPost]:
    return list(s.scalars(select(DiscussionPost).where(DiscussionPost.entity_type == end[0],
                                                       DiscussionPost.entity_id == end[1])
                          .options(selectinload(DiscussionPost.agency))
                          .order_by(DiscussionPost.id).limit(limit)))
