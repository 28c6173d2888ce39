"""Events stored in the same transaction as the change they announce, delivered afterwards."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from dynimg.domain.events import MessageCallback
from dynimg.domain.ids import new_resource_id
from dynimg.domain.json_document import dump_compact
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
    payload: Mapping[str, Any]
    """The event's JSON document (its keys in the order they are sent)."""
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    delivered_at: datetime | None = None
    gave_up: bool = False
    last_error: str = ""
    announced_at: datetime | None = None

    @classmethod
    def queued(
        cls, callback: MessageCallback, event_type: str, payload: Mapping[str, Any], now: datetime
    ) -> OutboxMessage:
        """A new event for the account's callback, due (and announced) ``now``; signed with the
        callback's key only while its AuthSwitch is on."""
        return cls(
            id=new_resource_id(), account_id=callback.account_id, event_type=event_type,
            url=callback.callback_url, auth_key=callback.auth_key if callback.auth_switch else "",
            payload=payload, attempts=0, next_attempt_at=now, created_at=now, announced_at=now,
        )  # fmt: skip

    def body(self) -> bytes:
        """What is POSTed: the payload as compact UTF-8 JSON, the same bytes on every attempt."""
        return dump_compact(self.payload).encode()
