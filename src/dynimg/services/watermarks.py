"""AddWatermark, UpdateWatermark, GetWatermark, ListWatermark, DeleteWatermark, SetDefaultWatermark.

An image watermark's ``FileUrl`` must be the URL of an image or attached media the same account
uploaded (what CreateUploadAttachedMedia returns as ``FileURL``); dynimg keeps the object key so
jobs read the file from storage, never from the network.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from urllib.parse import unquote, urlparse

from dynimg.domain.accounts import Account
from dynimg.domain.fields import read_choice, read_text
from dynimg.domain.ids import new_resource_id
from dynimg.domain.json_document import dump_compact, parse_json_object
from dynimg.domain.media_files import MediaStatus
from dynimg.domain.uploads import UploadPolicy
from dynimg.domain.watermarks import Watermark, WatermarkType, parse_watermark_config
from dynimg.errors import InvalidParameter, WatermarkNotFound
from dynimg.ports import Clock, UnitOfWork, UnitOfWorkFactory

DEFAULT_APP_ID = "app-1000000"


def add_watermark(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    policy: UploadPolicy,
    account: Account,
    *,
    name: str | None,
    config_text: str | None,
    type_name: str | None = None,
    file_url: str | None = None,
    app_id: str | None = None,
) -> Watermark:
    """Validate and store a watermark (``type_name`` absent: Image, as Alibaba defaults)."""
    kind = WatermarkType(
        read_choice(type_name or "Image", "Type", [t.value for t in WatermarkType])
    )
    config = _validated_config(kind, config_text)
    with uow_factory() as uow:
        url, key = "", ""
        if kind is WatermarkType.IMAGE:
            url = read_text(file_url, "FileUrl", max_bytes=2048)
            key = uploaded_key(uow, policy, account.id, url)
        watermark = Watermark(
            id=new_resource_id(),
            account_id=account.id,
            name=_name(name),
            type=kind,
            config_json=config,
            file_url=url,
            storage_key=key,
            app_id=app_id or DEFAULT_APP_ID,
            is_default=False,
            created_at=clock.now(),
        )
        uow.watermarks.add(watermark)
        uow.commit()
    return watermark


def update_watermark(
    uow_factory: UnitOfWorkFactory,
    account: Account,
    watermark_id: str,
    params: dict[str, str | None],
) -> Watermark:
    """Change a watermark's name and/or config; its type cannot change."""
    with uow_factory() as uow:
        watermark = _existing(uow, account, watermark_id)
        updated = replace(
            watermark,
            name=_name(params["Name"]) if params.get("Name") else watermark.name,
            config_json=_validated_config(watermark.type, params.get("WatermarkConfig")),
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
    """Make a watermark the account's default (``USER_DEFAULT_WATERMARK`` in templates)."""
    with uow_factory() as uow:
        _existing(uow, account, watermark_id)
        uow.watermarks.set_default(account.id, watermark_id)
        uow.commit()


def _existing(uow: UnitOfWork, account: Account, watermark_id: str) -> Watermark:
    watermark = uow.watermarks.get(account.id, watermark_id)
    if watermark is None:
        raise WatermarkNotFound()
    return watermark


def _name(value: str | None) -> str:
    return read_text(value, "Name", max_bytes=128).strip()


def _validated_config(kind: WatermarkType, text: str | None) -> str:
    document = parse_json_object(
        read_text(text, "WatermarkConfig", max_bytes=8192), "WatermarkConfig"
    )
    parse_watermark_config(kind, document)
    return dump_compact(document)


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


def check_config(type_name: str, config_text: str) -> None:
    """Validate a WatermarkConfig as AddWatermark would, before its image is uploaded."""
    kind = WatermarkType(read_choice(type_name, "Type", [t.value for t in WatermarkType]))
    _validated_config(kind, config_text)
