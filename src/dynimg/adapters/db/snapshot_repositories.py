"""Snapshot jobs and snapshot files in SQL; a job's config is stored as its document."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from dynimg.adapters.db.columns import TRACE
from dynimg.adapters.db.snapshot_tables import snapshot_jobs, snapshots
from dynimg.adapters.db.work_queue import SqlWorkQueue, WorkTable
from dynimg.domain.jobs import JobStatus
from dynimg.domain.json_document import dump_compact
from dynimg.domain.snapshot_documents import snapshot_document
from dynimg.domain.snapshot_jobs import Snapshot, SnapshotJob
from dynimg.domain.snapshots import (
    JOB_TYPES,
    SnapshotType,
    parse_snapshot_template_config,
)


def _snapshot_work() -> WorkTable[SnapshotJob, None]:
    """Snapshot jobs' lifecycle: the same states and columns as animated-image jobs."""
    queued, processing = JobStatus.QUEUED.value, JobStatus.PROCESSING.value
    t = snapshot_jobs.c
    return WorkTable(
        table=snapshot_jobs, ref=t.id, scope=(), waiting=(t.status == queued,),
        held=(t.status == processing,), attempt=t.attempt, due_at=t.next_attempt_at,
        lease=t.lease_until, announced_at=t.announced_at, load=snapshot_job, crashes=t.crashes,
        account=t.account_id, trace=t[TRACE],
        claimed=lambda now, _: {
            "status": processing, "progress": 0, "started_at": func.coalesce(t.started_at, now),
        },
        requeued={"status": queued},
        finished=lambda now, _: {
            "status": JobStatus.SUCCESS.value, "progress": 100, "finished_at": now,
            "error_code": "", "error_message": "",
        },
        failed=lambda fault: {"error_code": fault.code, "error_message": fault.message[:500]},
        gave_up=lambda now: {"status": JobStatus.FAIL.value, "finished_at": now},
    )  # fmt: skip


class SqlSnapshotJobRepository(SqlWorkQueue[SnapshotJob, None]):
    """Implements ``ports.SnapshotJobRepository``: the work lifecycle's verbs and more."""

    def __init__(self, session: Session) -> None:
        super().__init__(session, _snapshot_work())
        self._session = session

    def progress(self, job_id: str, attempt: int, percent: int) -> bool:
        result = self._session.execute(
            update(snapshot_jobs)
            .where(
                snapshot_jobs.c.id == job_id,
                snapshot_jobs.c.attempt == attempt,
                snapshot_jobs.c.status == JobStatus.PROCESSING.value,
            )
            .values(progress=percent)
        )
        return bool(getattr(result, "rowcount", 0))

    def add(self, job: SnapshotJob) -> None:
        row = vars(job) | {
            "status": job.status.value,
            "config": dump_compact(snapshot_document(job.config)),
        }
        self._session.execute(insert(snapshot_jobs).values(**row))

    def get(self, account_id: str | None, job_id: str) -> SnapshotJob | None:
        query = select(snapshot_jobs).where(snapshot_jobs.c.id == job_id)
        if account_id is not None:
            query = query.where(snapshot_jobs.c.account_id == account_id)
        row = self._session.execute(query).first()
        return snapshot_job(row._mapping) if row else None


def snapshot_job(row: Mapping[Any, Any]) -> SnapshotJob:
    """A job from its row (the config was valid when stored, so it parses)."""
    values = dict(row)
    values.pop(TRACE, None)
    values["status"] = JobStatus(values["status"])
    values["config"] = parse_snapshot_template_config(json.loads(values["config"]), types=JOB_TYPES)
    return SnapshotJob(**values)


class SqlSnapshotRepository:
    """Implements ``ports.SnapshotRepository``."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, snapshot: Snapshot) -> None:
        row = vars(snapshot) | {"type": snapshot.type.value}
        self._session.execute(insert(snapshots).values(**row))

    def latest_job(self, account_id: str, video_id: str, kind: SnapshotType) -> str | None:
        found = self._session.execute(
            select(snapshots.c.job_id)
            .where(
                snapshots.c.account_id == account_id,
                snapshots.c.video_id == video_id,
                snapshots.c.type == kind.value,
            )
            .order_by(snapshots.c.created_at.desc(), snapshots.c.job_id.desc())
            .limit(1)
        ).first()
        return str(found[0]) if found else None

    def page(
        self, job_id: str, kind: SnapshotType, offset: int, limit: int
    ) -> tuple[int, Sequence[Snapshot]]:
        where = (snapshots.c.job_id == job_id, snapshots.c.type == kind.value)
        total = self._session.execute(
            select(func.count()).select_from(snapshots).where(*where)
        ).scalar_one()
        rows = self._session.execute(
            select(snapshots).where(*where).order_by(snapshots.c.index).offset(offset).limit(limit)
        )
        return int(total), [_snapshot(row._mapping) for row in rows]

    def by_key(self, storage_key: str) -> Snapshot | None:
        row = self._session.execute(
            select(snapshots).where(snapshots.c.storage_key == storage_key)
        ).first()
        return _snapshot(row._mapping) if row else None

    def for_video(self, account_id: str, video_id: str) -> Sequence[Snapshot]:
        rows = self._session.execute(
            select(snapshots).where(
                snapshots.c.account_id == account_id, snapshots.c.video_id == video_id
            )
        )
        return [_snapshot(row._mapping) for row in rows]

    def delete_job(self, job_id: str) -> Sequence[Snapshot]:
        """Forget a finished job and the files it stored; returns those files' rows."""
        rows = self._session.execute(select(snapshots).where(snapshots.c.job_id == job_id))
        removed = [_snapshot(row._mapping) for row in rows]
        self._session.execute(delete(snapshots).where(snapshots.c.job_id == job_id))
        self._session.execute(delete(snapshot_jobs).where(snapshot_jobs.c.id == job_id))
        return removed

    def delete_for_video(self, account_id: str, video_id: str) -> None:
        self._session.execute(
            delete(snapshots).where(
                snapshots.c.account_id == account_id, snapshots.c.video_id == video_id
            )
        )
        self._session.execute(
            delete(snapshot_jobs).where(
                snapshot_jobs.c.account_id == account_id, snapshot_jobs.c.video_id == video_id
            )
        )


def _snapshot(row: Mapping[Any, Any]) -> Snapshot:
    return Snapshot(**(dict(row) | {"type": SnapshotType(row["type"])}))
