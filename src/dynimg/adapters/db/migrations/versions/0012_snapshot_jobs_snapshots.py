"""snapshot_jobs and snapshots

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 09:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import dynimg.adapters.db.tables

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_TIME = dynimg.adapters.db.tables.UtcDateTime


def upgrade() -> None:
    op.create_table(
        "snapshot_jobs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("video_id", sa.String(length=32), nullable=False),
        sa.Column("template_id", sa.String(length=32), nullable=False),
        sa.Column("config", sa.Text(), nullable=False),
        sa.Column("user_data", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("error_code", sa.String(length=64), nullable=False),
        sa.Column("error_message", sa.String(length=512), nullable=False),
        sa.Column("created_at", _TIME(), nullable=False),
        sa.Column("next_attempt_at", _TIME(), nullable=False),
        sa.Column("started_at", _TIME(), nullable=True),
        sa.Column("finished_at", _TIME(), nullable=True),
        sa.Column("lease_until", _TIME(), nullable=True),
        sa.Column("announced_at", _TIME(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_snapshot_jobs_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snapshot_jobs")),
    )
    op.create_index("ix_snapshot_jobs_status_due", "snapshot_jobs", ["status", "next_attempt_at"])
    op.create_index(op.f("ix_snapshot_jobs_video_id"), "snapshot_jobs", ["video_id"], unique=False)
    op.create_table(
        "snapshots",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("video_id", sa.String(length=32), nullable=False),
        sa.Column("job_id", sa.String(length=32), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("file_size", sa.BigInteger(), nullable=False),
        sa.Column("storage_key", sa.String(length=512), nullable=False),
        sa.Column("created_at", _TIME(), nullable=False),
        sa.Column("at_ms", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_snapshots_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snapshots")),
        sa.UniqueConstraint("job_id", "type", "index", name="uq_snapshots_job_type_index"),
    )
    op.create_index("ix_snapshots_video_type", "snapshots", ["account_id", "video_id", "type"])


def downgrade() -> None:
    op.drop_table("snapshots")
    op.drop_table("snapshot_jobs")
