"""on_demand_renders.served_at: when a render's image was last served, so housekeeping removes
an account's least recently served renders beyond its quota

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 13:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dynimg.adapters.db.columns import UtcDateTime

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("on_demand_renders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("served_at", UtcDateTime(), nullable=True))
    op.execute("UPDATE on_demand_renders SET served_at = created_at")
    op.create_index("ix_on_demand_account_served", "on_demand_renders", ["account_id", "served_at"])


def downgrade() -> None:
    op.drop_index("ix_on_demand_account_served", table_name="on_demand_renders")
    with op.batch_alter_table("on_demand_renders", schema=None) as batch_op:
        batch_op.drop_column("served_at")
