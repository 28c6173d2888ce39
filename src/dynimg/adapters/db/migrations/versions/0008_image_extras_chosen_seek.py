"""dynamic_images: frame_count, loop_count, seek_ms, md5_hex; dynamic_image_jobs.seek_ms

Rows made before this revision keep NULL: those facts were not recorded, and the API leaves
them out rather than guess.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 00:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dynamic_images", schema=None) as batch_op:
        batch_op.add_column(sa.Column("frame_count", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("loop_count", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("seek_ms", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("md5_hex", sa.String(length=32), nullable=True))
    with op.batch_alter_table("dynamic_image_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seek_ms", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dynamic_image_jobs", schema=None) as batch_op:
        batch_op.drop_column("seek_ms")
    with op.batch_alter_table("dynamic_images", schema=None) as batch_op:
        batch_op.drop_column("md5_hex")
        batch_op.drop_column("seek_ms")
        batch_op.drop_column("loop_count")
        batch_op.drop_column("frame_count")
