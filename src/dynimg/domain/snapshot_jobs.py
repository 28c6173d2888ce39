"""Snapshot jobs and the files they leave: a second kind of job beside animated images, with
the same states, claims and attempts (see :mod:`dynimg.domain.jobs`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dynimg.domain.ids import new_resource_id
from dynimg.domain.jobs import JobStatus
from dynimg.domain.snapshots import SnapshotConfig, SnapshotType
from dynimg.domain.storage_keys import validate_key
from dynimg.domain.storyboard import file_name, name_rule

INLINE_TEMPLATE = ""
"""The template id of a job asked for with SubmitSnapshotJob's own parameters."""
COVER_TEMPLATE = "CoverSnapshot"
"""The template id of the cover snapshots dynimg takes when a video becomes Normal."""


@dataclass(frozen=True)
class SnapshotJob:
    """A SubmitSnapshotJob request (or a video's cover snapshots) and its progress."""

    id: str
    account_id: str
    video_id: str
    template_id: str
    config: SnapshotConfig
    """What to take, fixed at submit (later template edits do not change it)."""
    user_data: str
    """The request's UserData; its ``Extend`` is passed back in SnapshotComplete."""
    status: JobStatus
    attempt: int
    progress: int
    error_code: str
    error_message: str
    created_at: datetime
    next_attempt_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    lease_until: datetime | None = None
    announced_at: datetime | None = None
    crashes: int = 0
    """Attempts that crashed (not counting storage outages), as the lifecycle counts them."""

    @classmethod
    def queued(
        cls,
        account_id: str,
        video_id: str,
        template_id: str,
        config: SnapshotConfig,
        now: datetime,
        user_data: str = "",
    ) -> SnapshotJob:
        """A new Queued job, marked announced (the caller announces it after its commit)."""
        return cls(
            new_resource_id(), account_id, video_id, template_id, config, user_data,
            JobStatus.QUEUED, 0, 0, "", "", now, now, announced_at=now,
        )  # fmt: skip


@dataclass(frozen=True)
class Snapshot:
    """One file a snapshot job stored: a picture, a sprite sheet or a WebVTT index."""

    id: str
    account_id: str
    video_id: str
    job_id: str
    type: SnapshotType
    index: int
    """Its number among the job's files of its type, from 1 (``{SnapshotCount}``)."""
    width: int
    height: int
    file_size: int
    storage_key: str
    created_at: datetime
    at_ms: int | None = None
    """When in the video a picture was taken (None for sheets and WebVTT files)."""


def snapshot_key(
    video_id: str, job_id: str, kind: SnapshotType, index: int, ext: str = "jpg"
) -> str:
    """Where a job's file is stored; also its URL path. A WebVTT file's cues name the sheets
    beside it, so the whole storyboard is one folder."""
    return validate_key(f"{video_id}/snapshots/{job_id}/{file_name(kind, index, ext)}")


def snapshot_rule(video_id: str, job_id: str, kind: SnapshotType) -> str:
    """The path of a job's files of ``kind`` with Alibaba's ``{SnapshotCount}`` placeholder."""
    return f"{video_id}/snapshots/{job_id}/{name_rule(kind)}"
