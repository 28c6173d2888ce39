"""Imports from a URL: one row per URL being imported (its lifecycle is a ``tasks`` row of
kind ``url_upload``). Declared on the one schema's metadata (imported by tables.py)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, String, Table, Text

from dynimg.adapters.db.columns import UtcDateTime, metadata

url_uploads = Table(
    "url_uploads",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("account_id", String(32), ForeignKey("accounts.id"), nullable=False),
    Column("video_id", String(32), nullable=False),
    Column("url", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("user_data", Text, nullable=False),
    Column("received", BigInteger, nullable=False),
    Column("error_code", String(64), nullable=False),
    Column("error_message", String(512), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("completed_at", UtcDateTime, nullable=True),
    Index("ix_url_uploads_account_created", "account_id", "created_at"),
)
