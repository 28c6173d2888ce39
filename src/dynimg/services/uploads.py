"""CreateUploadVideo, RefreshUploadVideo, CreateUploadImage and CreateUploadAttachedMedia."""

from __future__ import annotations

from dataclasses import dataclass, replace

from dynimg.domain.accounts import Account
from dynimg.domain.fields import read_choice, read_text
from dynimg.domain.ids import new_resource_id
from dynimg.domain.media_files import MediaFile, MediaStatus
from dynimg.domain.upload_requests import (
    BUSINESS_TYPES,
    NewMedia,
    NewVideo,
    new_media,
    read_size,
)
from dynimg.domain.uploads import (
    UploadGrant,
    UploadPolicy,
    UploadTarget,
    new_grant,
    object_key,
    upload_address,
    upload_auth,
)
from dynimg.domain.videos import Video, VideoStatus
from dynimg.errors import (
    IllegalStatus,
    InvalidParameter,
    VideoNotFound,
)
from dynimg.ports import Clock, UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True)
class UploadTicket:
    """What the Create/Refresh Actions return: the target's id and where to upload it."""

    target_id: str
    upload_address: str
    upload_auth: str
    file_url: str


def create_upload_video(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    policy: UploadPolicy,
    account: Account,
    command: NewVideo,
) -> UploadTicket:
    """Register a video in ``Uploading`` and issue credentials for its file."""
    video = new_video(clock, policy, account, command)
    with uow_factory() as uow:
        uow.videos.add(video)
        ticket = _issue_for_video(uow, clock, policy, account, video)
        uow.commit()
    return ticket


def start_browser_upload(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    policy: UploadPolicy,
    account: Account,
    command: NewVideo,
) -> UploadGrant:
    """The console's CreateUploadVideo: the same video row and grant, with the same checks,
    but no OSS credentials: the console streams the file in through its own session."""
    video = new_video(clock, policy, account, command)
    with uow_factory() as uow:
        uow.videos.add(video)
        grant, _token = _grant(
            uow, clock, policy, account, UploadTarget.VIDEO, video.id, video.storage_key,
            video.declared_size,
        )  # fmt: skip
        uow.commit()
    return grant


def video_upload_grant(
    uow_factory: UnitOfWorkFactory, clock: Clock, account: Account, video_id: str, grant_id: str
) -> UploadGrant:
    """The account's live grant for writing this video's file, as the OSS endpoint demands:
    not expired, not spent; VideoNotFound for another account's or another video's."""
    with uow_factory() as uow:
        grant = uow.upload_grants.get(grant_id)
    if grant is None or grant.account_id != account.id or grant.target_id != video_id:
        raise VideoNotFound()
    grant.ensure_live(clock.now())
    grant.ensure_unspent()
    return grant


def new_video(clock: Clock, policy: UploadPolicy, account: Account, command: NewVideo) -> Video:
    """A new video in ``Uploading``, its file's key chosen (stored by the caller)."""
    now = clock.now()
    video_id = new_resource_id()
    return Video(
        id=video_id,
        account_id=account.id,
        app_id=command.app_id,
        file_name=command.file_name,
        storage_key=object_key(UploadTarget.VIDEO, video_id, command.extension),
        status=VideoStatus.UPLOADING,
        metadata=command.metadata,
        created_at=now,
        modified_at=now,
        declared_size=_within_limit(command.size, policy),
    )


def refresh_upload_video(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    policy: UploadPolicy,
    account: Account,
    video_id: str,
) -> UploadTicket:
    """Fresh credentials for a video still being uploaded; the upload address is unchanged."""
    with uow_factory() as uow:
        video = uow.videos.get(account.id, video_id)
        if video is None:
            raise VideoNotFound()
        if video.status not in (VideoStatus.UPLOADING, VideoStatus.UPLOAD_FAIL):
            raise IllegalStatus(
                f"Status of the video is illegal. Current Status is {video.status}."
            )
        ticket = _issue_for_video(uow, clock, policy, account, video)
        uow.commit()
    return ticket


def create_upload_media(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    policy: UploadPolicy,
    account: Account,
    command: NewMedia,
) -> UploadTicket:
    """Register an image (CreateUploadImage) or attached media and issue upload credentials."""
    media = _new_media(clock, account, command)
    with uow_factory() as uow:
        uow.media_files.add(media)
        ticket = _issue(
            uow, clock, policy, account, command.kind, media.id, media.storage_key, None
        )
        uow.commit()
    return replace(ticket, target_id=media.id)


@dataclass(frozen=True)
class MediaUpload:
    """The console's CreateUploadAttachedMedia: the grant to write through, and the FileURL
    AddWatermark will be given once the file is stored."""

    grant: UploadGrant
    file_url: str


def start_browser_media_upload(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    policy: UploadPolicy,
    account: Account,
    *,
    business_type: str,
    file_name: str,
    size: int,
) -> MediaUpload:
    """The same media row and grant as CreateUploadAttachedMedia, with the same checks, but no
    OSS credentials: the console streams the file in through its own session."""
    business = read_choice(business_type, "BusinessType", BUSINESS_TYPES)
    declared = _within_limit(read_size(str(size)), policy)
    name = read_text(file_name, "FileName", max_bytes=255)
    command = new_media(UploadTarget.ATTACHED, business, name, "", None)
    media = _new_media(clock, account, command)
    with uow_factory() as uow:
        uow.media_files.add(media)
        grant, _token = _grant(
            uow, clock, policy, account, UploadTarget.ATTACHED, media.id, media.storage_key,
            declared,
        )  # fmt: skip
        uow.commit()
    return MediaUpload(grant, object_url(policy, grant))


def _new_media(clock: Clock, account: Account, command: NewMedia) -> MediaFile:
    media_id = new_resource_id()
    return MediaFile(
        id=media_id,
        account_id=account.id,
        kind=command.kind,
        business_type=command.business_type,
        title=(command.title or command.file_name)[:128],
        file_name=command.file_name,
        storage_key=object_key(command.kind, media_id, command.extension),
        status=MediaStatus.UPLOADING,
        created_at=clock.now(),
    )


def _issue_for_video(
    uow: UnitOfWork, clock: Clock, policy: UploadPolicy, account: Account, video: Video
) -> UploadTicket:
    """Credentials for a video's source file (new upload, refresh)."""
    return _issue(
        uow, clock, policy, account, UploadTarget.VIDEO, video.id, video.storage_key,
        video.declared_size,
    )  # fmt: skip


def _issue(
    uow: UnitOfWork,
    clock: Clock,
    policy: UploadPolicy,
    account: Account,
    target: UploadTarget,
    target_id: str,
    key: str,
    declared: int | None,
) -> UploadTicket:
    grant, token = _grant(uow, clock, policy, account, target, target_id, key, declared)
    return UploadTicket(
        target_id=target_id,
        upload_address=upload_address(policy.endpoint, grant),
        upload_auth=upload_auth(grant, token, policy.region),
        file_url=object_url(policy, grant),
    )


def _grant(
    uow: UnitOfWork,
    clock: Clock,
    policy: UploadPolicy,
    account: Account,
    target: UploadTarget,
    target_id: str,
    key: str,
    declared: int | None,
) -> tuple[UploadGrant, str]:
    limit = min(declared, policy.max_upload_bytes) if declared else policy.max_upload_bytes
    grant, token = new_grant(
        account_id=account.id,
        target=target,
        target_id=target_id,
        bucket=policy.bucket,
        object_key=key,
        max_bytes=limit,
        now=clock.now(),
    )
    uow.upload_grants.add(grant)
    return grant, token


def object_url(policy: UploadPolicy, grant: UploadGrant) -> str:
    """The OSS-style URL of an uploaded object (what AddWatermark's FileUrl refers to)."""
    return f"{policy.endpoint.rstrip('/')}/{grant.bucket}/{grant.object_key}"


def _within_limit(size: int | None, policy: UploadPolicy) -> int | None:
    """A declared size, which must not be more than the policy lets one upload be."""
    if size is not None and size > policy.max_upload_bytes:
        raise InvalidParameter("FileSize", f"must be at most {policy.max_upload_bytes} bytes")
    return size
