"""durable tasks, cluster-wide periodic runs, announcement times, completed upload grants

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 21:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import dynimg.adapters.db.tables

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_TIME = dynimg.adapters.db.tables.UtcDateTime


def upgrade() -> None:
    op.create_table(
        "tasks",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("next_run_at", _TIME(), nullable=False),
        sa.Column("lease_until", _TIME(), nullable=True),
        sa.Column("announced_at", _TIME(), nullable=True),
        sa.Column("last_error", sa.String(length=512), nullable=False),
        sa.Column("created_at", _TIME(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "ref", name=op.f("pk_tasks")),
    )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index("ix_tasks_state_due", ["state", "next_run_at"], unique=False)
    op.create_table(
        "periodic_runs",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("next_run_at", _TIME(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_periodic_runs")),
    )
    with op.batch_alter_table("dynamic_image_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("announced_at", _TIME(), nullable=True))
    with op.batch_alter_table("upload_grants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("completed_at", _TIME(), nullable=True))
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("announced_at", _TIME(), nullable=True))
        batch_op.create_index(
            "ix_outbox_account_created", ["account_id", "created_at"], unique=False
        )
    # Uploads that arrived before this revision and were never probed get a probe task, so
    # nothing relies on the start-up re-probe that this revision retires.
    op.execute(
        "INSERT INTO tasks (kind, ref, target, state, attempt, next_run_at, last_error,"
        " created_at) SELECT 'probe', id, 'video', 'Queued', 0, modified_at, '', modified_at"
        " FROM videos WHERE status = 'UploadSucc'"
    )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_account_created")
        batch_op.drop_column("announced_at")
    with op.batch_alter_table("upload_grants", schema=None) as batch_op:
        batch_op.drop_column("completed_at")
    with op.batch_alter_table("dynamic_image_jobs", schema=None) as batch_op:
        batch_op.drop_column("announced_at")
    op.drop_table("periodic_runs")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_state_due")
    op.drop_table("tasks")
