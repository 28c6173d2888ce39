"""Animated-image jobs: an explicit state machine, retries with backoff, and leases.

::

    Queued ──claim──▶ Processing ──▶ Success
      ▲                  │  │
      └──retry / lease───┘  └──▶ Fail

A worker claims a job by moving it from Queued to Processing in one compare-and-set, which
bumps ``attempt`` and sets a lease it renews while it works. A job whose lease runs out (its
worker died) goes back to Queued, or to Fail once its attempts are used up. Only the claim
that holds the current ``attempt`` may finish the job, so a job run twice still ends once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from dynimg.domain.ids import new_resource_id
from dynimg.domain.rendering import NO_OVERRIDES, JobOverrides
from dynimg.domain.templates import DynamicImageTemplateConfig
from dynimg.domain.work import Backoff, RetryPolicy

MAX_ATTEMPTS = 3
LEASE = timedelta(seconds=60)
BACKOFF_BASE = timedelta(seconds=2)
RENDER_GRACE = timedelta(seconds=60)
"""Beyond the render deadline, time for preparing and storing; also the shortest stall window."""


class JobStatus(StrEnum):
    """Where a job is in its life."""

    QUEUED = "Queued"
    """Waiting for a worker (new, retrying, or recovered from a dead worker)."""
    PROCESSING = "Processing"
    """A worker holds the lease and is rendering."""
    SUCCESS = "Success"
    """The animated image exists."""
    FAIL = "Fail"
    """Gave up: ``error_code`` says why."""


@dataclass(frozen=True)
class DynamicImageJob:
    """A SubmitDynamicImageJob request and its progress."""

    id: str
    account_id: str
    video_id: str
    template_id: str
    config: DynamicImageTemplateConfig
    """What the job renders: the template's config when the job was submitted (later edits do
    not change it) with the request's overrides merged in, validated at submit."""
    overrides: JobOverrides
    dynamic_image_id: str
    """Chosen at submit, so every attempt writes the same file and row."""
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
    """When a dispatcher was last told about this job (None: tell it at the next sweep)."""
    seek_ms: int | None = None
    """Where the clip started, recorded on success (the chosen one for ``Seek=auto``)."""
    size_search: Mapping[str, Any] | None = None
    """The encodes made to fit ``Container.MaxFileSize`` (GetDynamicImageJob's SizeSearch
    document; None when it was not set)."""
    crashes: int = 0
    """Attempts that crashed or whose worker died; attempts that met an outage do not count."""

    @classmethod
    def queued(cls, work: JobRequest, now: datetime) -> DynamicImageJob:
        """A new job, Queued, with fresh ids, marked announced: the caller announces it right
        after its commit (else the sweeper does)."""
        return cls(
            id=new_resource_id(),
            account_id=work.account_id,
            video_id=work.video_id,
            template_id=work.template_id,
            config=work.config,
            overrides=work.overrides,
            dynamic_image_id=new_resource_id(),
            status=JobStatus.QUEUED,
            attempt=0,
            progress=0,
            error_code="",
            error_message="",
            created_at=now,
            next_attempt_at=now,
            announced_at=now,
        )


@dataclass(frozen=True)
class JobRequest:
    """What a new job renders: whose video, with which template config and overrides."""

    account_id: str
    video_id: str
    template_id: str
    config: DynamicImageTemplateConfig
    overrides: JobOverrides = NO_OVERRIDES


@dataclass(frozen=True)
class SubmitJob:
    """SubmitDynamicImageJob, parsed: which video, with which template and overrides."""

    video_id: str
    template_id: str
    overrides: JobOverrides = NO_OVERRIDES


STORAGE_MAX_ATTEMPTS = 10
"""Attempts a job gets while storage fails (an outage), against three for crashes."""


def job_policy(
    lease: timedelta, render_seconds: float, render_grace: timedelta, fair_share: int | None = 1
) -> RetryPolicy:
    """How jobs are held and retried: a heartbeat renews the lease while the render reports
    progress, until the engine's deadline plus a grace; a crash is retried after 2 s, 4 s
    (three attempts in all); storage that is full or failing is an outage, not the job's
    fault: 15 s doubling up to 10 min, ten attempts (about 45 minutes, time for an operator
    to free space)."""
    return RetryPolicy(
        lease=lease,
        max_attempts=MAX_ATTEMPTS,
        backoff=Backoff(BACKOFF_BASE),
        outage_attempts=STORAGE_MAX_ATTEMPTS,
        outage_backoff=Backoff(timedelta(seconds=15), cap=timedelta(minutes=10)),
        heartbeat=True,
        deadline=timedelta(seconds=render_seconds) + render_grace,
        stall=max(lease, render_grace),
        fair_share=fair_share,
    )


@dataclass(frozen=True)
class JobResult:
    """What a successful attempt records on its job besides Success."""

    seek_ms: int | None
    size_search: Mapping[str, Any] | None
    """The encodes made to fit ``Container.MaxFileSize`` (None when not set)."""


@dataclass(frozen=True)
class DynamicImage:
    """An animated image as written: every value measured from the file."""

    id: str
    account_id: str
    video_id: str
    job_id: str
    format: str
    width: int
    height: int
    fps: str
    duration_ms: int
    file_size: int
    storage_key: str
    created_at: datetime
    frame_count: int | None = None
    """Frames in the file; None for images made before dynimg recorded it (as the rest below)."""
    loop_count: int | None = None
    """Times the animation plays, 0 for forever (the template's Loop)."""
    seek_ms: int | None = None
    """Where the clip started in the video (the chosen one for ``Seek=auto``)."""
    md5_hex: str | None = None
    """MD5 of the file, computed while it was stored."""


def image_key(video_id: str, image_id: str, fmt: str, attempt: int = 1) -> str:
    """Where attempt ``attempt`` of a job stores its image; also the image's URL path.

    The first attempt writes where Alibaba lays it out; a later one under a key of its own
    (``{id}-{attempt}.{ext}``), so an attempt that lost its job (paused past its lease) never
    overwrites the file of the attempt that won: the winner's key is published by the commit
    that records the image.
    """
    suffix = f"-{attempt}" if attempt > 1 else ""
    return f"{video_id}/image/dynamic/{image_id}{suffix}.{fmt}"


def image_id_in(name: str) -> str:
    """The image id in the file name of an :func:`image_key` (``{id}[-{attempt}].{ext}``)."""
    return name.rsplit(".", 1)[0].split("-", 1)[0]
