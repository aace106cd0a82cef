"""connections: devices and positions from metadata, links between entities with provenance

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 02:00:00

Existing media get their device (camera serial) and GPS position from the metadata already
stored, so that links are suggested for what was ingested before this version too.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from tessera.media.metadata import device_of, position_of  # pure: metadata → facts

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "device",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("make", sa.String(length=100), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.Column("serial", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device")),
        sa.UniqueConstraint("make", "model", "serial", name="uq_device_make_model"),
    )
    with op.batch_alter_table("device") as batch:
        batch.create_index(batch.f("ix_device_serial"), ["serial"], unique=False)
    op.create_table(
        "media_device",
        sa.Column("media_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["device_id"], ["device.id"],
                                name=op.f("fk_media_device_device_id_device")),
        sa.ForeignKeyConstraint(["media_id"], ["media.id"],
                                name=op.f("fk_media_device_media_id_media")),
        sa.PrimaryKeyConstraint("media_id", name=op.f("pk_media_device")),
    )
    with op.batch_alter_table("media_device") as batch:
        batch.create_index(batch.f("ix_media_device_device_id"), ["device_id"], unique=False)
    op.create_table(
        "media_position",
        sa.Column("media_id", sa.Integer(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("alt", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["media_id"], ["media.id"],
                                name=op.f("fk_media_position_media_id_media")),
        sa.PrimaryKeyConstraint("media_id", name=op.f("pk_media_position")),
    )
    with op.batch_alter_table("media_position") as batch:
        batch.create_index(batch.f("ix_media_position_lat"), ["lat"], unique=False)
    op.create_table(
        "entity_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("a_type", sa.String(length=16), nullable=False),
        sa.Column("a_id", sa.Integer(), nullable=False),
        sa.Column("b_type", sa.String(length=16), nullable=False),
        sa.Column("b_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_agency_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["decided_agency_id"], ["agency.id"],
                                name=op.f("fk_entity_link_decided_agency_id_agency")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entity_link")),
        sa.UniqueConstraint("a_type", "a_id", "b_type", "b_id", "kind",
                            name="uq_entity_link_pair_kind"),
    )
    with op.batch_alter_table("entity_link") as batch:
        batch.create_index("ix_entity_link_b", ["b_type", "b_id"], unique=False)
    _backfill()


def _backfill() -> None:
    """Devices and positions of the media stored so far, from their metadata."""
    bind = op.get_bind()
    media = sa.table("media", sa.column("id", sa.Integer), sa.column("metadata", sa.JSON))
    device = sa.table("device", sa.column("id", sa.Integer), sa.column("make", sa.String),
                      sa.column("model", sa.String), sa.column("serial", sa.String),
                      sa.column("created_at", sa.DateTime(timezone=True)))
    media_device = sa.table("media_device", sa.column("media_id", sa.Integer),
                            sa.column("device_id", sa.Integer))
    position = sa.table("media_position", sa.column("media_id", sa.Integer),
                        sa.column("lat", sa.Float), sa.column("lon", sa.Float),
                        sa.column("alt", sa.Float))
    devices: dict[tuple[str, str, str], int] = {}
    last = 0
    while True:
        rows = bind.execute(sa.select(media.c.id, media.c.metadata).where(media.c.id > last)
                            .order_by(media.c.id).limit(5000)).all()
        if not rows:
            return
        links, places = [], []
        for media_id, meta in rows:
            key = device_of(meta or {})
            if key is not None:
                if key not in devices:
                    devices[key] = bind.execute(device.insert().values(
                        make=key[0], model=key[1], serial=key[2],
                        created_at=datetime.now(UTC)).returning(device.c.id)).scalar_one()
                links.append({"media_id": media_id, "device_id": devices[key]})
            where = position_of(meta or {})
            if where is not None:
                places.append({"media_id": media_id, "lat": where[0], "lon": where[1],
                               "alt": where[2]})
        if links:
            bind.execute(media_device.insert(), links)
        if places:
            bind.execute(position.insert(), places)
        last = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("entity_link") as batch:
        batch.drop_index("ix_entity_link_b")
    op.drop_table("entity_link")
    with op.batch_alter_table("media_position") as batch:
        batch.drop_index(batch.f("ix_media_position_lat"))
    op.drop_table("media_position")
    with op.batch_alter_table("media_device") as batch:
        batch.drop_index(batch.f("ix_media_device_device_id"))
    op.drop_table("media_device")
    with op.batch_alter_table("device") as batch:
        batch.drop_index(batch.f("ix_device_serial"))
    op.drop_table("device")
