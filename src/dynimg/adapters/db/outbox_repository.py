"""The SQL outbox: events stored with the change they announce, claimed one attempt at a time.

A delivery attempt claims its event by compare-and-set (``attempts`` goes up by one and the
event is held until a lease passes), and records its outcome only while that attempt is still
the latest. So two workers never send the same event at the same time, and a worker that died
mid-send only delays the event until its lease passes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from dynimg.adapters.db.tables import outbox
from dynimg.domain.outbox import OutboxMessage

_PENDING = (outbox.c.delivered_at.is_(None), outbox.c.gave_up.is_(False))


class SqlOutboxRepository:
    """Implements ``ports.OutboxRepository``."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, message: OutboxMessage) -> None:
        self._session.execute(insert(outbox).values(**vars(message)))

    def get(self, account_id: str | None, message_id: str) -> OutboxMessage | None:
        query = select(outbox).where(outbox.c.id == message_id)
        if account_id is not None:
            query = query.where(outbox.c.account_id == account_id)
        row = self._session.execute(query).first()
        return OutboxMessage(**row._mapping) if row else None

    def due(self, now: datetime, limit: int, announced_before: datetime | None = None) -> list[str]:
        query = select(outbox.c.id).where(*_PENDING, outbox.c.next_attempt_at <= now)
        if announced_before is not None:
            query = query.where(
                or_(outbox.c.announced_at.is_(None), outbox.c.announced_at <= announced_before)
            )
        rows = self._session.execute(query.order_by(outbox.c.next_attempt_at).limit(limit))
        return [row.id for row in rows]

    def mark_announced(self, message_ids: Sequence[str], now: datetime) -> None:
        if message_ids:
            self._session.execute(
                update(outbox).where(outbox.c.id.in_(message_ids)).values(announced_at=now)
            )

    def claim(self, message_id: str, now: datetime, lease_until: datetime) -> OutboxMessage | None:
        result = self._session.execute(
            update(outbox)
            .where(outbox.c.id == message_id, *_PENDING, outbox.c.next_attempt_at <= now)
            .values(attempts=outbox.c.attempts + 1, next_attempt_at=lease_until)
        )
        if not getattr(result, "rowcount", 0):
            return None
        return self.get(None, message_id)

    def record(self, message_id: str, attempts: int, **values: Any) -> bool:
        result = self._session.execute(
            update(outbox)
            .where(outbox.c.id == message_id, outbox.c.attempts == attempts, *_PENDING)
            .values(**values)
        )
        return bool(getattr(result, "rowcount", 0))

    def list(
        self, account_id: str, state: str | None, offset: int, limit: int
    ) -> tuple[int, Sequence[OutboxMessage]]:
        where = [outbox.c.account_id == account_id, *_state(state)]
        total = self._session.execute(
            select(func.count()).select_from(outbox).where(*where)
        ).scalar_one()
        rows = self._session.execute(
            select(outbox)
            .where(*where)
            .order_by(outbox.c.created_at.desc(), outbox.c.id)
            .offset(offset)
            .limit(limit)
        )
        return int(total), [OutboxMessage(**row._mapping) for row in rows]

    def redeliver(self, account_id: str, message_id: str, now: datetime) -> bool:
        result = self._session.execute(
            update(outbox)
            .where(outbox.c.id == message_id, outbox.c.account_id == account_id)
            .where(outbox.c.gave_up.is_(True))
            .values(gave_up=False, attempts=0, next_attempt_at=now, announced_at=None)
        )
        return bool(getattr(result, "rowcount", 0))


def _state(state: str | None) -> tuple[ColumnElement[bool], ...]:
    if state == "pending":
        return _PENDING
    if state == "delivered":
        return (outbox.c.delivered_at.is_not(None),)
    if state == "failed":
        return (outbox.c.gave_up.is_(True),)
    return ()
