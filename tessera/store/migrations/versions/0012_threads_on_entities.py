"""threads between agencies on any entity (series, person, place), not only series

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("discussion_post") as batch:
        batch.add_column(sa.Column("entity_type", sa.String(length=16), nullable=False,
                                   server_default="series"))
        batch.add_column(sa.Column("entity_id", sa.Integer(), nullable=True))
    op.execute("UPDATE discussion_post SET entity_id = series_id")
    with op.batch_alter_table("discussion_post") as batch:
        batch.alter_column("entity_id", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("series_id", existing_type=sa.Integer(), nullable=True)
        batch.create_index("ix_discussion_post_entity", ["entity_type", "entity_id"],
                           unique=False)


def downgrade() -> None:
    op.execute("DELETE FROM discussion_post WHERE entity_type <> 'series'")
    with op.batch_alter_table("discussion_post") as batch:
        batch.drop_index("ix_discussion_post_entity")
        batch.alter_column("series_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_column("entity_id")
        batch.drop_column("entity_type")
