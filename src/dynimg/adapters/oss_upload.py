"""Uploading a file to an UploadAddress/UploadAuth pair with oss2, as Alibaba's clients do."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path

import oss2

from dynimg.errors import RemoteError

MULTIPART_THRESHOLD = 8 * 1024 * 1024
PART_SIZE = 4 * 1024 * 1024


def upload(
    address_b64: str,
    auth_b64: str,
    path: Path,
    checkpoints: Path,
    progress: Callable[[int, int | None], None],
) -> None:
    """Upload ``path``; large files go in resumable parts (checkpoints under ``checkpoints``)."""
    address, auth = _decode(address_b64), _decode(auth_b64)
    credentials = oss2.StsAuth(auth["AccessKeyId"], auth["AccessKeySecret"], auth["SecurityToken"])
    bucket = oss2.Bucket(credentials, address["Endpoint"], address["Bucket"])
    try:
        oss2.resumable_upload(
            bucket,
            address["FileName"],
            str(path),
            store=oss2.ResumableStore(root=str(checkpoints)),
            multipart_threshold=MULTIPART_THRESHOLD,
            part_size=PART_SIZE,
            progress_callback=progress,
            num_threads=2,
        )
    except oss2.exceptions.OssError as exc:
        raise RemoteError(str(exc.code), str(exc.message), int(exc.status)) from exc


def _decode(value: str) -> dict[str, str]:
    decoded: dict[str, str] = json.loads(base64.b64decode(value))
    return decoded
