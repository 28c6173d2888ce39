"""Durable background work: probe tasks, callback deliveries (and their settings), periodic runs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from dynimg.domain.events import MessageCallback
from dynimg.domain.outbox import OutboxMessage
from dynimg.domain.tasks import Task, TaskKind


class TaskRepository(Protocol):
    """Durable background tasks that have no table of their own (probing uploads)."""

    def add(self, task: Task) -> None: ...
    def get(self, kind: TaskKind, ref: str) -> Task | None: ...
    def claim(self, kind: TaskKind, ref: str, now: datetime, lease_until: datetime) -> Task | None:
        """Queued and due -> Running with attempt + 1; None when not claimable."""
        ...

    def update_running(self, kind: TaskKind, ref: str, attempt: int, **values: Any) -> bool:
        """Change a Running task, only while ``attempt`` still holds it."""
        ...

    def due(
        self, now: datetime, limit: int, announced_before: datetime | None = None
    ) -> list[tuple[TaskKind, str]]: ...
    def mark_announced(self, keys: Sequence[tuple[TaskKind, str]], now: datetime) -> None: ...
    def expired(self, now: datetime) -> list[Task]: ...


class OutboxRepository(Protocol):
    """Events waiting for delivery; ``claim`` and ``record`` are compare-and-set on attempts."""

    def add(self, message: OutboxMessage) -> None: ...
    def get(self, account_id: str | None, message_id: str) -> OutboxMessage | None: ...
    def due(self, now: datetime, limit: int, announced_before: datetime | None = None) -> list[str]:
        """Ids of pending events due by ``now`` (not announced since ``announced_before``)."""
        ...

    def mark_announced(self, message_ids: Sequence[str], now: datetime) -> None: ...
    def claim(self, message_id: str, now: datetime, lease_until: datetime) -> OutboxMessage | None:
        """Take a due event for one delivery attempt (attempts + 1), held until ``lease_until``."""
        ...

    def record(self, message_id: str, attempts: int, **values: Any) -> bool:
        """Record the outcome of attempt ``attempts``, only if no later attempt took over."""
        ...

    def list(
        self, account_id: str, state: str | None, offset: int, limit: int
    ) -> tuple[int, Sequence[OutboxMessage]]:
        """An account's events, newest first; ``state``: pending, delivered or failed."""
        ...

    def redeliver(self, account_id: str, message_id: str, now: datetime) -> bool:
        """Make a given-up event pending again with a fresh attempt budget."""
        ...


class CallbackRepository(Protocol):
    """Each account's HTTP callback."""

    def get(self, account_id: str) -> MessageCallback | None: ...
    def put(self, callback: MessageCallback) -> None: ...
    def delete(self, account_id: str) -> None: ...


class PeriodicRepository(Protocol):
    """When each periodic kind runs next, shared by the whole cluster."""

    def claim(self, name: str, now: datetime, next_run_at: datetime) -> bool:
        """Take the run that is due at ``now``; only one caller per slot gets True."""
        ...
