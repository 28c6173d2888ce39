"""What happens after a file has been uploaded: probe it and settle its status."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import replace

from dynimg.domain.media import MediaInfo
from dynimg.domain.media_files import MediaStatus
from dynimg.domain.uploads import UploadGrant, UploadTarget
from dynimg.domain.videos import ProbeFacts, VideoStatus
from dynimg.errors import MediaError
from dynimg.ports import Clock, MediaEngine, Storage, StoredObject, UnitOfWorkFactory

log = logging.getLogger("dynimg.processing")
Schedule = Callable[[Callable[[], None]], None]


def mark_uploaded(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    grant: UploadGrant,
    stored: StoredObject,
) -> None:
    """Record that the whole file arrived: a video becomes ``UploadSucc``."""
    with uow_factory() as uow:
        if grant.target is UploadTarget.VIDEO:
            video = uow.videos.get(grant.account_id, grant.target_id)
            if video is not None and video.can_become(VideoStatus.UPLOAD_SUCC):
                uow.videos.update(
                    replace(
                        video,
                        status=VideoStatus.UPLOAD_SUCC,
                        size=stored.size,
                        failure_reason="",
                        modified_at=clock.now(),
                    )
                )
        else:
            media = uow.media_files.get(grant.account_id, grant.target_id)
            if media is not None:
                uow.media_files.update(replace(media, size=stored.size))
        uow.commit()


def finish_upload(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    storage: Storage,
    engine: MediaEngine,
    schedule: Schedule,
    grant: UploadGrant,
    stored: StoredObject,
) -> None:
    """A whole object arrived: record it now, probe it off the request path."""
    mark_uploaded(uow_factory, clock, grant, stored)
    schedule(
        functools.partial(
            process_upload, uow_factory, clock, storage, engine, grant.target, grant.target_id
        )
    )


def process_upload(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    storage: Storage,
    engine: MediaEngine,
    target: UploadTarget,
    target_id: str,
) -> None:
    """Probe an uploaded file (outside any transaction), then record what was found."""
    if target is UploadTarget.VIDEO:
        _settle_video(uow_factory, clock, storage, engine, target_id)
    else:
        _settle_media(uow_factory, storage, engine, target_id)


def resume_processing(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    storage: Storage,
    engine: MediaEngine,
    schedule: Schedule,
) -> int:
    """After a restart: probe again every video that was uploaded but never settled."""
    with uow_factory() as uow:
        pending = [video.id for video in uow.videos.with_status(VideoStatus.UPLOAD_SUCC)]
    for video_id in pending:
        schedule(
            functools.partial(
                process_upload, uow_factory, clock, storage, engine, UploadTarget.VIDEO, video_id
            )
        )
    return len(pending)


def _settle_video(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    storage: Storage,
    engine: MediaEngine,
    video_id: str,
) -> None:
    with uow_factory() as uow:
        video = uow.videos.get(None, video_id)
    if video is None or video.status is not VideoStatus.UPLOAD_SUCC:
        return  # deleted, or settled by an earlier delivery
    try:
        with storage.readable(video.storage_key) as source:
            facts, status, reason = _facts(engine.probe(source)), VideoStatus.NORMAL, ""
    except MediaError as exc:
        facts, status, reason = None, VideoStatus.UPLOAD_FAIL, f"{exc.code}: {exc.message}"[:500]
    with uow_factory() as uow:
        current = uow.videos.get(None, video_id)
        if current is not None and current.status is VideoStatus.UPLOAD_SUCC:
            uow.videos.update(
                replace(
                    current,
                    status=status,
                    probe=facts,
                    failure_reason=reason,
                    modified_at=clock.now(),
                )
            )
            uow.commit()
    log.info("video %s is %s %s", video_id, status, reason)


def _settle_media(
    uow_factory: UnitOfWorkFactory, storage: Storage, engine: MediaEngine, media_id: str
) -> None:
    with uow_factory() as uow:
        media = uow.media_files.get(None, media_id)
    if media is None or media.status is not MediaStatus.UPLOADING:
        return
    try:
        with storage.readable(media.storage_key) as image:
            engine.image_size(image)
        status = MediaStatus.NORMAL
    except MediaError:
        status = MediaStatus.UPLOAD_FAIL
    with uow_factory() as uow:
        current = uow.media_files.get(None, media_id)
        if current is not None and current.status is MediaStatus.UPLOADING:
            uow.media_files.update(replace(current, status=status))
            uow.commit()


def _facts(info: MediaInfo) -> ProbeFacts:
    duration = info.duration or 0
    return ProbeFacts(
        container=info.container,
        video_codec=info.video_codec,
        width=info.display_size[0],
        height=info.display_size[1],
        duration_ms=round(duration * 1000),
        fps=f"{float(info.fps):.3f}".rstrip("0").rstrip(".") if info.fps else "",
        rotation=info.rotation,
        bit_rate=info.bit_rate,
    )
