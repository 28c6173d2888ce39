"""One SQL implementation of the work lifecycle's verbs, for every table that holds work.

A :class:`WorkTable` says where a kind keeps its lifecycle (which columns, which states) and
how its rows read; :class:`SqlWorkQueue` turns the named transitions of ``ports.WorkQueue``
into single compare-and-set UPDATEs, correct on SQLite (one writer at a time) and on
PostgreSQL (row locks) alike. Every write after the claim is fenced by the attempt it names.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Column, Row, RowMapping, Table, and_, exists, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.util import ClauseAdapter

from dynimg.domain.work import Claim, Fault, FaultKind

T = TypeVar("T")
R = TypeVar("R")
Values = dict[str, Any]


@dataclass(frozen=True)
class WorkTable(Generic[T, R]):
    """Where one kind of work keeps its lifecycle, and what each transition writes."""

    table: Table
    ref: Column[Any]
    scope: tuple[ColumnElement[bool], ...]
    """Conditions every row of this kind meets (a kind column in a shared table)."""
    waiting: tuple[ColumnElement[bool], ...]
    """A row that may be claimed once due."""
    held: tuple[ColumnElement[bool], ...]
    """A row held by an attempt."""
    attempt: Column[Any]
    due_at: Column[Any]
    lease: Column[Any] | None
    """None: the lease is kept in ``due_at`` (a held row is waiting again once it passes)."""
    announced_at: Column[Any]
    load: Callable[[RowMapping], T]
    claimed: Callable[[datetime, datetime], Values]
    """What a claim sets besides the attempt and the lease (its state, start time)."""
    requeued: Values
    """What puts a held row back to waiting (its state)."""
    finished: Callable[[datetime, R], Values]
    failed: Callable[[Fault], Values]
    """How a fault is recorded (by a retry and by giving up)."""
    gave_up: Callable[[datetime], Values]
    crashes: Column[Any] | None = None
    """Where crashes are counted apart from outages; None: every earlier attempt crashed."""
    account: Column[Any] | None = None
    """Whose work a row is, for taking accounts in turn; None: rows belong to nobody."""
    trace: Column[Any] | None = None
    """Where the row keeps the ``traceparent`` it was stored under (see
    :func:`dynimg.adapters.db.columns.trace_column`); None: not traced."""


class SqlWorkQueue(Generic[T, R]):
    """Implements ``ports.WorkQueue`` over one :class:`WorkTable`."""

    def __init__(self, session: Session, work: WorkTable[T, R]) -> None:
        self._session, self._work = session, work

    def claim(
        self, ref: str, now: datetime, lease_until: datetime, fair_share: int | None = None
    ) -> Claim[T] | None:
        w = self._work
        values = w.claimed(now, lease_until) | {
            w.attempt.name: w.attempt + 1,
            (w.lease if w.lease is not None else w.due_at).name: lease_until,
        }
        due = (*w.waiting, w.due_at <= now)
        fair = _fair(w, now, fair_share) if fair_share is not None else ()
        if not self._update(ref, (*due, *fair), values):
            if fair:  # held back for another account: the sweep announces it again soon
                self._update(ref, due, {w.announced_at.name: None})
            return None
        return self._claim(self._session.execute(select(w.table).where(*self._key(ref))).one())

    def renew(self, ref: str, attempt: int, lease_until: datetime) -> bool:
        lease = self._work.lease if self._work.lease is not None else self._work.due_at
        return self._held(ref, attempt, {lease.name: lease_until})

    def finish(self, ref: str, attempt: int, now: datetime, result: R) -> bool:
        return self._held(ref, attempt, self._work.finished(now, result) | self._unleased())

    def schedule_retry(self, ref: str, attempt: int, at: datetime, fault: Fault) -> bool:
        w = self._work
        values = w.requeued | w.failed(fault) | self._unleased()
        if fault.kind is FaultKind.CRASH:
            values |= self._crashed()
        return self._held(ref, attempt, values | {w.due_at.name: at, w.announced_at.name: None})

    def give_up(self, ref: str, attempt: int, now: datetime, fault: Fault) -> bool:
        w = self._work
        return self._held(ref, attempt, w.gave_up(now) | w.failed(fault) | self._unleased())

    def release(self, ref: str, attempt: int, now: datetime) -> bool:
        w = self._work
        values = w.requeued | self._unleased() | self._crashed()
        return self._held(ref, attempt, values | {w.due_at.name: now, w.announced_at.name: None})

    def expired(self, now: datetime) -> Sequence[Claim[T]]:
        w = self._work
        if w.lease is None:
            return []
        rows = self._session.execute(select(w.table).where(*w.scope, *w.held, w.lease < now))
        return [self._claim(row) for row in rows]

    def due(self, now: datetime, limit: int, announced_before: datetime | None = None) -> list[str]:
        w = self._work
        query = select(w.ref).where(*w.scope, *w.waiting, w.due_at <= now)
        if announced_before is not None:
            query = query.where(or_(w.announced_at.is_(None), w.announced_at <= announced_before))
        if w.account is not None:  # accounts in turn: each one's oldest, then each second...
            turn = func.row_number().over(partition_by=w.account, order_by=(w.due_at, w.ref))
            ranked = query.add_columns(turn.label("turn"), w.due_at).subquery()
            query = select(ranked.c[w.ref.name]).order_by(ranked.c.turn, ranked.c[w.due_at.name])
        else:
            query = query.order_by(w.due_at)
        return [str(ref) for (ref,) in self._session.execute(query.limit(limit))]

    def unfinished(self, account_id: str) -> int:
        w = self._work
        assert w.account is not None, "counting an account's rows needs rows that belong to one"
        rows = select(func.count()).select_from(w.table).where(*w.scope, w.account == account_id)
        rows = rows.where(or_(and_(*w.waiting), and_(*w.held)))
        return int(self._session.execute(rows).scalar_one())

    def mark_announced(self, refs: Sequence[str], now: datetime) -> None:
        w = self._work
        if refs:
            self._session.execute(
                update(w.table).where(*w.scope, w.ref.in_(refs)).values({w.announced_at.name: now})
            )

    def _claim(self, row: Row[Any]) -> Claim[T]:
        w, mapping = self._work, row._mapping
        attempt = int(mapping[w.attempt.name])
        crashes = int(mapping[w.crashes.name]) if w.crashes is not None else attempt - 1
        trace = mapping[w.trace.name] if w.trace is not None else None
        return Claim(str(mapping[w.ref.name]), attempt, crashes, w.load(mapping), trace)

    def _crashed(self) -> Values:
        crashes = self._work.crashes
        return {crashes.name: crashes + 1} if crashes is not None else {}

    def _key(self, ref: str) -> tuple[ColumnElement[bool], ...]:
        return (*self._work.scope, self._work.ref == ref)

    def _unleased(self) -> Values:
        return {self._work.lease.name: None} if self._work.lease is not None else {}

    def _held(self, ref: str, attempt: int, values: Values) -> bool:
        """Write ``values`` only while ``attempt`` still holds the row (the fence)."""
        w = self._work
        return self._update(ref, (*w.held, w.attempt == attempt), values)

    def _update(self, ref: str, where: tuple[ColumnElement[bool], ...], values: Values) -> bool:
        statement = update(self._work.table).where(*self._key(ref), *where).values(values)
        return bool(getattr(self._session.execute(statement), "rowcount", 0))


def _fair(w: WorkTable[Any, Any], now: datetime, share: int) -> tuple[ColumnElement[bool], ...]:
    """A row may be claimed while its account holds fewer than ``share`` rows, or when no
    other account under its share has due rows waiting (so workers never idle for fairness)."""
    assert w.account is not None, "fair shares need rows that belong to accounts"
    account = w.account.name
    held, other = w.table.alias("held"), w.table.alias("other")
    on_held, on_other = ClauseAdapter(held).traverse, ClauseAdapter(other).traverse

    def holding(owner: ColumnElement[Any]) -> Any:
        rows = select(func.count()).select_from(held).where(held.c[account] == owner)
        return rows.where(*(on_held(c) for c in (*w.scope, *w.held))).scalar_subquery()

    waiting = select(other.c[w.ref.name]).where(
        *(on_other(c) for c in (*w.scope, *w.waiting)), other.c[w.due_at.name] <= now,
        other.c[account] != w.account, holding(other.c[account]) < share,
    )  # fmt: skip
    return (or_(holding(w.account) < share, ~exists(waiting)),)
