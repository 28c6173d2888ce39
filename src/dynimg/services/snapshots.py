"""SubmitSnapshotJob and ListSnapshots: snapshot jobs are asked for here and run as a kind of
durable work (:mod:`dynimg.services.snapshot_work`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from dynimg.domain.accounts import Account
from dynimg.domain.snapshot_jobs import INLINE_TEMPLATE, Snapshot, SnapshotJob, snapshot_rule
from dynimg.domain.snapshots import SnapshotConfig, SnapshotType
from dynimg.domain.storyboard import check_source, signed_storyboard
from dynimg.domain.tasks import TaskKind
from dynimg.domain.url_signing import DeliveryPolicy, sign_path
from dynimg.domain.videos import Video, VideoStatus
from dynimg.errors import IllegalStatus, TemplateNotFound, VideoNotFound
from dynimg.ports.clock import Clock
from dynimg.ports.messaging import Dispatcher
from dynimg.ports.storage import Storage
from dynimg.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from dynimg.services.jobs import check_queue

SNAPSHOT_STATUSES = frozenset(
    {VideoStatus.UPLOAD_SUCC, VideoStatus.NORMAL, VideoStatus.CHECKING, VideoStatus.BLOCKED}
)
"""Alibaba's list for SubmitSnapshotJob and ListSnapshots (Transcoding is not in it)."""
MIN_AUTH_TIMEOUT = 3600
MAX_AUTH_TIMEOUT = 2_592_000
"""ListSnapshots' AuthTimeout: below the minimum the minimum is used, above 30 days 30 days."""


@dataclass(frozen=True)
class SnapshotRequest:
    """SubmitSnapshotJob's parameters, read: a template, or the inline config (read at the edge
    by ``parse_snapshot_request``; Alibaba ignores inline values when a template is named)."""

    video_id: str
    template_id: str | None
    inline: SnapshotConfig | None = None
    user_data: str | None = None
    """A JSON object of at most 1 KB, checked at the edge (``read_user_data``)."""


def submit_snapshot_job(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    dispatcher: Dispatcher,
    account: Account,
    request: SnapshotRequest,
    queue_limit: int = 0,
) -> SnapshotJob:
    """Check the request against the video, store a Queued job and announce it (``Throttling``
    when the account has ``queue_limit`` snapshot jobs unfinished, as for animated images)."""
    inline = None if request.template_id else request.inline or SnapshotConfig(SnapshotType.NORMAL)
    with uow_factory() as uow:
        check_queue(uow.snapshot_jobs, account, queue_limit)
        video = _snapshottable(uow, account, request.video_id)
        config = inline or _template_config(uow, account, request.template_id or "")
        if video.probe is not None:  # an UploadSucc video is checked when the job runs
            probe = video.probe  # width and height as displayed
            check_source(config, (probe.width, probe.height), probe.duration_ms)
        job = SnapshotJob.queued(
            account.id, video.id, request.template_id or INLINE_TEMPLATE, config, clock.now(),
            request.user_data or "",
        )  # fmt: skip
        uow.snapshot_jobs.add(job)
        uow.commit()
    dispatcher.announce(TaskKind.SNAPSHOT, job.id)
    return job


def _snapshottable(uow: UnitOfWork, account: Account, video_id: str) -> Video:
    video = uow.videos.get(account.id, video_id)
    if video is None:
        raise VideoNotFound()
    if video.status not in SNAPSHOT_STATUSES:
        raise IllegalStatus(f"Status of the video is illegal. Current Status is {video.status}.")
    return video


def _template_config(uow: UnitOfWork, account: Account, template_id: str) -> SnapshotConfig:
    template = uow.templates.get(account.id, template_id)
    if template is None or not isinstance(template.config, SnapshotConfig):
        raise TemplateNotFound(f"The SnapshotTemplateId {template_id!r} does not exist.")
    return template.config


@dataclass(frozen=True)
class SnapshotQuery:
    """ListSnapshots' parameters, read."""

    video_id: str
    kind: SnapshotType = SnapshotType.COVER
    page: int = 1
    size: int = 20
    auth_timeout: int = MIN_AUTH_TIMEOUT


@dataclass(frozen=True)
class SnapshotListing:
    """The newest job's files of one type: a page of them with signed URLs."""

    job: SnapshotJob | None
    total: int
    urls: Sequence[tuple[Snapshot, str]]
    regular: str


def list_snapshots(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    delivery: DeliveryPolicy,
    account: Account,
    query: SnapshotQuery,
) -> SnapshotListing:
    """What ListSnapshots answers: only the newest job that stored files of the type."""
    with uow_factory() as uow:
        _snapshottable(uow, account, query.video_id)
        job_id = uow.snapshots.latest_job(account.id, query.video_id, query.kind)
        if job_id is None:
            return SnapshotListing(None, 0, [], "")
        job = uow.snapshot_jobs.get(account.id, job_id)
        total, found = uow.snapshots.page(
            job_id, query.kind, (query.page - 1) * query.size, query.size
        )
    signing = replace(delivery, lifetime_seconds=auth_lifetime(query.auth_timeout))
    now = int(clock.now().timestamp())
    urls = [(s, signing.file_url("/" + s.storage_key, now)) for s in found]
    rule = f"{delivery.base_url.rstrip('/')}/{snapshot_rule(query.video_id, job_id, query.kind)}"
    return SnapshotListing(job, total, urls, rule)


def auth_lifetime(seconds: int) -> int:
    """Alibaba's AuthTimeout rule: at least an hour, at most 30 days."""
    return min(max(seconds, MIN_AUTH_TIMEOUT), MAX_AUTH_TIMEOUT)


@dataclass(frozen=True)
class SnapshotFileView:
    """A stored snapshot file as a signed URL serves it; a WebVTT file comes with its text,
    every picture it names signed until ``expires`` (the URL's own expiry)."""

    snapshot: Snapshot
    text: str | None = None


def snapshot_file(
    uow_factory: UnitOfWorkFactory,
    storage: Storage,
    delivery: DeliveryPolicy,
    path: str,
    expires: int,
) -> SnapshotFileView | None:
    """The snapshot file a URL path names (``/{VideoId}/snapshots/{JobId}/{name}``), if any."""
    with uow_factory() as uow:
        snapshot = uow.snapshots.by_key(path.lstrip("/"))
    if snapshot is None:
        return None
    if snapshot.type is not SnapshotType.WEBVTT:
        return SnapshotFileView(snapshot)
    stored = b"".join(storage.open_range(snapshot.storage_key)).decode("utf-8")
    folder = "/" + snapshot.storage_key.rsplit("/", 1)[0]
    text = signed_storyboard(stored, folder, lambda p: sign_path(p, delivery.keys[0], expires))
    return SnapshotFileView(snapshot, text)


@dataclass(frozen=True)
class CoverSnapshots:
    """A video's cover snapshots with signed URLs, and the URL of the chosen one ("")."""

    urls: Sequence[tuple[Snapshot, str]]
    chosen: str


def cover_snapshots(
    uow_factory: UnitOfWorkFactory, clock: Clock, delivery: DeliveryPolicy, video: Video
) -> CoverSnapshots:
    """GetVideoInfo's ``Snapshots`` and the cover it falls back to when none was set."""
    with uow_factory() as uow:
        job_id = uow.snapshots.latest_job(video.account_id, video.id, SnapshotType.COVER)
        found = uow.snapshots.page(job_id, SnapshotType.COVER, 0, 8)[1] if job_id else []
    now = int(clock.now().timestamp())
    urls = [(s, delivery.file_url("/" + s.storage_key, now)) for s in found]
    chosen = next((url for s, url in urls if s.id == video.cover_snapshot_id), "")
    return CoverSnapshots(urls, chosen)
