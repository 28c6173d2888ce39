"""SQL repositories for jobs, animated images, callbacks and usage.

A job's lifecycle (claim, renew, finish, retry, give up) is the generic work queue's, over the
job table's own columns (:data:`JOB_WORK`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from dynimg.adapters.db.columns import TRACE
from dynimg.adapters.db.tables import (
    dynamic_image_jobs,
    dynamic_images,
    message_callbacks,
    usage_daily,
)
from dynimg.adapters.db.work_queue import SqlWorkQueue, WorkTable
from dynimg.domain.events import MessageCallback
from dynimg.domain.jobs import DynamicImage, DynamicImageJob, JobResult, JobStatus
from dynimg.domain.json_document import dump_compact, parse_json_object
from dynimg.domain.rendering import effective_template, read_overrides
from dynimg.domain.template_documents import template_document
from dynimg.domain.usage import UsageRow

jobs = dynamic_image_jobs


def _job_work() -> WorkTable[DynamicImageJob, JobResult]:
    queued, processing = JobStatus.QUEUED.value, JobStatus.PROCESSING.value
    return WorkTable(
        table=jobs, ref=jobs.c.id, scope=(),
        waiting=(jobs.c.status == queued,), held=(jobs.c.status == processing,),
        attempt=jobs.c.attempt, due_at=jobs.c.next_attempt_at, lease=jobs.c.lease_until,
        announced_at=jobs.c.announced_at, load=_job,
        claimed=lambda now, _: {
            "status": processing, "progress": 0,
            "started_at": func.coalesce(jobs.c.started_at, now),
        },
        requeued={"status": queued},
        finished=lambda now, result: {
            "status": JobStatus.SUCCESS.value, "progress": 100, "finished_at": now,
            "error_code": "", "error_message": "", "seek_ms": result.seek_ms,
            "size_search": _text(result.size_search),
        },
        failed=lambda fault: {
            "error_code": fault.code, "error_message": fault.message[:500],
            "size_search": _text(fault.detail),
        },
        gave_up=lambda now: {"status": JobStatus.FAIL.value, "finished_at": now},
        crashes=jobs.c.crashes,
        account=jobs.c.account_id,
        trace=jobs.c[TRACE],
    )  # fmt: skip


class SqlJobRepository(SqlWorkQueue[DynamicImageJob, JobResult]):
    """Animated-image jobs: the work lifecycle's verbs, plus submitting, progress and lists."""

    def __init__(self, session: Session) -> None:
        super().__init__(session, _JOB_WORK)
        self._session = session

    def add(self, job: DynamicImageJob) -> None:
        row = vars(job).copy()
        row["status"] = job.status.value
        del row["config"], row["overrides"]
        row["template_config"] = dump_compact(template_document(job.config))
        document = job.overrides.document
        row["override_params"] = _text(document)
        row["size_search"] = _text(job.size_search)
        self._session.execute(insert(jobs).values(**row))

    def get(self, account_id: str | None, job_id: str) -> DynamicImageJob | None:
        query = select(jobs).where(jobs.c.id == job_id)
        if account_id is not None:
            query = query.where(jobs.c.account_id == account_id)
        row = self._session.execute(query).first()
        return _job(row._mapping) if row else None

    def delete(self, job_id: str) -> None:
        self._session.execute(delete(jobs).where(jobs.c.id == job_id))

    def progress(self, job_id: str, attempt: int, percent: int) -> bool:
        result = self._session.execute(
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.attempt == attempt)
            .where(jobs.c.status == JobStatus.PROCESSING.value)
            .values(progress=percent)
        )
        return bool(getattr(result, "rowcount", 0))

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

    def for_video(
        self, account_id: str, video_id: str, newest: int | None = None
    ) -> Sequence[DynamicImage]:
        images = dynamic_images.c
        query = select(dynamic_images).where(images.account_id == account_id)
        query = query.where(images.video_id == video_id)
        if newest is None:
            rows = self._session.execute(query.order_by(images.created_at, images.id))
            return [DynamicImage(**row._mapping) for row in rows]
        latest = query.order_by(images.created_at.desc(), images.id.desc()).limit(newest)
        return [DynamicImage(**row._mapping) for row in self._session.execute(latest)][::-1]

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
    values.pop(TRACE, None)
    values["status"] = JobStatus(values["status"])
    overrides = read_overrides(values.pop("override_params"))
    # The column holds the effective config; rows written before it did hold the template's
    # config, and merging the overrides into the effective one again changes nothing.
    template = parse_json_object(values.pop("template_config"), "TemplateConfig")
    config = effective_template(template, overrides.document)
    search = values.pop("size_search")
    values["size_search"] = parse_json_object(search, "SizeSearch") if search else None
    return DynamicImageJob(**values, config=config, overrides=overrides)


def _text(document: Mapping[str, Any] | None) -> str:
    """A document as its column keeps it: compact JSON, empty for none."""
    return "" if document is None else dump_compact(document)


_JOB_WORK = _job_work()
