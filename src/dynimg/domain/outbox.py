"""Events stored in the same transaction as the change they announce, delivered afterwards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_DELIVERY_ATTEMPTS = 6
"""Alibaba tries 3 times; dynimg tries 6 times with backoff (1, 2, 4, 8, 16 s between)."""
DELIVERY_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class OutboxMessage:
    """One event for one callback URL."""

    id: str
    account_id: str
    event_type: str
    url: str
    auth_key: str
    payload: str
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    delivered_at: datetime | None = None
    gave_up: bool = False
    last_error: str = ""


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=2 ** max(attempts - 1, 0))
