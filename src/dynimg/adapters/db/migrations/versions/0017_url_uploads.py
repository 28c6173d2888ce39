"""Imports from a URL (UploadMediaByURL): one row per URL; the lifecycle is a tasks row

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import dynimg.adapters.db.tables

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None
_TIME = dynimg.adapters.db.tables.UtcDateTime


def upgrade() -> None:
    op.create_table(
        "url_uploads",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("account_id", sa.String(32), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("video_id", sa.String(32), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("user_data", sa.Text, nullable=False),
        sa.Column("received", sa.BigInteger, nullable=False),
        sa.Column("error_code", sa.String(64), nullable=False),
        sa.Column("error_message", sa.String(512), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("completed_at", _TIME, nullable=True),
    )
    op.create_index("ix_url_uploads_account_created", "url_uploads", ["account_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_url_uploads_account_created", table_name="url_uploads")
    op.drop_table("url_uploads")
