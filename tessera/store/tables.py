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
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
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
    __tablename__ = "series"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    owner_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    victim_status: Mapped[str] = mapped_column(String(20), default="unidentified")
    offender_status: Mapped[str] = mapped_column(String(20), default="unknown")
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    owner: Mapped[Agency] = relationship()


class Media(Base):
    __tablename__ = "media"
    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    md5: Mapped[str] = mapped_column(String(32), index=True)
    sha1: Mapped[str] = mapped_column(String(40), index=True)
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
    media: Mapped[Media] = relationship(back_populates="signals")


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
    path: Mapped[str] = mapped_column(Text)
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
    original_path: Mapped[str] = mapped_column(Text)
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
