"""Dynamic-image jobs, the images they made, on-demand renders and usage."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from dynimg.domain.jobs import DynamicImage, DynamicImageJob, JobResult
from dynimg.domain.on_demand import OnDemandRender
from dynimg.domain.usage import UsageRow
from dynimg.ports.work import WorkQueue


class JobRepository(WorkQueue[DynamicImageJob, JobResult], Protocol):
    """Animated-image jobs, claimed and finished through the work lifecycle's verbs."""

    def add(self, job: DynamicImageJob) -> None: ...
    def get(self, account_id: str | None, job_id: str) -> DynamicImageJob | None: ...
    def delete(self, job_id: str) -> None:
        """Forget a finished job (an on-demand render's, removed with its image)."""
        ...

    def progress(self, job_id: str, attempt: int, percent: int) -> bool:
        """Record a held job's progress (fenced by ``attempt`` like every other write)."""
        ...

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
    def for_video(
        self, account_id: str, video_id: str, newest: int | None = None
    ) -> Sequence[DynamicImage]:
        """The video's images, oldest first; with ``newest``, only the newest that many."""
        ...

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

    def served(self, render: OnDemandRender, now: datetime) -> None:
        """Its image was served at ``now`` (least recently served renders go first)."""
        ...

    def over_quota(self, quota: int) -> list[str]:
        """Accounts with more than ``quota`` renders (animated images and thumbnails)."""
        ...

    def least_served(self, account_id: str, quota: int, most: int) -> Sequence[OnDemandRender]:
        """The account's finished renders beyond its ``quota``, least recently served first (at
        most ``most``); renders in flight are never among them."""
        ...

    def remove(self, render: OnDemandRender) -> None:
        """Forget the render's row (only while it still names the render's job)."""
        ...


class UsageRepository(Protocol):
    """Daily usage counters."""

    def add(self, account_id: str, row: UsageRow) -> None: ...
    def between(self, account_id: str, first_day: str, last_day: str) -> list[UsageRow]: ...
