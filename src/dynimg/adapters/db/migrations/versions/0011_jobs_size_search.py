"""dynamic_image_jobs.size_search

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 00:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dynamic_image_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("size_search", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("dynamic_image_jobs", schema=None) as batch_op:
        batch_op.drop_column("size_search")
