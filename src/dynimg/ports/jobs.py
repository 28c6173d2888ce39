"""Dynamic-image jobs, the images they made, on-demand renders and usage."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from dynimg.domain.jobs import DynamicImage, DynamicImageJob
from dynimg.domain.on_demand import OnDemandRender
from dynimg.domain.usage import UsageRow


class JobRepository(Protocol):
    """Animated-image jobs; claim and update_running are compare-and-set."""

    def add(self, job: DynamicImageJob) -> None: ...
    def get(self, account_id: str | None, job_id: str) -> DynamicImageJob | None: ...
    def claim(self, job_id: str, now: datetime, lease_until: datetime) -> bool: ...
    def update_running(self, job_id: str, attempt: int, **values: Any) -> bool: ...
    def due(self, now: datetime, limit: int, announced_before: datetime | None = None) -> list[str]:
        """Queued jobs due by ``now``; with ``announced_before``, only those not announced since."""
        ...

    def mark_announced(self, job_ids: Sequence[str], now: datetime) -> None: ...
    def expired(self, now: datetime) -> list[DynamicImageJob]: ...
    def count_by_status(self) -> dict[str, int]:
        """How many jobs are in each status (statuses with none are left out)."""
        ...

    def oldest_queued(self) -> datetime | None:
        """When the longest-waiting Queued job was submitted; None when none is queued."""
        ...

    def list(
        self, account_id: str, video_id: str | None, status: str | None, offset: int, limit: int
    ) -> tuple[int, Sequence[DynamicImageJob]]: ...


class DynamicImageRepository(Protocol):
    """Animated images."""

    def add(self, image: DynamicImage) -> None: ...
    def for_video(self, account_id: str, video_id: str) -> Sequence[DynamicImage]: ...
    def page_for_video(
        self, account_id: str, video_id: str, offset: int, limit: int
    ) -> tuple[int, Sequence[DynamicImage]]: ...
    def get(self, image_id: str) -> DynamicImage | None: ...
    def delete(self, image_id: str) -> None: ...


class OnDemandRepository(Protocol):
    """On-demand renders: one row per account, video and canonical parameters."""

    def lock_account(self, account_id: str) -> None:
        """Hold the account until commit, so counting and claiming renders is atomic."""
        ...

    def get(self, account_id: str, video_id: str, key: str) -> OnDemandRender | None: ...
    def claim(self, render: OnDemandRender) -> bool:
        """Insert the row; False when one with the same key exists."""
        ...

    def replace_job(self, render: OnDemandRender, old_job_id: str) -> bool:
        """Point the row at ``render.job_id`` if it still names ``old_job_id``."""
        ...

    def in_flight(self, account_id: str) -> int:
        """How many of the account's on-demand jobs are Queued or Processing."""
        ...


class UsageRepository(Protocol):
    """Daily usage counters."""

    def add(self, account_id: str, row: UsageRow) -> None: ...
    def between(self, account_id: str, first_day: str, last_day: str) -> list[UsageRow]: ...
