"""faces: signal detail, persons, face links, decisions and cluster runs

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("signal") as batch:
        batch.add_column(sa.Column("detail", sa.JSON(), nullable=True))
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("owner_agency_id", sa.Integer(), nullable=False),
        sa.Column("sharing", sa.String(length=12), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(["owner_agency_id"], ["agency.id"],
                                name=op.f("fk_person_owner_agency_id_agency")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("owner_agency_id", "label", name="uq_person_owner_label"),
    )
    op.create_index(op.f("ix_person_owner_agency_id"), "person", ["owner_agency_id"])
    op.create_table(
        "face_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("signal_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(["signal_id"], ["signal.id"],
                                name=op.f("fk_face_link_signal_id_signal")),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"],
                                name=op.f("fk_face_link_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_face_link")),
        sa.UniqueConstraint("signal_id", "person_id", name="uq_face_link_face_person"),
    )
    op.create_index(op.f("ix_face_link_signal_id"), "face_link", ["signal_id"])
    op.create_index(op.f("ix_face_link_person_id"), "face_link", ["person_id"])
    op.create_table(
        "face_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("a_signal_id", sa.Integer(), nullable=False),
        sa.Column("b_signal_id", sa.Integer(), nullable=False),
        sa.Column("same", sa.Boolean(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(["a_signal_id"], ["signal.id"],
                                name=op.f("fk_face_decision_a_signal_id_signal")),
        sa.ForeignKeyConstraint(["b_signal_id"], ["signal.id"],
                                name=op.f("fk_face_decision_b_signal_id_signal")),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"],
                                name=op.f("fk_face_decision_agency_id_agency")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_face_decision")),
        sa.UniqueConstraint("a_signal_id", "b_signal_id", name="uq_face_decision_pair"),
    )
    op.create_index(op.f("ix_face_decision_a_signal_id"), "face_decision", ["a_signal_id"])
    op.create_index(op.f("ix_face_decision_b_signal_id"), "face_decision", ["b_signal_id"])
    op.create_table(
        "face_cluster_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("faces", sa.Integer(), nullable=False),
        sa.Column("clusters", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"],
                                name=op.f("fk_face_cluster_run_agency_id_agency")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_face_cluster_run")),
    )
    op.create_index(op.f("ix_face_cluster_run_agency_id"), "face_cluster_run", ["agency_id"])
    op.create_table(
        "face_cluster_member",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("signal_id", sa.Integer(), nullable=False),
        sa.Column("cluster", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["face_cluster_run.id"],
                                name=op.f("fk_face_cluster_member_run_id_face_cluster_run")),
        sa.ForeignKeyConstraint(["signal_id"], ["signal.id"],
                                name=op.f("fk_face_cluster_member_signal_id_signal")),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"],
                                name=op.f("fk_face_cluster_member_person_id_person")),
        sa.PrimaryKeyConstraint("run_id", "signal_id", name=op.f("pk_face_cluster_member")),
    )


def downgrade() -> None:
    op.drop_table("face_cluster_member")
    op.drop_index(op.f("ix_face_cluster_run_agency_id"), table_name="face_cluster_run")
    op.drop_table("face_cluster_run")
    op.drop_index(op.f("ix_face_decision_b_signal_id"), table_name="face_decision")
    op.drop_index(op.f("ix_face_decision_a_signal_id"), table_name="face_decision")
    op.drop_table("face_decision")
    op.drop_index(op.f("ix_face_link_person_id"), table_name="face_link")
    op.drop_index(op.f("ix_face_link_signal_id"), table_name="face_link")
    op.drop_table("face_link")
    op.drop_index(op.f("ix_person_owner_agency_id"), table_name="person")
    op.drop_table("person")
    with op.batch_alter_table("signal") as batch:
        batch.drop_column("detail")
