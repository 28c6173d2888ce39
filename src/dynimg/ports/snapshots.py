"""Snapshot jobs and the files they stored."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from dynimg.domain.snapshot_jobs import Snapshot, SnapshotJob
from dynimg.domain.snapshots import SnapshotType
from dynimg.ports.work import WorkQueue


class SnapshotJobRepository(WorkQueue[SnapshotJob, None], Protocol):
    """Snapshot jobs, claimed and finished through the work lifecycle's verbs; looked up
    within one account (None: dynimg's own processing)."""

    def add(self, job: SnapshotJob) -> None: ...
    def get(self, account_id: str | None, job_id: str) -> SnapshotJob | None: ...
    def progress(self, job_id: str, attempt: int, percent: int) -> bool:
        """Record a held job's progress (fenced by ``attempt``)."""
        ...


class SnapshotRepository(Protocol):
    """The files snapshot jobs stored, by video, job and type."""

    def add(self, snapshot: Snapshot) -> None: ...
    def latest_job(self, account_id: str, video_id: str, kind: SnapshotType) -> str | None:
        """The newest job that stored files of ``kind`` for the video (Alibaba lists only it)."""
        ...

    def page(
        self, job_id: str, kind: SnapshotType, offset: int, limit: int
    ) -> tuple[int, Sequence[Snapshot]]:
        """How many files of ``kind`` the job stored, and a page of them by index."""
        ...

    def by_key(self, storage_key: str) -> Snapshot | None: ...
    def for_video(self, account_id: str, video_id: str) -> Sequence[Snapshot]: ...
    def delete_job(self, job_id: str) -> Sequence[Snapshot]:
        """Forget a finished job and the files it stored (an on-demand thumbnail's, retired);
        returns those files' rows, whose files the caller removes after commit."""
        ...

    def delete_for_video(self, account_id: str, video_id: str) -> None: ...
