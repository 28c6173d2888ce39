"""On-demand renders: the insert-or-wait claim on a render, and the per-account count."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dynimg.adapters.db.snapshot_tables import snapshot_jobs
from dynimg.adapters.db.tables import accounts, dynamic_image_jobs, on_demand_renders
from dynimg.domain.jobs import JobStatus
from dynimg.domain.on_demand import ON_DEMAND_TEMPLATE_ID, OnDemandRender

renders = on_demand_renders
_IN_FLIGHT = (JobStatus.QUEUED.value, JobStatus.PROCESSING.value)


class SqlOnDemandRepository:
    """Rows of ``on_demand_renders``, keyed by account, video and canonical parameters."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def lock_account(self, account_id: str) -> None:
        # PostgreSQL: concurrent claims of one account queue here, so counting the renders in
        # flight and adding one is atomic. FOR NO KEY UPDATE (key_share) leaves the foreign-key
        # checks of other inserts for the account unblocked. SQLite needs no lock: BEGIN
        # IMMEDIATE (see engine.py) already lets one writer in at a time.
        self._session.execute(
            select(accounts.c.id).where(accounts.c.id == account_id).with_for_update(key_share=True)
        )

    def get(self, account_id: str, video_id: str, key: str) -> OnDemandRender | None:
        row = self._session.execute(select(renders).where(*_where(account_id, video_id, key)))
        found = row.first()
        return _render(found._mapping) if found else None

    def claim(self, render: OnDemandRender) -> bool:
        """Insert ``render``; False when a row with its key exists (someone else claimed it)."""
        try:
            with self._session.begin_nested():
                self._session.execute(insert(renders).values(**_row(render)))
        except IntegrityError:
            return False
        return True

    def replace_job(self, render: OnDemandRender, old_job_id: str) -> bool:
        """Point the row at a new job, only if it still names ``old_job_id`` (compare-and-set)."""
        result = self._session.execute(
            update(renders)
            .where(*_where(render.account_id, render.video_id, render.key))
            .where(renders.c.job_id == old_job_id)
            .values(job_id=render.job_id, created_at=render.created_at, served_at=render.created_at)
        )
        return bool(getattr(result, "rowcount", 0))

    def in_flight(self, account_id: str) -> int:
        """The account's on-demand jobs waiting or running: animated images and thumbnails."""
        total = 0
        for jobs in (dynamic_image_jobs, snapshot_jobs):
            total += self._session.execute(
                select(func.count())
                .select_from(jobs)
                .where(jobs.c.account_id == account_id)
                .where(jobs.c.template_id == ON_DEMAND_TEMPLATE_ID)
                .where(jobs.c.status.in_(_IN_FLIGHT))
            ).scalar_one()
        return int(total)

    def served(self, render: OnDemandRender, now: datetime) -> None:
        self._session.execute(
            update(renders)
            .where(*_where(render.account_id, render.video_id, render.key))
            .values(served_at=now)
        )

    def over_quota(self, quota: int) -> list[str]:
        rows = self._session.execute(
            select(renders.c.account_id).group_by(renders.c.account_id).having(func.count() > quota)
        )
        return [str(account_id) for (account_id,) in rows]

    def least_served(self, account_id: str, quota: int, most: int) -> Sequence[OnDemandRender]:
        mine = renders.c.account_id == account_id
        total = self._session.execute(
            select(func.count()).select_from(renders).where(mine)
        ).scalar_one()
        if total <= quota:
            return []
        finished = select(renders).where(mine, *(~exists(busy) for busy in _RENDERING))
        served = func.coalesce(renders.c.served_at, renders.c.created_at)
        latest = finished.order_by(served, renders.c.params_key).limit(min(total - quota, most))
        return [_render(row._mapping) for row in self._session.execute(latest)]

    def remove(self, render: OnDemandRender) -> None:
        where = (*_where(render.account_id, render.video_id, render.key),)
        self._session.execute(delete(renders).where(*where, renders.c.job_id == render.job_id))


_RENDERING = tuple(
    select(jobs.c.id).where(jobs.c.id == renders.c.job_id, jobs.c.status.in_(_IN_FLIGHT))
    for jobs in (dynamic_image_jobs, snapshot_jobs)
)
"""A render whose job (an animated image's or a thumbnail's) still waits or runs."""


def _where(account_id: str, video_id: str, key: str) -> tuple[Any, ...]:
    return (
        renders.c.account_id == account_id,
        renders.c.video_id == video_id,
        renders.c.params_key == key,
    )


def _row(render: OnDemandRender) -> dict[str, Any]:
    return {
        "account_id": render.account_id,
        "video_id": render.video_id,
        "params_key": render.key,
        "job_id": render.job_id,
        "created_at": render.created_at,
        "served_at": render.served_at or render.created_at,
    }


def _render(mapping: Any) -> OnDemandRender:
    return OnDemandRender(
        account_id=mapping["account_id"],
        video_id=mapping["video_id"],
        key=mapping["params_key"],
        job_id=mapping["job_id"],
        created_at=mapping["created_at"],
        served_at=mapping["served_at"],
    )
