"""AddWatermark, UpdateWatermark, GetWatermark, ListWatermark, DeleteWatermark, SetDefaultWatermark.

An image watermark's ``FileUrl`` must be the URL of an image or attached media the same account
uploaded (what CreateUploadAttachedMedia returns as ``FileURL``); dynimg keeps the object key so
jobs read the file from storage, never from the network.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

from dynimg.domain.accounts import Account
from dynimg.domain.ids import new_resource_id
from dynimg.domain.media_files import MediaStatus
from dynimg.domain.uploads import UploadPolicy
from dynimg.domain.watermark_documents import (
    AddWatermark,
    UpdateWatermark,
    read_watermark_config,
)
from dynimg.domain.watermarks import Watermark, WatermarkType
from dynimg.errors import InvalidParameter, WatermarkNotFound

if TYPE_CHECKING:
    # ports names every repository; dynimg render reaches uploaded_key's module without them.
    from dynimg.ports import Clock, UnitOfWork, UnitOfWorkFactory

DEFAULT_APP_ID = "app-1000000"


def add_watermark(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    policy: UploadPolicy,
    account: Account,
    command: AddWatermark,
) -> Watermark:
    """Store a watermark; an image one's FileUrl must be an image the account uploaded."""
    with uow_factory() as uow:
        key = ""
        if command.config.type is WatermarkType.IMAGE:
            key = uploaded_key(uow, policy, account.id, command.file_url)
        watermark = Watermark(
            id=new_resource_id(),
            account_id=account.id,
            name=command.name,
            type=command.config.type,
            config=command.config.config,
            document=command.config.document,
            file_url=command.file_url,
            storage_key=key,
            app_id=command.app_id or DEFAULT_APP_ID,
            is_default=False,
            created_at=clock.now(),
        )
        uow.watermarks.add(watermark)
        uow.commit()
    return watermark


def update_watermark(
    uow_factory: UnitOfWorkFactory, account: Account, command: UpdateWatermark
) -> Watermark:
    """Change a watermark's name and/or config; its type cannot change."""
    with uow_factory() as uow:
        watermark = _existing(uow, account, command.watermark_id)
        config = read_watermark_config(watermark.type, command.document)
        updated = replace(
            watermark,
            name=command.name or watermark.name,
            config=config.config,
            document=config.document,
        )
        uow.watermarks.update(updated)
        uow.commit()
    return updated


def get_watermark(uow_factory: UnitOfWorkFactory, account: Account, watermark_id: str) -> Watermark:
    with uow_factory() as uow:
        return _existing(uow, account, watermark_id)


def list_watermarks(
    uow_factory: UnitOfWorkFactory, account: Account, app_id: str | None
) -> Sequence[Watermark]:
    with uow_factory() as uow:
        found = uow.watermarks.list(account.id)
    return [w for w in found if app_id is None or w.app_id == app_id]


def delete_watermark(uow_factory: UnitOfWorkFactory, account: Account, watermark_id: str) -> None:
    with uow_factory() as uow:
        if not uow.watermarks.delete(account.id, watermark_id):
            raise WatermarkNotFound()
        uow.commit()


def set_default_watermark(
    uow_factory: UnitOfWorkFactory, account: Account, watermark_id: str
) -> None:
    """Make a watermark the account's default, the one templates name by its reserved id."""
    with uow_factory() as uow:
        _existing(uow, account, watermark_id)
        uow.watermarks.set_default(account.id, watermark_id)
        uow.commit()


def _existing(uow: UnitOfWork, account: Account, watermark_id: str) -> Watermark:
    watermark = uow.watermarks.get(account.id, watermark_id)
    if watermark is None:
        raise WatermarkNotFound()
    return watermark


def uploaded_key(uow: UnitOfWork, policy: UploadPolicy, account_id: str, url: str) -> str:
    """The object key of an image the account uploaded, from its FileURL."""
    path = unquote(urlparse(url).path).lstrip("/")
    bucket, _, key = path.partition("/")
    media = uow.media_files.get_by_key(account_id, key) if bucket == policy.bucket else None
    if media is None or media.size is None:
        raise InvalidParameter(
            "FileUrl", "must be the FileURL of an image uploaded to this account"
        )
    if media.status is MediaStatus.UPLOAD_FAIL:
        raise InvalidParameter("FileUrl", f"the image cannot be used: {media.failure_reason}")
    return media.storage_key
