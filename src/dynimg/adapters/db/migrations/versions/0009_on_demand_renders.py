"""on-demand renders

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 00:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import dynimg.adapters.db.tables

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_TIME = dynimg.adapters.db.tables.UtcDateTime


def upgrade() -> None:
    op.create_table(
        "on_demand_renders",
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("video_id", sa.String(length=32), nullable=False),
        sa.Column("params_key", sa.String(length=128), nullable=False),
        sa.Column("job_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", _TIME(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_on_demand_renders_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint(
            "account_id", "video_id", "params_key", name=op.f("pk_on_demand_renders")
        ),
    )


def downgrade() -> None:
    op.drop_table("on_demand_renders")
