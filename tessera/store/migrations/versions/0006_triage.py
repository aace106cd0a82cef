"""triage and interoperability: category schemes (VICS seeded), media categories, consensus
votes, tags/bookmarks/notes, hash-only media (known from VICS or hash lists, no pixels), an
agency's consent to partner exports and its grading rule

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# The VICS US/Default dialect, agreed by four public implementations (shared/NOTES-vics.md).
VICS = [("0", "Non-pertinent", False, "0"), ("1", "Child abuse material", True, "1"),
        ("2", "Child exploitive (non-CAM)", False, "2"), ("3", "CGI / animation", False, "3"),
        ("4", "Comparison", False, "4")]


def upgrade() -> None:
    with op.batch_alter_table("agency") as batch:
        batch.add_column(sa.Column("partner_consent", sa.Boolean(), server_default=sa.false(),
                                   nullable=False))
        batch.add_column(sa.Column("grading_votes", sa.Integer(), server_default="1",
                                   nullable=False))
    with op.batch_alter_table("task") as batch:
        batch.add_column(sa.Column("ingest_job_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_task_ingest_job_id_ingest_job"), "ingest_job",
                                 ["ingest_job_id"], ["id"])
    with op.batch_alter_table("media") as batch:
        batch.add_column(sa.Column("hash_only", sa.Boolean(), server_default=sa.false(),
                                   nullable=False))
        batch.alter_column("sha256", existing_type=sa.String(length=64), nullable=True)
        batch.alter_column("md5", existing_type=sa.String(length=32), nullable=True)
        batch.alter_column("sha1", existing_type=sa.String(length=40), nullable=True)
    scheme = op.create_table(
        "category_scheme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_category_scheme")),
        sa.UniqueConstraint("name", name=op.f("uq_category_scheme_name")),
    )
    category = op.create_table(
        "category",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("abuse", sa.Boolean(), nullable=False),
        sa.Column("key", sa.String(length=1), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["scheme_id"], ["category_scheme.id"],
                                name=op.f("fk_category_scheme_id_category_scheme")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_category")),
        sa.UniqueConstraint("scheme_id", "code", name="uq_category_scheme_code"),
    )
    op.create_table(
        "category_mapping",
        sa.Column("from_id", sa.Integer(), nullable=False),
        sa.Column("to_scheme_id", sa.Integer(), nullable=False),
        sa.Column("to_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["from_id"], ["category.id"],
                                name=op.f("fk_category_mapping_from_id_category")),
        sa.ForeignKeyConstraint(["to_scheme_id"], ["category_scheme.id"],
                                name=op.f("fk_category_mapping_to_scheme_id_category_scheme")),
        sa.ForeignKeyConstraint(["to_id"], ["category.id"],
                                name=op.f("fk_category_mapping_to_id_category")),
        sa.PrimaryKeyConstraint("from_id", "to_scheme_id", name=op.f("pk_category_mapping")),
    )
    op.create_table(
        "media_category",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("media_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("segment", sa.String(length=40), nullable=False),
        sa.Column("t_start", sa.Float(), nullable=True),
        sa.Column("t_end", sa.Float(), nullable=True),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("basis", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["media_id"], ["media.id"],
                                name=op.f("fk_media_category_media_id_media")),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"],
                                name=op.f("fk_media_category_agency_id_agency")),
        sa.ForeignKeyConstraint(["category_id"], ["category.id"],
                                name=op.f("fk_media_category_category_id_category")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_category")),
        sa.UniqueConstraint("media_id", "agency_id", "segment",
                            name="uq_media_category_media_agency_segment"),
    )
    op.create_index(op.f("ix_media_category_media_id"), "media_category", ["media_id"])
    op.create_index(op.f("ix_media_category_agency_id"), "media_category", ["agency_id"])
    op.create_table(
        "grade_vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("media_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["media_id"], ["media.id"],
                                name=op.f("fk_grade_vote_media_id_media")),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"],
                                name=op.f("fk_grade_vote_agency_id_agency")),
        sa.ForeignKeyConstraint(["category_id"], ["category.id"],
                                name=op.f("fk_grade_vote_category_id_category")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grade_vote")),
        sa.UniqueConstraint("media_id", "agency_id", "actor",
                            name="uq_grade_vote_media_agency_actor"),
    )
    op.create_index(op.f("ix_grade_vote_media_id"), "grade_vote", ["media_id"])
    op.create_table(
        "annotation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=10), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"],
                                name=op.f("fk_annotation_agency_id_agency")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annotation")),
    )
    op.create_index("ix_annotation_target", "annotation", ["agency_id", "target", "target_id"])
    op.bulk_insert(scheme, [{"id": 1, "name": "vics", "label": "Project VIC US/Default"}])
    op.bulk_insert(category, [{"scheme_id": 1, "code": code, "label": label, "abuse": abuse,
                               "key": key, "position": n}
                              for n, (code, label, abuse, key) in enumerate(VICS)])
    if op.get_bind().dialect.name == "postgresql":  # explicit ids leave the sequence behind
        op.execute("SELECT setval('category_scheme_id_seq', 1)")


def downgrade() -> None:
    op.drop_index("ix_annotation_target", table_name="annotation")
    op.drop_table("annotation")
    op.drop_index(op.f("ix_grade_vote_media_id"), table_name="grade_vote")
    op.drop_table("grade_vote")
    op.drop_index(op.f("ix_media_category_agency_id"), table_name="media_category")
    op.drop_index(op.f("ix_media_category_media_id"), table_name="media_category")
    op.drop_table("media_category")
    op.drop_table("category_mapping")
    op.drop_table("category")
    op.drop_table("category_scheme")
    with op.batch_alter_table("media") as batch:
        batch.drop_column("hash_only")
    with op.batch_alter_table("task") as batch:
        batch.drop_constraint(op.f("fk_task_ingest_job_id_ingest_job"), type_="foreignkey")
        batch.drop_column("ingest_job_id")
    with op.batch_alter_table("agency") as batch:
        batch.drop_column("grading_votes")
        batch.drop_column("partner_consent")
