"""Upload credentials: Alibaba's UploadAddress/UploadAuth, scoped to one object and expiring.

dynimg plays the part of OSS and STS. A grant is a temporary AccessKeyId/AccessKeySecret plus a
SecurityToken, valid for one bucket and object key until it expires; only a hash of the token is
stored. Clients (``oss2.StsAuth``) sign their requests with it as they would against OSS.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from dynimg.domain.timestamps import format_utc
from dynimg.errors import SecurityTokenExpired, UploadComplete

GRANT_LIFETIME = timedelta(seconds=3000)
"""Alibaba's credentials are valid for 3000 s."""


class UploadTarget(StrEnum):
    """What an upload creates."""

    VIDEO = "video"
    IMAGE = "image"
    ATTACHED = "attached"


@dataclass(frozen=True)
class UploadGrant:
    """A temporary credential for uploading one object."""

    key_id: str
    secret: str
    token_sha256: str
    account_id: str
    target: UploadTarget
    target_id: str
    bucket: str
    object_key: str
    max_bytes: int
    expires_at: datetime
    completed_at: datetime | None = None
    """When the upload finished; from then on these credentials may read but not write."""

    def ensure_live(self, now: datetime) -> None:
        """SecurityTokenExpired once the credentials have expired."""
        if now >= self.expires_at:
            raise SecurityTokenExpired()

    def ensure_unspent(self) -> None:
        """UploadComplete once the upload is complete: the credentials may no longer write."""
        if self.completed_at is not None:
            raise UploadComplete("This upload is complete; its credentials cannot write again.")

    def token_matches(self, token: str) -> bool:
        digest = hashlib.sha256(token.encode()).hexdigest()
        return hmac.compare_digest(digest, self.token_sha256)

    def covers(self, bucket: str, object_key: str) -> bool:
        return bucket == self.bucket and object_key == self.object_key


def new_grant(
    *,
    account_id: str,
    target: UploadTarget,
    target_id: str,
    bucket: str,
    object_key: str,
    max_bytes: int,
    now: datetime,
) -> tuple[UploadGrant, str]:
    """A fresh grant and its SecurityToken (returned once, stored only as a hash)."""
    token = "DYNSTS." + secrets.token_urlsafe(48)
    grant = UploadGrant(
        key_id="STS.DYN" + secrets.token_hex(12),
        secret=secrets.token_urlsafe(30),
        token_sha256=hashlib.sha256(token.encode()).hexdigest(),
        account_id=account_id,
        target=target,
        target_id=target_id,
        bucket=bucket,
        object_key=object_key,
        max_bytes=max_bytes,
        expires_at=now + GRANT_LIFETIME,
    )
    return grant, token


def upload_address(endpoint: str, grant: UploadGrant) -> str:
    """Base64 of ``{Endpoint, Bucket, FileName}``."""
    address = {"Endpoint": endpoint, "Bucket": grant.bucket, "FileName": grant.object_key}
    return _b64json(address)


def upload_auth(grant: UploadGrant, token: str, region: str) -> str:
    """Base64 of ``{AccessKeyId, AccessKeySecret, SecurityToken, Expiration, ...}``."""
    auth = {
        "AccessKeyId": grant.key_id,
        "AccessKeySecret": grant.secret,
        "SecurityToken": token,
        "Expiration": str(int(GRANT_LIFETIME.total_seconds())),
        "ExpireUTCTime": format_utc(grant.expires_at),
        "Region": region,
    }
    return _b64json(auth)


def _b64json(document: dict[str, str]) -> str:
    return base64.b64encode(json.dumps(document).encode()).decode()


@dataclass(frozen=True)
class UploadPolicy:
    """Where clients upload to and how much: dynimg's own OSS-compatible endpoint."""

    endpoint: str
    bucket: str
    region: str
    max_upload_bytes: int


def object_key(target: UploadTarget, target_id: str, extension: str) -> str:
    """Where an upload is stored: the name never comes from the client, only its extension."""
    names = {
        UploadTarget.VIDEO: "source",
        UploadTarget.IMAGE: "image",
        UploadTarget.ATTACHED: "file",
    }
    return f"{target.value}/{target_id}/{names[target]}.{extension}"
