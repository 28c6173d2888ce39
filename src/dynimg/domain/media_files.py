"""Images and attached media (watermark files, covers) uploaded the Alibaba way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from dynimg.domain.uploads import UploadTarget


class MediaStatus(StrEnum):
    """Upload state of an image or attached media file."""

    UPLOADING = "Uploading"
    NORMAL = "Normal"
    UPLOAD_FAIL = "UploadFail"


@dataclass(frozen=True)
class MediaFile:
    """An uploaded image (CreateUploadImage) or attached media (CreateUploadAttachedMedia)."""

    id: str
    account_id: str
    kind: UploadTarget
    business_type: str
    title: str
    file_name: str
    storage_key: str
    status: MediaStatus
    created_at: datetime
    size: int | None = None
    failure_reason: str = ""
    """Why the file is ``UploadFail``: an error code and message."""
