"""security and seizures: TOTP recovery codes, series names unique per owning agency, the
original bytes of file names that are not valid UTF-8, a job's stage

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recovery_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"],
                                name=op.f("fk_recovery_code_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_code")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_recovery_code_code_hash")),
    )
    op.create_index(op.f("ix_recovery_code_user_id"), "recovery_code", ["user_id"])
    with op.batch_alter_table("series") as batch:
        batch.drop_constraint("uq_series_name", type_="unique")
        batch.create_unique_constraint("uq_series_owner_name", ["owner_agency_id", "name"])
    with op.batch_alter_table("job_item") as batch:
        batch.add_column(sa.Column("path_raw", sa.LargeBinary(), nullable=True))
    with op.batch_alter_table("submission") as batch:
        batch.add_column(sa.Column("original_path_raw", sa.LargeBinary(), nullable=True))
    with op.batch_alter_table("task") as batch:
        batch.add_column(sa.Column("stage", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("stage_started_at", sa.DateTime(timezone=True),
                                   nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("task") as batch:
        batch.drop_column("stage_started_at")
        batch.drop_column("stage")
    with op.batch_alter_table("submission") as batch:
        batch.drop_column("original_path_raw")
    with op.batch_alter_table("job_item") as batch:
        batch.drop_column("path_raw")
    with op.batch_alter_table("series") as batch:
        batch.drop_constraint("uq_series_owner_name", type_="unique")
        batch.create_unique_constraint("uq_series_name", ["name"])
    op.drop_index(op.f("ix_recovery_code_user_id"), table_name="recovery_code")
    op.drop_table("recovery_code")
