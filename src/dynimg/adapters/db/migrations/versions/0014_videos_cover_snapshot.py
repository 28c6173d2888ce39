"""videos.cover_snapshot_id; snapshot_jobs.crashes (counted apart from outages, as for jobs)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("videos", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cover_snapshot_id", sa.String(length=32), nullable=True))
    with op.batch_alter_table("snapshot_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("crashes", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("snapshot_jobs", schema=None) as batch_op:
        batch_op.drop_column("crashes")
    with op.batch_alter_table("videos", schema=None) as batch_op:
        batch_op.drop_column("cover_snapshot_id")
