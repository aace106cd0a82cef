"""Queries of triage: category schemes, an agency's categories of media, consensus votes,
tags/bookmarks/notes, hash-only media, and the filtered media browser."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from tessera.core.errors import NotFound
from tessera.store.tables import (
    Annotation,
    Category,
    CategoryMapping,
    CategoryScheme,
    GradeVote,
    JobItem,
    Media,
    MediaCategory,
    MediaSeries,
    Signal,
    Submission,
    utcnow,
)

# --- schemes ----------------------------------------------------------------------------------


def get_scheme(s: Session, name: str) -> CategoryScheme:
    scheme = s.scalar(select(CategoryScheme).where(CategoryScheme.name == name)
                      .options(selectinload(CategoryScheme.categories)))
    if scheme is None:
        raise NotFound(f"no category scheme {name!r}")
    return scheme


def list_schemes(s: Session) -> Sequence[CategoryScheme]:
    return s.scalars(select(CategoryScheme).options(selectinload(CategoryScheme.categories))
                     .order_by(CategoryScheme.id)).all()


def category_by_id(s: Session, category_id: int) -> Category:
    found = s.get(Category, category_id)
    if found is None:
        raise NotFound(f"no category {category_id}")
    return found


def mapping(s: Session, from_scheme: int, to_scheme: int) -> dict[int, int]:
    """Category id of ``from_scheme`` → category id of ``to_scheme``."""
    rows = s.execute(select(CategoryMapping.from_id, CategoryMapping.to_id)
                     .join(Category, Category.id == CategoryMapping.from_id)
                     .where(Category.scheme_id == from_scheme,
                            CategoryMapping.to_scheme_id == to_scheme)).all()
    return {int(a): int(b) for a, b in rows}


def add_mapping(s: Session, from_id: int, to_scheme_id: int, to_id: int) -> None:
    row = s.get(CategoryMapping, (from_id, to_scheme_id))
    if row is None:
        s.add(CategoryMapping(from_id=from_id, to_scheme_id=to_scheme_id, to_id=to_id))
    else:
        row.to_id = to_id


# --- categories of media ------------------------------------------------------------------------


def set_category(s: Session, media_id: int, agency_id: int, category_id: int, *, source: str,
                 actor: str, basis: str | None = None, segment: tuple[float, float] | None = None,
                 keep_investigators: bool = False) -> MediaCategory | None:
    """Set (or replace) an agency's category of a media or of one segment. With
    ``keep_investigators`` a value a person set is never overwritten (imports, matches);
    returns None then."""
    key = f"{segment[0]:g}-{segment[1]:g}" if segment else ""
    row = s.scalar(select(MediaCategory).where(MediaCategory.media_id == media_id,
                                               MediaCategory.agency_id == agency_id,
                                               MediaCategory.segment == key))
    if row is None:
        row = MediaCategory(media_id=media_id, agency_id=agency_id, segment=key,
                            t_start=segment[0] if segment else None,
                            t_end=segment[1] if segment else None)
        s.add(row)
    elif keep_investigators and row.source in ("investigator", "consensus"):
        return None
    row.category_id, row.source, row.basis, row.actor, row.at = \
        category_id, source, basis, actor, utcnow()
    s.flush()
    return row


def categories_of(s: Session, agency_id: int | None, media_ids: Iterable[int],
                  segments: bool = False) -> dict[int, list[MediaCategory]]:
    """Whole-file categories (and segments when asked) per media; ``agency_id`` None: every
    agency's."""
    ids = list(set(media_ids))
    out: dict[int, list[MediaCategory]] = {}
    for start in range(0, len(ids), 500):
        q = select(MediaCategory).options(selectinload(MediaCategory.category)) \
            .where(MediaCategory.media_id.in_(ids[start:start + 500]))
        if agency_id is not None:
            q = q.where(MediaCategory.agency_id == agency_id)
        if not segments:
            q = q.where(MediaCategory.segment == "")
        for row in s.scalars(q.order_by(MediaCategory.id)):
            out.setdefault(row.media_id, []).append(row)
    return out


def clear_votes(s: Session, media_id: int, agency_id: int) -> None:
    for vote in s.scalars(select(GradeVote).where(GradeVote.media_id == media_id,
                                                  GradeVote.agency_id == agency_id)):
        s.delete(vote)


def cast_vote(s: Session, media_id: int, agency_id: int, category_id: int,
              actor: str) -> list[GradeVote]:
    """Record (or change) one person's vote; every vote on the media by that agency after."""
    vote = s.scalar(select(GradeVote).where(GradeVote.media_id == media_id,
                                            GradeVote.agency_id == agency_id,
                                            GradeVote.actor == actor))
    if vote is None:
        s.add(GradeVote(media_id=media_id, agency_id=agency_id, category_id=category_id,
                        actor=actor))
    else:
        vote.category_id, vote.at = category_id, utcnow()
    s.flush()
    return votes_on(s, [media_id], agency_id).get(media_id, [])


def votes_on(s: Session, media_ids: Iterable[int], agency_id: int) -> dict[int, list[GradeVote]]:
    ids = list(set(media_ids))
    out: dict[int, list[GradeVote]] = {}
    for start in range(0, len(ids), 500):
        for vote in s.scalars(select(GradeVote).where(
                GradeVote.media_id.in_(ids[start:start + 500]),
                GradeVote.agency_id == agency_id).order_by(GradeVote.id)):
            out.setdefault(vote.media_id, []).append(vote)
    return out


def job_media(s: Session, job_id: int) -> list[int]:
    """The distinct media a job stored, in the order it stored them."""
    rows = s.execute(select(JobItem.media_id, func.min(JobItem.id))
                     .where(JobItem.job_id == job_id, JobItem.media_id.is_not(None))
                     .group_by(JobItem.media_id).order_by(func.min(JobItem.id))).all()
    return [int(m) for m, _ in rows if m is not None]


def media_rows(s: Session, media_ids: Iterable[int]) -> list[Media]:
    ids = list(set(media_ids))
    out: list[Media] = []
    for start in range(0, len(ids), 500):
        out.extend(s.scalars(select(Media).where(Media.id.in_(ids[start:start + 500]))))
    return out


def series_media_page(s: Session, series_id: int, *, after: int = 0,
                      limit: int = 500) -> list[Media]:
    return list(s.scalars(select(Media).join(MediaSeries, MediaSeries.media_id == Media.id)
                          .where(MediaSeries.series_id == series_id, Media.id > after)
                          .order_by(Media.id).limit(limit)))


def first_paths(s: Session, media_ids: Iterable[int], agency_id: int) -> dict[int, str]:
    """The path each media was first submitted under by one agency."""
    ids = list(set(media_ids))
    out: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        for media_id, path in s.execute(select(Submission.media_id, Submission.original_path)
                                        .where(Submission.media_id.in_(ids[start:start + 500]),
                                               Submission.agency_id == agency_id)
                                        .order_by(Submission.id)):
            out.setdefault(int(media_id), path)
    return out


# --- annotations --------------------------------------------------------------------------------


def annotate(s: Session, agency_id: int, target: str, target_ids: Iterable[int], kind: str,
             text: str, actor: str) -> int:
    """Add a tag/bookmark/note to each target (a tag or bookmark already there is not
    doubled); the count added."""
    ids = list(set(target_ids))
    existing: set[int] = set()
    if kind != "note":
        for start in range(0, len(ids), 500):
            existing.update(int(i) for i in s.scalars(select(Annotation.target_id).where(
                Annotation.agency_id == agency_id, Annotation.target == target,
                Annotation.kind == kind, Annotation.text == text,
                Annotation.target_id.in_(ids[start:start + 500]))))
    added = [Annotation(agency_id=agency_id, target=target, target_id=i, kind=kind, text=text,
                        actor=actor) for i in ids if i not in existing]
    s.add_all(added)
    s.flush()
    return len(added)


def annotations_of(s: Session, agency_id: int, target: str,
                   target_ids: Iterable[int]) -> dict[int, list[Annotation]]:
    ids = list(set(target_ids))
    out: dict[int, list[Annotation]] = {}
    for start in range(0, len(ids), 500):
        for row in s.scalars(select(Annotation).where(
                Annotation.agency_id == agency_id, Annotation.target == target,
                Annotation.target_id.in_(ids[start:start + 500])).order_by(Annotation.id)):
            out.setdefault(row.target_id, []).append(row)
    return out


def remove_annotation(s: Session, agency_id: int, annotation_id: int) -> Annotation:
    row = s.get(Annotation, annotation_id)
    if row is None or row.agency_id != agency_id:
        raise NotFound("not found")
    s.delete(row)
    return row


# --- hash-only media ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Digest:
    md5: str | None
    sha1: str | None
    sha256: str | None


def media_by_digests(s: Session, digests: Sequence[Digest]) -> list[Media | None]:
    """The media each digest names: by SHA-256 first, else (for media Tessera knows only by
    hashes) by MD5 or SHA-1, as the hash lists of other tools are keyed."""
    out: list[Media | None] = [None] * len(digests)
    for start in range(0, len(digests), 300):
        chunk = digests[start:start + 300]
        sha256s = {d.sha256 for d in chunk if d.sha256}
        md5s = {d.md5 for d in chunk if d.md5}
        sha1s = {d.sha1 for d in chunk if d.sha1}
        by256: dict[str, Media] = {}
        by5: dict[str, Media] = {}
        by1: dict[str, Media] = {}
        # one query per indexed column: PostgreSQL walks an OR of them as a scan of the table
        # (100 ms a query at 30,000 media, inside the import's own transaction)
        queries = [select(Media).where(Media.sha256.in_(sha256s))] if sha256s else []
        if md5s:
            queries.append(select(Media).where(Media.md5.in_(md5s), Media.hash_only.is_(True)))
        if sha1s:
            queries.append(select(Media).where(Media.sha1.in_(sha1s), Media.hash_only.is_(True)))
        rows = {m.id: m for q in queries for m in s.scalars(q)}
        for m in (rows[k] for k in sorted(rows)):
            if m.sha256:
                by256.setdefault(m.sha256, m)
            if m.hash_only and m.md5:
                by5.setdefault(m.md5, m)
            if m.hash_only and m.sha1:
                by1.setdefault(m.sha1, m)
        for n, d in enumerate(chunk):
            found = (by256.get(d.sha256) if d.sha256 else None) or \
                (by5.get(d.md5) if d.md5 else None) or (by1.get(d.sha1) if d.sha1 else None)
            if found is not None and found.hash_only and not _agree(found, d):
                found = None  # an MD5 shared by files whose SHA-1 differ: not the same file
            out[start + n] = found
    return out


def _agree(media: Media, d: Digest) -> bool:
    return all(a is None or b is None or a == b for a, b in
               ((media.md5, d.md5), (media.sha1, d.sha1), (media.sha256, d.sha256)))


def media_with_pdq(s: Session, signal_type: str, values: Sequence[bytes]) -> dict[bytes, Media]:
    """Hash-only media already holding one of these PDQ-like values (a list imported twice
    makes no second copy)."""
    out: dict[bytes, Media] = {}
    wanted = list(set(values))
    for start in range(0, len(wanted), 300):
        rows = s.execute(select(Signal.value, Media).join(Media, Media.id == Signal.media_id)
                         .where(Signal.type == signal_type, Media.hash_only.is_(True),
                                Signal.value.in_(wanted[start:start + 300]))).all()
        for value, media in rows:
            out.setdefault(bytes(value), media)
    return out


# --- the media browser --------------------------------------------------------------------------

BROWSE_STATUS = {"proposed": ("import", "match"), "graded": ("investigator", "consensus")}


@dataclass(frozen=True, slots=True)
class MediaFilter:
    agency_id: int
    category_id: int | None = None
    status: str | None = None  # uncategorised | proposed (import, match) | graded (a person)
    tag: str | None = None
    bookmarked: bool = False
    series_id: int | None = None
    job_id: int | None = None
    kind: str | None = None
    hash_only: bool | None = None
    since: datetime | None = None
    until: datetime | None = None


def browse_media(s: Session, f: MediaFilter, *, page: int = 1,
                 per_page: int = 60) -> tuple[list[Media], int]:
    """An agency's own media (those it submitted), filtered, newest first, one page; and the
    total."""
    own = select(Submission.media_id).where(Submission.agency_id == f.agency_id)
    if f.job_id is not None:
        own = own.where(Submission.job_id == f.job_id)
    q = select(Media).where(Media.id.in_(own))
    if f.kind:
        q = q.where(Media.kind == f.kind)
    if f.hash_only is not None:
        q = q.where(Media.hash_only.is_(f.hash_only))
    if f.since is not None:
        q = q.where(Media.first_seen >= f.since)
    if f.until is not None:
        q = q.where(Media.first_seen < f.until)
    if f.series_id is not None:
        q = q.where(Media.id.in_(select(MediaSeries.media_id)
                                 .where(MediaSeries.series_id == f.series_id)))
    categorised = select(MediaCategory.media_id).where(MediaCategory.agency_id == f.agency_id,
                                                       MediaCategory.segment == "")
    if f.category_id is not None:
        q = q.where(Media.id.in_(categorised.where(MediaCategory.category_id == f.category_id)))
    if f.status == "uncategorised":
        q = q.where(Media.id.not_in(categorised))
    elif f.status in BROWSE_STATUS:
        q = q.where(Media.id.in_(categorised.where(
            MediaCategory.source.in_(BROWSE_STATUS[f.status]))))
    if f.bookmarked:
        q = q.where(Media.id.in_(select(Annotation.target_id).where(
            Annotation.agency_id == f.agency_id, Annotation.target == "media",
            Annotation.kind == "bookmark")))
    if f.tag:
        q = q.where(Media.id.in_(select(Annotation.target_id).where(
            Annotation.agency_id == f.agency_id, Annotation.target == "media",
            Annotation.kind == "tag", Annotation.text == f.tag)))
    total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = list(s.scalars(q.order_by(Media.id.desc()).offset((page - 1) * per_page)
                          .limit(per_page)))
    return rows, int(total)


def abuse_media(s: Session, category_ids: Sequence[int],
                agencies: Sequence[int]) -> Iterator[tuple[Media, MediaCategory]]:
    """Media some of ``agencies`` put in one of ``category_ids``, oldest first, in pages."""
    last = 0
    while True:
        rows = s.execute(select(Media, MediaCategory)
                         .join(MediaCategory, MediaCategory.media_id == Media.id)
                         .where(MediaCategory.category_id.in_(category_ids),
                                MediaCategory.agency_id.in_(agencies),
                                MediaCategory.segment == "", Media.id > last)
                         .order_by(Media.id, MediaCategory.id).limit(2000)).all()
        if not rows:
            return
        for media, cat in rows:
            if media.id != last:
                yield media, cat
                last = media.id
