"""console users

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 21:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import dynimg.adapters.db.tables

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_TIME = dynimg.adapters.db.tables.UtcDateTime


def upgrade() -> None:
    op.create_table(
        "console_users",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("created_at", _TIME(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_console_users_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_users")),
        sa.UniqueConstraint("username", name=op.f("uq_console_users_username")),
    )
    with op.batch_alter_table("console_users", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_console_users_account_id"), ["account_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("console_users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_console_users_account_id"))
    op.drop_table("console_users")
