"""clues: an object, logo, text or sound noticed in a media (a region or a time range)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 17:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("media_id", sa.Integer(), nullable=False),
        sa.Column("owner_agency_id", sa.Integer(), nullable=False),
        sa.Column("sharing", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("x", sa.Float(), nullable=True),
        sa.Column("y", sa.Float(), nullable=True),
        sa.Column("w", sa.Float(), nullable=True),
        sa.Column("h", sa.Float(), nullable=True),
        sa.Column("start_s", sa.Float(), nullable=True),
        sa.Column("end_s", sa.Float(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["media_id"], ["media.id"], name=op.f("fk_clue_media_id_media")),
        sa.ForeignKeyConstraint(["owner_agency_id"], ["agency.id"],
                                name=op.f("fk_clue_owner_agency_id_agency")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clue")),
    )
    with op.batch_alter_table("clue") as batch:
        batch.create_index(batch.f("ix_clue_media_id"), ["media_id"], unique=False)
        batch.create_index(batch.f("ix_clue_owner_agency_id"), ["owner_agency_id"],
                           unique=False)


def downgrade() -> None:
    with op.batch_alter_table("clue") as batch:
        batch.drop_index(batch.f("ix_clue_owner_agency_id"))
        batch.drop_index(batch.f("ix_clue_media_id"))
    op.drop_table("clue")
