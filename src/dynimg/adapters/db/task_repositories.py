"""SQL repositories for durable tasks and the cluster's periodic runs.

Like jobs, a task is claimed by one compare-and-set UPDATE that bumps its attempt, and only the
attempt that holds it may change it afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, insert, or_, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dynimg.adapters.db.tables import periodic_runs, tasks
from dynimg.domain.tasks import Task, TaskKind, TaskState


class SqlTaskRepository:
    """Implements ``ports.TaskRepository``."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, task: Task) -> None:
        """Store a task as announced now (its caller announces it after the commit).

        A task that exists already (the same file uploaded again) starts over.
        """
        row = vars(task).copy()
        row.update(kind=task.kind.value, state=task.state.value, announced_at=task.created_at)
        key = _key(task.kind, task.ref)
        if self._session.execute(select(tasks.c.ref).where(*key)).first():
            self._session.execute(update(tasks).where(*key).values(**row))
        else:
            self._session.execute(insert(tasks).values(**row))

    def get(self, kind: TaskKind, ref: str) -> Task | None:
        row = self._session.execute(select(tasks).where(*_key(kind, ref))).first()
        return _task(row._mapping) if row else None

    def claim(self, kind: TaskKind, ref: str, now: datetime, lease_until: datetime) -> Task | None:
        result = self._session.execute(
            update(tasks)
            .where(*_key(kind, ref), tasks.c.state == TaskState.QUEUED.value)
            .where(tasks.c.next_run_at <= now)
            .values(
                state=TaskState.RUNNING.value, attempt=tasks.c.attempt + 1, lease_until=lease_until
            )
        )
        return self.get(kind, ref) if getattr(result, "rowcount", 0) else None

    def update_running(self, kind: TaskKind, ref: str, attempt: int, **values: Any) -> bool:
        if "state" in values:
            values["state"] = TaskState(values["state"]).value
        result = self._session.execute(
            update(tasks)
            .where(*_key(kind, ref), tasks.c.attempt == attempt)
            .where(tasks.c.state == TaskState.RUNNING.value)
            .values(**values)
        )
        return bool(getattr(result, "rowcount", 0))

    def due(
        self, now: datetime, limit: int, announced_before: datetime | None = None
    ) -> list[tuple[TaskKind, str]]:
        query = select(tasks.c.kind, tasks.c.ref).where(
            tasks.c.state == TaskState.QUEUED.value, tasks.c.next_run_at <= now
        )
        if announced_before is not None:
            query = query.where(
                or_(tasks.c.announced_at.is_(None), tasks.c.announced_at <= announced_before)
            )
        rows = self._session.execute(query.order_by(tasks.c.next_run_at).limit(limit))
        return [(TaskKind(row.kind), row.ref) for row in rows]

    def mark_announced(self, keys: Sequence[tuple[TaskKind, str]], now: datetime) -> None:
        if keys:
            pairs = [(kind.value, ref) for kind, ref in keys]
            self._session.execute(
                update(tasks)
                .where(tuple_(tasks.c.kind, tasks.c.ref).in_(pairs))
                .values(announced_at=now)
            )

    def expired(self, now: datetime) -> list[Task]:
        rows = self._session.execute(
            select(tasks).where(tasks.c.state == TaskState.RUNNING.value, tasks.c.lease_until < now)
        )
        return [_task(row._mapping) for row in rows]


class SqlPeriodicRepository:
    """Implements ``ports.PeriodicRepository``: one row per periodic kind, claimed by CAS."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def claim(self, name: str, now: datetime, next_run_at: datetime) -> bool:
        result = self._session.execute(
            update(periodic_runs)
            .where(and_(periodic_runs.c.name == name, periodic_runs.c.next_run_at <= now))
            .values(next_run_at=next_run_at)
        )
        if getattr(result, "rowcount", 0):
            return True
        if self._session.execute(select(periodic_runs).where(periodic_runs.c.name == name)).first():
            return False  # another worker has this slot
        try:
            with self._session.begin_nested():  # first run ever: whoever inserts first runs
                self._session.execute(
                    insert(periodic_runs).values(name=name, next_run_at=next_run_at)
                )
        except IntegrityError:
            return False
        return True


def _key(kind: TaskKind, ref: str) -> tuple[Any, ...]:
    return (tasks.c.kind == kind.value, tasks.c.ref == ref)


def _task(mapping: Any) -> Task:
    values = dict(mapping)
    values.pop("announced_at")
    values.update(kind=TaskKind(values["kind"]), state=TaskState(values["state"]))
    return Task(**values)
