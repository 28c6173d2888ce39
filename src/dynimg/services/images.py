"""ListDynamicImage and DeleteDynamicImage, and the signed URLs animated images are served at."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from dynimg.domain.accounts import Account
from dynimg.domain.jobs import DynamicImage, image_id_in
from dynimg.domain.videos import parse_video_ids
from dynimg.errors import InvalidParameter, VideoNotFound
from dynimg.ports.storage import Storage
from dynimg.services.deps import Deps

MAX_DELETE = 10


@dataclass(frozen=True)
class ImageView:
    """An animated image with a freshly signed FileURL."""

    image: DynamicImage
    file_url: str


def list_images(
    deps: Deps, account: Account, video_id: str, most: int | None = None
) -> list[ImageView]:
    """The video's animated images, oldest first, each with a signed, expiring URL; with
    ``most``, only the newest that many (one call's answer stays bounded)."""
    with deps.uow_factory() as uow:
        if uow.videos.get(account.id, video_id) is None:
            raise VideoNotFound()
        images = uow.images.for_video(account.id, video_id, most)
    return _signed(deps, images)


@dataclass(frozen=True)
class ImagePage:
    """Which of a video's animated images to list (the console's gallery pages)."""

    offset: int = 0
    limit: int = 100


def image_page(
    deps: Deps, account: Account, video_id: str, page: ImagePage
) -> tuple[int, list[ImageView]]:
    """How many animated images the video has, and one page of them, oldest first, signed."""
    with deps.uow_factory() as uow:
        if uow.videos.get(account.id, video_id) is None:
            raise VideoNotFound()
        total, images = uow.images.page_for_video(account.id, video_id, page.offset, page.limit)
    return total, _signed(deps, images)


def delete_images(deps: Deps, account: Account, video_id: str, image_ids: str | None) -> None:
    """Delete some (at most 10) or all of a video's animated images, files included."""
    with deps.uow_factory() as uow:
        video = uow.videos.get(account.id, video_id)
        if video is None:
            raise VideoNotFound()
        existing = {image.id: image for image in uow.images.for_video(account.id, video_id)}
        if image_ids:
            wanted = parse_video_ids(image_ids, "DynamicImageIds", MAX_DELETE)
        elif len(existing) > MAX_DELETE:
            raise InvalidParameter(
                "DynamicImageIds", "name at most 10 ids when a video has more than 10"
            )
        else:
            wanted = list(existing)
        doomed = [existing[i] for i in wanted if i in existing]
        for image in doomed:
            uow.images.delete(image.id)
        if video.cover_image_id in {i.id for i in doomed}:
            uow.videos.update(replace(video, cover_image_id=None))
        uow.commit()
    remove_files(deps.storage, doomed)


def remove_files(storage: Storage, images: Sequence[DynamicImage]) -> None:
    """Files go after their rows: a crash in between leaves an orphan file, never a dead row."""
    for image in images:
        storage.delete(image.storage_key)


def image_at(deps: Deps, path: str) -> DynamicImage | None:
    """The animated image a URL path names (``/{VideoId}/image/dynamic/{id}.{ext}``), if any."""
    image_id = image_id_in(path.rsplit("/", 1)[-1])
    with deps.uow_factory() as uow:
        image = uow.images.get(image_id)
    return image if image is not None and "/" + image.storage_key == path else None


def cover_url(deps: Deps, image_id: str) -> str:
    """A signed URL of the animated image a video uses as its cover."""
    with deps.uow_factory() as uow:
        image = uow.images.get(image_id)
    if image is None:
        return ""
    return _signed(deps, [image])[0].file_url


def _signed(deps: Deps, images: Sequence[DynamicImage]) -> list[ImageView]:
    """Each image with a URL signed now, expiring after the delivery policy's lifetime."""
    now = int(deps.clock.now().timestamp())
    return [
        ImageView(image, deps.delivery.file_url("/" + image.storage_key, now)) for image in images
    ]
