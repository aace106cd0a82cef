"""notes between agencies: a discussion thread on each series

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 23:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "discussion_post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"],
                                name=op.f("fk_discussion_post_agency_id_agency")),
        sa.ForeignKeyConstraint(["series_id"], ["series.id"],
                                name=op.f("fk_discussion_post_series_id_series")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discussion_post")),
    )
    with op.batch_alter_table("discussion_post") as batch:
        batch.create_index(batch.f("ix_discussion_post_series_id"), ["series_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("discussion_post") as batch:
        batch.drop_index(batch.f("ix_discussion_post_series_id"))
    op.drop_table("discussion_post")
