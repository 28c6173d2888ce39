"""Index jobs and snapshot jobs by (account, status): the per-account cap on queued jobs counts
an account's unfinished rows at every submission, and fair shares count its running ones

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 12:40:00
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_jobs_account_status", "dynamic_image_jobs", ["account_id", "status"])
    op.create_index("ix_snapshot_jobs_account_status", "snapshot_jobs", ["account_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_snapshot_jobs_account_status", table_name="snapshot_jobs")
    op.drop_index("ix_jobs_account_status", table_name="dynamic_image_jobs")
