"""The schema, as SQLAlchemy Core tables. Rows never leave the adapter: repositories map them."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

# The snapshot tables live in their own module on the same metadata; importing it here puts
# them in the schema everyone compares against (migrations, tests).
from dynimg.adapters.db import (
    snapshot_tables,  # noqa: F401
    url_upload_tables,  # noqa: F401
)
from dynimg.adapters.db.columns import UtcDateTime as UtcDateTime
from dynimg.adapters.db.columns import metadata as metadata
from dynimg.adapters.db.columns import trace_column

accounts = Table(
    "accounts",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("uid", BigInteger, nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
)

access_keys = Table(
    "access_keys",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("account_id", String(32), ForeignKey("accounts.id"), nullable=False, index=True),
    Column("secret", String(64), nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

console_users = Table(
    "console_users",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("account_id", String(32), ForeignKey("accounts.id"), nullable=False, index=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(256), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

console_sessions = Table(
    "console_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("user_id", String(32), ForeignKey("console_users.id"), nullable=False, index=True),
    Column("created_at", UtcDateTime, nullable=False),
)

templates = Table(
    "templates",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("account_id", String(32), ForeignKey("accounts.id"), nullable=False),
    Column("name", String(128), nullable=False),
    Column("type", String(32), nullable=False),
    Column("config_json", Text, nullable=False),
    Column("app_id", String(64), nullable=False),
    Column("is_default", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("modified_at", UtcDateTime, nullable=False),
    Index("ix_templates_account_type", "account_id", "type", "created_at"),
)

request_nonces = Table(
    "request_nonces",
    metadata,
    Column("key_id", String(32), primary_key=True),
    Column("nonce", String(128), primary_key=True),
    Column("expires_at", UtcDateTime, nullable=False, index=True),
)

videos = Table(
    "videos",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("account_id", String(32), ForeignKey("accounts.id"), nullable=False),
    Column("app_id", String(64), nullable=False),
    Column("title", String(512), nullable=False),
    Column("description", Text, nullable=False),
    Column("file_name", String(255), nullable=False),
    Column("cover_url", String(1024), nullable=False),
    Column("cate_id", BigInteger, nullable=True),
    Column("tags", String(1024), nullable=False),
    Column("user_data", Text, nullable=False),
    Column("storage_key", String(512), nullable=False),
    Column("status", String(32), nullable=False),
    Column("declared_size", BigInteger, nullable=True),
    Column("size", BigInteger, nullable=True),
    Column("container", String(64), nullable=True),
    Column("video_codec", String(32), nullable=True),
    Column("width", Integer, nullable=True),
    Column("height", Integer, nullable=True),
    Column("duration_ms", BigInteger, nullable=True),
    Column("fps", String(32), nullable=True),
    Column("rotation", Integer, nullable=True),
    Column("bit_rate", BigInteger, nullable=True),
    Column("failure_reason", String(512), nullable=False),
    Column("cover_image_id", String(32), nullable=True),
    Column("cover_snapshot_id", String(32), nullable=True),
    Column("source_key", String(512), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("modified_at", UtcDateTime, nullable=False),
    Index("ix_videos_account_created", "account_id", "created_at"),
    Index("ix_videos_status", "status"),
)

media_files = Table(
    "media_files",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("account_id", String(32), ForeignKey("accounts.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("business_type", String(32), nullable=False),
    Column("title", String(512), nullable=False),
    Column("file_name", String(255), nullable=False),
    Column("storage_key", String(512), nullable=False, unique=True),
    Column("status", String(32), nullable=False),
    Column("size", BigInteger, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("failure_reason", String(512), nullable=False, server_default=""),
    Index("ix_media_files_account", "account_id", "created_at"),
)

upload_grants = Table(
    "upload_grants",
    metadata,
    Column("key_id", String(64), primary_key=True),
    Column("secret", String(64), nullable=False),
    Column("token_sha256", String(64), nullable=False),
    Column("account_id", String(32), ForeignKey("accounts.id"), nullable=False),
    Column("target", String(16), nullable=False),
    Column("target_id", String(32), nullable=False, index=True),
    Column("bucket", String(64), nullable=False),
    Column("object_key", String(512), nullable=False),
    Column("max_bytes", BigInteger, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False, index=True),
    Column("completed_at", UtcDateTime, nullable=True),
)

multipart_uploads = Table(
    "multipart_uploads",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("account_id", String(32), ForeignKey("accounts.id"), nullable=False),
    Column("object_key", String(512), nullable=False, index=True),
    Column("created_at", UtcDateTime, nullable=False),
)

upload_parts = Table(
    "upload_parts",
    metadata,
    Column("upload_id", String(32), ForeignKey("multipart_uploads.id"), primary_key=True),
    Column("part_number", Integer, primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("md5_hex", String(32), nullable=False),
)

watermarks = Table(
    "watermarks",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("account_id", String(32), ForeignKey("accounts.id"), nullable=False),
    Column("name", String(128), nullable=False),
    Column("type", String(16), nullable=False),
    Column("config_json", Text, nullable=False),
    Column("file_url", String(2048), nullable=False),
    Column("storage_key", String(512), nullable=False),
    Column("app_id", String(64), nullable=False),
    Column("is_default", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_watermarks_account", "account_id", "created_at"),
)

dynamic_image_jobs = Table(
    "dynamic_image_jobs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("account_id", String(32), ForeignKey("accounts.id"), nullable=False),
    Column("video_id", String(32), nullable=False, index=True),
    Column("template_id", String(32), nullable=False),
    Column("template_config", Text, nullable=False),
    Column("override_params", Text, nullable=False),
    Column("dynamic_image_id", String(32), nullable=False, unique=True),
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
    Column("seek_ms", BigInteger, nullable=True),
    Column("size_search", Text, nullable=False, server_default=""),
    Column("crashes", Integer, nullable=False, server_default="0"),
    trace_column(),
    Index("ix_jobs_status_due", "status", "next_attempt_at"),
    Index("ix_jobs_account_created", "account_id", "created_at"),
    Index("ix_jobs_account_status", "account_id", "status"),
)

dynamic_images = Table(
    "dynamic_images",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("account_id", String(32), ForeignKey("accounts.id"), nullable=False),
    Column("video_id", String(32), nullable=False, index=True),
    Column("job_id", String(32), nullable=False, unique=True),
    Column("format", String(8), nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("fps", String(16), nullable=False),
    Column("duration_ms", BigInteger, nullable=False),
    Column("file_size", BigInteger, nullable=False),
    Column("storage_key", String(512), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("frame_count", Integer, nullable=True),
    Column("loop_count", Integer, nullable=True),
    Column("seek_ms", BigInteger, nullable=True),
    Column("md5_hex", String(32), nullable=True),
)

message_callbacks = Table(
    "message_callbacks",
    metadata,
    Column("account_id", String(32), ForeignKey("accounts.id"), primary_key=True),
    Column("app_id", String(64), nullable=False),
    Column("callback_type", String(8), nullable=False),
    Column("callback_url", String(2048), nullable=False),
    Column("event_types", String(1024), nullable=False),
    Column("auth_switch", String(4), nullable=False),
    Column("auth_key", String(64), nullable=False),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("account_id", String(32), nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("url", String(2048), nullable=False),
    Column("auth_key", String(64), nullable=False),
    Column("payload", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("delivered_at", UtcDateTime, nullable=True),
    Column("gave_up", Boolean, nullable=False),
    Column("last_error", String(512), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("announced_at", UtcDateTime, nullable=True),
    trace_column(),
    Index("ix_outbox_pending", "delivered_at", "gave_up", "next_attempt_at"),
    Index("ix_outbox_account_created", "account_id", "created_at"),
)

tasks = Table(
    "tasks",
    metadata,
    Column("kind", String(16), primary_key=True),
    Column("ref", String(32), primary_key=True),
    Column("target", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("next_run_at", UtcDateTime, nullable=False),
    Column("lease_until", UtcDateTime, nullable=True),
    Column("announced_at", UtcDateTime, nullable=True),
    Column("last_error", String(512), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("crashes", Integer, nullable=False, server_default="0"),
    trace_column(),
    Index("ix_tasks_state_due", "state", "next_run_at"),
)

periodic_runs = Table(
    "periodic_runs",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("next_run_at", UtcDateTime, nullable=False),
)

usage_daily = Table(
    "usage_daily",
    metadata,
    Column("account_id", String(32), primary_key=True),
    Column("day", String(10), primary_key=True),
    Column("resolution", String(8), primary_key=True),
    Column("format", String(8), primary_key=True),
    Column("duration_ms", BigInteger, nullable=False),
    Column("images", Integer, nullable=False),
)

on_demand_renders = Table(
    "on_demand_renders",
    metadata,
    Column("account_id", String(32), ForeignKey("accounts.id"), primary_key=True),
    Column("video_id", String(32), primary_key=True),
    Column("params_key", String(128), primary_key=True),
    Column("job_id", String(32), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("served_at", UtcDateTime, nullable=True),
    Index("ix_on_demand_account_served", "account_id", "served_at"),
)
"""One row per distinct on-demand request; its primary key is the atomic claim on the render."""
