"""places: country, region, a point with its uncertainty, and the clues that led there

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 16:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "place",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("region", sa.String(length=200), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("radius_m", sa.Float(), nullable=True),
        sa.Column("clues", sa.Text(), nullable=True),
        sa.Column("owner_agency_id", sa.Integer(), nullable=False),
        sa.Column("sharing", sa.String(length=12), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_agency_id"], ["agency.id"],
                                name=op.f("fk_place_owner_agency_id_agency")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_place")),
        sa.UniqueConstraint("owner_agency_id", "label", name="uq_place_owner_label"),
    )
    with op.batch_alter_table("place") as batch:
        batch.create_index("ix_place_lat", ["lat"], unique=False)
        batch.create_index(batch.f("ix_place_owner_agency_id"), ["owner_agency_id"],
                           unique=False)


def downgrade() -> None:
    with op.batch_alter_table("place") as batch:
        batch.drop_index(batch.f("ix_place_owner_agency_id"))
        batch.drop_index("ix_place_lat")
    op.drop_table("place")
