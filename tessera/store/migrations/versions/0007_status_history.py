"""the identification workflow: each change of a series' victim or offender status, with who,
when, which agency and a note

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "status_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=10), nullable=False),
        sa.Column("before", sa.String(length=20), nullable=False),
        sa.Column("after", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"],
                                name=op.f("fk_status_change_agency_id_agency")),
        sa.ForeignKeyConstraint(["series_id"], ["series.id"],
                                name=op.f("fk_status_change_series_id_series")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_change")),
    )
    with op.batch_alter_table("status_change") as batch:
        batch.create_index(batch.f("ix_status_change_series_id"), ["series_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("status_change") as batch:
        batch.drop_index(batch.f("ix_status_change_series_id"))
    op.drop_table("status_change")
