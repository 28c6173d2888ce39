"""SQL repositories for durable tasks and the cluster's periodic runs.

The tasks of one kind form a work queue (``queue(kind)``): the generic lifecycle over the
shared ``tasks`` table, scoped by its ``kind`` column.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, and_, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dynimg.adapters.db.columns import TRACE
from dynimg.adapters.db.tables import periodic_runs, tasks
from dynimg.adapters.db.work_queue import SqlWorkQueue, WorkTable
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

    def queue(self, kind: TaskKind) -> SqlWorkQueue[Task, None]:
        return SqlWorkQueue(self._session, _task_work(kind))


def _task_work(kind: TaskKind) -> WorkTable[Task, None]:
    queued, running = TaskState.QUEUED.value, TaskState.RUNNING.value
    return WorkTable(
        table=tasks, ref=tasks.c.ref, scope=(tasks.c.kind == kind.value,),
        waiting=(tasks.c.state == queued,), held=(tasks.c.state == running,),
        attempt=tasks.c.attempt, due_at=tasks.c.next_run_at, lease=tasks.c.lease_until,
        announced_at=tasks.c.announced_at, load=_task,
        claimed=lambda _now, _lease: {"state": running},
        requeued={"state": queued},
        finished=lambda _now, _result: {"state": TaskState.DONE.value},
        failed=lambda fault: {"last_error": fault.message[:500]},
        gave_up=lambda _now: {"state": TaskState.FAILED.value},
        crashes=tasks.c.crashes, trace=tasks.c[TRACE],
    )  # fmt: skip


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


def _task(mapping: RowMapping) -> Task:
    values = dict(mapping)
    values.pop("announced_at")
    values.pop(TRACE, None)
    values.update(kind=TaskKind(values["kind"]), state=TaskState(values["state"]))
    return Task(**values)
