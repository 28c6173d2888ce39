"""SQL repositories for jobs, animated images, callbacks and usage.

Claiming and finishing a job are single compare-and-set UPDATEs, correct on SQLite (one writer
at a time) and on PostgreSQL (row locks) alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from dynimg.adapters.db.tables import (
    dynamic_image_jobs,
    dynamic_images,
    message_callbacks,
    usage_daily,
)
from dynimg.domain.events import MessageCallback
from dynimg.domain.jobs import TRANSITIONS, DynamicImage, DynamicImageJob, JobStatus
from dynimg.domain.usage import UsageRow

jobs = dynamic_image_jobs


class SqlJobRepository:
    """Animated-image jobs."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, job: DynamicImageJob) -> None:
        row = vars(job).copy()
        row["status"] = job.status.value
        self._session.execute(insert(jobs).values(**row))

    def get(self, account_id: str | None, job_id: str) -> DynamicImageJob | None:
        query = select(jobs).where(jobs.c.id == job_id)
        if account_id is not None:
            query = query.where(jobs.c.account_id == account_id)
        row = self._session.execute(query).first()
        return _job(row._mapping) if row else None

    def claim(self, job_id: str, now: datetime, lease_until: datetime) -> bool:
        result = self._session.execute(
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.status == JobStatus.QUEUED.value)
            .where(jobs.c.next_attempt_at <= now)
            .values(
                status=JobStatus.PROCESSING.value,
                attempt=jobs.c.attempt + 1,
                lease_until=lease_until,
                started_at=func.coalesce(jobs.c.started_at, now),
                progress=0,
            )
        )
        return bool(getattr(result, "rowcount", 0))

    def update_running(self, job_id: str, attempt: int, **values: Any) -> bool:
        """Change a Processing job, only while ``attempt`` still holds it."""
        if "status" in values:
            target = JobStatus(values["status"])
            assert target in TRANSITIONS[JobStatus.PROCESSING], f"Processing -> {target}"
            values["status"] = target.value
        result = self._session.execute(
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.attempt == attempt)
            .where(jobs.c.status == JobStatus.PROCESSING.value)
            .values(**values)
        )
        return bool(getattr(result, "rowcount", 0))

    def due(self, now: datetime, limit: int, announced_before: datetime | None = None) -> list[str]:
        query = select(jobs.c.id).where(
            jobs.c.status == JobStatus.QUEUED.value, jobs.c.next_attempt_at <= now
        )
        if announced_before is not None:
            query = query.where(
                or_(jobs.c.announced_at.is_(None), jobs.c.announced_at <= announced_before)
            )
        rows = self._session.execute(query.order_by(jobs.c.next_attempt_at).limit(limit))
        return [row.id for row in rows]

    def mark_announced(self, job_ids: Sequence[str], now: datetime) -> None:
        if job_ids:
            self._session.execute(
                update(jobs).where(jobs.c.id.in_(job_ids)).values(announced_at=now)
            )

    def expired(self, now: datetime) -> list[DynamicImageJob]:
        rows = self._session.execute(
            select(jobs).where(
                jobs.c.status == JobStatus.PROCESSING.value, jobs.c.lease_until < now
            )
        )
        return [_job(row._mapping) for row in rows]

    def count_by_status(self) -> dict[str, int]:
        rows = self._session.execute(select(jobs.c.status, func.count()).group_by(jobs.c.status))
        return {str(status): int(count) for status, count in rows}

    def oldest_queued(self) -> datetime | None:
        # ix_jobs_status_due covers the status filter; created_at is read from the few rows.
        oldest = self._session.execute(
            select(func.min(jobs.c.created_at)).where(jobs.c.status == JobStatus.QUEUED.value)
        ).scalar_one()
        return oldest if isinstance(oldest, datetime) else None

    def list(
        self, account_id: str, video_id: str | None, status: str | None, offset: int, limit: int
    ) -> tuple[int, Sequence[DynamicImageJob]]:
        where = [jobs.c.account_id == account_id]
        if video_id:
            where.append(jobs.c.video_id == video_id)
        if status:
            where.append(jobs.c.status == status)
        total = self._session.execute(
            select(func.count()).select_from(jobs).where(*where)
        ).scalar_one()
        rows = self._session.execute(
            select(jobs)
            .where(*where)
            .order_by(jobs.c.created_at.desc(), jobs.c.id)
            .offset(offset)
            .limit(limit)
        )
        return int(total), [_job(row._mapping) for row in rows]


class SqlDynamicImageRepository:
    """Animated images; at most one per job (unique job_id)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, image: DynamicImage) -> None:
        self._session.execute(insert(dynamic_images).values(**vars(image)))

    def for_video(self, account_id: str, video_id: str) -> Sequence[DynamicImage]:
        rows = self._session.execute(
            select(dynamic_images)
            .where(dynamic_images.c.account_id == account_id, dynamic_images.c.video_id == video_id)
            .order_by(dynamic_images.c.created_at, dynamic_images.c.id)
        )
        return [DynamicImage(**row._mapping) for row in rows]

    def page_for_video(
        self, account_id: str, video_id: str, offset: int, limit: int
    ) -> tuple[int, Sequence[DynamicImage]]:
        where = (dynamic_images.c.account_id == account_id, dynamic_images.c.video_id == video_id)
        total = self._session.execute(
            select(func.count()).select_from(dynamic_images).where(*where)
        ).scalar_one()
        rows = self._session.execute(
            select(dynamic_images)
            .where(*where)
            .order_by(dynamic_images.c.created_at, dynamic_images.c.id)
            .offset(offset)
            .limit(limit)
        )
        return int(total), [DynamicImage(**row._mapping) for row in rows]

    def get(self, image_id: str) -> DynamicImage | None:
        row = self._session.execute(
            select(dynamic_images).where(dynamic_images.c.id == image_id)
        ).first()
        return DynamicImage(**row._mapping) if row else None

    def delete(self, image_id: str) -> None:
        self._session.execute(delete(dynamic_images).where(dynamic_images.c.id == image_id))


class SqlCallbackRepository:
    """One HTTP callback configuration per account."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, account_id: str) -> MessageCallback | None:
        row = self._session.execute(
            select(message_callbacks).where(message_callbacks.c.account_id == account_id)
        ).first()
        if row is None:
            return None
        values = dict(row._mapping)
        values["event_types"] = tuple(values["event_types"].split(","))
        values["auth_switch"] = values["auth_switch"] == "on"
        return MessageCallback(**values)

    def put(self, callback: MessageCallback) -> None:
        self.delete(callback.account_id)
        row = vars(callback).copy()
        row["event_types"] = ",".join(callback.event_types)
        row["auth_switch"] = "on" if callback.auth_switch else "off"
        self._session.execute(insert(message_callbacks).values(**row))

    def delete(self, account_id: str) -> None:
        self._session.execute(
            delete(message_callbacks).where(message_callbacks.c.account_id == account_id)
        )


class SqlUsageRepository:
    """Daily usage counters."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, account_id: str, row: UsageRow) -> None:
        key = (
            usage_daily.c.account_id == account_id,
            usage_daily.c.day == row.day,
            usage_daily.c.resolution == row.resolution,
            usage_daily.c.format == row.format,
        )
        result = self._session.execute(
            update(usage_daily)
            .where(*key)
            .values(
                duration_ms=usage_daily.c.duration_ms + row.duration_ms,
                images=usage_daily.c.images + row.images,
            )
        )
        if not getattr(result, "rowcount", 0):
            self._session.execute(insert(usage_daily).values(account_id=account_id, **vars(row)))

    def between(self, account_id: str, first_day: str, last_day: str) -> list[UsageRow]:
        rows = self._session.execute(
            select(usage_daily)
            .where(usage_daily.c.account_id == account_id)
            .where(usage_daily.c.day >= first_day, usage_daily.c.day <= last_day)
            .order_by(usage_daily.c.day, usage_daily.c.resolution, usage_daily.c.format)
        )
        return [UsageRow(r.day, r.resolution, r.format, r.duration_ms, r.images) for r in rows]


def _job(mapping: Any) -> DynamicImageJob:
    values = dict(mapping)
    values["status"] = JobStatus(values["status"])
    return DynamicImageJob(**values)
