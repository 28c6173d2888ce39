"""Events stored in the same transaction as the change they announce, delivered afterwards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from dynimg.domain.work import Backoff, RetryPolicy

MAX_DELIVERY_ATTEMPTS = 36
"""Alibaba tries 3 times. dynimg retries as webhook providers do: 1, 2, 4, ... s doubling up to
an hour between attempts, then hourly, about a day in all, before it gives up; an event it
gave up on stays listed (ListCallbackEvents) and can be sent again (RedeliverCallbackEvent)."""
DELIVERY_TIMEOUT_SECONDS = 5.0
DELIVERY_POLICY = RetryPolicy(
    lease=timedelta(seconds=30),  # one attempt holds its event far beyond the HTTP timeout
    max_attempts=MAX_DELIVERY_ATTEMPTS,
    backoff=Backoff(timedelta(seconds=1), cap=timedelta(hours=1)),
)


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
