"""The SQL outbox: events stored with the change they announce, claimed one attempt at a time.

A delivery attempt claims its event through the generic work queue (``attempts`` goes up by
one and the event's next due time becomes the attempt's lease), and records its outcome only
while that attempt is still the latest. So two workers never send the same event at the same
time, and a worker that died mid-send only delays the event until its lease passes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import RowMapping, func, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from dynimg.adapters.db.columns import TRACE
from dynimg.adapters.db.tables import outbox
from dynimg.adapters.db.work_queue import SqlWorkQueue, WorkTable
from dynimg.domain.json_document import dump_compact
from dynimg.domain.outbox import OutboxMessage


def _message(row: RowMapping) -> OutboxMessage:
    """An event from its row; the payload column keeps the document as compact JSON text, whose
    key order parsing keeps, so every attempt sends the bytes the first one did."""
    values = {name: value for name, value in row.items() if name != TRACE}
    return OutboxMessage(**{**values, "payload": json.loads(row["payload"])})


_PENDING = (outbox.c.delivered_at.is_(None), outbox.c.gave_up.is_(False))

OUTBOX_WORK: WorkTable[OutboxMessage, None] = WorkTable(
    table=outbox, ref=outbox.c.id, scope=(), waiting=_PENDING, held=_PENDING,
    attempt=outbox.c.attempts, due_at=outbox.c.next_attempt_at, lease=None,
    announced_at=outbox.c.announced_at, load=_message,
    claimed=lambda _now, _lease: {}, requeued={},
    finished=lambda now, _result: {"delivered_at": now, "last_error": ""},
    failed=lambda fault: {"last_error": fault.message[:500]},
    gave_up=lambda _now: {"gave_up": True}, trace=outbox.c[TRACE],
)  # fmt: skip
"""An event has no Running state: its lease is its next due time (see the module's doc)."""


class SqlOutboxRepository(SqlWorkQueue[OutboxMessage, None]):
    """Implements ``ports.OutboxRepository``."""

    def __init__(self, session: Session) -> None:
        super().__init__(session, OUTBOX_WORK)
        self._session = session

    def add(self, message: OutboxMessage) -> None:
        self._session.execute(
            insert(outbox).values(**vars(message) | {"payload": dump_compact(message.payload)})
        )

    def get(self, account_id: str | None, message_id: str) -> OutboxMessage | None:
        query = select(outbox).where(outbox.c.id == message_id)
        if account_id is not None:
            query = query.where(outbox.c.account_id == account_id)
        row = self._session.execute(query).first()
        return _message(row._mapping) if row else None

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
        return int(total), [_message(row._mapping) for row in rows]

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
