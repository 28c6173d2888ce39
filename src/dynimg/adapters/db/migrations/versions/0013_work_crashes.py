"""dynamic_image_jobs.crashes, tasks.crashes: crashes counted apart from dependency outages

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 09:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

TABLES = ("dynamic_image_jobs", "tasks")


def upgrade() -> None:
    # Rows written before count no crash: at worst an old row gets its full allowance again.
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("crashes", sa.Integer(), nullable=False, server_default="0")
            )


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("crashes")
