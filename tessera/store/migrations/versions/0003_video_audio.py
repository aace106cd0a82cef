"""video and audio: signal positions, derivatives, transcripts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("signal") as batch:
        batch.add_column(sa.Column("frame_no", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("t_start", sa.Float(), nullable=True))
        batch.add_column(sa.Column("t_span", sa.Float(), nullable=True))
    op.create_table(
        "derivative",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("media_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("t_start", sa.Float(), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["media_id"], ["media.id"],
                                name=op.f("fk_derivative_media_id_media")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_derivative")),
        sa.UniqueConstraint("media_id", "kind", "sha256", name="uq_derivative_media_kind_sha"),
    )
    op.create_index(op.f("ix_derivative_media_id"), "derivative", ["media_id"], unique=False)
    op.create_table(
        "transcript_segment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("media_id", sa.Integer(), nullable=False),
        sa.Column("t_start", sa.Float(), nullable=False),
        sa.Column("t_end", sa.Float(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=12), nullable=True),
        sa.Column("engine", sa.String(length=40), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["media_id"], ["media.id"],
                                name=op.f("fk_transcript_segment_media_id_media")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transcript_segment")),
    )
    op.create_index(op.f("ix_transcript_segment_media_id"), "transcript_segment", ["media_id"],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_transcript_segment_media_id"), table_name="transcript_segment")
    op.drop_table("transcript_segment")
    op.drop_index(op.f("ix_derivative_media_id"), table_name="derivative")
    op.drop_table("derivative")
    with op.batch_alter_table("signal") as batch:
        batch.drop_column("t_span")
        batch.drop_column("t_start")
        batch.drop_column("frame_no")
