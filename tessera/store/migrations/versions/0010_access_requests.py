"""access requests between agencies, and the per-agency grants that answer them

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "series_grant",
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=12), nullable=False),
        sa.Column("granted_by", sa.String(length=200), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"],
                                name=op.f("fk_series_grant_agency_id_agency")),
        sa.ForeignKeyConstraint(["series_id"], ["series.id"],
                                name=op.f("fk_series_grant_series_id_series")),
        sa.PrimaryKeyConstraint("series_id", "agency_id", name=op.f("pk_series_grant")),
    )
    op.create_table(
        "access_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"],
                                name=op.f("fk_access_request_agency_id_agency")),
        sa.ForeignKeyConstraint(["series_id"], ["series.id"],
                                name=op.f("fk_access_request_series_id_series")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_request")),
    )
    with op.batch_alter_table("access_request") as batch:
        batch.create_index(batch.f("ix_access_request_series_id"), ["series_id"], unique=False)
        batch.create_index(batch.f("ix_access_request_agency_id"), ["agency_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("access_request") as batch:
        batch.drop_index(batch.f("ix_access_request_agency_id"))
        batch.drop_index(batch.f("ix_access_request_series_id"))
    op.drop_table("access_request")
    op.drop_table("series_grant")
