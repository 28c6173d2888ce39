"""Identifiers in Alibaba's shapes."""

from __future__ import annotations

import uuid


def new_resource_id() -> str:
    """A resource id (VideoId, VodTemplateId, JobId, ...): 32 lower-case hex digits."""
    return uuid.uuid4().hex


def new_request_id() -> str:
    """A RequestId: an upper-case UUID, as Alibaba returns them."""
    return str(uuid.uuid4()).upper()
