"""Events stored in the same transaction as the change they announce, delivered afterwards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_DELIVERY_ATTEMPTS = 36
"""Alibaba tries 3 times. dynimg retries as webhook providers do: 1, 2, 4, ... s doubling up to
an hour between attempts, then hourly, about a day in all, before it gives up; an event it
gave up on stays listed (ListCallbackEvents) and can be sent again (RedeliverCallbackEvent)."""
MAX_RETRY_DELAY = timedelta(hours=1)
DELIVERY_TIMEOUT_SECONDS = 5.0
DELIVERY_LEASE = timedelta(seconds=30)
"""How long one delivery attempt holds its event; far beyond the HTTP timeout."""


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
    announced_at: datetime | None = None


def retry_delay(attempts: int) -> timedelta:
    """The wait after failed attempt number ``attempts``: doubling from 1 s, capped at 1 h."""
    return min(timedelta(seconds=2 ** min(max(attempts - 1, 0), 12)), MAX_RETRY_DELAY)
