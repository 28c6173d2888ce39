"""What the console shows of snapshots beside the Actions: one snapshot job's state, and a
video's storyboard with absolute picture URLs for a page that is not the files' address."""

from __future__ import annotations

from dynimg.domain.accounts import Account
from dynimg.domain.snapshot_jobs import SnapshotJob
from dynimg.domain.snapshots import SnapshotType
from dynimg.domain.storyboard import signed_storyboard
from dynimg.domain.url_signing import DeliveryPolicy, sign_path
from dynimg.errors import JobNotFound, VideoNotFound
from dynimg.ports.clock import Clock
from dynimg.ports.storage import Storage
from dynimg.ports.unit_of_work import UnitOfWorkFactory


def get_snapshot_job(uow_factory: UnitOfWorkFactory, account: Account, job_id: str) -> SnapshotJob:
    """One of the account's snapshot jobs; another account's is reported as not existing."""
    with uow_factory() as uow:
        job = uow.snapshot_jobs.get(account.id, job_id)
    if job is None:
        raise JobNotFound()
    return job


def console_storyboard(
    uow_factory: UnitOfWorkFactory,
    storage: Storage,
    clock: Clock,
    delivery: DeliveryPolicy,
    account: Account,
    video_id: str,
) -> str | None:
    """The video's newest WebVTT storyboard (None without one), each picture it names an
    absolute URL signed for the delivery lifetime: the console's page fetches the file from its
    own address, so names relative to the file would resolve against the console."""
    with uow_factory() as uow:
        if uow.videos.get(account.id, video_id) is None:
            raise VideoNotFound()
        job_id = uow.snapshots.latest_job(account.id, video_id, SnapshotType.WEBVTT)
        found = uow.snapshots.page(job_id, SnapshotType.WEBVTT, 0, 1)[1] if job_id else []
    if not found:
        return None
    key = found[0].storage_key
    stored = b"".join(storage.open_range(key)).decode("utf-8")
    folder = "/" + key.rsplit("/", 1)[0]
    expires = int(clock.now().timestamp()) + delivery.lifetime_seconds
    prefix = f"{delivery.base_url.rstrip('/')}{folder}/"
    return signed_storyboard(
        stored, folder, lambda path: sign_path(path, delivery.keys[0], expires), prefix
    )
