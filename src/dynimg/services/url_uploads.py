"""UploadMediaByURL and GetURLUploadInfos: a video per URL, imported as durable work
(:mod:`dynimg.services.url_import_work`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dynimg.domain.accounts import Account
from dynimg.domain.tasks import Task, TaskKind, TaskState
from dynimg.domain.upload_requests import DEFAULT_APP_ID, NewVideo
from dynimg.domain.uploads import UploadPolicy, UploadTarget
from dynimg.domain.url_uploads import UrlSource, UrlUpload
from dynimg.errors import QueueFull
from dynimg.ports import Clock, Dispatcher, UnitOfWorkFactory
from dynimg.services.uploads import new_video


@dataclass(frozen=True)
class UrlImport:
    """UploadMediaByURL, read: the URLs with their videos' names, and the request's UserData."""

    sources: Sequence[UrlSource]
    user_data: str = ""
    app_id: str = DEFAULT_APP_ID


def submit_url_uploads(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    dispatcher: Dispatcher,
    policy: UploadPolicy,
    account: Account,
    command: UrlImport,
    queue_limit: int = 0,
) -> list[UrlUpload]:
    """Register a video in ``Uploading`` and a waiting import for each URL, then announce them
    (Throttling when the account would have more than ``queue_limit`` imports unfinished)."""
    now = clock.now()
    imports = []
    with uow_factory() as uow:
        unfinished = uow.url_uploads.unfinished(account.id)
        if queue_limit and unfinished + len(command.sources) > queue_limit:
            raise QueueFull(queue_limit)
        for source in command.sources:
            name = f"{source.metadata.title[:200]}.{source.extension}"
            wanted = NewVideo(name, source.extension, source.metadata, app_id=command.app_id)
            video = new_video(clock, policy, account, wanted)
            uow.videos.add(video)
            upload = UrlUpload.pending(account.id, video.id, source.url, now, command.user_data)
            uow.url_uploads.add(upload)
            uow.tasks.add(
                Task(TaskKind.URL_UPLOAD, upload.id, UploadTarget.VIDEO.value, TaskState.QUEUED,
                     0, next_run_at=now, created_at=now)
            )  # fmt: skip
            imports.append(upload)
        uow.commit()
    for upload in imports:
        dispatcher.announce(TaskKind.URL_UPLOAD, upload.id)
    return imports


@dataclass(frozen=True)
class UrlUploadInfos:
    """GetURLUploadInfos' answer: the imports found, and the ids or URLs that match none."""

    found: Sequence[UrlUpload]
    missing: Sequence[str]


def url_upload_infos(
    uow_factory: UnitOfWorkFactory, account: Account, by: str, values: Sequence[str]
) -> UrlUploadInfos:
    """The account's imports by JobId (``by="JobIds"``) or by URL (the newest of each)."""
    found, missing = [], []
    with uow_factory() as uow:
        for value in values:
            upload = (
                uow.url_uploads.get(account.id, value)
                if by == "JobIds"
                else uow.url_uploads.latest_for_url(account.id, value)
            )
            if upload is None:
                missing.append(value)
            else:
                found.append(upload)
    return UrlUploadInfos(found, missing)
