"""SQLAlchemy models: the database is the source of truth; indexes are rebuilt from it.

Signals are stored generically (type, version, value, quality, region) so a new signal type needs
no new table. Statuses are plain strings validated by ``tessera.core.types`` enums.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Agency(Base):
    __tablename__ = "agency"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    contact: Mapped[str | None] = mapped_column(String(300))
    # what other agencies see of a new series of this agency (hash-only|metadata|full)
    default_sharing: Mapped[str] = mapped_column(String(12), default="hash-only",
                                                 server_default="hash-only")
    # whether its hashes of abuse material may go into other agencies' signed partner exports
    partner_consent: Mapped[bool] = mapped_column(default=False, server_default=false())
    grading_votes: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Case(Base):
    __tablename__ = "case_file"
    __table_args__ = (UniqueConstraint("agency_id", "reference", name="uq_case_agency_reference"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    reference: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    agency: Mapped[Agency] = relationship()


class Series(Base):
    """Names are unique within the owning agency: two agencies may each have a "Series A"."""

    __tablename__ = "series"
    __table_args__ = (UniqueConstraint("owner_agency_id", "name", name="uq_series_owner_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    owner_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    victim_status: Mapped[str] = mapped_column(String(20), default="unidentified")
    offender_status: Mapped[str] = mapped_column(String(20), default="unknown")
    description: Mapped[str | None] = mapped_column(Text)
    sharing: Mapped[str] = mapped_column(String(12), default="hash-only",
                                         server_default="hash-only")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    owner: Mapped[Agency] = relationship()
    grants: Mapped[list[SeriesGrant]] = relationship(lazy="selectin",
                                                     order_by="SeriesGrant.agency_id")

    @property
    def shares(self) -> tuple[int, str, dict[int, str]]:
        """What the access policy reads of a series: owner, sharing and grants."""
        return self.owner_agency_id, self.sharing, {g.agency_id: g.level for g in self.grants}


class SeriesGrant(Base):
    """More than the series' sharing, granted by its owner to one agency."""

    __tablename__ = "series_grant"
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), primary_key=True)
    level: Mapped[str] = mapped_column(String(12))
    granted_by: Mapped[str] = mapped_column(String(200))
    request_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AccessRequest(Base):
    """"DE asks AU for metadata access to Series Harbour": pending until the owner grants or
    refuses it, then kept with who decided, when and why."""

    __tablename__ = "access_request"
    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    level: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(10), default="pending")  # pending|granted|refused
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    series: Mapped[Series] = relationship()
    agency: Mapped[Agency] = relationship()


class StatusChange(Base):
    """One step of a series' identification: whose status (victim or offender) went from what
    to what, who said so, when, and why. Kept for good: the history is evidence too."""

    __tablename__ = "status_change"
    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id"), index=True)
    subject: Mapped[str] = mapped_column(String(10))  # victim | offender
    before: Mapped[str] = mapped_column(String(20))
    after: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    agency: Mapped[Agency] = relationship()


class DiscussionPost(Base):
    """A message in the thread on an entity (a series, a person, a place) between agencies:
    read by every agency that may read the entity's details, so it says only what the
    entity's sharing already tells. ``series_id`` is kept for a series' posts."""

    __tablename__ = "discussion_post"
    __table_args__ = (Index("ix_discussion_post_entity", "entity_type", "entity_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id"), index=True)
    entity_type: Mapped[str] = mapped_column(String(16), default="series",
                                             server_default="series")
    entity_id: Mapped[int] = mapped_column(Integer)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    actor: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    agency: Mapped[Agency] = relationship()


class Media(Base):
    """A file Tessera holds, or (``hash_only``) one it knows only by hashes from a VICS case or
    a hash list: no pixels, so any of the digests may be missing."""

    __tablename__ = "media"
    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str | None] = mapped_column(String(64), unique=True)
    md5: Mapped[str | None] = mapped_column(String(32), index=True)
    sha1: Mapped[str | None] = mapped_column(String(40), index=True)
    hash_only: Mapped[bool] = mapped_column(default=False, server_default=false())
    kind: Mapped[str] = mapped_column(String(10))
    mime: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(BigInteger)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    signals: Mapped[list[Signal]] = relationship(back_populates="media", order_by="Signal.id")
    submissions: Mapped[list[Submission]] = relationship(back_populates="media",
                                                         order_by="Submission.id")


class MediaSeries(Base):
    """A media file belongs to a series because some submission said so (kept for provenance)."""

    __tablename__ = "media_series"
    media_id: Mapped[int] = mapped_column(ForeignKey("media.id"), primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id"), primary_key=True, index=True)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CategoryScheme(Base):
    """A way of categorising media (VICS US/Default, UK-style, an agency's own)."""

    __tablename__ = "category_scheme"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    categories: Mapped[list[Category]] = relationship(back_populates="scheme",
                                                      order_by="Category.position")


class Category(Base):
    __tablename__ = "category"
    __table_args__ = (UniqueConstraint("scheme_id", "code", name="uq_category_scheme_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("category_scheme.id"))
    code: Mapped[str] = mapped_column(String(20))  # VICS: "0".."4"
    label: Mapped[str] = mapped_column(String(200))
    abuse: Mapped[bool] = mapped_column(default=False)  # goes into partner hash exports
    key: Mapped[str | None] = mapped_column(String(1))  # grading keyboard shortcut
    position: Mapped[int] = mapped_column(Integer, default=0)
    scheme: Mapped[CategoryScheme] = relationship(back_populates="categories")


class CategoryMapping(Base):
    """A category of one scheme read as a category of another (UK-style 'A' is VICS 1)."""

    __tablename__ = "category_mapping"
    from_id: Mapped[int] = mapped_column(ForeignKey("category.id"), primary_key=True)
    to_scheme_id: Mapped[int] = mapped_column(ForeignKey("category_scheme.id"),
                                              primary_key=True)
    to_id: Mapped[int] = mapped_column(ForeignKey("category.id"))


class MediaCategory(Base):
    """An agency's current category of a media (or of one video segment): set by an
    investigator, by an import, or proposed from a match (``source``); the audit trail keeps
    every earlier value."""

    __tablename__ = "media_category"
    __table_args__ = (UniqueConstraint("media_id", "agency_id", "segment",
                                       name="uq_media_category_media_agency_segment"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    media_id: Mapped[int] = mapped_column(ForeignKey("media.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"))
    segment: Mapped[str] = mapped_column(String(40), default="")  # "" whole file, "t0-t1"
    t_start: Mapped[float | None] = mapped_column(Float)
    t_end: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(12))  # investigator|consensus|import|match
    basis: Mapped[str | None] = mapped_column(Text)  # e.g. "exact match of media 12"
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    category: Mapped[Category] = relationship()


class GradeVote(Base):
    """One investigator's category for a media when an agency grades by consensus."""

    __tablename__ = "grade_vote"
    __table_args__ = (UniqueConstraint("media_id", "agency_id", "actor",
                                       name="uq_grade_vote_media_agency_actor"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    media_id: Mapped[int] = mapped_column(ForeignKey("media.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"))
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Annotation(Base):
    """A tag, bookmark or note an agency put on a media, series or job; seen by that agency
    alone."""

    __tablename__ = "annotation"
    __table_args__ = (Index("ix_annotation_target", "agency_id", "target", "target_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    target: Mapped[str] = mapped_column(String(10))  # media|series|job
    target_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))  # tag|bookmark|note
    text: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Signal(Base):
    __tablename__ = "signal"
    __table_args__ = (Index("ix_signal_type_id", "type", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    media_id: Mapped[int] = mapped_column(ForeignKey("media.id"), index=True)
    type: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer)
    value: Mapped[bytes] = mapped_column(LargeBinary)
    quality: Mapped[int | None] = mapped_column(Integer)
    region: Mapped[str] = mapped_column(String(32), default="full")
    frame_no: Mapped[int | None] = mapped_column(Integer)  # video: position in time
    t_start: Mapped[float | None] = mapped_column(Float)
    t_span: Mapped[float | None] = mapped_column(Float)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # e.g. a face's box, landmarks
    media: Mapped[Media] = relationship(back_populates="signals")


class Derivative(Base):
    """Keyframes and contact sheets made from a video: encrypted blobs like the evidence."""

    __tablename__ = "derivative"
    __table_args__ = (UniqueConstraint("media_id", "kind", "sha256",
                                       name="uq_derivative_media_kind_sha"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    media_id: Mapped[int] = mapped_column(ForeignKey("media.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    sha256: Mapped[str] = mapped_column(String(64))
    t_start: Mapped[float | None] = mapped_column(Float)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TranscriptSegment(Base):
    """Recognised speech with times; searched by ``tessera search text``."""

    __tablename__ = "transcript_segment"
    id: Mapped[int] = mapped_column(primary_key=True)
    media_id: Mapped[int] = mapped_column(ForeignKey("media.id"), index=True)
    t_start: Mapped[float] = mapped_column(Float)
    t_end: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(12))
    engine: Mapped[str] = mapped_column(String(40))
    confidence: Mapped[float | None] = mapped_column(Float)


# --- persons and faces ------------------------------------------------------------------------


class Person(Base):
    """A victim or offender an agency tracks; shared with others like a series."""

    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("owner_agency_id", "label", name="uq_person_owner_label"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(10))  # victim|offender
    label: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))  # VictimStatus or OffenderStatus
    owner_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    sharing: Mapped[str] = mapped_column(String(12), default="hash-only")
    description: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    owner: Mapped[Agency] = relationship()


class Place(Base):
    """A place an agency has worked out (a room, a street, a town): country and region, a point
    with how sure it is (``radius_m``), and the clues that led there. Shared like a series."""

    __tablename__ = "place"
    __table_args__ = (UniqueConstraint("owner_agency_id", "label", name="uq_place_owner_label"),
                      Index("ix_place_lat", "lat"))
    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    region: Mapped[str | None] = mapped_column(String(200))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    radius_m: Mapped[float | None] = mapped_column(Float)
    clues: Mapped[str | None] = mapped_column(Text)
    owner_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    sharing: Mapped[str] = mapped_column(String(12), default="hash-only")
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    owner: Mapped[Agency] = relationship()


class Clue(Base):
    """What an investigator noticed in one media that may lead somewhere: an object, a logo,
    a text, a sound; a region of the picture (fractions of its width and height) or a stretch
    of the video or sound (seconds), or the whole file; with a note. Owned and shared like a
    series; readable only by those who may read the media's details too."""

    __tablename__ = "clue"
    id: Mapped[int] = mapped_column(primary_key=True)
    media_id: Mapped[int] = mapped_column(ForeignKey("media.id"), index=True)
    owner_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    sharing: Mapped[str] = mapped_column(String(12), default="hash-only")
    kind: Mapped[str] = mapped_column(String(12))  # object|logo|text|sound|other
    note: Mapped[str] = mapped_column(Text)
    x: Mapped[float | None] = mapped_column(Float)
    y: Mapped[float | None] = mapped_column(Float)
    w: Mapped[float | None] = mapped_column(Float)
    h: Mapped[float | None] = mapped_column(Float)
    start_s: Mapped[float | None] = mapped_column(Float)
    end_s: Mapped[float | None] = mapped_column(Float)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    owner: Mapped[Agency] = relationship()


class FaceLink(Base):
    """A face tied to a person: ``confirmed`` by an investigator, ``suggested`` by Tessera
    (with its score; never promoted on its own) or ``rejected`` ("not this person", which keeps
    the suggestion from coming back)."""

    __tablename__ = "face_link"
    __table_args__ = (UniqueConstraint("signal_id", "person_id", name="uq_face_link_face_person"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    signal_id: Mapped[int] = mapped_column(ForeignKey("signal.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    state: Mapped[str] = mapped_column(String(10))  # confirmed|suggested|rejected
    score: Mapped[float | None] = mapped_column(Float)
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FaceDecision(Base):
    """An investigator's word on two faces: the same person (a merge) or not (a split, or two
    faces wrongly grouped). Clustering obeys these; re-clustering never drops them."""

    __tablename__ = "face_decision"
    __table_args__ = (UniqueConstraint("a_signal_id", "b_signal_id",
                                       name="uq_face_decision_pair"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    a_signal_id: Mapped[int] = mapped_column(ForeignKey("signal.id"), index=True)
    b_signal_id: Mapped[int] = mapped_column(ForeignKey("signal.id"), index=True)
    same: Mapped[bool] = mapped_column()
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FaceClusterRun(Base):
    """One clustering of the faces an agency may see (all, or one job's); the newest run per
    agency and scope is the one shown for review."""

    __tablename__ = "face_cluster_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    scope: Mapped[str] = mapped_column(String(40))  # all | job:<id>
    threshold: Mapped[float] = mapped_column(Float)
    faces: Mapped[int] = mapped_column(Integer)
    clusters: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FaceClusterMember(Base):
    __tablename__ = "face_cluster_member"
    run_id: Mapped[int] = mapped_column(ForeignKey("face_cluster_run.id"), primary_key=True)
    signal_id: Mapped[int] = mapped_column(ForeignKey("signal.id"), primary_key=True)
    cluster: Mapped[int] = mapped_column(Integer)  # number within the run, 1 = largest
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))  # confirmed member


class IngestJob(Base):
    __tablename__ = "ingest_job"
    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(Text)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id"))
    actor: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(20), default="running")  # running|done|cancelled
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    agency: Mapped[Agency] = relationship()


class JobItem(Base):
    """Exactly-once ledger: one row per input file per job, written in the same transaction as
    the media it produced, so a killed run resumes where it stopped."""

    __tablename__ = "job_item"
    __table_args__ = (UniqueConstraint("job_id", "path", name="uq_job_item_job_path"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("ingest_job.id"))
    path: Mapped[str] = mapped_column(Text)  # display form (core.paths.shown)
    path_raw: Mapped[bytes | None] = mapped_column(LargeBinary)  # the bytes, if not UTF-8
    state: Mapped[str] = mapped_column(String(10))  # done|error
    media_id: Mapped[int | None] = mapped_column(ForeignKey("media.id"))
    sha256: Mapped[str | None] = mapped_column(String(64))
    error_code: Mapped[str | None] = mapped_column(String(40))
    error: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Submission(Base):
    __tablename__ = "submission"
    id: Mapped[int] = mapped_column(primary_key=True)
    media_id: Mapped[int] = mapped_column(ForeignKey("media.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id"))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_job.id"))
    original_path: Mapped[str] = mapped_column(Text)  # display form (core.paths.shown)
    original_path_raw: Mapped[bytes | None] = mapped_column(LargeBinary)  # bytes, if not UTF-8
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    media: Mapped[Media] = relationship(back_populates="submissions")
    agency: Mapped[Agency] = relationship()
    case: Mapped[Case | None] = relationship()
    series: Mapped[Series | None] = relationship()


class AuditEvent(Base):
    """Append-only, hash-chained: each row's hash covers its content and the previous hash."""

    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    agency: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(60))
    object: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(20), default="ok")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


# --- the service: accounts, sessions, background tasks, notifications ----------------------


class User(Base):
    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    role: Mapped[str] = mapped_column(String(20))  # admin|agency-admin|investigator|viewer
    password_hash: Mapped[str] = mapped_column(String(200))
    totp_secret: Mapped[bytes | None] = mapped_column(LargeBinary)  # sealed with the instance key
    totp_required: Mapped[bool] = mapped_column(default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    agency: Mapped[Agency] = relationship()


class ApiToken(Base):
    """Only a SHA-256 of the token is kept: a database dump gives no usable credential."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    user: Mapped[User] = relationship()


class RecoveryCode(Base):
    """One-time codes that stand in for a lost TOTP device; only their SHA-256 is kept (each
    is 80 random bits, so a hash is as good as a password hash here)."""

    __tablename__ = "recovery_code"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WebSession(Base):
    __tablename__ = "web_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    mfa_passed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    user: Mapped[User] = relationship()


class Task(Base):
    """A background de-confliction (optionally storing the files) started from the service.

    ``result`` keeps the per-file outcome and hits, never other agencies' details: reports are
    built from it at view time, so they follow the sharing rules in force when they are read.
    """

    __tablename__ = "task"
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    case_ref: Mapped[str | None] = mapped_column(String(200))
    series_name: Mapped[str | None] = mapped_column(String(200))
    store: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(String(12), default="queued")
    # queued|running|done|failed|cancelled
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    total: Mapped[int | None] = mapped_column(Integer)
    done: Mapped[int] = mapped_column(Integer, default=0)
    stage: Mapped[str | None] = mapped_column(String(20))  # analysing|storing (done/total)
    stage_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    files: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[list[Any] | None] = mapped_column(JSON)
    staging: Mapped[str] = mapped_column(Text)
    ingest_job_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_job.id"))  # stored
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    agency: Mapped[Agency] = relationship()
    user: Mapped[User] = relationship()


class Notification(Base):
    """Tells an owning agency that another agency's upload matched its material."""

    __tablename__ = "notification"
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    from_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id"))
    case_ref: Mapped[str | None] = mapped_column(String(200))
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id"))
    files: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    from_agency: Mapped[Agency] = relationship(foreign_keys=[from_agency_id])


# --- connections --------------------------------------------------------------------------------


class Device(Base):
    """A camera or phone known by its serial number from the media's metadata: two series shot
    with one device are a lead. Model alone identifies nobody, so no row exists without a serial."""

    __tablename__ = "device"
    __table_args__ = (UniqueConstraint("make", "model", "serial", name="uq_device_make_model"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    make: Mapped[str] = mapped_column(String(100), default="")
    model: Mapped[str] = mapped_column(String(100), default="")
    serial: Mapped[str] = mapped_column(String(100), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class MediaDevice(Base):
    __tablename__ = "media_device"
    media_id: Mapped[int] = mapped_column(ForeignKey("media.id"), primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id"), index=True)


class MediaPosition(Base):
    """Where the media says it was made (EXIF GPS), indexed by latitude for "near here"."""

    __tablename__ = "media_position"
    media_id: Mapped[int] = mapped_column(ForeignKey("media.id"), primary_key=True)
    lat: Mapped[float] = mapped_column(Float, index=True)
    lon: Mapped[float] = mapped_column(Float)
    alt: Mapped[float | None] = mapped_column(Float)


class EntityLink(Base):
    """Two entities (series, persons, media, devices) tied by a kind of connection, with where
    the tie comes from: ``source`` "asserted" (by ``created_by``) or the suggester that found it,
    with its score and the evidence it saw. ``state`` suggested → confirmed | rejected only by
    a person; a rejected row stays so that the suggestion never comes back. Endpoints are stored
    in one order (smaller type/id first) so a pair has one row per kind."""

    __tablename__ = "entity_link"
    __table_args__ = (UniqueConstraint("a_type", "a_id", "b_type", "b_id", "kind",
                                       name="uq_entity_link_pair_kind"),
                      Index("ix_entity_link_b", "b_type", "b_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    a_type: Mapped[str] = mapped_column(String(16))
    a_id: Mapped[int] = mapped_column(Integer)
    b_type: Mapped[str] = mapped_column(String(16))
    b_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(24))
    state: Mapped[str] = mapped_column(String(10))  # suggested|confirmed|rejected
    source: Mapped[str] = mapped_column(String(40))  # "asserted" or a suggester's name
    score: Mapped[float | None] = mapped_column(Float)
    evidence: Mapped[list[Any]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
