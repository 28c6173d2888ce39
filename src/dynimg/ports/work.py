"""Durable background work: the lifecycle's verbs (``WorkQueue``), probe tasks, callback
deliveries (and their settings), periodic runs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, TypeVar

from dynimg.domain.events import MessageCallback
from dynimg.domain.outbox import OutboxMessage
from dynimg.domain.tasks import Task, TaskKind
from dynimg.domain.work import Claim, Fault

Row_co = TypeVar("Row_co", covariant=True)
Result_contra = TypeVar("Result_contra", contravariant=True)


class WorkQueue(Protocol[Row_co, Result_contra]):
    """Rows of one kind of durable work, moved only by the lifecycle's named transitions.

    ``claim`` is a compare-and-set that bumps the row's attempt; every later verb names the
    attempt it holds and changes nothing (False) once another attempt took the row over.
    """

    def claim(
        self, ref: str, now: datetime, lease_until: datetime, fair_share: int | None = None
    ) -> Claim[Row_co] | None:
        """Waiting and due -> held by a new attempt until ``lease_until``; None if not.

        With ``fair_share`` (kinds whose rows belong to accounts), a row whose account holds
        that many rows already is not claimed while another account under its share has due
        rows waiting; such a row is left to be announced again soon.
        """
        ...

    def renew(self, ref: str, attempt: int, lease_until: datetime) -> bool:
        """Extend the lease of a held row (a heartbeat)."""
        ...

    def finish(self, ref: str, attempt: int, now: datetime, result: Result_contra) -> bool:
        """The attempt succeeded: record ``result``; the row is done."""
        ...

    def schedule_retry(self, ref: str, attempt: int, at: datetime, fault: Fault) -> bool:
        """The attempt failed with ``fault``: waiting again, due ``at`` (the sweep announces it)."""
        ...

    def give_up(self, ref: str, attempt: int, now: datetime, fault: Fault) -> bool:
        """The attempt failed for good with ``fault``: the row ends given up."""
        ...

    def release(self, ref: str, attempt: int, now: datetime) -> bool:
        """The attempt's worker died (its lease ran out): waiting again, due ``now``."""
        ...

    def expired(self, now: datetime) -> Sequence[Claim[Row_co]]:
        """Held rows whose lease ran out before ``now``."""
        ...

    def due(self, now: datetime, limit: int, announced_before: datetime | None = None) -> list[str]:
        """Refs of waiting rows due by ``now`` (not announced since ``announced_before``),
        oldest first, taking accounts in turn (each account's oldest, then each one's second...)
        for kinds whose rows belong to accounts."""
        ...

    def unfinished(self, account_id: str) -> int:
        """How many of the account's rows wait or are held (kinds whose rows belong to
        accounts); an indexed count, cheap enough for every submission."""
        ...

    def mark_announced(self, refs: Sequence[str], now: datetime) -> None:
        """Remember that ``refs`` were announced at ``now``."""
        ...


class OutboxRepository(WorkQueue[OutboxMessage, None], Protocol):
    """Events waiting for delivery; a claim holds an event for one delivery attempt.

    An event has no Running state: its lease is its next due time, so an attempt whose worker
    died makes the event due again by itself (``expired`` is always empty).
    """

    def add(self, message: OutboxMessage) -> None: ...
    def get(self, account_id: str | None, message_id: str) -> OutboxMessage | None: ...
    def list(
        self, account_id: str, state: str | None, offset: int, limit: int
    ) -> tuple[int, Sequence[OutboxMessage]]:
        """An account's events, newest first; ``state``: pending, delivered or failed."""
        ...

    def redeliver(self, account_id: str, message_id: str, now: datetime) -> bool:
        """Make a given-up event pending again with a fresh attempt budget."""
        ...


class TaskRepository(Protocol):
    """Durable background tasks that have no table of their own (probing uploads)."""

    def add(self, task: Task) -> None: ...
    def get(self, kind: TaskKind, ref: str) -> Task | None: ...
    def queue(self, kind: TaskKind) -> WorkQueue[Task, None]:
        """The tasks of one kind, as a work queue."""
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
