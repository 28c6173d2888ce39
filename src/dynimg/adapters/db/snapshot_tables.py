"""The snapshot tables: jobs with the same lifecycle columns as animated-image jobs, and one
row per file a job stored. Declared on the one schema's metadata (imported by tables.py)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from dynimg.adapters.db.columns import UtcDateTime, metadata, trace_column

snapshot_jobs = Table(
    "snapshot_jobs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("account_id", String(32), ForeignKey("accounts.id"), nullable=False),
    Column("video_id", String(32), nullable=False, index=True),
    Column("template_id", String(32), nullable=False),
    Column("config", Text, nullable=False),
    Column("user_data", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("progress", Integer, nullable=False),
    Column("error_code", String(64), nullable=False),
    Column("error_message", String(512), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("started_at", UtcDateTime, nullable=True),
    Column("finished_at", UtcDateTime, nullable=True),
    Column("lease_until", UtcDateTime, nullable=True),
    Column("announced_at", UtcDateTime, nullable=True),
    Column("crashes", Integer, nullable=False, server_default="0"),
    trace_column(),
    Index("ix_snapshot_jobs_status_due", "status", "next_attempt_at"),
    Index("ix_snapshot_jobs_account_status", "account_id", "status"),
)

snapshots = Table(
    "snapshots",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("account_id", String(32), ForeignKey("accounts.id"), nullable=False),
    Column("video_id", String(32), nullable=False),
    Column("job_id", String(32), nullable=False),
    Column("type", String(32), nullable=False),
    Column("index", Integer, nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("file_size", BigInteger, nullable=False),
    Column("storage_key", String(512), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("at_ms", BigInteger, nullable=True),
    UniqueConstraint("job_id", "type", "index", name="uq_snapshots_job_type_index"),
    Index("ix_snapshots_video_type", "account_id", "video_id", "type"),
)
