"""GetVideoInfo, GetVideoInfos, GetVideoList, UpdateVideoInfo and DeleteVideo."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from dynimg.domain.accounts import Account
from dynimg.domain.storage_keys import cover_key
from dynimg.domain.videos import UpdateVideo, Video, VideoStatus
from dynimg.errors import InvalidParameter, VideoNotFound
from dynimg.ports import Clock, Storage, UnitOfWorkFactory

MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class VideoPage:
    """One page of an account's videos."""

    total: int
    videos: Sequence[Video]


def get_video(uow_factory: UnitOfWorkFactory, account: Account, video_id: str) -> Video:
    """One of the account's videos; another account's is reported as not existing."""
    with uow_factory() as uow:
        video = uow.videos.get(account.id, video_id)
    if video is None:
        raise VideoNotFound()
    return video


def get_videos(
    uow_factory: UnitOfWorkFactory, account: Account, video_ids: list[str]
) -> tuple[list[Video], list[str]]:
    """The videos that exist in the account, and the ids that do not."""
    found, missing = [], []
    with uow_factory() as uow:
        for video_id in video_ids:
            video = uow.videos.get(account.id, video_id)
            if video is None:
                missing.append(video_id)
            else:
                found.append(video)
    return found, missing


@dataclass(frozen=True)
class VideoQuery:
    """Which of an account's videos to list: by status, a page of them, in which order."""

    statuses: tuple[str, ...] = ()
    page: int = 1
    size: int = 10
    newest_first: bool = True


def list_videos(uow_factory: UnitOfWorkFactory, account: Account, query: VideoQuery) -> VideoPage:
    """A page of the account's videos, filtered by status."""
    for status in query.statuses:
        if status not in {s.value for s in VideoStatus}:
            raise InvalidParameter("Status", f"{status!r} is not a video status")
    offset = (query.page - 1) * query.size
    with uow_factory() as uow:
        total, videos = uow.videos.list(
            account.id, list(query.statuses), offset, query.size, query.newest_first
        )
    return VideoPage(total, videos)


def update_video(
    uow_factory: UnitOfWorkFactory, clock: Clock, account: Account, command: UpdateVideo
) -> Video:
    """Change the title, description, tags, cover, category or user data of a video."""
    with uow_factory() as uow:
        video = uow.videos.get(account.id, command.video_id)
        if video is None:
            raise VideoNotFound()
        metadata = command.changes.applied_to(video.metadata)
        updated = replace(video, metadata=metadata, modified_at=clock.now())
        uow.videos.update(updated)
        uow.commit()
    return updated


def delete_videos(
    uow_factory: UnitOfWorkFactory, storage: Storage, account: Account, video_ids: list[str]
) -> list[str]:
    """Delete videos with their files, covers, animated images and snapshots; returns the ids
    that did not exist."""
    missing, keys = [], []
    with uow_factory() as uow:
        for video_id in video_ids:
            video = uow.videos.get(account.id, video_id)
            if video is None:
                missing.append(video_id)
                continue
            for image in uow.images.for_video(account.id, video.id):
                uow.images.delete(image.id)
                keys.append(image.storage_key)
            keys += [s.storage_key for s in uow.snapshots.for_video(account.id, video.id)]
            uow.snapshots.delete_for_video(account.id, video.id)
            uow.upload_grants.delete_for(video.id)
            uow.videos.delete(account.id, video.id)
            keys += [video.storage_key, cover_key(video.id)]
            keys += [video.source_key] if video.source_key else []
        uow.commit()
    # Files go after the rows: a crash in between leaves an orphan file, never a row without one.
    for key in keys:
        storage.delete(key)
    return missing
